// aer/audio/resample: band-limited resampling identical to librosa.load(res_type='kaiser_best').
//
// Algorithm: resampy's windowed-sinc interpolation (J. O. Smith, "Digital Audio Resampling",
// https://ccrma.stanford.edu/~jos/resample/) with the 'kaiser_best' filter: 50 zero crossings,
// 2^13 table entries per crossing, rolloff 0.917347, Kaiser window beta 12.9846. The constants
// and the exact loop are in docs (../shared/docs/librosa-mfcc.md, section 1).
//
// Contract: the filter table (409601 doubles, 3.2 MB) is built once per process, on first use,
// and shared read-only (thread-safe). A Resampler makes the taps of each output phase once
// (e.g. 147 x 218 doubles for 48 kHz -> 22050 Hz) and then converts audio pushed in blocks of
// any size: the samples it yields are bit for bit those of resample() on the whole signal, the
// last ones (which need input past the end) coming at finish(). resample() is a Resampler fed
// the whole signal at once.
#pragma once

#include "core/status.h"

#include <cstdint>
#include <vector>

namespace aer {

class Resampler {
  public:
    /// Prepares sr_orig Hz -> sr_new Hz (both > 0); forgets any earlier stream.
    Status init(int sr_orig, int sr_new);
    /// Starts a new stream with the same rates.
    void reset();
    /// Appends n input samples (caller-owned, read only) and appends to `out` every output
    /// sample whose filter taps are now all known (about 110 input samples of look-ahead).
    void push(const float* x, std::size_t n, std::vector<float>& out);
    /// End of the input: appends the remaining outputs, as resample() ends the whole signal
    /// (ceil(total * sr_new / sr_orig) outputs in all since reset()).
    void finish(std::vector<float>& out);
    int sr_orig() const { return sr_orig_; }
    int sr_new() const { return sr_new_; }

  private:
    struct Taps {
        double frac = 0;
        std::vector<double> left, right; // left[i] multiplies x[n - i], right[k] x[n + 1 + k]
    };
    void make_taps(double frac, Taps& out) const;
    /// Output t from the buffered input; `known`: input samples received (n_orig at finish).
    float output(std::int64_t t, std::int64_t known, bool at_end);
    void emit(std::int64_t known, bool at_end, std::vector<float>& out);

    int sr_orig_ = 0, sr_new_ = 0;
    double ratio_ = 1, scale_ = 1, win_gain_ = 1, time_increment_ = 1;
    std::int64_t index_step_ = 1, period_ = 1, reach_ = 0;
    std::vector<Taps> table_; // one per phase when the period is short, else empty
    Taps own_;
    std::vector<float> buf_;  // input samples [base_, base_ + buf_.size())
    std::int64_t base_ = 0, received_ = 0, next_out_ = 0;
};

/// Resamples mono `x` (sample rate `sr_orig` Hz) to `sr_new` Hz into `y`.
/// Output length is ceil(x.size() * sr_new / sr_orig), as librosa.load returns (resampy's
/// int(len * ratio) samples, then zero-padded). Equal rates copy. Both rates must be > 0.
Status resample(const std::vector<float>& x, int sr_orig, int sr_new, std::vector<float>& y);

} // namespace aer
