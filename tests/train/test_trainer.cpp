// The trainer on a small synthetic problem: it learns, it is deterministic for a seed, a stop
// keeps the last finished epoch, and a divergence is caught with the last good weights kept.
#include "core/train/trainer.h"

#include "tests/train/synthetic.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <random>

using namespace aer;

namespace {

void make_data(int n, std::uint32_t seed, std::vector<float>& x, std::vector<int>& y) {
    aer_test::make_separable_data(n, seed, 0.3f, x, y);
}

nlohmann::json tiny_arch() {
    return nlohmann::json::parse(R"({"input": {"steps": 4, "features": 3},
        "layers": [{"type": "lstm", "units": 8}, {"type": "dense", "units": 3, "activation": "softmax"}]})");
}

using aer_test::weights_of;

} // namespace

TEST_CASE("trainer learns a separable problem and is deterministic", "[train]") {
    std::vector<float> x, vx;
    std::vector<int> y, vy;
    make_data(96, 1, x, y);
    make_data(48, 2, vx, vy);
    TrainConfig cfg;
    cfg.epochs = 30;
    cfg.batch = 16;
    cfg.learning_rate = 0.01;
    cfg.seed = 5;
    std::vector<EpochMetrics> first;
    for (int run = 0; run < 2; ++run) {
        Model m;
        REQUIRE(m.build(tiny_arch(), 5).ok());
        Trainer t;
        REQUIRE(t.init(&m, x, y, vx, vy, cfg).ok());
        REQUIRE(t.run(nullptr, nullptr).ok());
        REQUIRE(t.history().size() == 30);
        CHECK(t.history().back().val_acc >= 0.95);
        CHECK(t.history().back().loss < t.history().front().loss);
        if (run == 0) {
            first = t.history();
        } else {
            for (std::size_t e = 0; e < first.size(); ++e) {
                CHECK(t.history()[e].loss == first[e].loss);
                CHECK(t.history()[e].val_acc == first[e].val_acc);
            }
        }
    }
}

TEST_CASE("step() runs a bounded number of batches; a stop keeps the last finished epoch", "[train]") {
    std::vector<float> x;
    std::vector<int> y;
    make_data(40, 3, x, y);
    Model m;
    REQUIRE(m.build(tiny_arch(), 1).ok());
    TrainConfig cfg;
    cfg.epochs = 3;
    cfg.batch = 16; // 3 batches per epoch (16, 16, 8)
    Trainer t;
    REQUIRE(t.init(&m, x, y, {}, {}, cfg).ok());
    TrainProgress p;
    REQUIRE(t.step(2, p).ok());
    CHECK(p.batch == 2);
    CHECK(p.batches == 3);
    CHECK_FALSE(p.epoch_done);
    REQUIRE(t.step(1, p).ok());
    CHECK(p.epoch_done);
    CHECK(std::isnan(t.history().back().val_acc)); // no validation data
    std::vector<float> after_epoch1 = weights_of(m);
    REQUIRE(t.step(1, p).ok()); // into epoch 2
    CHECK(weights_of(m) != after_epoch1);
    REQUIRE(t.restore_last_epoch().ok()); // what a Stop does
    CHECK(weights_of(m) == after_epoch1);
}

TEST_CASE("a diverging run stops with a clear message and keeps finite weights", "[train]") {
    std::vector<float> x;
    std::vector<int> y;
    make_data(64, 4, x, y);
    for (float& v : x)
        v *= 1e3f;
    Model m;
    REQUIRE(m.build(tiny_arch(), 2).ok());
    TrainConfig cfg;
    cfg.epochs = 50;
    cfg.batch = 8;
    cfg.learning_rate = 1e36; // absurd: the first updates overflow float
    cfg.optimizer = "sgd";
    Trainer t;
    REQUIRE(t.init(&m, x, y, {}, {}, cfg).ok());
    Status s = t.run(nullptr, nullptr);
    REQUIRE_FALSE(s.ok());
    CHECK(s.message.find("diverged") != std::string::npos);
    CHECK(s.message.find("kept the weights") != std::string::npos);
    for (float w : weights_of(m))
        REQUIRE(std::isfinite(w));

    // A NaN in the data is caught the same way, at the batch that holds it.
    make_data(64, 4, x, y);
    x[5] = std::nanf("");
    Model m2;
    REQUIRE(m2.build(tiny_arch(), 2).ok());
    cfg = TrainConfig{};
    cfg.batch = 64;
    Trainer t2;
    REQUIRE(t2.init(&m2, x, y, {}, {}, cfg).ok());
    s = t2.run(nullptr, nullptr);
    CHECK(s.message.find("diverged at epoch 1, batch 1 (loss is NaN") != std::string::npos);
    CHECK(s.message.find("kept the weights of the start") != std::string::npos);
}

TEST_CASE("trainer refuses bad configuration", "[train]") {
    Model m;
    REQUIRE(m.build(tiny_arch(), 1).ok());
    std::vector<float> x(12, 0.0f);
    Trainer t;
    TrainConfig cfg;
    cfg.epochs = 0;
    CHECK_FALSE(t.init(&m, x, {0}, {}, {}, cfg).ok());
    cfg = TrainConfig{};
    cfg.optimizer = "rmsprop";
    CHECK(t.init(&m, x, {0}, {}, {}, cfg).message.find("unknown optimizer") != std::string::npos);
    cfg = TrainConfig{};
    CHECK(t.init(&m, x, {7}, {}, {}, cfg).message.find("label") != std::string::npos);
    CHECK(t.init(&m, std::vector<float>(5), {0}, {}, {}, cfg).message.find("input size") != std::string::npos);
}
