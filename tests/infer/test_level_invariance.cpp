// A clip played at -40, -20 and 0 dB gets the same answer from the default model (its features
// are power_to_db with ref=np.max: dB below the clip's own peak), through both paths a user
// reaches: `aer predict` (whole-clip features -> model) and the timeline / live stream
// (core/infer/stream_session.h). The older conv1d-speech-song model (ref=1.0) is the contrast:
// its answer moves with the level, so the check can tell the two apart.
#include "core/audio/load.h"
#include "core/infer/stream_session.h"
#include "core/nn/model_io.h"
#include "core/train/normalize.h"
#include "tests/test_util.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>

using namespace aer;

namespace {

std::string model_prefix(const std::string& name) {
    return std::string(AER_SOURCE_DIR) + "/models/" + name;
}

std::string default_model_name() {
    std::ifstream f(model_prefix("DEFAULT"));
    std::string name;
    f >> name;
    return name;
}

// Speech and song clips of different actors and emotions.
std::vector<std::string> clips() {
    const std::string d = std::string(AER_SOURCE_DIR) + "/data/";
    return {d + "ravdess-speech/Actor_02/03-01-05-02-01-01-02.wav",
            d + "ravdess-speech/Actor_13/03-01-04-01-02-01-13.wav",
            d + "ravdess-song/Actor_09/03-02-03-02-01-01-09.wav",
            d + "ravdess-song/Actor_20/03-02-06-01-02-02-20.wav"};
}

// The class probabilities of y through `aer predict`'s path and through the timeline's.
void answer(Model& model, const ModelInfo& info, const std::vector<float>& y, std::vector<float>& whole,
            std::vector<float>& stream) {
    MfccExtractor ex;
    REQUIRE(ex.init(info.features).ok());
    std::vector<float> f, x(std::size_t(model.steps()) * std::size_t(model.features()));
    std::size_t frames = 0;
    REQUIRE(ex.features(y.data(), y.size(), f, frames).ok());
    REQUIRE(f.size() == x.size());
    prepare_inputs(f.data(), 1, info.features.n_mfcc, int(frames), info, model.orientation(), x.data());
    whole.assign(std::size_t(model.classes()), 0.0f);
    REQUIRE(model.predict(x.data(), 1, whole.data()).ok());
    Timeline t;
    REQUIRE(predict_timeline(model, info, y.data(), y.size(), info.features.sample_rate, StreamOptions{}, t)
                .ok());
    stream = t.probs;
}

// The largest change in any class probability between the clip at 0 dB and at gain_db, over
// both paths; the labels at 0 dB and gain_db through the predict path.
double largest_change(Model& model, const ModelInfo& info, const std::vector<float>& y, double gain_db) {
    std::vector<float> w0, s0, w, s;
    answer(model, info, y, w0, s0);
    std::vector<float> quiet(y);
    const float g = float(std::pow(10.0, gain_db / 20.0));
    for (float& v : quiet)
        v *= g;
    answer(model, info, quiet, w, s);
    REQUIRE(s0.size() == w0.size());
    REQUIRE(s.size() == w.size()); // the stream still hears a voice at this level
    double worst = 0;
    for (std::size_t c = 0; c < w0.size(); ++c)
        worst = std::max({worst, double(std::fabs(w[c] - w0[c])), double(std::fabs(s[c] - s0[c]))});
    return worst;
}

} // namespace

TEST_CASE("the default model gives the same answer at -40, -20 and 0 dB", "[infer][level]") {
    Model model;
    ModelInfo info;
    const std::string name = default_model_name();
    Status s = load_model_files(model_prefix(name), model, info);
    INFO(name << ": " << s.message);
    REQUIRE(s.ok());
    REQUIRE(info.features.ref_max);
    for (const std::string& clip : clips()) {
        std::vector<float> y;
        WavInfo wi;
        REQUIRE(load_audio_file(clip, info.features.sample_rate, y, wi).ok());
        for (double gain : {-20.0, -40.0}) {
            const double change = largest_change(model, info, y, gain);
            INFO(clip << " at " << gain << " dB: largest probability change " << change);
            CHECK(change < 1e-3);
        }
    }
}

TEST_CASE("a model on absolute dB (ref=1.0) changes its answer with the level", "[infer][level]") {
    Model model;
    ModelInfo info;
    REQUIRE(load_model_files(model_prefix("conv1d-speech-song"), model, info).ok());
    REQUIRE_FALSE(info.features.ref_max);
    double worst = 0;
    for (const std::string& clip : clips()) {
        std::vector<float> y;
        WavInfo wi;
        REQUIRE(load_audio_file(clip, info.features.sample_rate, y, wi).ok());
        worst = std::max(worst, largest_change(model, info, y, -40.0));
    }
    INFO("largest probability change at -40 dB: " << worst);
    CHECK(worst > 0.05);
}
