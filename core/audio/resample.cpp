#include "core/audio/resample.h"

#include <cmath>
#include <algorithm>
#include <cstdint>

namespace aer {
namespace {

constexpr int kNumZeros = 50;
constexpr int kNumTable = 1 << 13; // entries per zero crossing (precision 13)
constexpr double kRolloff = 0.917347;
constexpr double kBeta = 12.9846;

// Modified Bessel function of the first kind, order 0, by its power series
// I0(x) = sum_k ((x/2)^k / k!)^2, which converges fast for the arguments used here (|x| <= 13).
double bessel_i0(double x) {
    double term = 1.0;
    double sum = 1.0;
    double half = x / 2.0;
    for (int k = 1; k < 200; ++k) {
        term *= half / k;
        double t2 = term * term;
        sum += t2;
        if (t2 < sum * 1e-17)
            break;
    }
    return sum;
}

// The right half of the interpolation filter: win[j] = kaiser(2n+1)[n+j] * rolloff * sinc(rolloff j / table).
const std::vector<double>& kaiser_best_window() {
    static const std::vector<double> win = [] {
        const int n = kNumTable * kNumZeros;
        const double pi = 3.14159265358979323846;
        std::vector<double> w(std::size_t(n) + 1);
        const double i0_beta = bessel_i0(kBeta);
        for (int j = 0; j <= n; ++j) {
            // symmetric Kaiser of M = 2n+1 points at k = n+j: (2k/(M-1) - 1) = j/n
            double r = double(j) / n;
            double taper = bessel_i0(kBeta * std::sqrt(std::fmax(0.0, 1.0 - r * r))) / i0_beta;
            double xs = kRolloff * double(j) / kNumTable;
            double sinc = j == 0 ? 1.0 : std::sin(pi * xs) / (pi * xs);
            w[std::size_t(j)] = taper * kRolloff * sinc;
        }
        return w;
    }();
    return win;
}

} // namespace

Status resample(const std::vector<float>& x, int sr_orig, int sr_new, std::vector<float>& y) {
    if (sr_orig <= 0 || sr_new <= 0)
        return Status::error("resample: sample rates must be positive (got " + std::to_string(sr_orig) + " -> " +
                             std::to_string(sr_new) + ")");
    if (sr_orig == sr_new) {
        y = x;
        return Status{};
    }
    const std::vector<double>& win = kaiser_best_window();
    const std::int64_t nwin = std::int64_t(win.size());
    const double ratio = double(sr_new) / double(sr_orig);
    const double scale = std::fmin(1.0, ratio);
    const std::int64_t index_step = std::int64_t(scale * kNumTable);
    const double win_gain = ratio < 1.0 ? ratio : 1.0; // resampy scales the table by the ratio when downsampling
    const double time_increment = 1.0 / ratio;
    const std::int64_t n_orig = std::int64_t(x.size());
    const std::int64_t n_out = std::int64_t(double(n_orig) * ratio);
    const std::int64_t n_final = std::int64_t(std::ceil(double(n_orig) * ratio));

    // win[j] + eta * (win[j+1] - win[j]), with the last difference taken as 0.
    auto weight = [&](std::int64_t j, double eta) {
        double delta = j + 1 < nwin ? win[std::size_t(j + 1)] - win[std::size_t(j)] : 0.0;
        return win[std::size_t(j)] + eta * delta;
    };

    y.assign(std::size_t(n_final), 0.0f);
    for (std::int64_t t = 0; t < n_out; ++t) {
        double time = double(t) * time_increment;
        std::int64_t n = std::int64_t(time);
        double acc = 0.0;

        double frac = scale * (time - double(n));
        double index_frac = frac * kNumTable;
        std::int64_t offset = std::int64_t(index_frac);
        double eta = index_frac - double(offset);
        std::int64_t i_max = std::min<std::int64_t>(n + 1, (nwin - offset) / index_step);
        for (std::int64_t i = 0; i < i_max; ++i)
            acc += weight(offset + i * index_step, eta) * double(x[std::size_t(n - i)]);

        frac = scale - frac;
        index_frac = frac * kNumTable;
        offset = std::int64_t(index_frac);
        eta = index_frac - double(offset);
        std::int64_t k_max = std::min<std::int64_t>(n_orig - n - 1, (nwin - offset) / index_step);
        for (std::int64_t k = 0; k < k_max; ++k)
            acc += weight(offset + k * index_step, eta) * double(x[std::size_t(n + k + 1)]);

        y[std::size_t(t)] = float(acc * win_gain);
    }
    return Status{};
}

} // namespace aer
