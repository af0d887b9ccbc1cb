#include "core/train/clip_copies.h"

#include "core/nn/random.h"

namespace aer {

std::uint64_t clip_seed(std::uint32_t seed, std::uint64_t index) {
    // splitmix64's finaliser over (seed, index).
    std::uint64_t z = (std::uint64_t(seed) << 32) ^ (index + 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

Status clip_features(const float* y, std::size_t n, const WaveAugment& a, int copies, std::uint64_t seed,
                     const std::vector<const std::vector<float>*>& babble, MfccExtractor& ex,
                     std::vector<float>& out) {
    const MfccConfig& cfg = ex.config();
    if (cfg.max_len <= 0)
        return Status::error("clip features need a fixed length (max_len > 0)");
    if (copies < 0)
        return Status::error("clip features: copies must be >= 0");
    const std::size_t size = std::size_t(cfg.n_mfcc) * std::size_t(cfg.max_len);
    out.resize(size * std::size_t(1 + copies));
    std::vector<float> f, changed;
    std::size_t frames = 0;
    Status s = ex.features(y, n, f, frames);
    if (!s.ok())
        return s;
    std::copy(f.begin(), f.end(), out.begin());
    const std::vector<float> clip(y, y + n);
    Rng rng(seed);
    for (int k = 0; k < copies; ++k) {
        s = augment_waveform(clip, cfg.sample_rate, a, rng, babble, changed);
        if (s.ok() && changed.empty())
            s = Status::error("an augmented copy has no samples");
        if (s.ok())
            s = ex.features(changed.data(), changed.size(), f, frames);
        if (!s.ok())
            return Status::error("augmented copy " + std::to_string(k + 1) + ": " + s.message);
        std::copy(f.begin(), f.end(), out.begin() + std::ptrdiff_t(size * std::size_t(1 + k)));
    }
    return Status{};
}

} // namespace aer
