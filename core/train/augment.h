// aer/train/augment: training-time augmentation of the model inputs, on the fly per batch.
//
// - Time shift: each example's frames move by a random whole number of frames in
//   [-max_shift, max_shift]; frames shifted in are 0 (the padding value of raw features and the
//   mean of normalised ones).
// - Masks (SpecAugment, Park et al. 2019, "SpecAugment: A Simple Data Augmentation Method for
//   Automatic Speech Recognition", section 2): `time_masks` runs of up to `time_width`
//   consecutive frames and `coef_masks` runs of up to `coef_width` consecutive coefficients are
//   set to 0, widths and positions uniform.
// Contract: augment_batch() changes only the buffer it is given; the draws come from the Rng
// passed in (the trainer seeds one per (seed, epoch, batch), so a resumed run draws the same).
// Inputs are laid out as the model reads them (core/nn/model.h Orientation): time is the step
// axis for frames_as_steps and the feature axis for coefficients_as_steps.
#pragma once

#include "core/nn/random.h"
#include "core/status.h"

#include <string>

namespace aer {

struct AugmentConfig {
    int max_shift = 0;  ///< frames, >= 0
    int time_masks = 0; ///< masks per example
    int time_width = 0; ///< frames, the widest mask
    int coef_masks = 0;
    int coef_width = 0;        ///< coefficients
    bool time_is_steps = true; ///< the layout: frames are the steps (else the features)

    bool active() const {
        return max_shift > 0 || (time_masks > 0 && time_width > 0) || (coef_masks > 0 && coef_width > 0);
    }
};

/// Parses "none" or a comma-separated list of shift:N, time:MxW, coef:MxW (e.g.
/// "shift:20,time:2x16,coef:2x3"); the message names the part at fault. Leaves time_is_steps.
Status parse_augment(const std::string& spec, AugmentConfig& out);
/// The spec of `c` in parse_augment()'s form ("none" when inactive).
std::string augment_spec(const AugmentConfig& c);

/// Augments `count` examples in place: x is count x steps x features floats, caller-owned.
void augment_batch(float* x, int count, int steps, int features, const AugmentConfig& c, Rng& rng);

} // namespace aer
