// bench_gemm: median time and GFLOP/s of gemm for the shapes the models run, one JSON line per
// (backend, threads, shape). Natively and in wasm (node build/wasm-*/bench_gemm.js).
//
//   bench_gemm [--backends simd,xnnpack,reference] [--threads 1,2] [--min-time 0.5] [--shape NAME]
//              [--kernel avx2-fma|sse|...]   (force a simd micro-kernel; default: the best this CPU runs)
//
// Shapes (LSTM of 256 inputs and 256 units, so 4 x 256 = 1024 gate columns):
//   step_fwd    (32 x 256)   . (256 x 1024)       one step of a batch of 32: x W
//   proj_fwd    (1024 x 256) . (256 x 1024)       input projection of 32 batch x 32 steps at once
//   step_dx     (32 x 1024)  . (256 x 1024)^T     backward to the inputs: dZ W^T
//   proj_dw     (1024 x 256)^T . (1024 x 1024)    weight gradient over 32 x 32 rows: X^T dZ
//   infer_405   (405 x 256)  . (256 x 1024)       batch inference of 405 clips
// plus parallel_for_empty: the pool's overhead per call (us).
// Weight products go through gemm_weights() (cached packed weights), step_fwd and step_dx also
// through plain gemm() (packing per call); proj_dw's B is activations, so it goes through gemm().
#include "core/nn/kernels.h"
#include "core/nn/kernels_backends.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace aer;

namespace {

struct Shape {
    const char* name;
    bool trans_a, trans_b;
    int m, n, k;
    bool weights; // op(B) is a weight matrix
};

const Shape shapes[] = {
    {"step_fwd", false, false, 32, 1024, 256, true},   {"step_fwd", false, false, 32, 1024, 256, false},
    {"proj_fwd", false, false, 1024, 1024, 256, true}, {"step_dx", false, true, 32, 256, 1024, true},
    {"step_dx", false, true, 32, 256, 1024, false},    {"proj_dw", true, false, 256, 1024, 1024, false},
    {"infer_405", false, false, 405, 1024, 256, true},
};

std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, ','))
        if (!item.empty())
            out.push_back(item);
    return out;
}

double now_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

} // namespace

int main(int argc, char** argv) {
    std::vector<std::string> backends = {"simd", "xnnpack"};
    std::vector<std::string> threads_list = {"1", "2"};
    std::string only;
    double min_time = 0.5;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string key = argv[i], value = argv[i + 1];
        if (key == "--backends")
            backends = split(value);
        else if (key == "--threads")
            threads_list = split(value);
        else if (key == "--min-time")
            min_time = std::atof(value.c_str());
        else if (key == "--shape")
            only = value;
        else if (key == "--kernel") {
            if (!force_simd_kernel(value)) {
                std::fprintf(stderr, "micro-kernel %s is not available here\n", value.c_str());
                return 2;
            }
        } else {
            std::fprintf(stderr, "unknown option %s\n", key.c_str());
            return 2;
        }
    }

    std::mt19937 rng(42);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    for (const std::string& bname : backends) {
        Backend be;
        if (!parse_backend(bname, be).ok() || !backend_available(be)) {
            std::printf("{\"backend\":\"%s\",\"available\":false}\n", bname.c_str());
            continue;
        }
        if (Status s = set_backend(be); !s.ok()) {
            std::fprintf(stderr, "error: backend %s: %s\n", bname.c_str(), s.message.c_str());
            return 1;
        }
        for (const std::string& tname : threads_list) {
            if (!set_threads(std::atoi(tname.c_str())).ok())
                continue;
            if (only.empty() || only == "parallel_for") {
                // The pool's own cost: an empty parallel_for over as many chunks as threads.
                std::vector<double> times;
                const double start = now_s();
                while (times.size() < 100 || (now_s() - start < 0.2 && times.size() < 20000)) {
                    const double t0 = now_s();
                    parallel_for(current_threads(), [](int, int) {});
                    times.push_back(now_s() - t0);
                }
                std::sort(times.begin(), times.end());
                std::printf("{\"backend\":\"%s\",\"threads\":%d,\"shape\":\"parallel_for_empty\",\"reps\":%d,"
                            "\"us_median\":%.2f}\n",
                            bname.c_str(), current_threads(), int(times.size()),
                            times[times.size() / 2] * 1e6);
            }
            for (const Shape& s : shapes) {
                if (!only.empty() && only != s.name)
                    continue;
                // Stored shapes: A m x k (k x m if trans_a), B k x n (n x k if trans_b), dense.
                const int lda = s.trans_a ? s.m : s.k;
                const int ldb = s.trans_b ? s.k : s.n;
                std::vector<float> a(std::size_t(s.m) * s.k), b(std::size_t(s.k) * s.n),
                    c(std::size_t(s.m) * s.n);
                for (float& x : a)
                    x = u(rng);
                for (float& x : b)
                    x = 0.05f * u(rng);
                all_weights_changed();
                auto call = [&] {
                    if (s.weights)
                        gemm_weights(s.trans_a, s.trans_b, s.m, s.n, s.k, a.data(), lda, b.data(), ldb, 0.0f,
                                     c.data(), s.n);
                    else
                        gemm(s.trans_a, s.trans_b, s.m, s.n, s.k, a.data(), lda, b.data(), ldb, 0.0f,
                             c.data(), s.n);
                };
                call(); // warm-up: packing buffers, cached operators, pool threads
                call();
                std::vector<double> times;
                const double start = now_s();
                while (times.size() < 5 || (now_s() - start < min_time && times.size() < 2000)) {
                    const double t0 = now_s();
                    call();
                    times.push_back(now_s() - t0);
                }
                std::sort(times.begin(), times.end());
                const char* kernel = be == Backend::reference                            ? "loops"
                                     : be == Backend::xnnpack && s.weights && !s.trans_a ? "xnnpack-fc"
                                                                                         : simd_kernel_name();
                const double median = times[times.size() / 2];
                const double gflops = 2.0 * s.m * s.n * s.k / median * 1e-9;
                std::printf(
                    "{\"backend\":\"%s\",\"kernel\":\"%s\",\"threads\":%d,\"shape\":\"%s\",\"call\":\"%s\","
                    "\"m\":%d,\"n\":%d,\"k\":%d,\"trans_a\":%d,\"trans_b\":%d,\"reps\":%d,"
                    "\"ms_median\":%.4f,\"gflops\":%.2f}\n",
                    bname.c_str(), kernel, current_threads(), s.name, s.weights ? "gemm_weights" : "gemm",
                    s.m, s.n, s.k, int(s.trans_a), int(s.trans_b), int(times.size()), median * 1e3, gflops);
                std::fflush(stdout);
            }
        }
    }
    return 0;
}
