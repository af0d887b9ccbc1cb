// Softmax cross-entropy: hand-computed values, stability with huge logits, finite-difference
// gradient of the loss, and the fused Dense(softmax) + loss path used by Model::backward.
#include "core/nn/dense.h"
#include "core/nn/loss.h"
#include "tests/nn/grad_check.h"

#include <catch2/catch.hpp>

#include <cmath>

using namespace aer;

TEST_CASE("softmax cross-entropy by hand", "[nn]") {
    const double z[6] = {0, 0, 1, 2, 3, 0}; // rows [0 0 1] label 0, [2 3 0] label 2
    const int labels[2] = {0, 2};
    double g[6];
    const double e = std::exp(1.0);
    double row0 = std::log(2.0 + e) - 0.0;
    double row1 = std::log(std::exp(2.0) + std::exp(3.0) + 1.0) - 0.0;
    double loss = softmax_cross_entropy(z, labels, 2, 3, g);
    CHECK(loss == Approx((row0 + row1) / 2).epsilon(1e-12));
    CHECK(g[0] == Approx((1.0 / (2.0 + e) - 1.0) / 2));
    CHECK(g[1] == Approx(1.0 / (2.0 + e) / 2));
    CHECK(g[2] == Approx(e / (2.0 + e) / 2));
    CHECK(g[5] == Approx((1.0 / (std::exp(2.0) + std::exp(3.0) + 1.0) - 1.0) / 2));
}

TEST_CASE("softmax cross-entropy is stable for huge logits", "[nn]") {
    const float z[2] = {1000.0f, 0.0f};
    int label = 1;
    float g[2];
    float loss = softmax_cross_entropy(z, &label, 1, 2, g);
    CHECK(loss == Approx(1000.0f));
    CHECK(g[0] == Approx(1.0f));
    CHECK(g[1] == Approx(-1.0f));
    label = 0;
    loss = softmax_cross_entropy(z, &label, 1, 2, g);
    CHECK(std::isfinite(loss));
    CHECK(loss == Approx(0.0f).margin(1e-6));
}

TEST_CASE("softmax cross-entropy gradient matches central differences", "[nn]") {
    Rng rng(71);
    const int batch = 3, classes = 4;
    double z[batch * classes], g[batch * classes];
    for (double& v : z)
        v = rng.uniform(-3, 3);
    const int labels[batch] = {3, 0, 2};
    softmax_cross_entropy(z, labels, batch, classes, g);
    for (int i = 0; i < batch * classes; ++i) {
        double saved = z[i], h = 1e-5;
        z[i] = saved + h;
        double up = softmax_cross_entropy<double>(z, labels, batch, classes, nullptr);
        z[i] = saved - h;
        double down = softmax_cross_entropy<double>(z, labels, batch, classes, nullptr);
        z[i] = saved;
        CHECK(g[i] == Approx((up - down) / (2 * h)).margin(1e-9));
    }
    CHECK(!check_labels(labels, batch, 3).ok());
    CHECK(check_labels(labels, batch, 4).ok());
}

TEST_CASE("fused Dense(softmax) + cross-entropy gradients match central differences", "[nn]") {
    Dense<double> dense("dense_0", DenseConfig{4, Activation::softmax}, Shape{0, 3});
    REQUIRE(dense.allocate().ok());
    const int batch = 3;
    REQUIRE(dense.reshape(batch).ok());
    Rng rng(72);
    std::vector<Param<double>> params = dense.params();
    for (Param<double>& p : params)
        aer_test::fill_uniform(rng, p.value, p.size, -1, 1);
    TensorT<double> x;
    REQUIRE(x.resize(batch, 3).ok());
    aer_test::fill_uniform(rng, x.data(), x.size(), -1, 1);
    const int labels[batch] = {1, 3, 0};
    std::vector<double> dlogits(batch * 4);
    auto loss = [&](double* grad) {
        dense.forward(x, true);
        return softmax_cross_entropy(dense.logits().data(), labels, batch, 4, grad);
    };
    loss(dlogits.data());
    // The logits are what the softmax saw: the output is their softmax.
    for (int r = 0; r < batch; ++r) {
        double sum = 0;
        for (int j = 0; j < 4; ++j)
            sum += std::exp(dense.logits()[r * 4 + j]);
        CHECK(dense.output()[r * 4] == Approx(std::exp(dense.logits()[r * 4]) / sum));
    }
    dense.backward_from_logits(x, dlogits.data(), true);
    std::vector<double> dx(dense.input_grad().data(), dense.input_grad().data() + x.size());
    std::vector<double> dw(params[0].grad, params[0].grad + params[0].size);
    auto numeric = [&](double* v) {
        double saved = *v, h = 1e-5;
        *v = saved + h;
        double up = loss(nullptr);
        *v = saved - h;
        double down = loss(nullptr);
        *v = saved;
        return (up - down) / (2 * h);
    };
    for (std::size_t i = 0; i < x.size(); ++i)
        CHECK(dx[i] == Approx(numeric(&x[i])).margin(1e-9));
    for (std::size_t i = 0; i < params[0].size; ++i)
        CHECK(dw[i] == Approx(numeric(&params[0].value[i])).margin(1e-9));
}
