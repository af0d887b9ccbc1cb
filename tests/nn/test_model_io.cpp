// Model files: save/load round trip (bit-identical predictions), atomic save, and every
// validation of a corrupt or hostile file, asserting on the message.
#include "core/nn/model_io.h"
#include "tests/test_util.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

using namespace aer;
using nlohmann::json;

namespace {

/// A small model: 4 MFCC coefficients x 5 frames as steps, LSTM -> BN -> Dense softmax (6 labels).
void make_model(Model& m, ModelInfo& info) {
    json arch = json::parse(R"({"input": {"steps": 4, "features": 5},
        "layers": [{"type": "lstm", "units": 3},
                   {"type": "batch_normalization"},
                   {"type": "dense", "units": 6, "activation": "softmax"}]})");
    REQUIRE(m.build(arch, 17).ok());
    // Non-trivial BN statistics.
    m.parameters()[5].value[1] = 0.25f;
    m.parameters()[6].value[2] = 1.75f;
    info = ModelInfo{};
    info.features.n_mfcc = 4;
    info.features.max_len = 5;
    info.labels = default_labels();
    info.norm_mean = {1, 2, 3, 4};
    info.norm_std = {0.5f, 1, 2, 4};
    info.training = {{"epochs", 3}, {"note", "test"}};
}

using aer_test::temp_prefix;

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

struct Files {
    json doc;
    std::vector<std::uint8_t> bin;
};

Files serialize(const Model& m, const ModelInfo& info) {
    std::string text;
    Files f;
    REQUIRE(serialize_model(m, info, text, f.bin).ok());
    f.doc = json::parse(text);
    return f;
}

/// Loads `f` and returns the message (empty when it loaded).
std::string load_message(const Files& f) {
    std::string text = f.doc.dump();
    Model m;
    ModelInfo info;
    Status s = load_model(reinterpret_cast<const std::uint8_t*>(text.data()), text.size(), f.bin.data(),
                          f.bin.size(), m, info);
    if (!s.ok())
        CHECK(!m.built());
    return s.message;
}

void set_f32(std::vector<std::uint8_t>& bin, std::size_t byte, float v) {
    std::uint32_t u;
    std::memcpy(&u, &v, 4);
    for (int i = 0; i < 4; ++i)
        bin[byte + i] = std::uint8_t(u >> (8 * i));
}

} // namespace

TEST_CASE("save then load gives bit-identical predictions and the same metadata", "[nn]") {
    Model m;
    ModelInfo info;
    make_model(m, info);
    Rng rng(3);
    std::vector<float> x(7 * 20);
    for (float& v : x)
        v = float(rng.normal());
    std::vector<float> before(7 * 6), after(7 * 6);
    REQUIRE(m.predict(x.data(), 7, before.data()).ok());

    const std::string prefix = temp_prefix("roundtrip");
    Status s = save_model_files(prefix, m, info);
    INFO(s.message);
    REQUIRE(s.ok());
    Model loaded;
    ModelInfo info2;
    s = load_model_files(prefix, loaded, info2);
    INFO(s.message);
    REQUIRE(s.ok());
    REQUIRE(loaded.predict(x.data(), 7, after.data()).ok());
    CHECK(std::memcmp(before.data(), after.data(), before.size() * 4) == 0);
    CHECK(loaded.architecture() == m.architecture());
    CHECK(info2.labels == info.labels);
    CHECK(info2.norm_mean == info.norm_mean);
    CHECK(info2.norm_std == info.norm_std);
    CHECK(info2.training == info.training);
    CHECK(to_json(info2.features) == to_json(info.features));
    for (std::size_t k = 0; k < m.parameters().size(); ++k)
        CHECK(std::memcmp(m.parameters()[k].value, loaded.parameters()[k].value, m.parameters()[k].size * 4) == 0);

    // apply_normalization: (x - mean[c]) / std[c] per coefficient row.
    float feats[8] = {1, 1, 2, 4, 3, 5, 4, 0}; // 4 coefficients x 2 frames
    apply_normalization(info2, feats, 4, 2);
    CHECK(feats[0] == 0.0f);
    CHECK(feats[1] == 0.0f);
    CHECK(feats[3] == 2.0f);
    CHECK(feats[5] == 1.0f);
    CHECK(feats[7] == -1.0f);
    std::remove((prefix + ".json").c_str());
    std::remove((prefix + ".bin").c_str());
}

