#include "core/dsp/stft.h"

#include "kiss_fftr.h"

#include <cmath>
#include <cstdlib>

namespace aer {

Stft::~Stft() {
    if (cfg_)
        kiss_fftr_free(static_cast<kiss_fftr_cfg>(cfg_));
}

Status Stft::init(int n_fft, int hop) {
    if (n_fft < 16 || n_fft > 65536 || n_fft % 2 != 0)
        return Status::error("n_fft must be even and within 16..65536 (got " + std::to_string(n_fft) + ")");
    if (hop < 1 || hop > n_fft)
        return Status::error("hop length must be within 1..n_fft (got " + std::to_string(hop) + ")");
    if (cfg_)
        kiss_fftr_free(static_cast<kiss_fftr_cfg>(cfg_));
    cfg_ = kiss_fftr_alloc(n_fft, 0, nullptr, nullptr);
    if (!cfg_)
        return Status::error("cannot allocate an FFT plan of size " + std::to_string(n_fft));
    n_fft_ = n_fft;
    hop_ = hop;
    const double pi = 3.14159265358979323846;
    window_.resize(std::size_t(n_fft));
    for (int k = 0; k < n_fft; ++k)
        window_[std::size_t(k)] = 0.5 - 0.5 * std::cos(2.0 * pi * k / n_fft);
    frame_.assign(std::size_t(n_fft), 0.0);
    spec_.assign(std::size_t(n_fft + 2), 0.0);
    return Status{};
}

void Stft::power_frame(const float* y, std::size_t n, std::size_t f, double* out) {
    // Frame f covers padded samples [hop f, hop f + n_fft), i.e. signal samples from hop f - n_fft/2.
    const long long start = (long long)(f * std::size_t(hop_)) - n_fft_ / 2;
    for (int k = 0; k < n_fft_; ++k) {
        long long i = start + k;
        double v = (i >= 0 && i < (long long)n) ? double(y[i]) : 0.0;
        frame_[std::size_t(k)] = v * window_[std::size_t(k)];
    }
    kiss_fftr(static_cast<kiss_fftr_cfg>(cfg_), frame_.data(), reinterpret_cast<kiss_fft_cpx*>(spec_.data()));
    const int nb = bins();
    for (int b = 0; b < nb; ++b) {
        double re = spec_[std::size_t(2 * b)];
        double im = spec_[std::size_t(2 * b + 1)];
        out[b] = re * re + im * im;
    }
}

} // namespace aer
