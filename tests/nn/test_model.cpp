// Model: architecture validation (messages name the layer and field), presets (parameter counts
// as Keras' model.summary() gives them), input arrangement, the whole backward pass against
// central differences, learning a separable problem, determinism for a seed, predict().
#include "core/nn/kernels.h"
#include "core/nn/model.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <string>

using namespace aer;
using nlohmann::json;

namespace {

json small_arch() {
    return json::parse(R"({"input": {"steps": 4, "features": 3},
        "layers": [{"type": "lstm", "units": 8},
                   {"type": "dropout", "rate": 0.1},
                   {"type": "dense", "units": 3, "activation": "softmax"}]})");
}

std::string build_error(const json& arch) {
    Model m;
    Status s = m.build(arch, 1, false);
    CHECK(!m.built());
    return s.message;
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

/// 3 classes over 4 steps x 3 features: class k has feature k near +1 at every step.
void make_problem(int n, Rng& rng, std::vector<float>& x, std::vector<int>& y) {
    x.assign(std::size_t(n) * 12, 0.0f);
    y.assign(n, 0);
    for (int i = 0; i < n; ++i) {
        y[i] = i % 3;
        for (int t = 0; t < 4; ++t)
            for (int f = 0; f < 3; ++f)
                x[i * 12 + t * 3 + f] = float((f == y[i] ? 1.0 : 0.0) + 0.3 * rng.normal());
    }
}

} // namespace

TEST_CASE("architecture validation names the layer and the field", "[nn]") {
    json a = small_arch();
    a["layers"][1]["type"] = "gru";
    CHECK(contains(build_error(a), "layer 1"));
    CHECK(contains(build_error(a), "unknown layer type 'gru'"));

    a = small_arch();
    a["layers"][0]["units"] = 0;
    CHECK(contains(build_error(a), "layer 0 (lstm): 'units'"));
    a["layers"][0]["units"] = "eight";
    CHECK(contains(build_error(a), "layer 0 (lstm): 'units'"));
    a["layers"][0].erase("units");
    CHECK(contains(build_error(a), "layer 0 (lstm): missing 'units'"));

    a = small_arch();
    a["layers"][1]["rate"] = 1.0;
    CHECK(contains(build_error(a), "layer 1 (dropout): 'rate'"));
    a = small_arch();
    a["layers"][2]["activation"] = "tanh";
    CHECK(contains(build_error(a), "layer 2 (dense): 'activation'"));
    a = small_arch();
    a["layers"][2]["unit"] = 3;
    CHECK(contains(build_error(a), "layer 2 (dense): unknown field 'unit'"));
    a = small_arch();
    a["layers"][2]["activation"] = "relu";
    CHECK(contains(build_error(a), "last layer must be dense with softmax"));
    a = small_arch();
    a["layers"][0]["return_sequences"] = true;
    CHECK(contains(build_error(a), "not a sequence"));
    a = small_arch();
    a["layers"].insert(a["layers"].begin() + 1, json{{"type", "conv1d"}, {"filters", 2}, {"kernel_size", 3}});
    CHECK(contains(build_error(a), "layer 1 (conv1d): needs a sequence input"));
    a = small_arch();
    a["layers"][0] = {{"type", "conv1d"}, {"filters", 2}, {"kernel_size", 5}};
    CHECK(contains(build_error(a), "layer 0 (conv1d): 'kernel_size' 5 is longer than its input"));
    a = small_arch();
    a["input"]["steps"] = -1;
    CHECK(contains(build_error(a), "architecture input: 'steps'"));
    a = small_arch();
    a["orientation"] = "sideways";
    CHECK(contains(build_error(a), "'orientation'"));
    a = small_arch();
    a["layers"] = json::array();
    CHECK(contains(build_error(a), "'layers' must be a non-empty array"));
    CHECK(contains(build_error(json::array()), "expected a JSON object"));
    // Parameter cap, checked before anything is allocated.
    a = small_arch();
    a["layers"][0]["units"] = 4096;
    a["layers"].insert(a["layers"].begin() + 1, json{{"type", "dense"}, {"units", 65536}});
    CHECK(contains(build_error(a), "more than 67108864 parameters"));
}

