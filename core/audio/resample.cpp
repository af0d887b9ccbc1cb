#include "core/audio/resample.h"

#include <cmath>
#include <algorithm>
#include <cstdint>
#include <numeric>

namespace aer {
namespace {

constexpr int kNumZeros = 50;
constexpr int kNumTable = 1 << 13; // entries per zero crossing (precision 13)
constexpr double kRolloff = 0.917347;
constexpr double kBeta = 12.9846;

// Modified Bessel function of the first kind, order 0, by its power series
// I0(x) = sum_k ((x/2)^k / k!)^2, which converges fast for the arguments used here (|x| <= 13).
double bessel_i0(double x) {
    double term = 1.0;
    double sum = 1.0;
    double half = x / 2.0;
    for (int k = 1; k < 200; ++k) {
        term *= half / k;
        double t2 = term * term;
        sum += t2;
        if (t2 < sum * 1e-17)
            break;
    }
    return sum;
}

// The right half of the interpolation filter: win[j] = kaiser(2n+1)[n+j] * rolloff * sinc(rolloff j / table).
const std::vector<double>& kaiser_best_window() {
    static const std::vector<double> win = [] {
        const int n = kNumTable * kNumZeros;
        const double pi = 3.14159265358979323846;
        std::vector<double> w(std::size_t(n) + 1);
        const double i0_beta = bessel_i0(kBeta);
        for (int j = 0; j <= n; ++j) {
            // symmetric Kaiser of M = 2n+1 points at k = n+j: (2k/(M-1) - 1) = j/n
            double r = double(j) / n;
            double taper = bessel_i0(kBeta * std::sqrt(std::fmax(0.0, 1.0 - r * r))) / i0_beta;
            double xs = kRolloff * double(j) / kNumTable;
            double sinc = j == 0 ? 1.0 : std::sin(pi * xs) / (pi * xs);
            w[std::size_t(j)] = taper * kRolloff * sinc;
        }
        return w;
    }();
    return win;
}

} // namespace

Status Resampler::init(int sr_orig, int sr_new) {
    if (sr_orig <= 0 || sr_new <= 0)
        return Status::error("resample: sample rates must be positive (got " + std::to_string(sr_orig) + " -> " +
                             std::to_string(sr_new) + ")");
    sr_orig_ = sr_orig;
    sr_new_ = sr_new;
    table_.clear();
    reset();
    if (sr_orig == sr_new)
        return Status{};
    const std::int64_t nwin = std::int64_t(kaiser_best_window().size());
    ratio_ = double(sr_new) / double(sr_orig);
    scale_ = std::fmin(1.0, ratio_);
    index_step_ = std::int64_t(scale_ * kNumTable);
    win_gain_ = ratio_ < 1.0 ? ratio_ : 1.0; // resampy scales the table by the ratio when downsampling
    time_increment_ = 1.0 / ratio_;
    reach_ = nwin / index_step_ + 1; // no wing has more taps than this
    // The fractional positions repeat with a period of sr_new / gcd(sr_orig, sr_new) outputs
    // (147 for 48 kHz -> 22050 Hz), so the taps are made once per phase. A sample whose position,
    // as resampy computes it, is not within 1e-9 of its phase's (rounding near an integer time)
    // gets taps of its own, so the result stays that of the per-sample computation.
    period_ = std::int64_t(sr_new) / std::int64_t(std::gcd(sr_orig, sr_new));
    if (period_ <= 4096) {
        table_.resize(std::size_t(period_));
        for (std::int64_t p = 0; p < period_; ++p) {
            double time = double(p) * time_increment_;
            make_taps(scale_ * (time - double(std::int64_t(time))), table_[std::size_t(p)]);
        }
    }
    return Status{};
}

void Resampler::reset() {
    buf_.clear();
    base_ = received_ = next_out_ = 0;
}

// The taps of one output sample for a fractional position `frac`: each is win[j] + eta *
// (win[j+1] - win[j]) (linear interpolation in the table; the last difference is taken as 0).
void Resampler::make_taps(double frac, Taps& out) const {
    const std::vector<double>& win = kaiser_best_window();
    const std::int64_t nwin = std::int64_t(win.size());
    auto wing = [&](double f, std::vector<double>& taps) {
        double index_frac = f * kNumTable;
        std::int64_t offset = std::int64_t(index_frac);
        double eta = index_frac - double(offset);
        std::int64_t count = (nwin - offset) / index_step_;
        taps.resize(std::size_t(std::max<std::int64_t>(count, 0)));
        for (std::int64_t i = 0; i < count; ++i) {
            std::int64_t j = offset + i * index_step_;
            double delta = j + 1 < nwin ? win[std::size_t(j + 1)] - win[std::size_t(j)] : 0.0;
            taps[std::size_t(i)] = (win[std::size_t(j)] + eta * delta) * win_gain_;
        }
    };
    out.frac = frac;
    wing(frac, out.left);
    wing(scale_ - frac, out.right);
}

float Resampler::output(std::int64_t t, std::int64_t known, bool at_end) {
    double time = double(t) * time_increment_;
    std::int64_t n = std::int64_t(time);
    double frac = scale_ * (time - double(n));
    const Taps* taps = &own_;
    if (!table_.empty() && std::fabs(frac - table_[std::size_t(t % period_)].frac) < 1e-9)
        taps = &table_[std::size_t(t % period_)];
    else
        make_taps(frac, own_);
    double acc = 0.0;
    std::int64_t i_max = std::min<std::int64_t>(n + 1, std::int64_t(taps->left.size()));
    const double* lw = taps->left.data();
    const float* xl = buf_.data() + (n - base_);
    for (std::int64_t i = 0; i < i_max; ++i)
        acc += lw[i] * double(xl[-i]);
    std::int64_t k_max = std::int64_t(taps->right.size());
    if (at_end)
        k_max = std::min<std::int64_t>(known - n - 1, k_max);
    const double* rw = taps->right.data();
    const float* xr = buf_.data() + (n + 1 - base_);
    for (std::int64_t k = 0; k < k_max; ++k)
        acc += rw[k] * double(xr[k]);
    return float(acc);
}

void Resampler::emit(std::int64_t known, bool at_end, std::vector<float>& out) {
    const std::int64_t n_out = std::int64_t(double(known) * ratio_); // resampy's int(len * ratio)
    for (;; ++next_out_) {
        if (at_end ? next_out_ >= n_out : false)
            break;
        std::int64_t n = std::int64_t(double(next_out_) * time_increment_);
        if (!at_end && n + 1 + reach_ > known)
            break;
        out.push_back(output(next_out_, known, at_end));
    }
    // Keep only the input the next output's left wing can reach.
    std::int64_t keep_from = std::int64_t(double(next_out_) * time_increment_) - reach_;
    if (keep_from > base_) {
        std::int64_t drop = std::min<std::int64_t>(keep_from - base_, std::int64_t(buf_.size()));
        buf_.erase(buf_.begin(), buf_.begin() + drop);
        base_ += drop;
    }
}

void Resampler::push(const float* x, std::size_t n, std::vector<float>& out) {
    if (sr_orig_ == sr_new_) {
        out.insert(out.end(), x, x + n);
        received_ += std::int64_t(n);
        return;
    }
    buf_.insert(buf_.end(), x, x + n);
    received_ += std::int64_t(n);
    emit(received_, false, out);
}

void Resampler::finish(std::vector<float>& out) {
    if (sr_orig_ != sr_new_) {
        emit(received_, true, out);
        // librosa.load's length is ceil(len * ratio): resampy gives int(len * ratio), zero-padded.
        const std::int64_t n_final = std::int64_t(std::ceil(double(received_) * ratio_));
        for (; next_out_ < n_final; ++next_out_)
            out.push_back(0.0f);
    }
    reset();
}

Status resample(const std::vector<float>& x, int sr_orig, int sr_new, std::vector<float>& y) {
    Resampler r;
    Status s = r.init(sr_orig, sr_new);
    if (!s.ok())
        return s;
    y.clear();
    y.reserve(std::size_t(std::ceil(double(x.size()) * double(sr_new) / double(sr_orig))) + 1);
    r.push(x.data(), x.size(), y);
    r.finish(y);
    return Status{};
}

} // namespace aer
