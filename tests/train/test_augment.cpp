// Training-time augmentation (core/train/augment): shifts are whole-frame moves with zeros shifted
// in, masks are contiguous runs of zeroed frames or coefficients within the stated widths, both
// layouts agree, and the specs parse (or are refused with the part named).
#include "core/train/augment.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

using namespace aer;

namespace {

// One example of `frames` x `coefs` with distinct non-zero values, value(t, q) = 1 + t + 1000 q.
float value(int t, int q) {
    return float(1 + t + 1000 * q);
}

std::vector<float> example(int frames, int coefs, bool time_is_steps) {
    std::vector<float> x(std::size_t(frames) * std::size_t(coefs));
    for (int t = 0; t < frames; ++t)
        for (int q = 0; q < coefs; ++q)
            x[time_is_steps ? std::size_t(t) * coefs + q : std::size_t(q) * frames + t] = value(t, q);
    return x;
}

float get(const std::vector<float>& x, int frames, int coefs, bool time_is_steps, int t, int q) {
    return x[time_is_steps ? std::size_t(t) * coefs + q : std::size_t(q) * frames + t];
}

} // namespace

TEST_CASE("augment: a shift moves every coefficient by the same whole number of frames", "[train]") {
    const int frames = 40, coefs = 5;
    for (bool steps : {true, false}) {
        AugmentConfig c;
        c.max_shift = 6;
        c.time_is_steps = steps;
        Rng rng(3);
        std::vector<int> seen;
        for (int trial = 0; trial < 50; ++trial) {
            std::vector<float> x = example(frames, coefs, steps);
            augment_batch(x.data(), 1, steps ? frames : coefs, steps ? coefs : frames, c, rng);
            // Find the shift from the first coefficient's first non-zero frame, then check it all.
            int shift = 99;
            for (int t = 0; t < frames && shift == 99; ++t)
                if (get(x, frames, coefs, steps, t, 0) != 0.0f)
                    shift = t - int(get(x, frames, coefs, steps, t, 0) - 1.0f);
            REQUIRE(shift >= -6);
            REQUIRE(shift <= 6);
            seen.push_back(shift);
            for (int t = 0; t < frames; ++t)
                for (int q = 0; q < coefs; ++q) {
                    const int from = t - shift;
                    const float want = from >= 0 && from < frames ? value(from, q) : 0.0f;
                    REQUIRE(get(x, frames, coefs, steps, t, q) == want);
                }
        }
        std::sort(seen.begin(), seen.end());
        CHECK(seen.front() < 0);
        CHECK(seen.back() > 0);
    }
}

TEST_CASE("augment: masks zero contiguous frames and coefficients within their widths", "[train]") {
    const int frames = 64, coefs = 16;
    for (bool steps : {true, false}) {
        AugmentConfig c;
        c.time_masks = 1;
        c.time_width = 10;
        c.coef_masks = 1;
        c.coef_width = 3;
        c.time_is_steps = steps;
        Rng rng(11);
        int masked_somewhere = 0;
        for (int trial = 0; trial < 100; ++trial) {
            std::vector<float> x = example(frames, coefs, steps);
            augment_batch(x.data(), 1, steps ? frames : coefs, steps ? coefs : frames, c, rng);
            // A zeroed frame is zero in every coefficient (unless its coefficient is masked), and
            // the zeroed frames form one run of at most 10; likewise for coefficients.
            std::vector<int> zero_frames, zero_coefs;
            for (int q = 0; q < coefs; ++q) {
                bool all = true;
                for (int t = 0; t < frames; ++t)
                    all = all && get(x, frames, coefs, steps, t, q) == 0.0f;
                if (all)
                    zero_coefs.push_back(q);
            }
            for (int t = 0; t < frames; ++t) {
                bool all = true;
                for (int q = 0; q < coefs; ++q)
                    all = all && get(x, frames, coefs, steps, t, q) == 0.0f;
                if (all)
                    zero_frames.push_back(t);
            }
            REQUIRE(zero_coefs.size() <= 3);
            REQUIRE(zero_frames.size() <= 10);
            if (!zero_frames.empty())
                CHECK(zero_frames.back() - zero_frames.front() + 1 == int(zero_frames.size()));
            if (!zero_coefs.empty())
                CHECK(zero_coefs.back() - zero_coefs.front() + 1 == int(zero_coefs.size()));
            // Everything else is untouched.
            for (int t = 0; t < frames; ++t)
                for (int q = 0; q < coefs; ++q) {
                    const bool masked = std::count(zero_frames.begin(), zero_frames.end(), t) ||
                                        std::count(zero_coefs.begin(), zero_coefs.end(), q);
                    if (!masked)
                        REQUIRE(get(x, frames, coefs, steps, t, q) == value(t, q));
                }
            masked_somewhere += !zero_frames.empty() && !zero_coefs.empty();
        }
        CHECK(masked_somewhere > 50);
    }
}

TEST_CASE("augment: the same stream gives the same batch; an inactive config changes nothing", "[train]") {
    AugmentConfig c;
    REQUIRE(parse_augment("shift:5,time:2x8,coef:1x2", c).ok());
    std::vector<float> a = example(32, 8, true), b = a, orig = a;
    Rng r1(7), r2(7);
    augment_batch(a.data(), 1, 32, 8, c, r1);
    augment_batch(b.data(), 1, 32, 8, c, r2);
    CHECK(a == b);
    CHECK(a != orig);
    AugmentConfig none;
    std::vector<float> d = orig;
    augment_batch(d.data(), 1, 32, 8, none, r1);
    CHECK(d == orig);
}

TEST_CASE("augment: specs parse and print back; bad parts are named", "[train]") {
    AugmentConfig c;
    REQUIRE(parse_augment("shift:20,time:2x16,coef:2x3", c).ok());
    CHECK(c.max_shift == 20);
    CHECK(c.time_masks == 2);
    CHECK(c.time_width == 16);
    CHECK(c.coef_masks == 2);
    CHECK(c.coef_width == 3);
    CHECK(augment_spec(c) == "shift:20,time:2x16,coef:2x3");
    REQUIRE(parse_augment("none", c).ok());
    CHECK_FALSE(c.active());
    CHECK(augment_spec(c) == "none");
    CHECK(parse_augment("shift:-3", c).message.find("'shift:-3'") != std::string::npos);
    CHECK(parse_augment("time:2", c).message.find("'time:2'") != std::string::npos);
    CHECK(parse_augment("shift:4,,coef:1x1", c).message.find("''") != std::string::npos);
    CHECK(parse_augment("pitch:3", c).message.find("'pitch:3'") != std::string::npos);
    CHECK(parse_augment("shift:99999999999", c).message.find("shift:99999999999") != std::string::npos);
}
