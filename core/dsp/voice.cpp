#include "core/dsp/voice.h"

#include <algorithm>
#include <cmath>

namespace aer {

Status VoiceGateConfig::validate() const {
    if (!std::isfinite(min_level_db) || min_level_db < -200.0 || min_level_db > 20.0)
        return Status::error("voice gate: min_level_db must be within -200..20 dBFS");
    if (!std::isfinite(above_floor_db) || above_floor_db < 0.0 || above_floor_db > 100.0)
        return Status::error("voice gate: above_floor_db must be within 0..100 dB");
    if (!std::isfinite(floor_percentile) || floor_percentile < 0.0 || floor_percentile > 100.0)
        return Status::error("voice gate: floor_percentile must be within 0..100");
    return Status{};
}

std::size_t gate_voice(const float* levels, std::size_t n, const VoiceGateConfig& config,
                       std::vector<std::uint8_t>& voiced) {
    voiced.assign(n, 0);
    if (n == 0)
        return 0;
    std::vector<float> sorted(levels, levels + n);
    std::size_t k = std::size_t(std::floor(config.floor_percentile / 100.0 * double(n - 1)));
    std::nth_element(sorted.begin(), sorted.begin() + std::ptrdiff_t(k), sorted.end());
    const double threshold = std::max(config.min_level_db, double(sorted[k]) + config.above_floor_db);
    std::size_t count = 0;
    for (std::size_t i = 0; i < n; ++i) {
        voiced[i] = double(levels[i]) >= threshold;
        count += voiced[i];
    }
    return count;
}

} // namespace aer