TEST_CASE("presets build with Keras' parameter counts", "[nn]") {
    json a;
    Model m;
    REQUIRE(preset_architecture("paper-lstm", a).ok());
    REQUIRE(m.build(a, 1, false).ok());
    // LSTM (256 + 256 + 1) * 1024, Dense 256*128 + 128, Dense 128*6 + 6.
    CHECK(m.parameter_count() == 525312 + 32896 + 774);
    CHECK(m.steps() == 32);
    CHECK(m.features() == 256);
    CHECK(m.classes() == 6);
    CHECK(m.parameters()[0].name == "lstm_0/kernel");

    REQUIRE(preset_architecture("paper-lstm-phase1", a).ok());
    REQUIRE(m.build(a, 1, false).ok());
    CHECK(m.parameter_count() == 2 * 525312 + 16448 + 1040 + 102);

    REQUIRE(preset_architecture("conv1d", a, 8).ok());
    REQUIRE(m.build(a, 1, false).ok());
    CHECK(m.orientation() == Orientation::frames_as_steps);
    CHECK(m.classes() == 8);
    // Conv 5*32*64 + 64, BN 4*64, Conv 5*64*128 + 128, BN 4*128, Dense 128*128 + 128, Dense 128*8 + 8.
    CHECK(m.parameter_count() == 10304 + 256 + 41088 + 512 + 16512 + 1032);

    Status s = preset_architecture("transformer", a);
    CHECK(contains(s.message, "paper-lstm"));
}

TEST_CASE("arrange_input lays out coefficients or frames as steps", "[nn]") {
    const float mfcc[6] = {1, 2, 3, 4, 5, 6}; // 2 coefficients x 3 frames
    float out[6];
    arrange_input(mfcc, 2, 3, Orientation::coefficients_as_steps, out);
    for (int i = 0; i < 6; ++i)
        CHECK(out[i] == mfcc[i]);
    arrange_input(mfcc, 2, 3, Orientation::frames_as_steps, out);
    const float t[6] = {1, 4, 2, 5, 3, 6};
    for (int i = 0; i < 6; ++i)
        CHECK(out[i] == t[i]);
}

TEST_CASE("model backward (all layer kinds, fused loss) matches central differences in float", "[nn]") {
    json arch = json::parse(R"({"input": {"steps": 6, "features": 2},
        "layers": [{"type": "conv1d", "filters": 3, "kernel_size": 3, "padding": "same", "activation": "relu"},
                   {"type": "batch_normalization"},
                   {"type": "max_pooling1d", "pool_size": 2},
                   {"type": "lstm", "units": 4, "return_sequences": true},
                   {"type": "flatten"},
                   {"type": "dense", "units": 5, "activation": "relu"},
                   {"type": "dense", "units": 3, "activation": "softmax"}]})");
    Model m;
    REQUIRE(m.build(arch, 3).ok());
    const int batch = 4;
    REQUIRE(m.reshape(batch).ok());
    Rng rng(81);
    std::vector<float> x(batch * 12);
    for (float& v : x)
        v = float(rng.normal());
    const int labels[batch] = {0, 2, 1, 2};
    float loss = 0;
    REQUIRE(m.forward(x.data(), true));
    REQUIRE(m.backward(labels, loss).ok());
    CHECK(std::isfinite(loss));
    std::vector<std::vector<float>> grads;
    for (const Param<float>& p : m.parameters())
        grads.emplace_back(p.grad ? std::vector<float>(p.grad, p.grad + p.size) : std::vector<float>());
    auto eval = [&]() {
        m.forward(x.data(), true);
        float l = 0;
        REQUIRE(m.backward(labels, l).ok());
        return double(l);
    };
    int checked = 0, bad = 0;
    for (std::size_t k = 0; k < m.parameters().size(); ++k) {
        const Param<float>& p = m.parameters()[k];
        if (!p.grad)
            continue;
        for (std::size_t i = 0; i < p.size; i += 3) {
            float saved = p.value[i];
            const float h = 1e-2f;
            p.value[i] = saved + h;
            m.after_update();
            double up = eval();
            p.value[i] = saved - h;
            m.after_update();
            double down = eval();
            p.value[i] = saved;
            m.after_update();
            double numeric = (up - down) / (2 * h);
            double err = std::fabs(numeric - grads[k][i]);
            if (err > 2e-3 + 5e-2 * std::fabs(numeric)) {
                ++bad;
                INFO(p.name << "[" << i << "] analytic " << grads[k][i] << " numeric " << numeric);
                CHECK(false);
            }
            ++checked;
        }
    }
    CHECK(checked > 50);
    CHECK(bad == 0);
}

