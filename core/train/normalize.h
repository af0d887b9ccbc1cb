// aer/train/normalize: per-coefficient standardisation statistics of a training set, and the
// model inputs of a batch of features.
//
// For each coefficient c, mean[c] and std[c] are taken over every frame of every training
// example (the padding frames included: they are part of what the model sees). The statistics
// travel in the model file (ModelInfo::norm_mean / norm_std), so the browser and the CLI apply
// exactly what training used.
#pragma once

#include "core/nn/model.h"
#include "core/nn/model_io.h"
#include "core/train/dataset.h"

#include <vector>

namespace aer {

/// Sets info.norm_mean / info.norm_std from the examples `indices` of `data` (std floored at 1e-6).
void fit_normalization(const Dataset& data, const std::vector<std::size_t>& indices, ModelInfo& info);

/// Model inputs for `count` examples of features (each n_mfcc x frames, row-major, contiguous):
/// normalised as `info` says, then laid out for the model's orientation.
/// out: count * n_mfcc * frames floats (caller-owned).
void prepare_inputs(const float* features, int count, int n_mfcc, int frames, const ModelInfo& info,
                    Orientation orientation, float* out);

} // namespace aer
