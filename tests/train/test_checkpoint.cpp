// Training state (core/train/checkpoint): a run stopped after epoch N and resumed from its model
// files and state ends with the bits of a run that never stopped; the state file survives a
// round trip and every corruption is refused with a message.
#include "core/nn/model_io.h"
#include "core/train/checkpoint.h"
#include "core/train/trainer.h"

#include "tests/train/synthetic.h"

#include "tests/test_util.h"

#include <catch2/catch.hpp>

#include <cstring>
#include <random>

using namespace aer;

namespace {

void make_data(int n, std::uint32_t seed, std::vector<float>& x, std::vector<int>& y) {
    aer_test::make_separable_data(n, seed, 0.5f, x, y);
}

// What a model file of arch_with_dropout() carries besides weights: 3 labels, and features whose
// 4 coefficients x 3 frames are the model's 4 steps x 3 features.
ModelInfo tiny_info() {
    ModelInfo info;
    info.labels = {"a", "b", "c"};
    info.features.n_mfcc = 4;
    info.features.max_len = 3;
    return info;
}

// Two dropout layers, so the random streams matter as much as Adam's moments.
nlohmann::json arch_with_dropout() {
    return nlohmann::json::parse(R"({"input": {"steps": 4, "features": 3},
        "layers": [{"type": "lstm", "units": 8}, {"type": "dropout", "rate": 0.3},
                   {"type": "dense", "units": 8, "activation": "relu"}, {"type": "dropout", "rate": 0.3},
                   {"type": "dense", "units": 3, "activation": "softmax"}]})");
}

using aer_test::weights_of;

struct Run {
    std::vector<float> weights;
    std::vector<EpochMetrics> history;
};

// Trains `epochs` epochs from a fresh model, or, with `from`, from the saved model files and
// (when with_state) the saved state of an earlier run.
Run train(int epochs, const std::string* json = nullptr, const std::vector<std::uint8_t>* bin = nullptr,
          const TrainState* state = nullptr, int first_epoch = 1) {
    std::vector<float> x, vx;
    std::vector<int> y, vy;
    make_data(60, 1, x, y);
    make_data(30, 2, vx, vy);
    TrainConfig cfg;
    cfg.epochs = epochs;
    cfg.batch = 8;
    cfg.learning_rate = 0.01;
    cfg.seed = 9;
    cfg.first_epoch = first_epoch;
    REQUIRE(parse_augment("shift:1,time:1x2", cfg.augment).ok()); // drawn per batch: resumes exactly too
    Model m;
    if (json) {
        ModelInfo info;
        REQUIRE(load_model(reinterpret_cast<const std::uint8_t*>(json->data()), json->size(), bin->data(),
                           bin->size(), m, info)
                    .ok());
    } else {
        REQUIRE(m.build(arch_with_dropout(), 9).ok());
    }
    Trainer t;
    Status s = t.init(&m, x, y, vx, vy, cfg, state);
    REQUIRE(s.message == "");
    REQUIRE(t.run(nullptr, nullptr).ok());
    return {weights_of(m), t.history()};
}

} // namespace

TEST_CASE("a run resumed from its model files and state equals the run that never stopped", "[train]") {
    const Run whole = train(5);

    // The first 3 epochs, saved as a checkpoint is: model files + state.
    std::vector<float> x, vx;
    std::vector<int> y, vy;
    make_data(60, 1, x, y);
    make_data(30, 2, vx, vy);
    TrainConfig cfg;
    cfg.epochs = 5;
    cfg.batch = 8;
    cfg.learning_rate = 0.01;
    cfg.seed = 9;
    REQUIRE(parse_augment("shift:1,time:1x2", cfg.augment).ok());
    Model m;
    REQUIRE(m.build(arch_with_dropout(), 9).ok());
    Trainer t;
    REQUIRE(t.init(&m, x, y, vx, vy, cfg).ok());
    TrainProgress p;
    while (t.history().size() < 3)
        REQUIRE(t.step(1, p).ok());
    // A few batches of epoch 4, then a stop: the state goes back to epoch 3's end with the weights.
    REQUIRE(t.step(2, p).ok());
    REQUIRE(t.restore_last_epoch().ok());
    ModelInfo info = tiny_info();
    std::string json;
    std::vector<std::uint8_t> bin, state_bytes;
    REQUIRE(serialize_model(m, info, json, bin).message == "");
    REQUIRE(t.state().epochs_done == 3);
    serialize_train_state(t.state(), state_bytes);
    TrainState state;
    REQUIRE(parse_train_state(state_bytes.data(), state_bytes.size(), state).ok());

    const Run resumed = train(5, &json, &bin, &state);
    REQUIRE(resumed.history.size() == 2);
    CHECK(resumed.history[0].epoch == 4);
    CHECK(resumed.history[1].loss == whole.history[4].loss);
    CHECK(resumed.history[1].val_loss == whole.history[4].val_loss);
    REQUIRE(resumed.weights.size() == whole.weights.size());
    CHECK(std::memcmp(resumed.weights.data(), whole.weights.data(), whole.weights.size() * sizeof(float)) ==
          0);

    // Without the state (fresh Adam moments and dropout streams) the run ends elsewhere: the state
    // is what makes the resume exact.
    const Run without = train(5, &json, &bin, nullptr, 4);
    CHECK(std::memcmp(without.weights.data(), whole.weights.data(), whole.weights.size() * sizeof(float)) !=
          0);
}

