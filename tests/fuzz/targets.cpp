#include "tests/fuzz/targets.h"

#include "core/audio/load.h"
#include "core/audio/resample.h"
#include "core/dsp/mfcc.h"
#include "core/nn/model_io.h"
#include "core/train/checkpoint.h"

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

int fuzz_model(const std::uint8_t* data, std::size_t size) {
    if (size < 4)
        return 0;
    std::size_t json_size = std::size_t(data[0]) | std::size_t(data[1]) << 8 | std::size_t(data[2]) << 16 |
                            std::size_t(data[3]) << 24;
    if (json_size > size - 4)
        json_size = size - 4;
    aer::Model model;
    aer::ModelInfo info;
    aer::Status s = aer::load_model(data + 4, json_size, data + 4 + json_size, size - 4 - json_size, model, info);
    if (!s.ok()) {
        if (s.message.empty())
            std::abort();
        return 0;
    }
    // A model that loads must run: one prediction on zeros gives probabilities.
    std::vector<float> x(std::size_t(model.steps()) * std::size_t(model.features()), 0.0f);
    std::vector<float> p(std::size_t(model.classes()));
    if (model.steps() * model.features() > (1 << 20) || !model.predict(x.data(), 1, p.data()).ok())
        return 0;
    float sum = 0;
    for (float v : p)
        sum += v;
    if (!(std::fabs(sum - 1.0f) < 1e-3f))
        std::abort();
    return 0;
}

int fuzz_state(const std::uint8_t* data, std::size_t size) {
    aer::TrainState state;
    aer::Status s = aer::parse_train_state(data, size, state);
    if (!s.ok()) {
        if (s.message.empty())
            std::abort();
        return 0;
    }
    std::vector<std::uint8_t> again;
    aer::serialize_train_state(state, again);
    aer::TrainState back;
    if (!aer::parse_train_state(again.data(), again.size(), back).ok() || back.epochs_done != state.epochs_done ||
        back.optimizer != state.optimizer || back.iterations != state.iterations || back.slots != state.slots ||
        back.values != state.values || back.rngs != state.rngs || back.weights != state.weights)
        std::abort();
    return 0;
}

} // namespace aer_fuzz
