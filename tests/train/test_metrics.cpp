// Metrics on hand-computed cases.
#include "core/train/metrics.h"

#include <catch2/catch.hpp>

using namespace aer;

TEST_CASE("metrics: a hand-computed 3-class case", "[train]") {
    // truth:     a a a b b c
    // predicted: a a b b c c
    Metrics m = compute_metrics({0, 0, 0, 1, 1, 2}, {0, 0, 1, 1, 2, 2}, {"a", "b", "c"});
    CHECK(m.n == 6);
    CHECK(m.accuracy == Approx(4.0 / 6));
    CHECK(m.confusion == std::vector<std::vector<long>>{{2, 1, 0}, {0, 1, 1}, {0, 0, 1}});
    CHECK(m.per_class_accuracy[0] == Approx(2.0 / 3));
    CHECK(m.per_class_accuracy[1] == Approx(0.5));
    CHECK(m.per_class_accuracy[2] == Approx(1.0));
    // F1: a: P=1, R=2/3 -> 0.8; b: P=1/2, R=1/2 -> 0.5; c: P=1/2, R=1 -> 2/3.
    CHECK(m.macro_f1 == Approx((0.8 + 0.5 + 2.0 / 3) / 3));
    auto norm = m.normalized();
    CHECK(norm[1][2] == Approx(0.5));
    nlohmann::json j = m.to_json();
    CHECK(j["labels"][2] == "c");
    CHECK(j["confusion"][0][1] == 1);
}

TEST_CASE("metrics: an absent class does not count in macro-F1", "[train]") {
    Metrics m = compute_metrics({0, 1}, {0, 1}, {"a", "b", "c"});
    CHECK(m.accuracy == 1.0);
    CHECK(m.macro_f1 == Approx(1.0));
    CHECK(m.per_class_accuracy[2] == 0.0);
}
