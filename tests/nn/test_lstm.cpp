// LSTM: finite-difference gradients (BPTT over several steps, with and without
// return_sequences), a hand-computed single step, Keras' initialisers, and float vs double.
#include "core/nn/kernels.h"
#include "core/nn/lstm.h"
#include "tests/nn/grad_check.h"

#include <catch2/catch.hpp>

#include <cmath>

using namespace aer;

TEST_CASE("LSTM gradients match central differences over 5 steps", "[nn]") {
    for (bool seq : {false, true}) {
        DYNAMIC_SECTION("return_sequences " << seq) {
            Lstm<double> lstm("lstm_0", LstmConfig{4, seq}, Shape{5, 3});
            REQUIRE(lstm.allocate().ok());
            int n = aer_test::check_layer_gradients(lstm, 3, 11);
            CHECK(n == 3 * 5 * 3 + 3 * 16 + 4 * 16 + 16);
        }
    }
}

TEST_CASE("LSTM one step equals the gate equations by hand", "[nn]") {
    // 1 unit, 1 feature: z = x * W + b (h_{-1} = 0), i f c o = W[0..3].
    Lstm<double> lstm("lstm_0", LstmConfig{1, false}, Shape{1, 1});
    REQUIRE(lstm.allocate().ok());
    std::vector<Param<double>> p = lstm.params();
    const double w[4] = {0.5, -0.3, 0.8, 0.1}, b[4] = {0.1, 1.0, -0.2, 0.3};
    for (int j = 0; j < 4; ++j) {
        p[0].value[j] = w[j];
        p[2].value[j] = b[j];
    }
    p[1].value[0] = 0.7; // unused in the first step: h_{-1} = 0
    REQUIRE(lstm.reshape(1).ok());
    TensorT<double> x;
    REQUIRE(x.resize(1, 1, 1).ok());
    x[0] = 2.0;
    lstm.forward(x, false);
    auto sig = [](double v) { return 1.0 / (1.0 + std::exp(-v)); };
    double i = sig(2.0 * 0.5 + 0.1), g = std::tanh(2.0 * 0.8 - 0.2), o = sig(2.0 * 0.1 + 0.3);
    double c = i * g; // f * c_{-1} = 0
    CHECK(lstm.output()[0] == Approx(o * std::tanh(c)).epsilon(1e-12));
}

TEST_CASE("LSTM initialisers: glorot range, orthogonal recurrent rows, unit forget bias", "[nn]") {
    const int f = 6, u = 5;
    Lstm<double> lstm("lstm_0", LstmConfig{u, false}, Shape{3, f});
    REQUIRE(lstm.allocate().ok());
    Rng rng(3);
    lstm.init_weights(rng);
    std::vector<Param<double>> p = lstm.params();
    double limit = std::sqrt(6.0 / (f + 4 * u));
    for (std::size_t k = 0; k < p[0].size; ++k)
        CHECK(std::fabs(p[0].value[k]) <= limit);
    // R (u x 4u): rows orthonormal.
    for (int a = 0; a < u; ++a)
        for (int b = 0; b < u; ++b) {
            double dot = 0.0;
            for (int j = 0; j < 4 * u; ++j)
                dot += p[1].value[a * 4 * u + j] * p[1].value[b * 4 * u + j];
            CHECK(dot == Approx(a == b ? 1.0 : 0.0).margin(1e-12));
        }
    for (int j = 0; j < 4 * u; ++j)
        CHECK(p[2].value[j] == (j >= u && j < 2 * u ? 1.0 : 0.0));
}

TEST_CASE("LSTM in float agrees with the same weights in double", "[nn]") {
    const int f = 7, u = 6, steps = 9, batch = 3;
    Lstm<double> d("lstm_0", LstmConfig{u, true}, Shape{steps, f});
    Lstm<float> s("lstm_0", LstmConfig{u, true}, Shape{steps, f});
    REQUIRE(d.allocate().ok());
    REQUIRE(s.allocate().ok());
    Rng rng(5);
    d.init_weights(rng);
    std::vector<Param<double>> pd = d.params();
    std::vector<Param<float>> ps = s.params();
    for (std::size_t k = 0; k < pd.size(); ++k)
        for (std::size_t i = 0; i < pd[k].size; ++i) {
            ps[k].value[i] = float(pd[k].value[i] + 0.1 * rng.normal());
            pd[k].value[i] = ps[k].value[i];
        }
    all_weights_changed(); // float weights written directly (kernels.h)
    REQUIRE(d.reshape(batch).ok());
    REQUIRE(s.reshape(batch).ok());
    TensorT<double> xd;
    TensorT<float> xs;
    REQUIRE(xd.resize(batch, steps, f).ok());
    REQUIRE(xs.resize(batch, steps, f).ok());
    for (std::size_t i = 0; i < xd.size(); ++i)
        xd[i] = xs[i] = float(rng.normal());
    d.forward(xd, false);
    s.forward(xs, false);
    for (std::size_t i = 0; i < d.output().size(); ++i)
        CHECK(s.output()[i] == Approx(d.output()[i]).margin(1e-5));
}

TEST_CASE("LSTM float activations hold over saturating inputs, and a NaN stays in its row", "[nn]") {
    // Inputs up to ~±60 drive the gates far into saturation (sigmoid and tanh of ±100 and more):
    // the float path's polynomial exp must still agree with libm in double.
    const int f = 5, u = 8, steps = 4, batch = 3;
    Lstm<double> d("lstm_0", LstmConfig{u, true}, Shape{steps, f});
    Lstm<float> s("lstm_0", LstmConfig{u, true}, Shape{steps, f});
    REQUIRE(d.allocate().ok());
    REQUIRE(s.allocate().ok());
    Rng rng(9);
    d.init_weights(rng);
    std::vector<Param<double>> pd = d.params();
    std::vector<Param<float>> ps = s.params();
    for (std::size_t k = 0; k < pd.size(); ++k)
        for (std::size_t i = 0; i < pd[k].size; ++i)
            ps[k].value[i] = float(pd[k].value[i]);
    all_weights_changed();
    REQUIRE(d.reshape(batch).ok());
    REQUIRE(s.reshape(batch).ok());
    TensorT<double> xd;
    TensorT<float> xs;
    REQUIRE(xd.resize(batch, steps, f).ok());
    REQUIRE(xs.resize(batch, steps, f).ok());
    for (std::size_t i = 0; i < xd.size(); ++i)
        xd[i] = xs[i] = float(20.0 * rng.normal());
    d.forward(xd, false);
    s.forward(xs, false);
    for (std::size_t i = 0; i < d.output().size(); ++i)
        CHECK(s.output()[i] == Approx(d.output()[i]).margin(1e-5));

    // A NaN in row 1 (a diverged input) makes row 1 NaN and leaves rows 0 and 2 as they were.
    xs[std::size_t(1) * steps * f + 2] = std::nanf("");
    s.forward(xs, false);
    for (int b = 0; b < batch; ++b)
        for (int t = 0; t < steps; ++t)
            for (int j = 0; j < u; ++j) {
                const std::size_t k = (std::size_t(b) * steps + t) * u + j;
                if (b == 1 && t == steps - 1)
                    CHECK(std::isnan(s.output()[k]));
                else if (b != 1)
                    CHECK(s.output()[k] == Approx(d.output()[k]).margin(1e-5));
            }
}
