// aer/train/normalize: per-coefficient standardisation of MFCC features, and the layout of a
// model's inputs.
//
// For each coefficient c, mean[c] and std[c] are taken over every frame of every training
// example (the padding frames included: they are part of what the model sees); a feature x
// becomes (x - mean[c]) / std[c]. The statistics travel in the model file, so the browser and
// the CLI apply exactly what training used.
#pragma once

#include "core/nn/model.h"
#include "core/train/dataset.h"

#include <nlohmann/json.hpp>

#include <vector>

namespace aer {

struct Normalization {
    std::vector<float> mean; ///< n_mfcc values; empty = no normalisation
    std::vector<float> std;  ///< n_mfcc values, each > 0
    bool active() const { return !mean.empty(); }
};

/// Statistics of the examples `indices` of `data` (std floored at 1e-6).
Normalization fit_normalization(const Dataset& data, const std::vector<std::size_t>& indices);

/// null when inactive, else {"mean": [...], "std": [...]}.
nlohmann::json to_json(const Normalization& n);
/// Parses (null -> inactive); checks the lengths against n_mfcc and that values are finite, std > 0.
Status normalization_from_json(const nlohmann::json& j, int n_mfcc, Normalization& out);

/// Model inputs for `count` examples of features (each n_mfcc x frames, row-major, contiguous):
/// normalised, then arranged for `orientation`. out: count * n_mfcc * frames floats (caller-owned).
void prepare_inputs(const float* features, int count, int n_mfcc, int frames, const Normalization& norm,
                    Orientation orientation, float* out);

} // namespace aer
