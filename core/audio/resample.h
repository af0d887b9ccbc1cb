// aer/audio/resample: band-limited resampling identical to librosa.load(res_type='kaiser_best').
//
// Algorithm: resampy's windowed-sinc interpolation (J. O. Smith, "Digital Audio Resampling",
// https://ccrma.stanford.edu/~jos/resample/) with the 'kaiser_best' filter: 50 zero crossings,
// 2^13 table entries per crossing, rolloff 0.917347, Kaiser window beta 12.9846. The constants
// and the exact loop are in docs (../shared/docs/librosa-mfcc.md, section 1).
//
// Contract: the filter table (409601 doubles, 3.2 MB) is built once per process, on first use,
// and shared read-only (thread-safe). resample() allocates its output and the taps of each
// output phase (e.g. 147 x 218 doubles for 48 kHz -> 22050 Hz).
#pragma once

#include "core/status.h"

#include <vector>

namespace aer {

/// Resamples mono `x` (sample rate `sr_orig` Hz) to `sr_new` Hz into `y`.
/// Output length is ceil(x.size() * sr_new / sr_orig), as librosa.load returns (resampy's
/// int(len * ratio) samples, then zero-padded). Equal rates copy. Both rates must be > 0.
Status resample(const std::vector<float>& x, int sr_orig, int sr_new, std::vector<float>& y);

} // namespace aer
