#include "core/audio/resample.h"

#include <cmath>
#include <algorithm>
#include <cstdint>
#include <numeric>

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

    // The taps of one output sample for a fractional position `frac`: left[i] multiplies
    // x[n - i], right[k] multiplies x[n + 1 + k]. Each tap is win[j] + eta * (win[j+1] - win[j])
    // (linear interpolation in the table; the last difference is taken as 0).
    auto make_taps = [&](double frac, std::vector<double>& left, std::vector<double>& right) {
        auto wing = [&](double f, std::vector<double>& taps) {
            double index_frac = f * kNumTable;
            std::int64_t offset = std::int64_t(index_frac);
            double eta = index_frac - double(offset);
            std::int64_t count = (nwin - offset) / index_step;
            taps.resize(std::size_t(std::max<std::int64_t>(count, 0)));
            for (std::int64_t i = 0; i < count; ++i) {
                std::int64_t j = offset + i * index_step;
                double delta = j + 1 < nwin ? win[std::size_t(j + 1)] - win[std::size_t(j)] : 0.0;
                taps[std::size_t(i)] = (win[std::size_t(j)] + eta * delta) * win_gain;
            }
        };
        wing(frac, left);
        wing(scale - frac, right);
    };

    // The fractional positions repeat with a period of sr_new / gcd(sr_orig, sr_new) outputs
    // (147 for 48 kHz -> 22050 Hz), so the taps are made once per phase. A sample whose position,
    // as resampy computes it, is not within 1e-9 of its phase's (rounding near an integer time)
    // gets taps of its own, so the result stays that of the per-sample computation.
    std::int64_t g = std::int64_t(std::gcd(sr_orig, sr_new));
    std::int64_t period = std::int64_t(sr_new) / g;
    const bool use_table = period <= 4096;
    std::vector<std::vector<double>> table_left, table_right;
    std::vector<double> table_frac;
    if (use_table) {
        table_left.resize(std::size_t(period));
        table_right.resize(std::size_t(period));
        table_frac.resize(std::size_t(period));
        for (std::int64_t p = 0; p < period && p < n_out; ++p) {
            double time = double(p) * time_increment;
            double frac = scale * (time - double(std::int64_t(time)));
            table_frac[std::size_t(p)] = frac;
            make_taps(frac, table_left[std::size_t(p)], table_right[std::size_t(p)]);
        }
    }

    y.assign(std::size_t(n_final), 0.0f);
    std::vector<double> own_left, own_right;
    for (std::int64_t t = 0; t < n_out; ++t) {
        double time = double(t) * time_increment;
        std::int64_t n = std::int64_t(time);
        double frac = scale * (time - double(n));
        const std::vector<double>* left = &own_left;
        const std::vector<double>* right = &own_right;
        std::int64_t p = use_table ? t % period : 0;
        if (use_table && std::fabs(frac - table_frac[std::size_t(p)]) < 1e-9) {
            left = &table_left[std::size_t(p)];
            right = &table_right[std::size_t(p)];
        } else {
            make_taps(frac, own_left, own_right);
        }
        double acc = 0.0;
        std::int64_t i_max = std::min<std::int64_t>(n + 1, std::int64_t(left->size()));
        const double* lw = left->data();
        const float* xl = x.data() + n;
        for (std::int64_t i = 0; i < i_max; ++i)
            acc += lw[i] * double(xl[-i]);
        std::int64_t k_max = std::min<std::int64_t>(n_orig - n - 1, std::int64_t(right->size()));
        const double* rw = right->data();
        const float* xr = x.data() + n + 1;
        for (std::int64_t k = 0; k < k_max; ++k)
            acc += rw[k] * double(xr[k]);
        y[std::size_t(t)] = float(acc);
    }
    return Status{};
}

} // namespace aer
