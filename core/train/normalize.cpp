#include "core/train/normalize.h"

#include <cmath>

namespace aer {

Normalization fit_normalization(const Dataset& data, const std::vector<std::size_t>& indices) {
    Normalization n;
    const int rows = data.n_mfcc, cols = data.frames;
    std::vector<double> sum(std::size_t(rows), 0.0), sq(std::size_t(rows), 0.0);
    double count = 0;
    for (std::size_t i : indices) {
        const float* f = data.feature(i);
        for (int r = 0; r < rows; ++r)
            for (int c = 0; c < cols; ++c) {
                double v = f[std::size_t(r) * std::size_t(cols) + std::size_t(c)];
                sum[std::size_t(r)] += v;
                sq[std::size_t(r)] += v * v;
            }
        count += cols;
    }
    if (count == 0)
        return n;
    n.mean.resize(std::size_t(rows));
    n.std.resize(std::size_t(rows));
    for (int r = 0; r < rows; ++r) {
        double m = sum[std::size_t(r)] / count;
        double var = std::fmax(0.0, sq[std::size_t(r)] / count - m * m);
        n.mean[std::size_t(r)] = float(m);
        n.std[std::size_t(r)] = float(std::fmax(1e-6, std::sqrt(var)));
    }
    return n;
}

nlohmann::json to_json(const Normalization& n) {
    if (!n.active())
        return nullptr;
    return {{"mean", n.mean}, {"std", n.std}};
}

Status normalization_from_json(const nlohmann::json& j, int n_mfcc, Normalization& out) {
    out = Normalization{};
    if (j.is_null())
        return Status{};
    if (!j.is_object() || !j.contains("mean") || !j.contains("std") || !j["mean"].is_array() || !j["std"].is_array())
        return Status::error("normalization: expected null or {\"mean\": [...], \"std\": [...]}");
    if (j["mean"].size() != std::size_t(n_mfcc) || j["std"].size() != std::size_t(n_mfcc))
        return Status::error("normalization: mean and std need " + std::to_string(n_mfcc) + " values (n_mfcc)");
    Normalization n;
    for (std::size_t i = 0; i < std::size_t(n_mfcc); ++i) {
        if (!j["mean"][i].is_number() || !j["std"][i].is_number())
            return Status::error("normalization: values must be numbers");
        double m = j["mean"][i].get<double>(), s = j["std"][i].get<double>();
        if (!std::isfinite(m) || !std::isfinite(s) || !(s > 0) || std::fabs(m) > 1e6 || s > 1e6)
            return Status::error("normalization: value " + std::to_string(i) + " is not finite or std <= 0");
        n.mean.push_back(float(m));
        n.std.push_back(float(s));
    }
    out = n;
    return Status{};
}

void prepare_inputs(const float* features, int count, int n_mfcc, int frames, const Normalization& norm,
                    Orientation orientation, float* out) {
    const std::size_t size = std::size_t(n_mfcc) * std::size_t(frames);
    std::vector<float> tmp(size);
    for (int i = 0; i < count; ++i) {
        const float* f = features + std::size_t(i) * size;
        for (int r = 0; r < n_mfcc; ++r) {
            float m = norm.active() ? norm.mean[std::size_t(r)] : 0.0f;
            float inv = norm.active() ? 1.0f / norm.std[std::size_t(r)] : 1.0f;
            for (int c = 0; c < frames; ++c) {
                std::size_t k = std::size_t(r) * std::size_t(frames) + std::size_t(c);
                tmp[k] = (f[k] - m) * inv;
            }
        }
        arrange_input(tmp.data(), n_mfcc, frames, orientation, out + std::size_t(i) * size);
    }
}

} // namespace aer