TEST_CASE("a small LSTM model learns a separable problem to 100% training accuracy", "[nn]") {
    Rng data_rng(5);
    std::vector<float> x;
    std::vector<int> y;
    make_problem(24, data_rng, x, y);
    Model m;
    REQUIRE(m.build(small_arch(), 42).ok());
    const int batch = 8;
    REQUIRE(m.reshape(batch).ok());
    AdamConfig cfg;
    cfg.learning_rate = 0.02;
    Adam adam(cfg);
    float first_loss = 0, loss = 0;
    for (int epoch = 0; epoch < 60; ++epoch)
        for (int start = 0; start < 24; start += batch) {
            REQUIRE(m.train_batch(&x[start * 12], &y[start], adam, loss).ok());
            if (epoch == 0 && start == 0)
                first_loss = loss;
        }
    CHECK(loss < first_loss);
    std::vector<float> probs(24 * 3);
    REQUIRE(m.predict(x.data(), 24, probs.data()).ok());
    int correct = 0;
    for (int i = 0; i < 24; ++i)
        correct += argmax(&probs[i * 3], 3) == y[i];
    CHECK(correct == 24);
}

TEST_CASE("a Conv1D + BN + pooling model learns the same problem", "[nn]") {
    Rng data_rng(6);
    std::vector<float> x;
    std::vector<int> y;
    make_problem(24, data_rng, x, y);
    json arch = json::parse(R"({"input": {"steps": 4, "features": 3},
        "layers": [{"type": "conv1d", "filters": 6, "kernel_size": 2, "padding": "same", "activation": "relu"},
                   {"type": "batch_normalization"},
                   {"type": "max_pooling1d", "pool_size": 2},
                   {"type": "global_average_pooling1d"},
                   {"type": "dense", "units": 3, "activation": "softmax"}]})");
    Model m;
    REQUIRE(m.build(arch, 7).ok());
    REQUIRE(m.reshape(8).ok());
    AdamConfig cfg;
    cfg.learning_rate = 0.02;
    Adam adam(cfg);
    float loss = 0;
    for (int epoch = 0; epoch < 80; ++epoch)
        for (int start = 0; start < 24; start += 8)
            REQUIRE(m.train_batch(&x[start * 12], &y[start], adam, loss).ok());
    std::vector<float> probs(24 * 3);
    REQUIRE(m.predict(x.data(), 24, probs.data()).ok());
    int correct = 0;
    for (int i = 0; i < 24; ++i)
        correct += argmax(&probs[i * 3], 3) == y[i];
    CHECK(correct == 24);
}

TEST_CASE("training is deterministic for a seed", "[nn]") {
    Rng data_rng(8);
    std::vector<float> x;
    std::vector<int> y;
    make_problem(8, data_rng, x, y);
    std::vector<float> final_weights[2];
    for (int run = 0; run < 2; ++run) {
        Model m;
        REQUIRE(m.build(small_arch(), 1234).ok());
        REQUIRE(m.reshape(8).ok());
        Adam adam;
        float loss;
        for (int step = 0; step < 5; ++step)
            REQUIRE(m.train_batch(x.data(), y.data(), adam, loss).ok());
        for (const Param<float>& p : m.parameters())
            final_weights[run].insert(final_weights[run].end(), p.value, p.value + p.size);
    }
    REQUIRE(final_weights[0].size() == final_weights[1].size());
    CHECK(final_weights[0] == final_weights[1]);
    Model a, b;
    REQUIRE(a.build(small_arch(), 1234).ok());
    REQUIRE(b.build(small_arch(), 1235).ok());
    CHECK(a.parameters()[0].value[0] != b.parameters()[0].value[0]); // another seed, other weights
}

