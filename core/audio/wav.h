// aer/audio/wav: a WAV (RIFF/WAVE) reader for real-world files.
//
// Contract
// - Input: the whole file as bytes (the browser hands a buffer), or a path.
// - Accepted: PCM 8-bit (unsigned), 16, 24 and 32-bit integer; IEEE float 32 and 64;
//   WAVE_FORMAT_EXTENSIBLE carrying either; 1..kMaxChannels channels; 8 kHz..192 kHz.
//   Unknown chunks (LIST, FLLR, fact, ...) are skipped, odd chunk sizes are padded.
// - Output: mono float32 samples (the mean of the channels, sample by sample), scaled as
//   librosa/soundfile do: int16 / 32768, int24 / 8388608, int32 / 2147483648, (u8 - 128) / 128.
// - A `data` chunk whose declared size runs past the end of the buffer (a truncated download)
//   is read up to the last whole frame present and flagged with `info.truncated`.
// - Audio longer than kMaxDurationSeconds is refused (cut it first): features of a clip need the
//   whole clip in memory, and the models look at its first 256 frames (~6 s) only.
// - Everything else that is wrong gets a Status naming the problem; the reader never reads
//   past the buffer and never allocates more than the buffer justifies.
#pragma once

#include "core/status.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace aer {

constexpr std::size_t kMaxWavBytes = 1024u * 1024u * 1024u; ///< 1 GiB: larger files are refused
constexpr int kMaxChannels = 256;
constexpr double kMaxDurationSeconds = 600.0; ///< 10 min: longer audio is refused (the models read ~6 s)
constexpr int kMinSampleRate = 8000;
constexpr int kMaxSampleRate = 192000;

/// What a WAV file holds, as read from its header.
struct WavInfo {
    int sample_rate = 0;     ///< Hz
    int channels = 0;        ///< channels in the file (the output is always mono)
    int bits_per_sample = 0; ///< container bits per sample (8, 16, 24, 32, 64)
    std::string format;      ///< "pcm_u8", "pcm_s16", "pcm_s24", "pcm_s32", "float32", "float64"
    bool extensible = false; ///< WAVE_FORMAT_EXTENSIBLE header
    std::size_t frames = 0;  ///< frames decoded (one sample per channel each)
    bool truncated = false;  ///< the data chunk ran past the end of the file
    double duration_s() const { return sample_rate > 0 ? double(frames) / sample_rate : 0.0; }
};

/// Decodes a WAV file held in memory.
/// `bytes`/`size`: the whole file (borrowed, not kept). On success `mono` holds `info.frames`
/// samples in [-1, 1] (float formats as stored) and `info` describes the file.
Status read_wav(const std::uint8_t* bytes, std::size_t size, std::vector<float>& mono, WavInfo& info);

/// Reads the file at `path` and decodes it as read_wav does. Messages start with the path.
Status read_wav_file(const std::string& path, std::vector<float>& mono, WavInfo& info);

/// Reads a whole file into `out` (at most `max_bytes`). Used for WAV and model files.
Status read_file_bytes(const std::string& path, std::vector<std::uint8_t>& out, std::size_t max_bytes);

/// Encodes mono or interleaved samples as a WAV file (for tests and fixtures).
/// `interleaved`: frames x channels values in [-1, 1]; `format` as in WavInfo::format.
/// Returns the file's bytes. Integer formats are rounded and clipped.
std::vector<std::uint8_t> encode_wav(const std::vector<float>& interleaved, int channels, int sample_rate,
                                     const std::string& format, bool extensible = false);

} // namespace aer
