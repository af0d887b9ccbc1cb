// aer/train/clip_copies: a training clip's features, and those of augmented copies of its audio.
//
// Waveform augmentation (core/train/degrade.h: noise, rooms, gain, band limits, EQ, speed, pitch)
// changes the audio, so the features of every copy are computed again from the changed samples
// with the model's own feature configuration. Copies are drawn once per clip before training
// ("K cached copies per clip", as Ko et al. 2015 do for speed perturbation): each epoch then
// sees the clip and its K copies, and the time-shift / SpecAugment of core/train/augment.h is
// drawn on top of them per batch.
//
// Contract: clip_features() is a pure function of its arguments (the copies come from
// Rng(seed)), so the CLI can run it on many threads (one MfccExtractor each) and the page one
// clip at a time, and both get the same numbers for the same seed.
#pragma once

#include "core/dsp/mfcc.h"
#include "core/status.h"
#include "core/train/degrade.h"

#include <cstdint>
#include <vector>

namespace aer {

/// The seed of clip number `index` of a run seeded `seed` (splitmix-style mixing, so neighbouring
/// clips draw unrelated copies).
std::uint64_t clip_seed(std::uint32_t seed, std::uint64_t index);

/// Features of `y` (n samples at ex.config().sample_rate, caller-owned) followed by those of
/// `copies` copies drawn by augment_waveform(a) from Rng(seed). `babble`: other clips (same
/// rate, caller-owned) that babble noise is made of. `ex`: an initialised extractor with
/// max_len > 0, used as scratch. `out`: resized to (1 + copies) x n_mfcc x max_len floats.
Status clip_features(const float* y, std::size_t n, const WaveAugment& a, int copies, std::uint64_t seed,
                     const std::vector<const std::vector<float>*>& babble, MfccExtractor& ex,
                     std::vector<float>& out);

} // namespace aer
