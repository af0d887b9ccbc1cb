// aer/train/checkpoint: what a resumed run needs besides the model files, so that training
// stopped after epoch N and resumed gives the same weights as a run that never stopped.
//
// A checkpoint is the model files (PREFIX.json + PREFIX.bin, core/nn/model_io.h, readable by
// anything that reads models) plus PREFIX.state, this file's state:
// - the epochs finished,
// - the optimiser's name, step count and state (Adam's m and v per parameter, SGD's velocity),
// - the state of every dropout layer's random stream (core/nn/random.h),
// - a digest of the PREFIX.bin it belongs to,
// all as of the end of the last finished epoch (Trainer::state()).
//
// save_checkpoint() writes the three files through temporary files and renames them state, bin,
// json, first copying the previous state to PREFIX.state.prev (so PREFIX.state never goes missing); load_checkpoint() uses whichever of
// PREFIX.state and PREFIX.state.prev matches the .bin by its digest. So a process killed at any
// point leaves a checkpoint that resumes exactly: the old one, the new one, or the new weights
// with the old JSON (then the state, not the JSON, says how many epochs are done).
//
// PREFIX.state layout (little-endian):
//   bytes 0..7   "AERSTATE"
//   u32          version (1)
//   u32          header length H (at most 1 MB)
//   H bytes      JSON header: {"epochs_done": N, "optimizer": "adam"|"sgd", "iterations": K,
//                 "slots": S, "sizes": [floats per parameter...], "rngs": [["16 hex digits" x 4]...],
//                 "weights": "16 hex digits" (weights_digest() of the .bin)}
//   float32      for each parameter i, for each slot s: sizes[i] values
// Contract: parse_train_state() validates the bytes on their own (magic, version, header, types,
// ranges, total size, finite values) and never crashes on hostile input; Trainer::init() checks
// a parsed state against the model (parameter sizes, dropout layers) before using any of it.
#pragma once

#include "core/nn/model_io.h"
#include "core/status.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace aer {

/// Cap on the JSON header of a state file (H above). The whole file is capped separately, in
/// checkpoint.cpp, at 16 bytes + this header cap + two slots of a model at kMaxParameters (model.h).
constexpr std::size_t kMaxStateHeaderBytes = 1u << 20;

struct TrainState {
    int epochs_done = 0;                            ///< finished epochs (the run resumes at the next)
    std::string optimizer;                          ///< "adam" or "sgd"
    long long iterations = 0;                       ///< optimiser steps taken
    int slots = 0;                                  ///< state vectors per parameter (Adam 2)
    std::vector<std::vector<float>> values;         ///< slot s of parameter i at [i * slots + s]
    std::vector<std::array<std::uint64_t, 4>> rngs; ///< dropout streams, in layer order
    std::uint64_t weights = 0;                      ///< weights_digest() of the .bin this state goes with
};

/// FNV-1a (64-bit) of a .bin's bytes (caller-owned, read only): ties a state to its weights.
std::uint64_t weights_digest(const std::uint8_t* bin, std::size_t size);

/// The bytes of PREFIX.state for `state` (out is replaced).
void serialize_train_state(const TrainState& state, std::vector<std::uint8_t>& out);

/// Parses and validates PREFIX.state bytes (owned by the caller, read only) into `state`.
Status parse_train_state(const std::uint8_t* bytes, std::size_t size, TrainState& state);

/// Writes a checkpoint: PREFIX.json, PREFIX.bin and PREFIX.state (state.weights is set to the
/// digest of the .bin written), in the order described above.
Status save_checkpoint(const std::string& prefix, const Model& model, const ModelInfo& info,
                       TrainState state);

/// Loads PREFIX.json + PREFIX.bin into model/info, and into `state` the saved state that matches
/// that .bin (have_state true; info.training["epochs_done"] is then the state's). Without one,
/// have_state is false and `note` says why (missing, broken, or of other weights): the model still
/// loads. Fails only when the model files do not load.
Status load_checkpoint(const std::string& prefix, Model& model, ModelInfo& info, TrainState& state,
                       bool& have_state, std::string& note);

} // namespace aer
