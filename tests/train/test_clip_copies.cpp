// Augmented copies of training clips (core/train/clip_copies.h and TrainingSession::add_clip):
// a copy's features are those of the changed audio, drawn the same way for the same seed; copies
// train beside their clip and are never tested; a held-out actor's clips get none.
#include "core/train/clip_copies.h"
#include "core/train/session.h"

#include "tests/test_util.h"

#include <catch2/catch.hpp>

#include <cmath>

using namespace aer;
using nlohmann::json;

namespace {

// Small features: 8 coefficients x 16 frames of 22050 Hz audio.
MfccConfig small_features() {
    MfccConfig c;
    c.n_mfcc = 8;
    c.n_mels = 32;
    c.n_fft = 512;
    c.hop_length = 256;
    c.max_len = 16;
    c.ref_max = true;
    c.fmax = 8000;
    return c;
}

// A voiced-like clip: a harmonic tone at f0 with a slow level swell, 0.2 s.
std::vector<float> tone(double f0, std::size_t n = 4410) {
    std::vector<float> y(n);
    for (std::size_t i = 0; i < n; ++i) {
        double t = double(i) / 22050.0, v = 0;
        for (int h = 1; h <= 5; ++h)
            v += std::sin(2 * 3.14159265358979 * f0 * h * t) / h;
        y[i] = float(0.2 * v * (0.5 + 0.5 * std::sin(3.14159265358979 * double(i) / double(n))));
    }
    return y;
}

} // namespace

TEST_CASE("clip features: the clip's own, then copies of changed audio, the same for a seed",
          "[train][copies]") {
    MfccExtractor ex;
    REQUIRE(ex.init(small_features()).ok());
    WaveAugment a;
    REQUIRE(parse_wave_augment("copies:3,noise:1,room:0.5,gain:0.5,band:0.5,tilt:0.5,speed:0.5,pitch:0.5", a)
                .ok());
    const std::vector<float> y = tone(220);
    const std::size_t size = 8 * 16;
    std::vector<float> out, again, other, own;
    std::size_t frames = 0;
    REQUIRE(clip_features(y.data(), y.size(), a, 3, 42, {}, ex, out).ok());
    REQUIRE(out.size() == 4 * size);
    REQUIRE(ex.features(y.data(), y.size(), own, frames).ok());
    CHECK(std::equal(own.begin(), own.end(), out.begin())); // the clip itself comes first, unchanged
    for (int k = 1; k <= 3; ++k) { // every copy differs from the clip (noise is always on here)
        aer_test::Diff d = aer_test::diff(out.data() + k * size, own.data(), size);
        INFO("copy " << k << " max |diff| " << d.max_abs);
        CHECK(d.max_abs > 0.1);
    }
    REQUIRE(clip_features(y.data(), y.size(), a, 3, 42, {}, ex, again).ok());
    CHECK(again == out);
    REQUIRE(clip_features(y.data(), y.size(), a, 3, 43, {}, ex, other).ok());
    CHECK(other != out);
    CHECK(clip_seed(1, 0) != clip_seed(1, 1));
    CHECK(clip_seed(1, 0) != clip_seed(2, 0));
}

TEST_CASE("a session trains on copies of training clips and tests only the clips", "[train][copies]") {
    json request = {{"arch",
                     {{"input", {{"steps", 16}, {"features", 8}}},
                      {"orientation", "frames_as_steps"},
                      {"layers",
                       {{{"type", "lstm"}, {"units", 4}},
                        {{"type", "dense"}, {"units", 2}, {"activation", "softmax"}}}}}},
                    {"epochs", 1},
                    {"seed", 5},
                    {"split", "actors:3"},
                    {"feature_config", to_json(small_features())},
                    {"wave_augment", "copies:2,noise:0.5,gain:0.5"}};
    SessionSettings settings;
    Status s = parse_session_settings(request, settings);
    INFO(s.message);
    REQUIRE(s.ok());
    CHECK(settings.wave_augment.copies == 2);
    CHECK(session_settings_json(settings)["wave_augment"] == "copies:2,noise:0.5,gain:0.5");
    TrainingSession session;
    session.configure(settings);
    CHECK(session.held_out(3));
    CHECK_FALSE(session.held_out(1));
    // Actors 1 and 2 train (4 clips each), actor 3 is held out (4 clips).
    for (int actor = 1; actor <= 3; ++actor)
        for (int i = 0; i < 4; ++i) {
            const std::vector<float> y = tone(i % 2 ? 150.0 + 10 * actor : 400.0 + 10 * actor);
            REQUIRE(
                session.add_clip(y.data(), y.size(), i % 2 ? "low" : "high", actor, Channel::speech).ok());
        }
    s = session.start();
    INFO(s.message);
    REQUIRE(s.ok());
    CHECK(session.split().train.size() == 8);
    CHECK(session.split().test.size() == 4);
    CHECK(session.info().training["train_copies"] == 16); // 2 per training clip, none for actor 3
    CHECK(session.info().training["wave_augment"] == "copies:2,noise:0.5,gain:0.5");
    CHECK(session.trainer().train_count() == 24);
}

TEST_CASE("a copy must follow its original", "[train][copies]") {
    SessionSettings settings;
    settings.features = small_features();
    TrainingSession session;
    session.configure(settings);
    std::vector<float> f(8 * 16, 0.5f);
    Status s = session.add_example(f.data(), f.size(), "a", 1, Channel::speech, true);
    CHECK_FALSE(s.ok());
    CHECK(s.message.find("augmented copy") != std::string::npos);
    REQUIRE(session.add_example(f.data(), f.size(), "a", 1, Channel::speech).ok());
    CHECK_FALSE(session.add_example(f.data(), f.size(), "b", 1, Channel::speech, true).ok());
    CHECK(session.add_example(f.data(), f.size(), "a", 1, Channel::speech, true).ok());
}
