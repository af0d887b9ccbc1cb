// aer/dsp/stft: power spectrum of one centred frame, as librosa.stft(center=True,
// pad_mode='constant', window='hann') followed by |X|^2.
//
// Contract: create with n_fft (even) and hop; the window and the KissFFT plan are built once.
// power_frame() never allocates and may be called from several threads on distinct Stft objects.
#pragma once

#include "core/status.h"

#include <cstddef>
#include <memory>
#include <vector>

namespace aer {

class Stft {
  public:
    Stft() = default;
    ~Stft();
    Stft(const Stft&) = delete;
    Stft& operator=(const Stft&) = delete;

    /// Builds the periodic Hann window (w[k] = 0.5 - 0.5 cos(2 pi k / n_fft)) and the real FFT plan.
    /// n_fft: even, 16..65536; hop: 1..n_fft.
    Status init(int n_fft, int hop);

    /// Frames librosa produces for `n` samples with center=True: 1 + floor(n / hop).
    std::size_t frame_count(std::size_t n) const { return 1 + n / std::size_t(hop_); }
    /// Frequency bins per frame: n_fft / 2 + 1.
    int bins() const { return n_fft_ / 2 + 1; }
    int n_fft() const { return n_fft_; }

    /// Power |X[k]|^2 of frame `f` of signal `y` (n samples, zero-padded by n_fft/2 on both sides).
    /// `out`: bins() doubles, caller-owned.
    void power_frame(const float* y, std::size_t n, std::size_t f, double* out);

  private:
    int n_fft_ = 0;
    int hop_ = 0;
    std::vector<double> window_;
    std::vector<double> frame_; // n_fft scratch
    std::vector<double> spec_;  // (n_fft/2+1) complex values, interleaved re/im
    void* cfg_ = nullptr;       // kiss_fftr_cfg
};

} // namespace aer
