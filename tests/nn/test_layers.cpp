// The small layers: Dropout (inverted, seeded), Flatten, MaxPooling1D, GlobalAveragePooling1D:
// finite-difference gradients and hand-checked values.
#include "core/nn/layers.h"
#include "tests/nn/grad_check.h"

#include <catch2/catch.hpp>

#include <cmath>

using namespace aer;

TEST_CASE("Dropout: inverted scaling, identity at inference, gradients", "[nn]") {
    Dropout<double> drop("dropout_0", 0.25, 7, Shape{0, 400});
    REQUIRE(drop.reshape(5).ok());
    TensorT<double> x;
    REQUIRE(x.resize(5, 400).ok());
    x.fill(2.0);
    drop.forward(x, false);
    for (std::size_t i = 0; i < x.size(); ++i)
        REQUIRE(drop.output()[i] == 2.0);
    drop.forward(x, true);
    int zeros = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        double y = drop.output()[i];
        REQUIRE((y == 0.0 || y == Approx(2.0 / 0.75)));
        zeros += y == 0.0;
    }
    // 2000 draws at p = 0.25: 500 expected, sd ~19.4; 6 sd either side.
    CHECK(zeros > 500 - 117);
    CHECK(zeros < 500 + 117);

    aer_test::GradCheckOptions opt;
    Dropout<double> small("dropout_0", 0.5, 1, Shape{3, 2});
    opt.before_forward = [&]() { small.reseed(99); }; // the same mask for every evaluation
    CHECK(aer_test::check_layer_gradients(small, 2, 51, opt) == 12);
}

TEST_CASE("Dropout masks are deterministic for a seed", "[nn]") {
    Dropout<float> a("d", 0.5, 123, Shape{0, 64}), b("d", 0.5, 123, Shape{0, 64});
    REQUIRE(a.reshape(2).ok());
    REQUIRE(b.reshape(2).ok());
    TensorT<float> x;
    REQUIRE(x.resize(2, 64).ok());
    x.fill(1.0f);
    for (int round = 0; round < 3; ++round) {
        a.forward(x, true);
        b.forward(x, true);
        for (std::size_t i = 0; i < x.size(); ++i)
            REQUIRE(a.output()[i] == b.output()[i]);
    }
}

TEST_CASE("Flatten keeps row-major order; gradients", "[nn]") {
    Flatten<double> flat("flatten_0", Shape{3, 2});
    CHECK(flat.output_shape().steps == 0);
    CHECK(flat.output_shape().features == 6);
    CHECK(aer_test::check_layer_gradients(flat, 2, 61) == 12);
}

TEST_CASE("MaxPooling1D by hand and gradients", "[nn]") {
    MaxPool1d<float> pool("max_pooling1d_0", MaxPool1dConfig{2, 2, Padding::valid}, Shape{5, 1});
    CHECK(pool.output_shape().steps == 2);
    REQUIRE(pool.reshape(1).ok());
    TensorT<float> x;
    REQUIRE(x.resize(1, 5, 1).ok());
    const float v[5] = {1, 3, -2, -1, 9};
    for (int i = 0; i < 5; ++i)
        x[i] = v[i];
    pool.forward(x, false);
    CHECK(pool.output()[0] == 3.0f);
    CHECK(pool.output()[1] == -1.0f);

    MaxPool1d<float> same("max_pooling1d_0", MaxPool1dConfig{2, 2, Padding::same}, Shape{5, 1});
    CHECK(same.output_shape().steps == 3);
    REQUIRE(same.reshape(1).ok());
    same.forward(x, false);
    CHECK(same.output()[2] == 9.0f); // the last window holds 9 and padding

    for (Padding pad : {Padding::valid, Padding::same}) {
        MaxPool1d<double> p("max_pooling1d_0", MaxPool1dConfig{3, 2, pad}, Shape{7, 2});
        CHECK(aer_test::check_layer_gradients(p, 2, 62) == 2 * 7 * 2);
    }
}

TEST_CASE("GlobalAveragePooling1D by hand and gradients", "[nn]") {
    GlobalAvgPool1d<double> gap("global_average_pooling1d_0", Shape{4, 2});
    REQUIRE(gap.reshape(1).ok());
    TensorT<double> x;
    REQUIRE(x.resize(1, 4, 2).ok());
    for (int i = 0; i < 8; ++i)
        x[i] = i; // channel 0: 0 2 4 6, channel 1: 1 3 5 7
    gap.forward(x, false);
    CHECK(gap.output()[0] == Approx(3.0));
    CHECK(gap.output()[1] == Approx(4.0));
    CHECK(aer_test::check_layer_gradients(gap, 3, 63) == 3 * 8);
}
