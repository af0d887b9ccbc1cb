// Streams through the shipped default model: a recording of two RAVDESS clips with silence
// between them gives a timeline whose windows carry each clip's own label (the model's label for
// the clip alone) around that clip's middle; silence gets no label; the block size of a stream
// changes nothing.
#include "core/audio/load.h"
#include "core/infer/stream_session.h"
#include "core/nn/model_io.h"
#include "tests/test_util.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>

using namespace aer;

namespace {

std::string speech_file(const std::string& name) {
    return std::string(AER_SOURCE_DIR) + "/data/ravdess-speech/Actor_" + name.substr(name.size() - 2) + "/" + name +
           ".wav";
}

void load_default_model(Model& model, ModelInfo& info) {
    Status s = load_model_files(std::string(AER_SOURCE_DIR) + "/models/conv1d-speech-song", model, info);
    INFO(s.message);
    REQUIRE(s.ok());
}

/// The timeline window that contains time t with its centre nearest t.
const WindowPrediction& window_at(const Timeline& t, double time) {
    const WindowPrediction* best = nullptr;
    for (const WindowPrediction& w : t.windows)
        if (w.start_s <= time && time <= w.end_s &&
            (!best || std::fabs((w.start_s + w.end_s) / 2 - time) < std::fabs((best->start_s + best->end_s) / 2 - time)))
            best = &w;
    REQUIRE(best);
    return *best;
}

} // namespace

TEST_CASE("a timeline carries each clip's own label around the clip's middle", "[infer][stream]") {
    Model model;
    ModelInfo info;
    load_default_model(model, info);
    const int sr = info.features.sample_rate;
    // An angry take of actor 2 and a sad one of actor 3 (both spoken, "Kids are talking by the door").
    std::vector<float> a, b;
    WavInfo wi;
    REQUIRE(load_audio_file(speech_file("03-01-05-02-01-01-02"), sr, a, wi).ok());
    REQUIRE(load_audio_file(speech_file("03-01-04-02-01-01-03"), sr, b, wi).ok());
    StreamOptions options;
    Timeline ta, tb;
    REQUIRE(predict_timeline(model, info, a.data(), a.size(), sr, options, ta).ok());
    REQUIRE(predict_timeline(model, info, b.data(), b.size(), sr, options, tb).ok());
    // A clip shorter than the window is one window: the clip as `aer predict` sees it.
    REQUIRE(ta.windows.size() == 1);
    REQUIRE(tb.windows.size() == 1);
    CHECK(info.labels[std::size_t(ta.label)] == "angry");
    CHECK(info.labels[std::size_t(tb.label)] == "sad");

    std::vector<float> y = a;
    y.insert(y.end(), std::size_t(2 * sr), 0.0f);
    y.insert(y.end(), b.begin(), b.end());
    Timeline t;
    REQUIRE(predict_timeline(model, info, y.data(), y.size(), sr, options, t).ok());
    const double dur = double(y.size()) / sr;
    // The windows cover the recording, in order, at most 0.5 s apart.
    REQUIRE(t.windows.size() >= 2);
    CHECK(t.windows.front().start_s == 0.0);
    CHECK(std::fabs(t.windows.back().end_s - dur) < 1e-6);
    for (std::size_t i = 1; i < t.windows.size(); ++i) {
        CHECK(t.windows[i].start_s > t.windows[i - 1].start_s);
        CHECK(t.windows[i].start_s - t.windows[i - 1].start_s <= 0.5 + 1e-9);
        CHECK(t.windows[i].start_s <= t.windows[i - 1].end_s);
    }
    const double mid_a = double(a.size()) / sr / 2, mid_b = double(a.size()) / sr + 2.0 + double(b.size()) / sr / 2;
    CHECK(window_at(t, mid_a).label == ta.label);
    CHECK(window_at(t, mid_b).label == tb.label);
    CHECK(t.label >= 0);
}

