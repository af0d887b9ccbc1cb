// Central finite-difference gradient checks in double precision for any Layer<double>: the
// layers' own code (templated on the scalar) against (L(x + h) - L(x - h)) / 2h, where
// L = sum(output * r) for a fixed random r, so that dL/d output = r.
#pragma once

#include "core/nn/layer.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <vector>

namespace aer_test {

struct GradCheckOptions {
    double h = 1e-5;         ///< finite-difference step
    double abs_tol = 1e-7;   ///< |analytic - numeric| <= abs_tol + rel_tol * |numeric|
    double rel_tol = 1e-6;
    bool training = true;    ///< forward mode
    /// Run before every forward (e.g. to replay a dropout mask).
    std::function<void()> before_forward;
};

inline void fill_uniform(aer::Rng& rng, double* p, std::size_t n, double lo, double hi) {
    for (std::size_t i = 0; i < n; ++i)
        p[i] = rng.uniform(lo, hi);
}

/// Checks dL/d input and dL/d every trainable parameter of `layer` (already allocated) on a
/// random input of `batch` examples; parameters are first set to random values in [-0.5, 0.5]
/// unless keep_params. Returns the number of values checked.
inline int check_layer_gradients(aer::Layer<double>& layer, int batch, std::uint64_t seed,
                                 const GradCheckOptions& opt = GradCheckOptions{}, bool keep_params = false) {
    aer::Rng rng(seed);
    if (!keep_params)
        for (aer::Param<double>& p : layer.params())
            if (p.grad)
                fill_uniform(rng, p.value, p.size, -0.5, 0.5);
    REQUIRE(layer.reshape(batch).ok());
    aer::Shape in = layer.input_shape(), out = layer.output_shape();
    aer::TensorT<double> x, r;
    REQUIRE((in.is_sequence() ? x.resize(batch, in.steps, in.features) : x.resize(batch, in.features)).ok());
    REQUIRE((out.is_sequence() ? r.resize(batch, out.steps, out.features) : r.resize(batch, out.features)).ok());
    fill_uniform(rng, x.data(), x.size(), -1.0, 1.0);
    fill_uniform(rng, r.data(), r.size(), -1.0, 1.0);

    auto loss = [&]() {
        if (opt.before_forward)
            opt.before_forward();
        layer.forward(x, opt.training);
        double s = 0.0;
        for (std::size_t i = 0; i < r.size(); ++i)
            s += layer.output()[i] * r[i];
        return s;
    };
    loss();
    layer.backward(x, r, true);
    std::vector<double> dx(layer.input_grad().data(), layer.input_grad().data() + x.size());
    std::vector<std::vector<double>> dparams;
    std::vector<aer::Param<double>> params = layer.params();
    for (const aer::Param<double>& p : params)
        dparams.emplace_back(p.grad ? std::vector<double>(p.grad, p.grad + p.size) : std::vector<double>());

    int checked = 0;
    auto check = [&](double* value, double analytic, const std::string& what, std::size_t index) {
        double saved = *value;
        *value = saved + opt.h;
        double up = loss();
        *value = saved - opt.h;
        double down = loss();
        *value = saved;
        double numeric = (up - down) / (2.0 * opt.h);
        double err = std::fabs(analytic - numeric);
        if (err > opt.abs_tol + opt.rel_tol * std::fabs(numeric)) {
            INFO(layer.name() << " " << what << "[" << index << "]: analytic " << analytic << " numeric "
                              << numeric << " error " << err);
            CHECK(false);
        }
        ++checked;
    };
    for (std::size_t i = 0; i < x.size(); ++i)
        check(&x[i], dx[i], "input", i);
    for (std::size_t k = 0; k < params.size(); ++k) {
        if (!params[k].grad)
            continue;
        for (std::size_t i = 0; i < params[k].size; ++i)
            check(&params[k].value[i], dparams[k][i], params[k].name, i);
    }
    return checked;
}

} // namespace aer_test
