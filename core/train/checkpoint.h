// aer/train/checkpoint: what a resumed run needs besides the model files, so that training
// stopped after epoch N and resumed gives the same weights as a run that never stopped.
//
// A checkpoint is the model files (PREFIX.json + PREFIX.bin, core/nn/model_io.h, readable by
// anything that reads models) plus PREFIX.state, this file's state:
// - the epochs finished,
// - the optimiser's name, step count and state (Adam's m and v per parameter, SGD's velocity),
// - the state of every dropout layer's random stream (core/nn/random.h),
// all as of the end of the last finished epoch (Trainer::state()).
//
// PREFIX.state layout (little-endian):
//   bytes 0..7   "AERSTATE"
//   u32          version (1)
//   u32          header length H (at most 1 MB)
//   H bytes      JSON header: {"epochs_done": N, "optimizer": "adam"|"sgd", "iterations": K,
//                 "slots": S, "sizes": [floats per parameter...], "rngs": [["16 hex digits" x 4]...]}
//   float32      for each parameter i, for each slot s: sizes[i] values
// Contract: parse_train_state() validates the bytes on their own (magic, version, header, types,
// ranges, total size, finite values) and never crashes on hostile input; Trainer::init() checks
// a parsed state against the model (parameter sizes, dropout layers) before using any of it.
#pragma once

#include "core/status.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace aer {

/// Cap on a state file: header plus two slots of a model at kMaxParameters (model.h).
constexpr std::size_t kMaxStateHeaderBytes = 1u << 20;

struct TrainState {
    int epochs_done = 0;                     ///< finished epochs (the run resumes at the next)
    std::string optimizer;                   ///< "adam" or "sgd"
    long long iterations = 0;                ///< optimiser steps taken
    int slots = 0;                           ///< state vectors per parameter (Adam 2)
    std::vector<std::vector<float>> values;  ///< slot s of parameter i at [i * slots + s]
    std::vector<std::array<std::uint64_t, 4>> rngs; ///< dropout streams, in layer order
};

/// The bytes of PREFIX.state for `state` (out is replaced).
void serialize_train_state(const TrainState& state, std::vector<std::uint8_t>& out);

/// Parses and validates PREFIX.state bytes (owned by the caller, read only) into `state`.
Status parse_train_state(const std::uint8_t* bytes, std::size_t size, TrainState& state);

/// Writes PREFIX.state through PREFIX.state.tmp and a rename (a failed write keeps the old one).
Status save_train_state_file(const std::string& prefix, const TrainState& state);

/// Reads and parses PREFIX.state; the message names the file.
Status load_train_state_file(const std::string& prefix, TrainState& state);

} // namespace aer
