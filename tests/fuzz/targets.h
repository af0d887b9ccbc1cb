// Fuzz targets: each takes arbitrary bytes and must return without crashing, hanging or
// reading out of bounds, and with every property it checks holding. A target returns what it
// found wrong (a Finding, empty when nothing was), so that the Catch2 suite can replay every file
// kept in tests/fuzz/corpus/<target>/ as its own test case and name a failing one, while libFuzzer
// (tests/fuzz/libfuzzer_*.cpp, clang build, see scripts/fuzz) aborts on a finding and keeps the input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace aer_fuzz {

/// What a target found wrong with one input, for a person; empty when the input was handled as
/// the contract says.
using Finding = std::string;

/// A target: the input's bytes (read only) in, a Finding out.
using Target = Finding (*)(const std::uint8_t* data, std::size_t size);

/// The WAV reader on the bytes as a file.
Finding fuzz_wav(const std::uint8_t* data, std::size_t size);
/// Decoded audio through resampling and the MFCC pipeline: the first 4 bytes choose the input
/// sample rate, the number of coefficients and the padding, the rest are int16 samples.
Finding fuzz_mfcc(const std::uint8_t* data, std::size_t size);

/// The model loader: the first 4 bytes (little-endian) give the JSON text's length, the JSON
/// text follows, the rest is the .bin. A model that loads must predict probabilities summing to
/// 1 and survive a save and a reload unchanged (labels, features, predictions bit for bit).
Finding fuzz_model(const std::uint8_t* data, std::size_t size);

/// An 8-class model (the 8 RAVDESS speech emotions) whose labels and weights come from the input:
/// the first 4 bytes (little-endian) give the length of the text that stands for the "labels"
/// value in a fixed model JSON, the rest is the .bin. It loads only with 8 distinct labels of 1..256
/// bytes and the right .bin, and then holds fuzz_model's properties.
Finding fuzz_model8(const std::uint8_t* data, std::size_t size);

/// The training-state parser (PREFIX.state): a state that parses must serialise back to bytes
/// that parse to the same state.
Finding fuzz_state(const std::uint8_t* data, std::size_t size);

/// The training request parser (core/train/session.h) on the bytes as the JSON text the page's
/// worker sends: it never throws; a request it accepts holds the documented ranges and comes back
/// unchanged through session_settings_json() and a second parse.
Finding fuzz_session(const std::uint8_t* data, std::size_t size);

/// For libFuzzer entry points: prints a non-empty finding to stderr and aborts (libFuzzer then
/// keeps the input); returns 0 otherwise.
int abort_on(const Finding& finding);

} // namespace aer_fuzz
