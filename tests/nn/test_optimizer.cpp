// Adam and SGD (Keras forms) against values computed by hand for three steps (w0 = [1, 2],
// gradients [0.5, -1], [-0.2, 0.3], [0.1, 0]).
#include "core/nn/optimizer.h"

#include <catch2/catch.hpp>

using namespace aer;

namespace {

struct OneParam {
    float w[2] = {1.0f, 2.0f};
    float g[2] = {0.0f, 0.0f};
    std::vector<Param<float>> list() {
        Param<float> p;
        p.name = "p";
        p.shape = {2};
        p.value = w;
        p.grad = g;
        p.size = 2;
        return {p};
    }
};

const float kGrads[3][2] = {{0.5f, -1.0f}, {-0.2f, 0.3f}, {0.1f, 0.0f}};

} // namespace

TEST_CASE("Adam follows Keras' update for 3 steps", "[nn]") {
    // Step 1 by hand: m = 0.1 g, v = 0.001 g^2, lr_t = 0.1 sqrt(0.001) / 0.1, so the update is
    // lr * sign(g) * sqrt(v) / (sqrt(v) + 1e-7): w = [0.9 + 6.3e-7, 2.1 - 3.2e-7].
    // Steps 2 and 3 carried through the same formulas in double.
    const double expect[3][2] = {{0.900000632452, 2.099999683773},
                                 {0.865440250693, 2.142784413273},
                                 {0.82750129145, 2.17585713313}};
    OneParam p;
    AdamConfig cfg;
    cfg.learning_rate = 0.1;
    Adam adam(cfg);
    std::vector<Param<float>> params = p.list();
    for (int t = 0; t < 3; ++t) {
        p.g[0] = kGrads[t][0];
        p.g[1] = kGrads[t][1];
        REQUIRE(adam.step(params).ok());
        CHECK(p.w[0] == Approx(expect[t][0]).epsilon(2e-6));
        CHECK(p.w[1] == Approx(expect[t][1]).epsilon(2e-6));
    }
    CHECK(adam.iterations() == 3);
    CHECK(adam.config().epsilon == 1e-7);
    CHECK(adam.config().beta2 == 0.999);
}

TEST_CASE("SGD with momentum follows Keras' update for 3 steps", "[nn]") {
    SECTION("momentum 0.9") {
        // v1 = -0.1 g1 = [-0.05, 0.1]: w = [0.95, 2.1]; v2 = 0.9 v1 - 0.1 g2 = [-0.025, 0.06]:
        // w = [0.925, 2.16]; v3 = [-0.0325, 0.054]: w = [0.8925, 2.214].
        const double expect[3][2] = {{0.95, 2.1}, {0.925, 2.16}, {0.8925, 2.214}};
        OneParam p;
        Sgd sgd(SgdConfig{0.1, 0.9, false});
        std::vector<Param<float>> params = p.list();
        for (int t = 0; t < 3; ++t) {
            p.g[0] = kGrads[t][0];
            p.g[1] = kGrads[t][1];
            REQUIRE(sgd.step(params).ok());
            CHECK(p.w[0] == Approx(expect[t][0]).epsilon(1e-6));
            CHECK(p.w[1] == Approx(expect[t][1]).epsilon(1e-6));
        }
    }
    SECTION("nesterov") {
        // w += 0.9 v - 0.1 g with the same v: [0.905, 2.19], [0.9025, 2.214], [0.86325, 2.2626].
        const double expect[3][2] = {{0.905, 2.19}, {0.9025, 2.214}, {0.86325, 2.2626}};
        OneParam p;
        Sgd sgd(SgdConfig{0.1, 0.9, true});
        std::vector<Param<float>> params = p.list();
        for (int t = 0; t < 3; ++t) {
            p.g[0] = kGrads[t][0];
            p.g[1] = kGrads[t][1];
            REQUIRE(sgd.step(params).ok());
            CHECK(p.w[0] == Approx(expect[t][0]).epsilon(1e-6));
            CHECK(p.w[1] == Approx(expect[t][1]).epsilon(1e-6));
        }
    }
    SECTION("plain") {
        OneParam p;
        Sgd sgd(SgdConfig{0.1, 0.0, false});
        std::vector<Param<float>> params = p.list();
        p.g[0] = 0.5f;
        p.g[1] = -1.0f;
        REQUIRE(sgd.step(params).ok());
        CHECK(p.w[0] == Approx(0.95));
        CHECK(p.w[1] == Approx(2.1));
    }
}

TEST_CASE("optimisers skip non-trainable parameters and refuse a changed list", "[nn]") {
    OneParam p;
    std::vector<Param<float>> params = p.list();
    params[0].grad = nullptr;
    Adam adam;
    REQUIRE(adam.step(params).ok());
    CHECK(p.w[0] == 1.0f);
    OneParam q;
    std::vector<Param<float>> two = q.list();
    two.push_back(two[0]);
    Status s = adam.step(two);
    CHECK(!s.ok());
    CHECK(s.message.find("changed") != std::string::npos);
}