TEST_CASE("windows without voice get no label; a stream's block size changes nothing", "[infer][stream]") {
    Model model;
    ModelInfo info;
    load_default_model(model, info);
    // 4 s of quiet noise (-70 dBFS: a quiet room), then a sung clip at 48 kHz as a microphone
    // delivers it, then 8 s of the quiet noise again.
    std::vector<float> clip;
    WavInfo wi;
    REQUIRE(load_audio_file(aer_test::ref_source_wav("03-02-05-01-02-02-17"), 48000, clip, wi).ok());
    std::vector<float> y;
    std::uint32_t state = 99;
    auto noise = [&](std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) {
            state = state * 1664525u + 1013904223u;
            y.push_back(float((double(state >> 8) / double(1u << 24) - 0.5) * 0.00055)); // rms ~ -70 dBFS
        }
    };
    noise(4 * 48000);
    y.insert(y.end(), clip.begin(), clip.end());
    noise(8 * 48000);

    StreamOptions options;
    Timeline whole;
    REQUIRE(predict_timeline(model, info, y.data(), y.size(), 48000, options, whole).ok());
    REQUIRE(whole.windows.size() > 10);
    // The first window (0..5.9 s) has the clip's first 1.9 s; the last ones only noise.
    CHECK(whole.windows.back().label == -1);
    CHECK(whole.windows.back().probs.empty());
    CHECK(whole.windows.back().voiced_frames < 5);
    std::size_t voiced = 0;
    for (const WindowPrediction& w : whole.windows)
        voiced += w.label >= 0;
    CHECK(voiced >= 4);
    CHECK(voiced < whole.windows.size());
    CHECK(whole.label >= 0);

    // The same audio through a session in blocks of 1..3000 samples.
    StreamSession session;
    REQUIRE(session.init(info, 48000, options).ok());
    std::vector<WindowPrediction> windows;
    std::size_t at = 0;
    while (at < y.size()) {
        state = state * 1664525u + 1013904223u;
        std::size_t n = std::min<std::size_t>(1 + (state >> 8) % 3000, y.size() - at);
        REQUIRE(session.push(model, y.data() + at, n, windows).ok());
        at += n;
    }
    REQUIRE(session.finish(model, windows).ok());
    REQUIRE(windows.size() == whole.windows.size());
    for (std::size_t i = 0; i < windows.size(); ++i) {
        CHECK(windows[i].start_s == whole.windows[i].start_s);
        CHECK(windows[i].label == whole.windows[i].label);
        CHECK(windows[i].probs == whole.windows[i].probs);
    }

    // Live: the latest window during the trailing noise has no label, during the clip it has one.
    StreamSession live;
    REQUIRE(live.init(info, 48000, options).ok());
    std::vector<WindowPrediction> ignored;
    WindowPrediction now;
    const std::size_t clip_end = 4 * 48000 + clip.size();
    REQUIRE(live.push(model, y.data(), clip_end - 48000, ignored).ok());
    REQUIRE(live.latest(model, now).ok());
    CHECK(now.label >= 0);
    CHECK(now.probs.size() == info.labels.size());
    REQUIRE(live.push(model, y.data() + (clip_end - 48000), y.size() - (clip_end - 48000), ignored).ok());
    REQUIRE(live.latest(model, now).ok());
    CHECK(now.label == -1);
    CHECK(live.push(model, y.data(), 0, ignored).ok());
}

TEST_CASE("stream options: bad values and unknown keys are refused, naming the key", "[infer][stream]") {
    StreamOptions o;
    CHECK(stream_options_from_json(nlohmann::json::object(), o).ok());
    CHECK(stream_options_from_json({{"hop_s", 0.25}}, o).ok());
    CHECK(o.hop_s == 0.25);
    Status s = stream_options_from_json({{"hop_s", 0.0}}, o);
    CHECK(s.message.find("hop_s") != std::string::npos);
    s = stream_options_from_json({{"hop", 0.5}}, o);
    CHECK(s.message.find("'hop'") != std::string::npos);
    s = stream_options_from_json({{"min_level_db", "loud"}}, o);
    CHECK(s.message.find("min_level_db") != std::string::npos);
    CHECK(!stream_options_from_json(nlohmann::json::array(), o).ok());
    Model model;
    ModelInfo info;
    load_default_model(model, info);
    StreamSession session;
    CHECK(!session.init(info, 0, StreamOptions{}).ok());
    std::vector<WindowPrediction> out;
    float x = 0;
    CHECK(!session.push(model, &x, 1, out).ok()); // never initialised
}
