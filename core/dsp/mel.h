// aer/dsp/mel: the Slaney mel filterbank and power_to_db, as librosa.filters.mel(htk=False,
// norm='slaney') and librosa.power_to_db (M. Slaney, "Auditory Toolbox", Tech. Rep. 1998-010,
// Interval Research, 1998).
//
// Contract: a MelFilterbank is built once per configuration; apply() never allocates.
// Each band is stored as its non-zero run of bins, so applying it costs ~2 x bins operations.
#pragma once

#include "core/status.h"

#include <cstddef>
#include <vector>

namespace aer {

/// Slaney mel scale: linear (3 f / 200) below 1 kHz, logarithmic above.
double hz_to_mel(double hz);
/// Inverse of hz_to_mel.
double mel_to_hz(double mel);

class MelFilterbank {
  public:
    /// n_mels triangular bands between fmin and fmax (Hz), over the n_fft/2+1 bins of an
    /// n_fft-point FFT at sample_rate Hz, each band scaled by 2 / (its width in Hz).
    Status init(int sample_rate, int n_fft, int n_mels, double fmin, double fmax);

    int n_mels() const { return n_mels_; }
    int bins() const { return bins_; }

    /// mel[m] = sum_k weight[m][k] * power[k]. `power`: bins() values; `mel`: n_mels() values.
    void apply(const double* power, double* mel) const;

    /// Weight of band m at bin k (dense view, for tests).
    double weight(int m, int k) const;

  private:
    int n_mels_ = 0;
    int bins_ = 0;
    std::vector<int> first_;            // first non-zero bin of each band
    std::vector<int> offset_;           // start of each band's weights in weights_
    std::vector<int> count_;            // number of weights of each band
    std::vector<double> weights_;
};

/// In place, over a whole clip: x = 10 log10(max(amin, x)) - 10 log10(max(amin, ref)), then
/// x = max(x, max(x) - top_db). top_db <= 0 disables the floor. `x`: n values.
void power_to_db(float* x, std::size_t n, double ref = 1.0, double amin = 1e-10, double top_db = 80.0);

} // namespace aer
