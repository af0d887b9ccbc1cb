// BatchNormalization: finite-difference gradients in training mode (through the batch
// statistics) and inference mode, the moving-statistics update and inference by hand.
#include "core/nn/batch_norm.h"
#include "tests/nn/grad_check.h"

#include <catch2/catch.hpp>

#include <cmath>

using namespace aer;

TEST_CASE("BatchNorm gradients match central differences", "[nn]") {
    SECTION("training, sequence input") {
        BatchNorm<double> bn("batch_normalization_0", BatchNormConfig{}, Shape{4, 3});
        REQUIRE(bn.allocate().ok());
        CHECK(aer_test::check_layer_gradients(bn, 2, 41) == 2 * 4 * 3 + 3 + 3);
    }
    SECTION("training, vector input") {
        BatchNorm<double> bn("batch_normalization_0", BatchNormConfig{}, Shape{0, 5});
        REQUIRE(bn.allocate().ok());
        CHECK(aer_test::check_layer_gradients(bn, 4, 42) == 4 * 5 + 5 + 5);
    }
    SECTION("inference") {
        BatchNorm<double> bn("batch_normalization_0", BatchNormConfig{}, Shape{3, 2});
        REQUIRE(bn.allocate().ok());
        std::vector<Param<double>> p = bn.params();
        p[2].value[0] = 0.3; // moving mean / variance away from 0 / 1
        p[3].value[1] = 2.5;
        aer_test::GradCheckOptions opt;
        opt.training = false;
        CHECK(aer_test::check_layer_gradients(bn, 2, 43, opt) == 2 * 3 * 2 + 2 + 2);
    }
}

TEST_CASE("BatchNorm statistics by hand", "[nn]") {
    BatchNorm<float> bn("batch_normalization_0", BatchNormConfig{0.9, 1e-3}, Shape{0, 1});
    REQUIRE(bn.allocate().ok());
    REQUIRE(bn.reshape(4).ok());
    TensorT<float> x;
    REQUIRE(x.resize(4, 1).ok());
    const float v[4] = {1, 2, 3, 6}; // mean 3, biased variance (4 + 1 + 0 + 9) / 4 = 3.5
    for (int i = 0; i < 4; ++i)
        x[i] = v[i];
    bn.forward(x, true);
    for (int i = 0; i < 4; ++i)
        CHECK(bn.output()[i] == Approx((v[i] - 3.0) / std::sqrt(3.5 + 1e-3)).epsilon(1e-5));
    std::vector<Param<float>> p = bn.params();
    CHECK(p[2].value[0] == Approx(0.9 * 0 + 0.1 * 3.0));
    CHECK(p[3].value[0] == Approx(0.9 * 1 + 0.1 * 3.5));
    // Inference uses the moving statistics and gamma/beta.
    p[0].value[0] = 2.0f;
    p[1].value[0] = -1.0f;
    bn.forward(x, false);
    CHECK(bn.output()[3] == Approx(2.0 * (6.0 - 0.3) / std::sqrt(1.25 + 1e-3) - 1.0).epsilon(1e-5));
}
