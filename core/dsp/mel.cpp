#include "core/dsp/mel.h"

#include <algorithm>
#include <cmath>

namespace aer {
namespace {
constexpr double kFsp = 200.0 / 3.0;    // Hz per mel in the linear region
constexpr double kMinLogHz = 1000.0;    // start of the logarithmic region
constexpr double kMinLogMel = kMinLogHz / kFsp; // 15
const double kLogStep = std::log(6.4) / 27.0;
} // namespace

double hz_to_mel(double hz) {
    if (hz >= kMinLogHz)
        return kMinLogMel + std::log(hz / kMinLogHz) / kLogStep;
    return hz / kFsp;
}

double mel_to_hz(double mel) {
    if (mel >= kMinLogMel)
        return kMinLogHz * std::exp(kLogStep * (mel - kMinLogMel));
    return kFsp * mel;
}

Status MelFilterbank::init(int sample_rate, int n_fft, int n_mels, double fmin, double fmax) {
    if (sample_rate <= 0 || n_fft < 2 || n_mels < 1 || n_mels > 1024)
        return Status::error("mel filterbank: invalid sample rate, n_fft or n_mels (1..1024)");
    if (!(fmin >= 0.0) || !(fmax > fmin) || fmax > sample_rate / 2.0 + 1e-9)
        return Status::error("mel filterbank: need 0 <= fmin < fmax <= sample_rate / 2");
    n_mels_ = n_mels;
    bins_ = n_fft / 2 + 1;
    // n_mels + 2 points evenly spaced in mel, back in Hz.
    std::vector<double> mel_f(std::size_t(n_mels) + 2);
    const double lo = hz_to_mel(fmin), hi = hz_to_mel(fmax);
    for (int i = 0; i < n_mels + 2; ++i)
        mel_f[std::size_t(i)] = mel_to_hz(lo + (hi - lo) * i / (n_mels + 1));

    first_.assign(std::size_t(n_mels), 0);
    offset_.assign(std::size_t(n_mels), 0);
    count_.assign(std::size_t(n_mels), 0);
    weights_.clear();
    for (int m = 0; m < n_mels; ++m) {
        const double f0 = mel_f[std::size_t(m)], f1 = mel_f[std::size_t(m) + 1], f2 = mel_f[std::size_t(m) + 2];
        const double enorm = 2.0 / (f2 - f0);
        offset_[std::size_t(m)] = int(weights_.size());
        int first = -1, last = -1;
        std::vector<double> band(std::size_t(bins_), 0.0);
        for (int k = 0; k < bins_; ++k) {
            const double fk = double(k) * sample_rate / n_fft;
            const double lower = (fk - f0) / (f1 - f0);
            const double upper = (f2 - fk) / (f2 - f1);
            const double w = std::max(0.0, std::min(lower, upper));
            band[std::size_t(k)] = w * enorm;
            if (w > 0.0) {
                if (first < 0)
                    first = k;
                last = k;
            }
        }
        if (first >= 0) {
            first_[std::size_t(m)] = first;
            count_[std::size_t(m)] = last - first + 1;
            weights_.insert(weights_.end(), band.begin() + first, band.begin() + last + 1);
        }
    }
    return Status{};
}

void MelFilterbank::apply(const double* power, double* mel) const {
    for (int m = 0; m < n_mels_; ++m) {
        const double* w = weights_.data() + offset_[std::size_t(m)];
        const double* p = power + first_[std::size_t(m)];
        double acc = 0.0;
        for (int i = 0; i < count_[std::size_t(m)]; ++i)
            acc += w[i] * p[i];
        mel[m] = acc;
    }
}

double MelFilterbank::weight(int m, int k) const {
    int i = k - first_[std::size_t(m)];
    if (i < 0 || i >= count_[std::size_t(m)])
        return 0.0;
    return weights_[std::size_t(offset_[std::size_t(m)] + i)];
}

void power_to_db(float* x, std::size_t n, double ref, double amin, double top_db) {
    const double ref_db = 10.0 * std::log10(std::max(amin, ref));
    double peak = -1e300;
    for (std::size_t i = 0; i < n; ++i) {
        double v = 10.0 * std::log10(std::max(amin, double(x[i]))) - ref_db;
        x[i] = float(v);
        peak = std::max(peak, v);
    }
    if (top_db <= 0.0)
        return;
    const float floor_db = float(peak - top_db);
    for (std::size_t i = 0; i < n; ++i)
        x[i] = std::max(x[i], floor_db);
}

} // namespace aer
