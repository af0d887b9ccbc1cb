#include "tests/fuzz/targets.h"

#include "core/audio/load.h"
#include "core/audio/resample.h"
#include "core/dsp/mfcc.h"
#include "core/nn/model_io.h"
#include "core/train/checkpoint.h"
#include "core/train/session.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <set>

namespace aer_fuzz {
namespace {

/// An input cut in two: the first 4 bytes (little-endian) give the first part's length (clipped
/// to what there is), the rest follows. False for an input under 4 bytes.
struct TwoParts {
    const std::uint8_t* first;
    std::size_t first_size;
    const std::uint8_t* rest;
    std::size_t rest_size;
};
bool cut_in_two(const std::uint8_t* data, std::size_t size, TwoParts& out) {
    if (size < 4)
        return false;
    std::size_t n = std::size_t(data[0]) | std::size_t(data[1]) << 8 | std::size_t(data[2]) << 16 |
                    std::size_t(data[3]) << 24;
    n = std::min(n, size - 4);
    out = {data + 4, n, data + 4 + n, size - 4 - n};
    return true;
}

/// The properties every loaded model must have: one label per class, probabilities that sum to
/// 1, and a save + reload that gives back the same labels, features and predictions bit for bit.
Finding check_loaded_model(aer::Model& model, const aer::ModelInfo& info) {
    if (int(info.labels.size()) != model.classes())
        return "loaded with " + std::to_string(info.labels.size()) + " labels for " +
               std::to_string(model.classes()) + " classes";
    if (model.steps() * model.features() > (1 << 20))
        return {}; // too large to predict quickly: the loader's checks are what was under test
    std::vector<float> x(std::size_t(model.steps()) * std::size_t(model.features()));
    for (std::size_t i = 0; i < x.size(); ++i)
        x[i] = float(int(i % 7) - 3) * 0.25f; // a fixed input that is not all zeros
    std::vector<float> p(std::size_t(model.classes()));
    if (!model.predict(x.data(), 1, p.data()).ok())
        return {}; // a refusal (non-finite outputs) is allowed; it carries a message
    float sum = 0;
    for (float v : p)
        sum += v;
    if (!(std::fabs(sum - 1.0f) < 1e-3f))
        return "probabilities sum to " + std::to_string(sum);

    std::string json_text;
    std::vector<std::uint8_t> bin;
    aer::Status s = aer::serialize_model(model, info, json_text, bin);
    if (!s.ok())
        return "a loaded model does not serialise: " + s.message;
    aer::Model again;
    aer::ModelInfo again_info;
    s = aer::load_model(reinterpret_cast<const std::uint8_t*>(json_text.data()), json_text.size(), bin.data(),
                        bin.size(), again, again_info);
    if (!s.ok())
        return "a saved model does not load again: " + s.message;
    if (again_info.labels != info.labels)
        return "the labels change through a save and a reload";
    if (aer::to_json(again_info.features) != aer::to_json(info.features))
        return "the features change through a save and a reload";
    if (again_info.norm_mean != info.norm_mean || again_info.norm_std != info.norm_std)
        return "the normalisation changes through a save and a reload";
    std::vector<float> q(p.size());
    if (!again.predict(x.data(), 1, q.data()).ok() ||
        std::memcmp(p.data(), q.data(), p.size() * sizeof(float)) != 0)
        return "the predictions change through a save and a reload";
    return {};
}

} // namespace

Finding fuzz_wav(const std::uint8_t* data, std::size_t size) {
    std::vector<float> y;
    aer::WavInfo info;
    aer::Status s = aer::read_wav(data, size, y, info);
    if (s.ok() && (y.size() != info.frames || info.frames == 0))
        return "a success describes " + std::to_string(info.frames) + " frames and returns " +
               std::to_string(y.size()) + " samples";
    return {}; // a failure says why (Status::error needs a message)
}

Finding fuzz_mfcc(const std::uint8_t* data, std::size_t size) {
    if (size < 4)
        return {};
    static const int rates[] = {8000, 11025, 16000, 22050, 44100, 48000, 96000, 192000};
    int rate = rates[data[0] % 8];
    std::vector<float> x((size - 4) / 2);
    for (std::size_t i = 0; i < x.size(); ++i)
        x[i] = float(std::int16_t(data[4 + 2 * i] | (data[5 + 2 * i] << 8))) / 32768.0f;
    if (x.size() > 200000)
        x.resize(200000);
    std::vector<float> y, m;
    aer::Status s = aer::resample(x, rate, 22050, y);
    if (!s.ok())
        return "resampling from " + std::to_string(rate) + " Hz failed: " + s.message;
    aer::MfccConfig cfg;
    cfg.n_mfcc = 1 + data[1] % 40;
    cfg.max_len = data[2] % 2 ? 0 : 256;
    aer::MfccExtractor e;
    s = e.init(cfg);
    if (!s.ok())
        return "a valid MFCC config was refused: " + s.message;
    std::size_t frames = 0;
    s = e.features(y.data(), y.size(), m, frames);
    if (y.empty())
        return s.ok() ? "no samples gave features instead of an error" : Finding{};
    if (!s.ok())
        return "features failed: " + s.message;
    if (m.size() != std::size_t(cfg.n_mfcc) * frames)
        return std::to_string(m.size()) + " values for " + std::to_string(cfg.n_mfcc) + " x " +
               std::to_string(frames);
    for (float v : m)
        if (!std::isfinite(v))
            return "finite input gave a non-finite feature";
    return {};
}

Finding fuzz_model(const std::uint8_t* data, std::size_t size) {
    TwoParts in;
    if (!cut_in_two(data, size, in))
        return {};
    aer::Model model;
    aer::ModelInfo info;
    if (!aer::load_model(in.first, in.first_size, in.rest, in.rest_size, model, info).ok())
        return {};
    return check_loaded_model(model, info);
}

Finding fuzz_model8(const std::uint8_t* data, std::size_t size) {
    TwoParts in;
    if (!cut_in_two(data, size, in))
        return {};
    const std::string labels_text(reinterpret_cast<const char*>(in.first), in.first_size);
    // Flatten -> Dense(8, softmax) over 2 x 3 inputs: 6 x 8 + 8 = 56 weights, 224 bytes.
    const std::string json_text =
        R"({"format": "aer-model", "version": 1, "architecture": {"input": {"steps": 2, "features": 3},)"
        R"( "orientation": "coefficients_as_steps", "layers": [{"type": "flatten"},)"
        R"( {"type": "dense", "units": 8, "activation": "softmax"}]}, "features": {"sample_rate": 22050,)"
        R"( "n_fft": 2048, "hop_length": 512, "n_mels": 128, "n_mfcc": 2, "max_len": 3, "fmin": 0.0,)"
        R"( "fmax": 0.0, "top_db": 80.0}, "labels": )" +
        labels_text +
        R"(, "normalization": null, "training": {}, "weights": [{"name": "dense_1/kernel", "shape": [6, 8],)"
        R"( "offset": 0, "dtype": "float32"}, {"name": "dense_1/bias", "shape": [8], "offset": 192,)"
        R"( "dtype": "float32"}]})";
    const std::uint8_t* bin = in.rest;
    const std::size_t bin_size = in.rest_size;
    aer::Model model;
    aer::ModelInfo info;
    aer::Status s = aer::load_model(reinterpret_cast<const std::uint8_t*>(json_text.data()), json_text.size(),
                                    bin, bin_size, model, info);

    // What the labels text is, judged independently of the loader.
    nlohmann::json labels = nlohmann::json::parse(labels_text, nullptr, false);
    bool eight_good_labels = labels.is_array() && labels.size() == 8;
    std::set<std::string> distinct;
    if (eight_good_labels)
        for (const nlohmann::json& l : labels) {
            if (!l.is_string() || l.get<std::string>().empty() || l.get<std::string>().size() > 256) {
                eight_good_labels = false;
                break;
            }
            distinct.insert(l.get<std::string>());
        }
    if (s.ok()) {
        if (!eight_good_labels || distinct.size() != 8)
            return "loaded with labels " + labels_text.substr(0, 200) +
                   " (needs 8 distinct strings of 1..256 bytes)";
        if (bin_size != 224)
            return "loaded with a .bin of " + std::to_string(bin_size) + " bytes (needs 224)";
        if (info.labels != labels.get<std::vector<std::string>>())
            return "the labels loaded are not the labels in the file";
        return check_loaded_model(model, info);
    }
    return {};
}

Finding fuzz_state(const std::uint8_t* data, std::size_t size) {
    aer::TrainState state;
    aer::Status s = aer::parse_train_state(data, size, state);
    if (!s.ok())
        return {};
    std::vector<std::uint8_t> again;
    aer::serialize_train_state(state, again);
    aer::TrainState back;
    s = aer::parse_train_state(again.data(), again.size(), back);
    if (!s.ok())
        return "a parsed state, serialised again, does not parse: " + s.message;
    if (back.epochs_done != state.epochs_done || back.optimizer != state.optimizer ||
        back.iterations != state.iterations || back.slots != state.slots || back.values != state.values ||
        back.rngs != state.rngs || back.weights != state.weights)
        return "a parsed state changes through a serialisation and a parse";
    return {};
}

Finding fuzz_session(const std::uint8_t* data, std::size_t size) {
    nlohmann::json request =
        nlohmann::json::parse(data, data + size, nullptr, false); // as the bindings parse
    if (request.is_discarded())
        return {};
    aer::SessionSettings s;
    aer::Status st;
    try {
        st = aer::parse_session_settings(request, s);
    } catch (const std::exception& e) {
        return std::string("parse_session_settings threw: ") + e.what();
    }
    if (!st.ok())
        return {};
    // The documented ranges (core/train/session.h), checked here independently of the parser.
    const aer::TrainConfig& t = s.train;
    if (t.epochs < 1 || t.epochs > 100000 || t.batch < 1 || t.batch > 4096)
        return "accepted epochs " + std::to_string(t.epochs) + ", batch " + std::to_string(t.batch);
    if (!(t.learning_rate > 0 && t.learning_rate <= 1e6))
        return "accepted lr " + std::to_string(t.learning_rate);
    if (t.optimizer != "adam" && t.optimizer != "sgd")
        return "accepted optimizer '" + t.optimizer + "'";
    if (!(s.train_fraction >= 0.05 && s.train_fraction <= 0.95))
        return "accepted train_fraction " + std::to_string(s.train_fraction);
    if (s.dropout >= 0 ? s.dropout > 0.95 : s.dropout != -1)
        return "accepted dropout " + std::to_string(s.dropout);
    if (s.features.max_len <= 0)
        return "accepted features without a fixed length";
    if (s.labels.size() > 1000)
        return "accepted " + std::to_string(s.labels.size()) + " labels";
    for (const std::string& l : s.labels)
        if (l.empty() || l.size() > 100)
            return "accepted a label of " + std::to_string(l.size()) + " characters";
    if (!(s.arch.is_string() || s.arch.is_object()))
        return "accepted an architecture that is neither a name nor an object";
    // What a model's metadata keeps must be a request that gives the same settings again.
    try {
        nlohmann::json kept = aer::session_settings_json(s);
        aer::SessionSettings again;
        st = aer::parse_session_settings(nlohmann::json::parse(kept.dump()), again);
        if (!st.ok())
            return "the request kept in the metadata is refused: " + st.message;
        if (aer::session_settings_json(again) != kept)
            return "the request kept in the metadata gives other settings: " + kept.dump().substr(0, 300);
    } catch (const std::exception& e) {
        return std::string("the kept request threw: ") + e.what();
    }
    return {};
}

int abort_on(const Finding& finding) {
    if (finding.empty())
        return 0;
    std::fprintf(stderr, "fuzz finding: %s\n", finding.c_str());
    std::abort();
}

} // namespace aer_fuzz
