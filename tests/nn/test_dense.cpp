// Dense: finite-difference gradients for each activation and for 3-D inputs, a hand-computed
// forward.
#include "core/nn/dense.h"
#include "core/nn/kernels.h"
#include "tests/nn/grad_check.h"

#include <catch2/catch.hpp>

#include <cmath>

using namespace aer;

TEST_CASE("Dense gradients match central differences", "[nn]") {
    for (Activation a : {Activation::linear, Activation::relu, Activation::softmax}) {
        DYNAMIC_SECTION(activation_name(a)) {
            Dense<double> dense("dense_0", DenseConfig{5, a}, Shape{0, 4});
            REQUIRE(dense.allocate().ok());
            CHECK(aer_test::check_layer_gradients(dense, 3, 21) == 3 * 4 + 4 * 5 + 5);
        }
    }
    SECTION("on a sequence (applied per step)") {
        Dense<double> dense("dense_0", DenseConfig{3, Activation::relu}, Shape{4, 2});
        REQUIRE(dense.allocate().ok());
        CHECK(dense.output_shape().steps == 4);
        CHECK(aer_test::check_layer_gradients(dense, 2, 22) == 2 * 4 * 2 + 2 * 3 + 3);
    }
}

TEST_CASE("Dense forward by hand", "[nn]") {
    Dense<float> dense("dense_0", DenseConfig{2, Activation::relu}, Shape{0, 3});
    REQUIRE(dense.allocate().ok());
    std::vector<Param<float>> p = dense.params();
    const float w[6] = {1, -1, 2, 0.5f, -3, 1}; // (3, 2)
    for (int i = 0; i < 6; ++i)
        p[0].value[i] = w[i];
    p[1].value[0] = 0.5f;
    p[1].value[1] = -10.0f;
    all_weights_changed(); // float weights written directly (kernels.h)
    REQUIRE(dense.reshape(1).ok());
    TensorT<float> x;
    REQUIRE(x.resize(1, 3).ok());
    x[0] = 1;
    x[1] = 2;
    x[2] = 3;
    dense.forward(x, false);
    CHECK(dense.output()[0] == 0.0f); // 1 + 4 - 9 + 0.5 = -3.5 -> relu 0
    CHECK(dense.output()[1] == 0.0f); // -1 + 1 + 3 - 10 < 0
    p[1].value[0] = 10.0f;
    dense.forward(x, false);
    CHECK(dense.output()[0] == Approx(6.0f));
}
