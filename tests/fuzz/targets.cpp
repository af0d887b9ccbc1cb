#include "tests/fuzz/targets.h"

#include "core/audio/load.h"
#include "core/audio/resample.h"
#include "core/dsp/mfcc.h"

#include <cmath>
#include <cstdlib>

namespace aer_fuzz {

int fuzz_wav(const std::uint8_t* data, std::size_t size) {
    std::vector<float> y;
    aer::WavInfo info;
    aer::Status s = aer::read_wav(data, size, y, info);
    if (s.ok() && (y.size() != info.frames || info.frames == 0))
        std::abort(); // a success must describe what it returned
    if (!s.ok() && s.message.empty())
        std::abort(); // a failure must say why
    return 0;
}

int fuzz_mfcc(const std::uint8_t* data, std::size_t size) {
    if (size < 4)
        return 0;
    static const int rates[] = {8000, 11025, 16000, 22050, 44100, 48000, 96000, 192000};
    int rate = rates[data[0] % 8];
    std::vector<float> x((size - 4) / 2);
    for (std::size_t i = 0; i < x.size(); ++i)
        x[i] = float(std::int16_t(data[4 + 2 * i] | (data[5 + 2 * i] << 8))) / 32768.0f;
    if (x.size() > 200000)
        x.resize(200000);
    std::vector<float> y, m;
    if (!aer::resample(x, rate, 22050, y).ok())
        std::abort();
    aer::MfccConfig cfg;
    cfg.n_mfcc = 1 + data[1] % 40;
    cfg.max_len = data[2] % 2 ? 0 : 256;
    aer::MfccExtractor e;
    if (!e.init(cfg).ok())
        std::abort();
    std::size_t frames = 0;
    aer::Status s = e.features(y.data(), y.size(), m, frames);
    if (y.empty()) {
        if (s.ok())
            std::abort(); // no samples must be an error
        return 0;
    }
    if (!s.ok() || m.size() != std::size_t(cfg.n_mfcc) * frames)
        std::abort();
    for (float v : m)
        if (!std::isfinite(v))
            std::abort(); // finite input gives finite features
    return 0;
}

} // namespace aer_fuzz
