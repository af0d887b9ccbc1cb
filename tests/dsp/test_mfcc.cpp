// MFCC and log-mel parity with librosa 0.10.2 on every reference in ../shared/data/librosa-ref,
// plus hand-checkable properties of the pieces (mel scale, DCT, fix_length, config JSON).
#include "core/audio/load.h"
#include "core/dsp/mfcc.h"
#include "tests/test_util.h"

#include <catch2/catch.hpp>

#include <cmath>

using namespace aer;

TEST_CASE("log-mel and MFCC match librosa for every reference", "[dsp][parity]") {
    MfccExtractor ex;
    MfccConfig cfg;
    cfg.max_len = 0;
    REQUIRE(ex.init(cfg).ok());
    for (const std::string& name : aer_test::librosa_ref_names()) {
        DYNAMIC_SECTION(name) {
            nlohmann::json meta = aer_test::read_json(aer_test::librosa_ref(name + ".meta.json"));
            const std::size_t ref_frames = meta["frames"].get<std::size_t>();
            // Start from librosa's own signal, so that this test measures the features alone...
            std::vector<float> y = aer_test::read_f32(aer_test::librosa_ref(name + ".y.f32"));
            REQUIRE(!y.empty());
            std::vector<float> lm, mf;
            std::size_t frames = 0;
            REQUIRE(ex.log_mel(y.data(), y.size(), lm, frames).ok());
            REQUIRE(frames == ref_frames);
            std::vector<float> ref_lm = aer_test::read_f32(aer_test::librosa_ref(name + ".logmel.f32"));
            REQUIRE(ref_lm.size() == lm.size());
            aer_test::Diff d = aer_test::diff(lm.data(), ref_lm.data(), lm.size());
            INFO("log-mel max " << d.max_abs << " mean " << d.mean_abs);
            CHECK(d.max_abs <= 0.02);
            CHECK(d.mean_abs <= 1e-3);

            REQUIRE(ex.mfcc(y.data(), y.size(), mf, frames).ok());
            std::vector<float> ref_mf = aer_test::read_f32(aer_test::librosa_ref(name + ".mfcc.f32"));
            REQUIRE(ref_mf.size() == mf.size());
            d = aer_test::diff(mf.data(), ref_mf.data(), mf.size());
            INFO("mfcc max " << d.max_abs << " mean " << d.mean_abs);
            CHECK(d.max_abs <= 0.02);
            CHECK(d.mean_abs <= 1e-3);

            // ...and from the WAV file, so that the whole pipeline (read, resample, MFCC) is measured.
            std::vector<float> y2;
            WavInfo info;
            Status s = load_audio_file(aer_test::ref_source_wav(name), 22050, y2, info);
            INFO(s.message);
            REQUIRE(s.ok());
            REQUIRE(ex.mfcc(y2.data(), y2.size(), mf, frames).ok());
            REQUIRE(mf.size() == ref_mf.size());
            d = aer_test::diff(mf.data(), ref_mf.data(), mf.size());
            INFO("end-to-end mfcc max " << d.max_abs << " mean " << d.mean_abs);
            CHECK(d.max_abs <= 0.02);
            CHECK(d.mean_abs <= 1e-3);
        }
    }
}

TEST_CASE("Slaney mel scale at hand-computed points", "[dsp]") {
    CHECK(hz_to_mel(0.0) == Approx(0.0));
    CHECK(hz_to_mel(200.0) == Approx(3.0));
    CHECK(hz_to_mel(1000.0) == Approx(15.0));
    CHECK(hz_to_mel(6400.0) == Approx(15.0 + 27.0)); // ln(6.4) / (ln(6.4) / 27)
    for (double hz : {0.0, 50.0, 999.0, 1000.0, 4321.0, 11025.0})
        CHECK(mel_to_hz(hz_to_mel(hz)) == Approx(hz).margin(1e-9));
}

TEST_CASE("mel filterbank: Slaney area normalisation", "[dsp]") {
    // Each triangle has peak 2/(f2-f0) and base (f2-f0): its area in Hz is 1, so summing a
    // band's weights times the bin spacing gives about 1 for bands wide enough to be sampled well.
    MelFilterbank fb;
    REQUIRE(fb.init(22050, 2048, 128, 0.0, 11025.0).ok());
    const double df = 22050.0 / 2048.0;
    for (int m = 64; m < 128; ++m) {
        double area = 0;
        for (int k = 0; k < fb.bins(); ++k)
            area += fb.weight(m, k) * df;
        CHECK(area == Approx(1.0).epsilon(0.05));
    }
    CHECK_FALSE(fb.init(22050, 2048, 128, 0.0, 20000.0).ok());
}

TEST_CASE("DCT: a constant log-mel gives only c0 = sqrt(M) * value", "[dsp]") {
    // White noise has a flat spectrum; instead, test the DCT through power_to_db's floor:
    // silence gives -100 dB in every band (amin 1e-10), so c0 = -100 * sqrt(128), the rest 0.
    MfccExtractor ex;
    MfccConfig cfg;
    cfg.max_len = 0;
    REQUIRE(ex.init(cfg).ok());
    std::vector<float> silence(22050, 0.0f), out;
    std::size_t frames = 0;
    REQUIRE(ex.mfcc(silence.data(), silence.size(), out, frames).ok());
    REQUIRE(frames == 1 + 22050 / 512);
    CHECK(out[0] == Approx(-100.0 * std::sqrt(128.0)).epsilon(1e-6));
    for (int q = 1; q < 32; ++q)
        CHECK(std::fabs(out[std::size_t(q) * frames]) < 1e-3);
}

TEST_CASE("fix_length pads with zeros and cuts at the end", "[dsp]") {
    std::vector<float> m = {1, 2, 3, 4, 5, 6}; // 2 rows x 3 frames
    CHECK(fix_length(m, 2, 3, 5) == std::vector<float>{1, 2, 3, 0, 0, 4, 5, 6, 0, 0});
    CHECK(fix_length(m, 2, 3, 2) == std::vector<float>{1, 2, 4, 5});
    MfccExtractor ex;
    REQUIRE(ex.init(MfccConfig{}).ok());
    std::vector<float> y(1000, 0.1f), out;
    std::size_t frames = 0;
    REQUIRE(ex.features(y.data(), y.size(), out, frames).ok());
    CHECK(frames == 256);
    CHECK(out.size() == 32 * 256);
}

TEST_CASE("feature config JSON round trip and validation", "[dsp]") {
    MfccConfig c;
    c.n_mfcc = 20;
    c.max_len = 128;
    MfccConfig back;
    REQUIRE(mfcc_config_from_json(to_json(c), back).ok());
    CHECK(back.n_mfcc == 20);
    CHECK(back.max_len == 128);
    CHECK(back.sample_rate == 22050);
    nlohmann::json j = to_json(c);
    j["n_mfcc"] = 500;
    Status s = mfcc_config_from_json(j, back);
    CHECK_FALSE(s.ok());
    CHECK(s.message.find("n_mfcc") != std::string::npos);
    j = to_json(c);
    j["hop"] = 3;
    s = mfcc_config_from_json(j, back);
    CHECK(s.message.find("unknown key 'hop'") != std::string::npos);
    j = to_json(c);
    j["n_fft"] = "2048";
    CHECK_FALSE(mfcc_config_from_json(j, back).ok());
    CHECK_FALSE(mfcc_config_from_json(nlohmann::json::array(), back).ok());
}