TEST_CASE("predict in chunks equals forward; misuse is reported", "[nn]") {
    Model m;
    REQUIRE(m.build(small_arch(), 9).ok());
    Rng rng(10);
    std::vector<float> x(5 * 12);
    for (float& v : x)
        v = float(rng.normal());
    REQUIRE(m.reshape(5).ok());
    std::vector<float> whole(m.forward(x.data(), false), m.forward(x.data(), false) + 15);
    for (int i = 0; i < 5; ++i) {
        float sum = 0;
        for (int j = 0; j < 3; ++j)
            sum += whole[i * 3 + j];
        CHECK(sum == Approx(1.0f));
    }
    REQUIRE(m.reshape(2).ok()); // chunks of 2, 2, 1 (the last one padded)
    std::vector<float> chunked(15);
    REQUIRE(m.predict(x.data(), 5, chunked.data()).ok());
    for (int i = 0; i < 15; ++i)
        CHECK(chunked[i] == Approx(whole[i]).margin(1e-6));

    float loss;
    const int bad_labels[2] = {0, 3};
    REQUIRE(m.forward(x.data(), false));
    CHECK(contains(m.backward(bad_labels, loss).message, "forward(training = true)"));
    REQUIRE(m.forward(x.data(), true));
    CHECK(contains(m.backward(bad_labels, loss).message, "label 3"));
    CHECK(contains(m.reshape(0).message, "batch must be within"));
    CHECK(contains(m.reshape(70000).message, "batch must be within"));
    Model wide; // 2^24 input values per example: 64 examples would need far more than 2 GB
    json arch = small_arch();
    arch["input"] = {{"steps", 4096}, {"features", 4096}};
    arch["layers"] = json::array({json{{"type", "global_average_pooling1d"}},
                                  json{{"type", "dense"}, {"units", 2}, {"activation", "softmax"}}});
    REQUIRE(wide.build(arch, 1, false).ok());
    CHECK(contains(wide.reshape(64).message, "more than 2 GB"));
    Model empty;
    CHECK(!empty.reshape(4).ok());
    CHECK(empty.forward(x.data(), false) == nullptr);

    // Finite but huge weights overflow float32: predict says so instead of returning NaN
    // probabilities (found by the model fuzzer: tests/fuzz/corpus/model/overflowing-weights.bin).
    for (const Param<float>& p : m.parameters())
        for (std::size_t k = 0; k < p.size; ++k)
            p.value[k] = 3e38f;
    m.after_update();
    CHECK(m.predict(x.data(), 5, chunked.data()).message ==
          "model: the output for example 0 is not a number (the input or the weights overflow float32)");
}

TEST_CASE("training and prediction agree across kernel backends (packed weights invalidated)", "[nn]") {
    Rng data_rng(12);
    std::vector<float> x;
    std::vector<int> y;
    make_problem(8, data_rng, x, y);
    const Backend saved = current_backend();
    std::vector<float> reference;
    for (Backend b : {Backend::reference, Backend::simd, Backend::xnnpack}) {
        if (!backend_available(b))
            continue;
        {
            INFO("backend " << backend_name(b));
            REQUIRE(set_backend(b).ok());
            Model m;
            REQUIRE(m.build(small_arch(), 77).ok());
            REQUIRE(m.reshape(8).ok());
            AdamConfig cfg;
            cfg.learning_rate = 0.05;
            Adam adam(cfg);
            float loss;
            std::vector<float> probs(8 * 3);
            for (int step = 0; step < 4; ++step) {
                REQUIRE(m.train_batch(x.data(), y.data(), adam, loss).ok());
                // Predict after every step: stale packed weights would show here.
                REQUIRE(m.predict(x.data(), 8, probs.data()).ok());
            }
            REQUIRE(set_backend(saved).ok());
            if (b == Backend::reference)
                reference = probs;
            REQUIRE(reference.size() == probs.size());
            for (std::size_t i = 0; i < probs.size(); ++i)
                CHECK(probs[i] == Approx(reference[i]).margin(1e-4));
        }
    }
    REQUIRE(set_backend(saved).ok());
}
