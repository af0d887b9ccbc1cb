// aer/dsp/voice: which frames carry a voice, from their levels (an energy gate).
//
// A frame is voice when its level (MfccExtractor::log_mel_frame(): Hann-weighted mean square in
// dB re full scale) is at least `min_level_db` AND at least `above_floor_db` above the noise
// floor of the frames judged together, the floor being their `floor_percentile`-th percentile.
// The absolute bound keeps digital silence from being voice; the relative one keeps a steady
// noise (a microphone's hiss, a fan, a hum) from being voice however loud it is, and adapts to
// the input's gain, so a quiet microphone's voice is still heard. It is the classic energy detector (e.g.
// ITU-T P.56's active speech level uses a fixed margin above a noise estimate); it cannot tell a voice from
// another sound of the same loudness and changing level (music, a door), and does not try.
#pragma once

#include "core/status.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace aer {

struct VoiceGateConfig {
    /// dBFS; below it a frame is never voice. Only digital silence (-120 dBFS as measured) is
    /// under it, so a voice 40 dB under a quiet studio take still counts: the relative bound
    /// below is what tells a steady hiss, hum or 16-bit dither from a voice.
    double min_level_db = -115.0;
    double above_floor_db = 12.0;   ///< dB above the noise floor for a frame to be voice
    double floor_percentile = 10.0; ///< 0..100: the noise floor among the frames judged
    /// Checks ranges; the message names the field.
    Status validate() const;
};

/// Marks the voiced frames among `n` levels (dBFS, caller-owned): voiced resized to n, 1 for
/// voice. Returns how many are voiced (0 for n == 0).
std::size_t gate_voice(const float* levels, std::size_t n, const VoiceGateConfig& config,
                       std::vector<std::uint8_t>& voiced);

} // namespace aer
