// Resampling parity with librosa.load(sr=22050, res_type='kaiser_best') on real RAVDESS clips
// (48 kHz -> 22050 Hz) and synthetic files (already 22050 Hz: no resampling).
#include "core/audio/load.h"
#include "core/audio/resample.h"
#include "tests/test_util.h"

#include <catch2/catch.hpp>

#include <cmath>

using namespace aer;

TEST_CASE("load matches librosa.load for every reference", "[audio][parity]") {
    for (const std::string& name : aer_test::librosa_ref_names()) {
        DYNAMIC_SECTION(name) {
            nlohmann::json meta = aer_test::read_json(aer_test::librosa_ref(name + ".meta.json"));
            std::vector<float> ref = aer_test::read_f32(aer_test::librosa_ref(name + ".y.f32"));
            REQUIRE(ref.size() == meta["y_len"].get<std::size_t>());
            std::vector<float> y;
            WavInfo info;
            Status s = load_audio_file(aer_test::ref_source_wav(name), 22050, y, info);
            INFO(s.message);
            REQUIRE(s.ok());
            REQUIRE(y.size() == ref.size());
            aer_test::Diff d = aer_test::diff(y.data(), ref.data(), y.size());
            INFO("max |dy| = " << d.max_abs << ", mean = " << d.mean_abs);
            CHECK(d.max_abs <= 1e-5);
        }
    }
}

TEST_CASE("resample keeps a band-limited tone and its length", "[audio]") {
    // A 1 kHz tone at 48 kHz resampled to 22050 Hz must be the same tone at 22050 Hz
    // (away from the edges, where the filter sees zeros).
    const double pi = 3.14159265358979323846;
    std::vector<float> x(48000);
    for (std::size_t i = 0; i < x.size(); ++i)
        x[i] = float(0.5 * std::sin(2 * pi * 1000.0 * i / 48000.0));
    std::vector<float> y;
    REQUIRE(resample(x, 48000, 22050, y).ok());
    REQUIRE(y.size() == 22050);
    double worst = 0;
    for (std::size_t t = 1000; t < 21000; ++t)
        worst = std::fmax(worst, std::fabs(y[t] - 0.5 * std::sin(2 * pi * 1000.0 * t / 22050.0)));
    CHECK(worst < 1e-3);

    // Upsampling: 8 kHz -> 22050 Hz, 300 Hz tone.
    std::vector<float> x8(8000);
    for (std::size_t i = 0; i < x8.size(); ++i)
        x8[i] = float(0.5 * std::sin(2 * pi * 300.0 * i / 8000.0));
    REQUIRE(resample(x8, 8000, 22050, y).ok());
    REQUIRE(y.size() == 22050);
    worst = 0;
    for (std::size_t t = 2000; t < 20000; ++t)
        worst = std::fmax(worst, std::fabs(y[t] - 0.5 * std::sin(2 * pi * 300.0 * t / 22050.0)));
    CHECK(worst < 1e-3);
}

TEST_CASE("resample: lengths as librosa, bad rates refused", "[audio]") {
    std::vector<float> x(1001, 0.25f), y;
    REQUIRE(resample(x, 44100, 22050, y).ok());
    CHECK(y.size() == 501); // ceil(1001 / 2)
    REQUIRE(resample(x, 22050, 22050, y).ok());
    CHECK(y == x);
    CHECK_FALSE(resample(x, 0, 22050, y).ok());
    CHECK_FALSE(resample(x, 44100, -5, y).ok());
    std::vector<float> empty;
    REQUIRE(resample(empty, 48000, 22050, y).ok());
    CHECK(y.empty());
}

TEST_CASE("a Resampler fed blocks gives the whole-signal resample bit for bit", "[audio]") {
    // A real RAVDESS clip, so the signal has speech's spectrum and its quiet edges.
    std::vector<float> x;
    WavInfo info;
    const std::string name = aer_test::librosa_ref_names().front();
    REQUIRE(load_audio_file(aer_test::ref_source_wav(name), 48000, x, info).ok()); // RAVDESS: 48 kHz
    const int rates[][2] = {{48000, 22050}, {44100, 22050}, {16000, 22050}, {22050, 22050}, {48000, 16000}};
    for (const auto& r : rates) {
        DYNAMIC_SECTION(r[0] << " -> " << r[1]) {
            std::vector<float> whole, streamed;
            REQUIRE(resample(x, r[0], r[1], whole).ok());
            Resampler rs;
            REQUIRE(rs.init(r[0], r[1]).ok());
            // Block sizes from 1 sample to several thousand, as a microphone or a reader delivers.
            std::uint32_t state = 12345;
            std::size_t at = 0;
            while (at < x.size()) {
                state = state * 1664525u + 1013904223u;
                std::size_t block = 1 + (state >> 8) % 5000;
                if (block > x.size() - at)
                    block = x.size() - at;
                rs.push(x.data() + at, block, streamed);
                at += block;
            }
            rs.finish(streamed);
            REQUIRE(streamed.size() == whole.size());
            std::size_t differ = 0;
            for (std::size_t i = 0; i < whole.size(); ++i)
                differ += streamed[i] != whole[i];
            CHECK(differ == 0);
        }
    }
}