TEST_CASE("a failed save leaves the previous model intact", "[nn]") {
    Model m;
    ModelInfo info;
    make_model(m, info);
    const std::string prefix = temp_prefix("atomic");
    REQUIRE(save_model_files(prefix, m, info).ok());
    std::vector<std::uint8_t> json_before = aer_test::read_bytes(prefix + ".json");
    std::vector<std::uint8_t> bin_before = aer_test::read_bytes(prefix + ".bin");
    // Block the temporary .json with a directory: the save must fail after writing the .bin.tmp.
    const std::string blocker = prefix + ".json.tmp";
    ::mkdir(blocker.c_str(), 0700);
    m.parameters()[0].value[0] += 1.0f;
    Status s = save_model_files(prefix, m, info);
    ::rmdir(blocker.c_str());
    CHECK(!s.ok());
    CHECK(contains(s.message, "cannot"));
    CHECK(aer_test::read_bytes(prefix + ".json") == json_before);
    CHECK(aer_test::read_bytes(prefix + ".bin") == bin_before);
    FILE* leftover = std::fopen((prefix + ".bin.tmp").c_str(), "rb");
    CHECK(leftover == nullptr);
    if (leftover)
        std::fclose(leftover);
    Model loaded;
    ModelInfo info2;
    CHECK(load_model_files(prefix, loaded, info2).ok());
    CHECK(contains(save_model_files("/nonexistent-dir/x/model", m, info).message, "cannot"));
    CHECK(contains(load_model_files("/nonexistent-dir/x/model", loaded, info2).message, "cannot read"));
    std::remove((prefix + ".json").c_str());
    std::remove((prefix + ".bin").c_str());
}

