// Helpers shared by the trainer tests: a small separable problem and a model's weights.
#pragma once

#include "core/nn/model.h"

#include <cstdint>
#include <random>
#include <vector>

namespace aer_test {

/// n examples of 4 steps x 3 features in 3 classes (class k: a bump of 1 on feature k, plus
/// N(0, noise) everywhere); x is n x 12 floats, y the classes (i % 3).
inline void make_separable_data(int n, std::uint32_t seed, float noise, std::vector<float>& x,
                                std::vector<int>& y) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> gauss(0.0f, noise);
    x.assign(std::size_t(n) * 12, 0.0f);
    y.resize(std::size_t(n));
    for (int i = 0; i < n; ++i) {
        int k = i % 3;
        y[std::size_t(i)] = k;
        for (int t = 0; t < 4; ++t)
            for (int f = 0; f < 3; ++f)
                x[std::size_t(i) * 12 + std::size_t(t) * 3 + std::size_t(f)] =
                    gauss(rng) + (f == k ? 1.0f : 0.0f);
    }
}

/// Every parameter value of `m`, in parameter order.
inline std::vector<float> weights_of(const aer::Model& m) {
    std::vector<float> w;
    for (const aer::Param<float>& p : m.parameters())
        w.insert(w.end(), p.value, p.value + p.size);
    return w;
}

} // namespace aer_test
