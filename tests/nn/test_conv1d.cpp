// Conv1D: finite-difference gradients (valid/same, stride 1 and 2), output lengths as Keras,
// and a hand-computed convolution.
#include "core/nn/conv1d.h"
#include "core/nn/kernels.h"
#include "tests/nn/grad_check.h"

#include <catch2/catch.hpp>

using namespace aer;

TEST_CASE("Conv1D output lengths follow TensorFlow", "[nn]") {
    CHECK(window_output_length(10, 3, 1, Padding::valid) == 8);
    CHECK(window_output_length(10, 3, 2, Padding::valid) == 4);
    CHECK(window_output_length(10, 3, 2, Padding::same) == 5);
    CHECK(window_output_length(2, 3, 1, Padding::valid) == 0);
    // same, length 5, size 4, stride 1: total padding 3, 1 before and 2 after.
    CHECK(window_pad_before(5, 4, 1, Padding::same) == 1);
    CHECK(window_pad_before(10, 3, 2, Padding::same) == 0); // total (5-1)*2+3-10 = 1 -> 0 before
}

TEST_CASE("Conv1D gradients match central differences", "[nn]") {
    struct Case {
        Padding padding;
        int strides;
        int kernel;
        Activation act;
    };
    const Case cases[] = {{Padding::valid, 1, 3, Activation::linear},
                          {Padding::valid, 2, 3, Activation::relu},
                          {Padding::same, 1, 4, Activation::relu},
                          {Padding::same, 2, 3, Activation::linear}};
    for (const Case& c : cases) {
        DYNAMIC_SECTION((c.padding == Padding::same ? "same" : "valid") << " stride " << c.strides << " k "
                                                                         << c.kernel) {
            Conv1dConfig cfg{4, c.kernel, c.strides, c.padding, c.act};
            Conv1d<double> conv("conv1d_0", cfg, Shape{7, 3});
            REQUIRE(conv.allocate().ok());
            CHECK(conv.output_shape().steps == window_output_length(7, c.kernel, c.strides, c.padding));
            CHECK(aer_test::check_layer_gradients(conv, 2, 31) == 2 * 7 * 3 + c.kernel * 3 * 4 + 4);
        }
    }
}

TEST_CASE("Conv1D forward by hand (same padding)", "[nn]") {
    // 1 channel, 1 filter, kernel [1, 2, 3] (Keras shape (3, 1, 1)), bias 0.5, input 1 2 3 4.
    Conv1d<float> conv("conv1d_0", Conv1dConfig{1, 3, 1, Padding::same, Activation::linear}, Shape{4, 1});
    REQUIRE(conv.allocate().ok());
    std::vector<Param<float>> p = conv.params();
    p[0].value[0] = 1;
    p[0].value[1] = 2;
    p[0].value[2] = 3;
    p[1].value[0] = 0.5f;
    all_weights_changed(); // float weights written directly (kernels.h)
    REQUIRE(conv.reshape(1).ok());
    TensorT<float> x;
    REQUIRE(x.resize(1, 4, 1).ok());
    for (int i = 0; i < 4; ++i)
        x[i] = float(i + 1);
    conv.forward(x, false);
    // y[o] = sum_j x[o - 1 + j] * k[j] (cross-correlation, zero outside).
    CHECK(conv.output()[0] == Approx(0 * 1 + 1 * 2 + 2 * 3 + 0.5));
    CHECK(conv.output()[1] == Approx(1 * 1 + 2 * 2 + 3 * 3 + 0.5));
    CHECK(conv.output()[2] == Approx(2 * 1 + 3 * 2 + 4 * 3 + 0.5));
    CHECK(conv.output()[3] == Approx(3 * 1 + 4 * 2 + 0 * 3 + 0.5));
}