TEST_CASE("corrupt model files are rejected with a clear message", "[nn]") {
    Model m;
    ModelInfo info;
    make_model(m, info);
    const Files good = serialize(m, info);
    REQUIRE(load_message(good).empty());
    Files f;

    SECTION("not JSON") {
        Model out;
        ModelInfo oi;
        const char* text = "{\"format\": \"aer-model\", ";
        CHECK(contains(load_model(reinterpret_cast<const std::uint8_t*>(text), std::strlen(text), good.bin.data(),
                                  good.bin.size(), out, oi)
                           .message,
                       "not valid JSON"));
        CHECK(contains(load_model(nullptr, 0, nullptr, 0, out, oi).message, "empty"));
    }
    SECTION("format, version, unknown keys") {
        f = good;
        f.doc["format"] = "keras";
        CHECK(contains(load_message(f), "'format'"));
        f = good;
        f.doc["version"] = 2;
        CHECK(contains(load_message(f), "version"));
        f = good;
        f.doc.erase("version");
        CHECK(contains(load_message(f), "version"));
        f = good;
        f.doc["normalisation"] = nullptr;
        CHECK(contains(load_message(f), "unknown key 'normalisation'"));
    }
    SECTION("architecture") {
        f = good;
        f.doc["architecture"]["layers"][1]["type"] = "layer_norm";
        CHECK(contains(load_message(f), "layer 1"));
        CHECK(contains(load_message(f), "unknown layer type 'layer_norm'"));
        f = good;
        f.doc["architecture"]["layers"][0]["units"] = 1000000000;
        CHECK(contains(load_message(f), "layer 0 (lstm): 'units' must be an integer"));
        f = good;
        f.doc.erase("architecture");
        CHECK(contains(load_message(f), "missing 'architecture'"));
        f = good;
        f.doc["architecture"]["input"]["features"] = 6;
        CHECK(contains(load_message(f), "features: n_mfcc 4 x max_len 5"));
    }
    SECTION("huge allocation requests are refused before allocating") {
        f = good;
        f.doc["architecture"]["layers"][0]["units"] = 4096;
        f.doc["architecture"]["layers"][2]["units"] = 65536;
        f.doc["architecture"]["layers"].insert(f.doc["architecture"]["layers"].begin() + 2,
                                               json{{"type", "dense"}, {"units", 65536}});
        CHECK(contains(load_message(f), "more than 67108864 parameters"));
    }
    SECTION("labels and normalisation") {
        f = good;
        f.doc["labels"].erase(5);
        CHECK(contains(load_message(f), "5 labels for 6 output units"));
        f = good;
        f.doc["labels"][0] = 7;
        CHECK(contains(load_message(f), "'labels' must be an array of strings"));
        f = good; // a label twice: results keyed by label (the CLI's probabilities) would lose a class
        f.doc["labels"][4] = f.doc["labels"][1];
        CHECK(contains(load_message(f), "labels[4]: 'calm' is also labels[1]"));
        f = good;
        f.doc["normalization"]["std"][2] = 0.0;
        CHECK(contains(load_message(f), "std[2] must be finite and > 0"));
        f = good;
        f.doc["normalization"]["mean"].erase(0);
        CHECK(contains(load_message(f), "n_mfcc = 4 values"));
        f = good;
        f.doc["normalization"] = nullptr;
        CHECK(load_message(f).empty());
        f = good;
        f.doc["features"]["hop"] = 3;
        CHECK(contains(load_message(f), "unknown key 'hop'"));
    }
    SECTION("weight list: count, names, dtype, shapes") {
        f = good;
        f.doc["weights"].erase(2);
        CHECK(contains(load_message(f), "lists 8 weight tensors, the architecture has 9"));
        f = good;
        f.doc["weights"][1]["name"] = "lstm_0/peephole";
        CHECK(contains(load_message(f), "'lstm_0/peephole': not a weight of this architecture"));
        f = good;
        f.doc["weights"][1]["name"] = "lstm_0/kernel";
        CHECK(contains(load_message(f), "listed twice"));
        f = good;
        f.doc["weights"][0]["dtype"] = "float16";
        CHECK(contains(load_message(f), "'dtype' must be \"float32\""));
        f = good;
        f.doc["weights"][0]["shape"] = {5, 13};
        CHECK(contains(load_message(f), "shape [5,13] does not match the architecture's [5,12]"));
        f = good;
        f.doc["weights"][0]["shape"] = {1LL << 40};
        CHECK(contains(load_message(f), "dimensions must be integers in 1..2^26"));
        f = good;
        f.doc["weights"][0]["shape"] = {1, 1, 1, 1};
        CHECK(contains(load_message(f), "1 to 3 dimensions"));
    }
    SECTION("offsets and the .bin") {
        f = good;
        f.doc["weights"][3]["offset"] = good.bin.size();
        CHECK(contains(load_message(f), "beyond the end of the .bin"));
        f = good;
        f.doc["weights"][3]["offset"] = std::numeric_limits<std::uint64_t>::max() - 3;
        CHECK(contains(load_message(f), "beyond the end of the .bin"));
        f = good;
        f.doc["weights"][3]["offset"] = -4;
        CHECK(contains(load_message(f), "'offset' must be a non-negative integer"));
        f = good;
        f.doc["weights"][3]["offset"] = 2;
        CHECK(contains(load_message(f), "multiple of 4"));
        f = good;
        f.doc["weights"][1]["offset"] = f.doc["weights"][0]["offset"].get<std::uint64_t>() + 4;
        CHECK(contains(load_message(f), "overlaps"));
        f = good;
        f.bin.resize(f.bin.size() - 4);
        CHECK(contains(load_message(f), "truncated"));
        f = good;
        f.bin.push_back(0);
        f.bin.push_back(0);
        f.bin.push_back(0);
        f.bin.push_back(0);
        CHECK(contains(load_message(f), "mismatched .bin"));
        f = good;
        f.bin.clear();
        CHECK(contains(load_message(f), "beyond the end of the .bin"));
    }
    SECTION("NaN and Inf weights") {
        f = good;
        set_f32(f.bin, 8, std::numeric_limits<float>::quiet_NaN());
        CHECK(contains(load_message(f), "'lstm_0/kernel': value 2 is NaN"));
        f = good;
        set_f32(f.bin, f.bin.size() - 4, -std::numeric_limits<float>::infinity());
        CHECK(contains(load_message(f), "is infinite"));
    }
    SECTION("hostile bytes never crash the loader") {
        const std::string text = good.doc.dump();
        Rng rng(99);
        int rejected = 0;
        for (int round = 0; round < 300; ++round) {
            std::string t = text;
            std::vector<std::uint8_t> b = good.bin;
            int edits = 1 + int(rng.next() % 4);
            for (int e = 0; e < edits; ++e) {
                if (rng.next() % 2)
                    t[rng.next() % t.size()] = char(rng.next() % 256);
                else
                    b[rng.next() % b.size()] = std::uint8_t(rng.next() % 256);
            }
            if (rng.next() % 4 == 0)
                t.resize(rng.next() % t.size());
            Model out;
            ModelInfo oi;
            Status s = load_model(reinterpret_cast<const std::uint8_t*>(t.data()), t.size(), b.data(), b.size(),
                                  out, oi);
            rejected += !s.ok();
            CHECK(s.ok() == out.built());
        }
        CHECK(rejected > 0);
    }
}