TEST_CASE("a state that does not fit the run is refused before anything changes", "[train]") {
    std::vector<float> x;
    std::vector<int> y;
    make_data(12, 1, x, y);
    Model m;
    REQUIRE(m.build(arch_with_dropout(), 1).ok());
    TrainConfig cfg;
    cfg.epochs = 3;
    cfg.batch = 4;
    Trainer t;
    REQUIRE(t.init(&m, x, y, {}, {}, cfg).ok());
    TrainProgress p;
    REQUIRE(t.step(3, p).ok());
    REQUIRE(t.state().epochs_done == 1);
    TrainState good = t.state();

    Model other;
    REQUIRE(other.build(arch_with_dropout(), 1).ok());
    Trainer u;
    TrainState s = good;
    s.rngs.pop_back();
    CHECK(u.init(&other, x, y, {}, {}, cfg, &s).message ==
          "trainer: the saved state has 1 dropout streams, the model has 2");
    s = good;
    s.values[0].pop_back();
    CHECK(u.init(&other, x, y, {}, {}, cfg, &s).message.find("lstm_0/kernel' has 95 values, expected 96") !=
          std::string::npos);
    s = good;
    s.optimizer = "sgd";
    s.slots = 1;
    CHECK(u.init(&other, x, y, {}, {}, cfg, &s).message ==
          "trainer: the saved state is of optimizer 'sgd', this run uses 'adam'");
    s = good;
    s.epochs_done = 3;
    CHECK(u.init(&other, x, y, {}, {}, cfg, &s).message ==
          "trainer: the saved state already finished 3 of 3 epochs");
}

TEST_CASE("training state files: round trip, and every corruption refused with a message", "[train]") {
    TrainState s;
    s.epochs_done = 7;
    s.optimizer = "adam";
    s.iterations = 123;
    s.slots = 2;
    s.values = {{1.0f, -2.5f}, {0.25f, 4.0f}, {}, {}, {3.0f}, {1e-8f}};
    s.rngs = {{1, 2, 3, 0xffffffffffffffffULL}};
    s.weights = 0x0123456789abcdefULL;
    std::vector<std::uint8_t> bytes;
    serialize_train_state(s, bytes);
    TrainState back;
    REQUIRE(parse_train_state(bytes.data(), bytes.size(), back).ok());
    CHECK(back.epochs_done == 7);
    CHECK(back.optimizer == "adam");
    CHECK(back.iterations == 123);
    CHECK(back.values == s.values);
    CHECK(back.rngs == s.rngs);
    CHECK(back.weights == s.weights);

    // Every cut is refused (the values are counted against the header).
    for (std::size_t n = 0; n < bytes.size(); ++n)
        CHECK_FALSE(parse_train_state(bytes.data(), n, back).ok());
    std::vector<std::uint8_t> longer = bytes;
    longer.push_back(0);
    CHECK(parse_train_state(longer.data(), longer.size(), back).message.find("truncated or padded") !=
          std::string::npos);
    std::vector<std::uint8_t> b = bytes;
    b[0] = 'X';
    CHECK(parse_train_state(b.data(), b.size(), back).message ==
          "training state: not an aer training state (no AERSTATE header)");
    b = bytes;
    b[8] = 2;
    CHECK(parse_train_state(b.data(), b.size(), back).message ==
          "training state: version 2 is not supported (only 1)");
    b = bytes;
    b[12] = 0xff;
    b[13] = 0xff;
    b[14] = 0xff;
    CHECK(parse_train_state(b.data(), b.size(), back).message ==
          "training state: the header length runs past the end of the file");
    // A NaN among the values.
    b = bytes;
    const std::uint32_t nan_bits = 0x7fc00000u;
    std::memcpy(b.data() + b.size() - 4, &nan_bits, 4);
    CHECK(parse_train_state(b.data(), b.size(), back).message ==
          "training state: a value of parameter 2 is not finite");
    // An all-zero random stream (xoshiro256** would be stuck at zero).
    TrainState z = s;
    z.rngs = {{0, 0, 0, 0}};
    serialize_train_state(z, b);
    CHECK(parse_train_state(b.data(), b.size(), back).message ==
          "training state: a random stream is all zero");

    // Random mutations never crash and a success is self-consistent.
    std::mt19937 rng(4);
    for (int i = 0; i < 2000; ++i) {
        b = bytes;
        int flips = 1 + int(rng() % 4);
        for (int f = 0; f < flips; ++f)
            b[rng() % b.size()] = std::uint8_t(rng());
        if (parse_train_state(b.data(), b.size(), back).ok()) {
            CHECK(back.values.size() % std::size_t(back.slots ? back.slots : 1) == 0);
            CHECK(back.epochs_done >= 1);
        }
    }
}

