// aer/audio/load: WAV bytes -> mono float32 at the feature sample rate, as librosa.load(path,
// sr=22050, mono=True, res_type='kaiser_best') returns it.
#pragma once

#include "core/audio/wav.h"

namespace aer {

/// Decodes `bytes` (a whole WAV file, borrowed) and resamples to `sample_rate` Hz.
/// `y`: the result; `info`: the file as read (its own rate, channels, format).
Status load_audio(const std::uint8_t* bytes, std::size_t size, int sample_rate, std::vector<float>& y,
                  WavInfo& info);

/// load_audio on the file at `path`; messages start with the path.
Status load_audio_file(const std::string& path, int sample_rate, std::vector<float>& y, WavInfo& info);

} // namespace aer
