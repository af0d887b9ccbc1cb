#include "core/train/augment.h"

#include <algorithm>
#include <cstdlib>
#include <vector>

namespace aer {
namespace {

// A whole number in [lo, hi].
int uniform_int(Rng& rng, int lo, int hi) {
    return lo + int(rng.uniform() * double(hi - lo + 1));
}

bool parse_count(const std::string& s, int lo, int hi, int& out) {
    if (s.empty() || s.size() > 6)
        return false;
    for (char c : s)
        if (c < '0' || c > '9')
            return false;
    out = std::atoi(s.c_str());
    return out >= lo && out <= hi;
}

} // namespace

Status parse_augment(const std::string& spec, AugmentConfig& out) {
    AugmentConfig c;
    c.time_is_steps = out.time_is_steps;
    if (spec == "none" || spec.empty()) {
        out = c;
        return Status{};
    }
    std::size_t start = 0;
    while (start <= spec.size()) {
        std::size_t end = spec.find(',', start);
        if (end == std::string::npos)
            end = spec.size();
        const std::string part = spec.substr(start, end - start);
        const std::size_t colon = part.find(':');
        const std::string key = part.substr(0, colon),
                          value = colon == std::string::npos ? "" : part.substr(colon + 1);
        bool ok = false;
        if (key == "shift") {
            ok = parse_count(value, 0, 10000, c.max_shift);
        } else if (key == "time" || key == "coef") {
            const std::size_t x = value.find('x');
            int& masks = key == "time" ? c.time_masks : c.coef_masks;
            int& width = key == "time" ? c.time_width : c.coef_width;
            ok = x != std::string::npos && parse_count(value.substr(0, x), 0, 100, masks) &&
                 parse_count(value.substr(x + 1), 0, 10000, width);
        }
        if (!ok)
            return Status::error("augment: '" + part +
                                 "' is not shift:N, time:MxW or coef:MxW (e.g. shift:20,time:2x16,coef:2x3)");
        start = end + 1;
    }
    out = c;
    return Status{};
}

std::string augment_spec(const AugmentConfig& c) {
    if (!c.active())
        return "none";
    std::string s;
    auto add = [&](const std::string& part) { s += (s.empty() ? "" : ",") + part; };
    if (c.max_shift > 0)
        add("shift:" + std::to_string(c.max_shift));
    if (c.time_masks > 0 && c.time_width > 0)
        add("time:" + std::to_string(c.time_masks) + "x" + std::to_string(c.time_width));
    if (c.coef_masks > 0 && c.coef_width > 0)
        add("coef:" + std::to_string(c.coef_masks) + "x" + std::to_string(c.coef_width));
    return s;
}

void augment_batch(float* x, int count, int steps, int features, const AugmentConfig& c, Rng& rng) {
    if (!c.active() || count <= 0 || steps <= 0 || features <= 0)
        return;
    const int frames = c.time_is_steps ? steps : features;
    const int coefs = c.time_is_steps ? features : steps;
    // Element (frame t, coefficient q) of one example.
    auto at = [&](float* e, int t, int q) -> float& {
        return c.time_is_steps ? e[std::size_t(t) * std::size_t(features) + std::size_t(q)]
                               : e[std::size_t(q) * std::size_t(features) + std::size_t(t)];
    };
    std::vector<float> column(static_cast<std::size_t>(frames));
    for (int i = 0; i < count; ++i) {
        float* e = x + std::size_t(i) * std::size_t(steps) * std::size_t(features);
        if (c.max_shift > 0) {
            const int shift = uniform_int(rng, -c.max_shift, c.max_shift);
            for (int q = 0; q < coefs; ++q) {
                for (int t = 0; t < frames; ++t) {
                    const int from = t - shift;
                    column[std::size_t(t)] = from >= 0 && from < frames ? at(e, from, q) : 0.0f;
                }
                for (int t = 0; t < frames; ++t)
                    at(e, t, q) = column[std::size_t(t)];
            }
        }
        for (int m = 0; m < c.time_masks && c.time_width > 0; ++m) {
            const int w = uniform_int(rng, 0, std::min(c.time_width, frames));
            const int t0 = uniform_int(rng, 0, frames - w);
            for (int t = t0; t < t0 + w; ++t)
                for (int q = 0; q < coefs; ++q)
                    at(e, t, q) = 0.0f;
        }
        for (int m = 0; m < c.coef_masks && c.coef_width > 0; ++m) {
            const int w = uniform_int(rng, 0, std::min(c.coef_width, coefs));
            const int q0 = uniform_int(rng, 0, coefs - w);
            for (int q = q0; q < q0 + w; ++q)
                for (int t = 0; t < frames; ++t)
                    at(e, t, q) = 0.0f;
        }
    }
}

} // namespace aer