namespace {
using aer_test::temp_prefix;

void copy_file(const std::string& from, const std::string& to) {
    std::vector<std::uint8_t> b;
    REQUIRE(read_file(from, b, 1u << 30));
    REQUIRE(write_file(to, b.data(), b.size()).ok());
}
} // namespace

TEST_CASE("a checkpoint cut off between its renames still resumes exactly", "[train]") {
    std::vector<float> x;
    std::vector<int> y;
    make_data(24, 1, x, y);
    Model m;
    REQUIRE(m.build(arch_with_dropout(), 2).ok());
    TrainConfig cfg;
    cfg.epochs = 3;
    cfg.batch = 8;
    Trainer t;
    REQUIRE(t.init(&m, x, y, {}, {}, cfg).ok());
    ModelInfo info = tiny_info();
    const std::string run = temp_prefix("ckpt_run"), e1 = temp_prefix("ckpt_e1"),
                      cut = temp_prefix("ckpt_cut");
    TrainProgress p;
    REQUIRE(t.step(3, p).ok()); // epoch 1 (3 batches)
    info.training["epochs_done"] = 1;
    REQUIRE(save_checkpoint(run, m, info, t.state()).ok());
    for (const char* ext : {".json", ".bin", ".state"})
        copy_file(run + ext, e1 + ext);
    REQUIRE(t.step(3, p).ok()); // epoch 2, saved over epoch 1: epoch 1's state stays as .prev
    info.training["epochs_done"] = 2;
    REQUIRE(save_checkpoint(run, m, info, t.state()).ok());

    Model loaded;
    ModelInfo got;
    TrainState state;
    bool have = false;
    std::string note;
    // Killed after the new state was renamed in, before the .bin: state 2 and prev 1, bin/json 1.
    copy_file(e1 + ".json", cut + ".json");
    copy_file(e1 + ".bin", cut + ".bin");
    copy_file(run + ".state", cut + ".state");
    copy_file(run + ".state.prev", cut + ".state.prev");
    REQUIRE(load_checkpoint(cut, loaded, got, state, have, note).ok());
    CHECK(have);
    CHECK(state.epochs_done == 1); // .prev is the one that matches epoch 1's .bin
    CHECK(got.training["epochs_done"] == 1);
    // Killed after the .bin, before the .json: state 2, bin 2, json 1.
    copy_file(run + ".bin", cut + ".bin");
    REQUIRE(load_checkpoint(cut, loaded, got, state, have, note).ok());
    CHECK(have);
    CHECK(state.epochs_done == 2); // the state, not the JSON, says how far the weights got
    CHECK(got.training["epochs_done"] == 2);
    // A state of other weights is not used, and the note says so.
    std::remove((cut + ".state.prev").c_str());
    copy_file(e1 + ".state", cut + ".state");
    REQUIRE(load_checkpoint(cut, loaded, got, state, have, note).ok());
    CHECK_FALSE(have);
    CHECK(note == cut + ".state belongs to other weights than " + cut + ".bin");
    // No state at all: the model still loads, and the note names the missing file.
    std::remove((cut + ".state").c_str());
    REQUIRE(load_checkpoint(cut, loaded, got, state, have, note).ok());
    CHECK_FALSE(have);
    CHECK(note.find("cannot read " + cut + ".state") != std::string::npos);
    // Without its .bin the checkpoint does not load.
    std::remove((cut + ".bin").c_str());
    CHECK(load_checkpoint(cut, loaded, got, state, have, note).message.find(cut + ".bin") !=
          std::string::npos);
}
