// Fuzz targets: each takes arbitrary bytes and must return without crashing, hanging or
// reading out of bounds. Run by libFuzzer (tests/fuzz/libfuzzer_*.cpp, clang build, see
// scripts/fuzz) and, over every file kept in tests/fuzz/corpus/<target>/, by the Catch2 suite.
#pragma once

#include <cstddef>
#include <cstdint>

namespace aer_fuzz {

/// The WAV reader on the bytes as a file.
int fuzz_wav(const std::uint8_t* data, std::size_t size);
/// Decoded audio through resampling and the MFCC pipeline: the first 4 bytes choose the input
/// sample rate, the rest are int16 samples.
int fuzz_mfcc(const std::uint8_t* data, std::size_t size);

/// The model loader: the first 4 bytes (little-endian) give the JSON text's length, the JSON
/// text follows, the rest is the .bin.
int fuzz_model(const std::uint8_t* data, std::size_t size);

/// The training-state parser (PREFIX.state): a state that parses must serialise back to bytes
/// that parse to the same state.
int fuzz_state(const std::uint8_t* data, std::size_t size);

} // namespace aer_fuzz
