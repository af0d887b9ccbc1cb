// aer/nn/model_io: model files, NAME.json + NAME.bin.
//
// NAME.json:
//   {"format": "aer-model", "version": 1,
//    "architecture": {...as core/nn/model.h...},
//    "features": {...MfccConfig, core/dsp/mfcc.h to_json...},
//    "labels": ["neutral", ...]                      (one per output unit),
//    "normalization": null | {"mean": [n_mfcc], "std": [n_mfcc]}  (per coefficient, applied to
//                     the [n_mfcc][frames] features before arrange_input()),
//    "training": {...free metadata...},
//    "weights": [{"name": "lstm_0/kernel", "shape": [256, 1024], "offset": 0, "dtype": "float32"}, ...]}
// NAME.bin: the weights as little-endian float32, at the byte offsets above.
//
// Contract
// - load_model() is the one loader (native and wasm read the two files into memory first). It
//   validates everything and fails with a message naming what is wrong: format/version, unknown
//   keys, the architecture (via Model::build, which caps parameters at kMaxParameters), features
//   vs. input shape, labels vs. classes (distinct, 1..256 bytes each), normalisation, and for the weights:
//   count, names, dtype, shapes, offsets and sizes within the .bin, overlaps, unused bytes and NaN/Inf
//   values. Hostile inputs never crash it; on failure `model` and `info` are unspecified but valid.
// - save_model_files() writes NAME.json.tmp and NAME.bin.tmp, then renames them over the old
//   files (.bin first), so a failed write leaves the previous model intact.
#pragma once

#include "core/dsp/mfcc.h"
#include "core/nn/model.h"
#include "core/status.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace aer {

/// Cap on the size of a model's JSON text: 16 MB.
constexpr std::size_t kMaxModelJsonBytes = 16u << 20;

/// Everything a model file carries besides the architecture and the weights.
struct ModelInfo {
    MfccConfig features;                           ///< the features the model was trained on
    std::vector<std::string> labels;               ///< one name per class
    std::vector<float> norm_mean;                  ///< n_mfcc values, or empty: no normalisation
    std::vector<float> norm_std;                   ///< n_mfcc values (> 0), or empty
    nlohmann::json training = nlohmann::json::object(); ///< free metadata (epochs, accuracy...)
};

/// The labels of the paper's six RAVDESS song emotions, in class order.
std::vector<std::string> default_labels();

/// Parses and validates a model from memory (json_bytes: UTF-8 JSON text; bin: the weights),
/// building `model` and filling `info`. Buffers are read only, owned by the caller.
Status load_model(const std::uint8_t* json_bytes, std::size_t json_size, const std::uint8_t* bin,
                  std::size_t bin_size, Model& model, ModelInfo& info);

/// The JSON text and .bin bytes of `model` with `info` (checked as load_model() would).
Status serialize_model(const Model& model, const ModelInfo& info, std::string& json_text,
                       std::vector<std::uint8_t>& bin);

/// Writes PREFIX.json and PREFIX.bin (through temporary files and renames).
Status save_model_files(const std::string& prefix, const Model& model, const ModelInfo& info);
/// Reads PREFIX.json and PREFIX.bin and load_model()s them; bin_bytes (may be null) receives the
/// .bin's bytes as read.
Status load_model_files(const std::string& prefix, Model& model, ModelInfo& info,
                        std::vector<std::uint8_t>* bin_bytes = nullptr);

/// Writes `size` bytes to `path` (created or truncated); on a failed write the file is removed.
Status write_file(const std::string& path, const void* data, std::size_t size);
/// Reads the whole file at `path` into `out`; false when it is missing, unreadable or over `cap` bytes.
bool read_file(const std::string& path, std::vector<std::uint8_t>& out, std::size_t cap);

/// Applies info's normalisation in place to features (n_mfcc x frames, row-major):
/// x = (x - mean[c]) / std[c]. Does nothing when the model has none. n_mfcc must equal
/// info.features.n_mfcc.
void apply_normalization(const ModelInfo& info, float* features, int n_mfcc, int frames);

} // namespace aer
