// The feature configurations beside the paper's MFCC against librosa 0.10.2's own arrays
// (../shared/data/librosa-ref/variants: peak-relative dB, fmax 8000 Hz, 64- and 128-band log-mel),
// and the level invariance that ref=np.max buys: a clip played at -40, -20 and 0 dB gives the same
// features.
#include "core/dsp/mfcc.h"
#include "tests/test_util.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

using namespace aer;

namespace {

std::string variants_dir() {
    return aer_test::librosa_ref("variants/");
}

// The 13 inputs: every NAME.variants.json (a fixed list: the folder is read-only).
std::vector<std::string> variant_inputs() {
    std::vector<std::string> names = aer_test::librosa_ref_names();
    for (const char* extra :
         {"03-01-05-02-01-01-03", "03-01-07-01-02-02-11", "speech-16k-03-01-07-01-02-02-11"})
        names.push_back(extra);
    return names;
}

// librosa's signal for NAME: the variants folder has its own for the speech inputs.
std::vector<float> reference_signal(const std::string& name) {
    std::vector<float> y = aer_test::read_f32(variants_dir() + name + ".y.f32");
    if (y.empty())
        y = aer_test::read_f32(aer_test::librosa_ref(name + ".y.f32"));
    return y;
}

MfccConfig config_of(const nlohmann::json& v) {
    MfccConfig c;
    c.max_len = 0;
    c.n_mels = v["mel"]["n_mels"].get<int>();
    c.fmax = v["mel"]["fmax"].get<double>();
    c.ref_max = v["power_to_db_ref"].is_string();
    return c;
}

} // namespace

TEST_CASE("feature variants match librosa's arrays", "[dsp][parity]") {
    const std::vector<std::string> names = variant_inputs();
    REQUIRE(names.size() == 13);
    int checked = 0;
    for (const std::string& name : names) {
        nlohmann::json meta = aer_test::read_json(variants_dir() + name + ".variants.json");
        REQUIRE(meta.contains("variants"));
        std::vector<float> y = reference_signal(name);
        REQUIRE(!y.empty());
        for (auto it = meta["variants"].begin(); it != meta["variants"].end(); ++it) {
            DYNAMIC_SECTION(name << " " << it.key()) {
                const nlohmann::json& v = it.value();
                MfccConfig cfg = config_of(v);
                MfccExtractor ex;
                REQUIRE(ex.init(cfg).ok());
                std::vector<float> out;
                std::size_t frames = 0;
                if (v["what"] == "mfcc")
                    REQUIRE(ex.mfcc(y.data(), y.size(), out, frames).ok());
                else
                    REQUIRE(ex.log_mel(y.data(), y.size(), out, frames).ok());
                std::vector<float> ref = aer_test::read_f32(variants_dir() + v["file"].get<std::string>());
                REQUIRE(v["shape"][1].get<std::size_t>() == frames);
                REQUIRE(ref.size() == out.size());
                aer_test::Diff d = aer_test::diff(out.data(), ref.data(), out.size());
                INFO(it.key() << ": max " << d.max_abs << " mean " << d.mean_abs);
                CHECK(d.max_abs <= 0.02);
                CHECK(d.mean_abs <= 1e-3);
                if (cfg.ref_max && v["what"] == "logmel") // peak-relative: the loudest bin is 0 dB
                    CHECK(*std::max_element(out.begin(), out.end()) == Approx(0.0).margin(1e-4));
                ++checked;
            }
        }
    }
    CHECK(checked > 0);
}

TEST_CASE("peak-relative features do not depend on the level", "[dsp]") {
    std::vector<float> y = reference_signal("03-01-05-02-01-01-03");
    REQUIRE(!y.empty());
    MfccConfig rel;
    rel.ref_max = true;
    rel.fmax = 8000;
    MfccConfig abs = rel;
    abs.ref_max = false;
    for (const MfccConfig& cfg : {rel, abs}) {
        MfccExtractor ex;
        REQUIRE(ex.init(cfg).ok());
        std::vector<float> at0, at;
        std::size_t frames = 0;
        REQUIRE(ex.features(y.data(), y.size(), at0, frames).ok());
        for (double gain_db : {-20.0, -40.0}) {
            std::vector<float> quiet(y);
            const float g = float(std::pow(10.0, gain_db / 20.0));
            for (float& v : quiet)
                v *= g;
            REQUIRE(ex.features(quiet.data(), quiet.size(), at, frames).ok());
            aer_test::Diff d = aer_test::diff(at.data(), at0.data(), at.size());
            INFO("ref_max " << cfg.ref_max << " gain " << gain_db << " dB: max |diff| " << d.max_abs);
            if (cfg.ref_max)
                CHECK(d.max_abs < 1e-3);
            else // ref=1.0 moves c0 by gain * sqrt(n_mels): the level is in every frame
                CHECK(d.max_abs > 100.0);
        }
    }
}

TEST_CASE("feature config: ref is 1.0 or max", "[dsp]") {
    MfccConfig c;
    c.ref_max = true;
    nlohmann::json j = to_json(c);
    CHECK(j["ref"] == "max");
    MfccConfig back;
    REQUIRE(mfcc_config_from_json(j, back).ok());
    CHECK(back.ref_max);
    j["ref"] = 1.0;
    REQUIRE(mfcc_config_from_json(j, back).ok());
    CHECK_FALSE(back.ref_max);
    j.erase("ref"); // model files written before the key existed: librosa's default
    REQUIRE(mfcc_config_from_json(j, back).ok());
    CHECK_FALSE(back.ref_max);
    j["ref"] = "min";
    Status s = mfcc_config_from_json(j, back);
    CHECK_FALSE(s.ok());
    CHECK(s.message.find("'ref'") != std::string::npos);
    j["ref"] = 2.0;
    CHECK_FALSE(mfcc_config_from_json(j, back).ok());
    j["ref"] = "max";
    j["amin"] = 1e-20;
    REQUIRE(mfcc_config_from_json(j, back).ok());
    CHECK(back.amin == 1e-20);
    j["amin"] = 0.0;
    s = mfcc_config_from_json(j, back);
    CHECK(s.message.find("amin") != std::string::npos);
}

TEST_CASE("amin: librosa's 1e-10 clips a quiet clip, 1e-20 keeps it level-free", "[dsp]") {
    // A clip at -30 dBFS peak, played 40 dB quieter: its mel powers fall under 1e-10.
    std::vector<float> y = reference_signal("03-01-05-02-01-01-03");
    float peak = 0;
    for (float v : y)
        peak = std::max(peak, std::fabs(v));
    const float g = float(std::pow(10.0, -70.0 / 20.0)) / peak;
    std::vector<float> quiet(y);
    for (float& v : quiet)
        v *= g;
    for (double amin : {1e-10, 1e-20}) {
        MfccConfig cfg;
        cfg.ref_max = true;
        cfg.amin = amin;
        MfccExtractor ex;
        REQUIRE(ex.init(cfg).ok());
        std::vector<float> loud_f, quiet_f;
        std::size_t frames = 0;
        REQUIRE(ex.features(y.data(), y.size(), loud_f, frames).ok());
        REQUIRE(ex.features(quiet.data(), quiet.size(), quiet_f, frames).ok());
        aer_test::Diff d = aer_test::diff(loud_f.data(), quiet_f.data(), loud_f.size());
        INFO("amin " << amin << ": max |diff| " << d.max_abs);
        if (amin == 1e-10)
            CHECK(d.max_abs > 1.0);
        else
            CHECK(d.max_abs < 1e-3);
    }
}
