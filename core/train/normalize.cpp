#include "core/train/normalize.h"

#include <cmath>

namespace aer {

void fit_normalization(const Dataset& data, const std::vector<std::size_t>& indices, ModelInfo& info) {
    const int rows = data.n_mfcc, cols = data.frames;
    std::vector<double> sum(static_cast<std::size_t>(rows), 0.0), sq(static_cast<std::size_t>(rows), 0.0);
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
    info.norm_mean.clear();
    info.norm_std.clear();
    if (count == 0)
        return;
    for (int r = 0; r < rows; ++r) {
        double m = sum[std::size_t(r)] / count;
        double var = std::fmax(0.0, sq[std::size_t(r)] / count - m * m);
        info.norm_mean.push_back(float(m));
        info.norm_std.push_back(float(std::fmax(1e-6, std::sqrt(var))));
    }
}

void prepare_inputs(const float* features, int count, int n_mfcc, int frames, const ModelInfo& info,
                    Orientation orientation, float* out) {
    const std::size_t size = std::size_t(n_mfcc) * std::size_t(frames);
    std::vector<float> tmp(size);
    for (int i = 0; i < count; ++i) {
        const float* f = features + std::size_t(i) * size;
        tmp.assign(f, f + size);
        apply_normalization(info, tmp.data(), n_mfcc, frames);
        arrange_input(tmp.data(), n_mfcc, frames, orientation, out + std::size_t(i) * size);
    }
}

} // namespace aer
