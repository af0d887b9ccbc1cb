// The kernels of core/nn/kernels.h: every available backend at 1, 2 and 3 threads against
// gemm_reference (awkward sizes, all transposes, beta 0 and 1, padded leading dimensions, NaN in
// C), bit-identical results across repeated calls and thread counts, the weight-matrix cache,
// and parallel_for's coverage.
#include "core/nn/kernels.h"
#include "core/nn/kernels_backends.h"

#include "tests/test_util.h"

#include <catch2/catch.hpp>

#include <array>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

using namespace aer;

namespace {

/// Restores the process-wide backend and thread count when a test ends.
struct KernelStateGuard {
    Backend backend = current_backend();
    int threads = current_threads();
    ~KernelStateGuard() {
        CHECK(set_backend(backend).ok()); // settings that held before: restoring them cannot fail
        CHECK(set_threads(threads).ok());
    }
};

using aer_test::available_backends;
using aer_test::random_floats;

/// One gemm problem with stored (pre-op) operands and padded leading dimensions.
struct Problem {
    bool ta, tb;
    int m, n, k;
    int lda, ldb, ldc;
    float beta;
    std::vector<float> a, b, c0;

    Problem(bool ta_, bool tb_, int m_, int n_, int k_, float beta_, int pad, std::uint32_t seed)
        : ta(ta_), tb(tb_), m(m_), n(n_), k(k_), beta(beta_) {
        // Stored shapes: A is m x k (k x m when transposed), B is k x n (n x k when transposed).
        const int a_rows = ta ? k : m, a_cols = ta ? m : k;
        const int b_rows = tb ? n : k, b_cols = tb ? k : n;
        lda = a_cols + pad;
        ldb = b_cols + 2 * pad;
        ldc = n + 3 * pad;
        a = random_floats(std::size_t(a_rows) * lda, seed);
        b = random_floats(std::size_t(b_rows) * ldb, seed + 1);
        c0 = random_floats(std::size_t(m) * ldc, seed + 2);
        if (beta == 0.0f) // beta = 0 must not read C: poison it
            for (float& x : c0)
                x = std::numeric_limits<float>::quiet_NaN();
        all_weights_changed(); // b is new (and may sit where an earlier problem's b was)
    }
    float av(int i, int p) const { return ta ? a[std::size_t(p) * lda + i] : a[std::size_t(i) * lda + p]; }
    float bv(int p, int j) const { return tb ? b[std::size_t(j) * ldb + p] : b[std::size_t(p) * ldb + j]; }

    /// C after the gemm of the current backend (weights: through gemm_weights).
    std::vector<float> run(bool weights = false) const {
        std::vector<float> c = c0;
        if (weights)
            gemm_weights(ta, tb, m, n, k, a.data(), lda, b.data(), ldb, beta, c.data(), ldc);
        else
            gemm(ta, tb, m, n, k, a.data(), lda, b.data(), ldb, beta, c.data(), ldc);
        return c;
    }
    std::vector<float> reference() const {
        std::vector<float> c = c0;
        gemm_reference(ta, tb, m, n, k, a.data(), lda, b.data(), ldb, beta, c.data(), ldc);
        return c;
    }
    /// Per element, |beta C0| + sum_p |a_ip| |b_pj| in double: the scale of rounding errors.
    std::vector<double> magnitude() const {
        std::vector<double> mag(std::size_t(m) * n, 0.0);
        for (int i = 0; i < m; ++i)
            for (int j = 0; j < n; ++j) {
                double s = beta == 0.0f ? 0.0 : std::fabs(double(beta) * c0[std::size_t(i) * ldc + j]);
                for (int p = 0; p < k; ++p)
                    s += std::fabs(double(av(i, p)) * double(bv(p, j)));
                mag[std::size_t(i) * n + j] = s;
            }
        return mag;
    }
};

/// Counts elements of `got` that differ from `ref` by more than 1e-5 of their magnitude, and
/// padding columns (between n and ldc) that were written.
int count_bad(const Problem& pr, const std::vector<float>& got, const std::vector<float>& ref,
              const std::vector<double>& mag) {
    int bad = 0;
    for (int i = 0; i < pr.m; ++i) {
        for (int j = 0; j < pr.ldc; ++j) {
            const std::size_t at = std::size_t(i) * pr.ldc + j;
            if (j >= pr.n) { // padding: untouched, bit for bit (NaN included)
                if (std::memcmp(&got[at], &pr.c0[at], sizeof(float)) != 0)
                    ++bad;
                continue;
            }
            const double tol = 1e-5 * mag[std::size_t(i) * pr.n + j] + 1e-30;
            if (!std::isfinite(got[at]) || std::fabs(double(got[at]) - double(ref[at])) > tol)
                ++bad;
        }
    }
    return bad;
}

bool same_bits(const std::vector<float>& x, const std::vector<float>& y) {
    return x.size() == y.size() && std::memcmp(x.data(), y.data(), x.size() * sizeof(float)) == 0;
}

} // namespace

TEST_CASE("gemm: every backend and thread count matches the reference at awkward sizes", "[nn][kernels]") {
    KernelStateGuard guard;
    // Each of 1, 3, 17, 255, 257 appears in m, n and k; the large ones in a few combinations only,
    // to keep the reference loops short.
    std::vector<std::array<int, 3>> shapes;
    for (int m : {1, 3, 17})
        for (int n : {1, 3, 17})
            for (int k : {1, 3, 17})
                shapes.push_back({m, n, k});
    for (std::array<int, 3> s : {std::array<int, 3>{255, 17, 3},
                                 {17, 257, 3},
                                 {3, 17, 257},
                                 {257, 3, 255},
                                 {1, 255, 257},
                                 {255, 257, 17},
                                 {17, 255, 255},
                                 {257, 1, 17},
                                 {3, 257, 1},
                                 {32, 64, 520},
                                 {257, 255, 65}})
        shapes.push_back(s);

    std::uint32_t seed = 1;
    for (const std::array<int, 3>& s : shapes) {
        for (int t = 0; t < 4; ++t) {
            for (float beta : {0.0f, 1.0f}) {
                const bool ta = t & 1, tb = t & 2;
                const int pad = int(seed % 3) * 3; // 0, 3 or 6 extra elements per row
                Problem pr(ta, tb, s[0], s[1], s[2], beta, pad, seed++);
                const std::vector<float> ref = pr.reference();
                const std::vector<double> mag = pr.magnitude();
                for (Backend be : available_backends()) {
                    REQUIRE(set_backend(be).ok());
                    for (int threads : {1, 2, 3}) {
                        if (be == Backend::reference && threads > 1) // plain loops: no threads
                            break;
                        REQUIRE(set_threads(threads).ok());
                        INFO("backend " << backend_name(be) << " threads " << current_threads() << " m "
                                        << s[0] << " n " << s[1] << " k " << s[2] << " trans_a " << ta
                                        << " trans_b " << tb << " beta " << beta << " pad " << pad);
                        CHECK(count_bad(pr, pr.run(false), ref, mag) == 0);
                        CHECK(count_bad(pr, pr.run(true), ref, mag) == 0);
                    }
                }
            }
        }
    }
}

TEST_CASE("gemm: every simd micro-kernel this machine runs matches the reference", "[nn][kernels]") {
    KernelStateGuard guard;
    REQUIRE(set_backend(Backend::simd).ok());
    int ran = 0;
    for (const char* name : {"avx512f", "avx2-fma", "sse", "wasm-simd128", "vector-ext"}) {
        if (!force_simd_kernel(name))
            continue;
        ++ran;
        std::uint32_t seed = 500;
        for (std::array<int, 3> s : {std::array<int, 3>{1, 1, 1},
                                     {3, 17, 1},
                                     {17, 3, 257},
                                     {255, 33, 17},
                                     {9, 257, 255},
                                     {40, 70, 300},
                                     {1, 257, 300}, // one row: the row kernel, then edge panels
                                     {1, 64, 9}}) {
            for (int t = 0; t < 4; ++t) {
                for (float beta : {0.0f, 1.0f, 0.5f}) {
                    Problem pr(t & 1, t & 2, s[0], s[1], s[2], beta, 2, seed++);
                    const std::vector<float> ref = pr.reference();
                    const std::vector<double> mag = pr.magnitude();
                    for (int threads : {1, 2}) {
                        REQUIRE(set_threads(threads).ok());
                        INFO("kernel " << simd_kernel_name() << " threads " << current_threads() << " m "
                                       << s[0] << " n " << s[1] << " k " << s[2] << " trans " << t << " beta "
                                       << beta);
                        const std::vector<float> plain = pr.run(false);
                        CHECK(count_bad(pr, plain, ref, mag) == 0);
                        // Pre-packed weights hold the values packing would make: the same bits.
                        CHECK(same_bits(plain, pr.run(true)));
                    }
                }
            }
        }
    }
    force_simd_kernel("auto");
    CHECK(ran >= 1);
}

TEST_CASE("gemm: k = 0 scales C by beta, beta = 0 clears it", "[nn][kernels]") {
    KernelStateGuard guard;
    for (Backend be : available_backends()) {
        REQUIRE(set_backend(be).ok());
        float c[6] = {1, 2, 3, 4, 5, std::numeric_limits<float>::quiet_NaN()};
        float x = 0.0f;
        gemm(false, false, 2, 3, 0, &x, 1, &x, 3, 0.5f, c, 3);
        CHECK(c[0] == 0.5f);
        CHECK(c[4] == 2.5f);
        gemm(false, false, 2, 3, 0, &x, 1, &x, 3, 0.0f, c, 3);
        for (float v : c)
            CHECK(v == 0.0f);
    }
}

TEST_CASE("gemm: bit-identical across repeated calls and thread counts", "[nn][kernels]") {
    KernelStateGuard guard;
    for (Backend be : available_backends()) {
        if (be == Backend::reference) // plain loops on the caller: nothing to vary
            continue;
        REQUIRE(set_backend(be).ok());
        for (int t = 0; t < 4; ++t) {
            for (float beta : {0.0f, 1.0f}) {
                // k > 256 crosses a k block of the simd backend; m and n are not tile multiples.
                Problem pr(t & 1, t & 2, 67, 300, 520, beta, 1, 100 + t);
                for (bool weights : {false, true}) {
                    INFO("backend " << backend_name(be) << " trans " << t << " beta " << beta << " weights "
                                    << weights);
                    REQUIRE(set_threads(1).ok());
                    const std::vector<float> one = pr.run(weights);
                    CHECK(same_bits(one, pr.run(weights)));
                    for (int threads : {2, 3}) {
                        REQUIRE(set_threads(threads).ok());
                        CHECK(same_bits(one, pr.run(weights)));
                        CHECK(same_bits(one, pr.run(weights)));
                    }
                }
            }
        }
    }
}

TEST_CASE("gemm_weights: weights_changed drops the cached product", "[nn][kernels]") {
    KernelStateGuard guard;
    for (Backend be : available_backends()) {
        REQUIRE(set_backend(be).ok());
        for (bool tb : {false, true}) {
            INFO("backend " << backend_name(be) << " trans_b " << tb);
            Problem pr(false, tb, 40, 96, 80, 1.0f, 2, 7);
            std::vector<double> mag = pr.magnitude();
            CHECK(count_bad(pr, pr.run(true), pr.reference(), mag) == 0);
            // Same pointer and shape, new contents: declared, so the result must follow.
            for (float& x : pr.b)
                x = -0.5f * x + 0.25f;
            weights_changed(pr.b.data());
            mag = pr.magnitude();
            CHECK(count_bad(pr, pr.run(true), pr.reference(), mag) == 0);
            for (float& x : pr.b)
                x = 2.0f * x;
            all_weights_changed();
            mag = pr.magnitude();
            CHECK(count_bad(pr, pr.run(true), pr.reference(), mag) == 0);
            // Other strides with the same weights (a separate cached operator when strides matter).
            Problem wide = pr;
            wide.lda = pr.lda + 4;
            wide.a.assign(std::size_t(wide.m) * wide.lda, 0.0f);
            for (int i = 0; i < pr.m; ++i)
                for (int p = 0; p < pr.k; ++p)
                    wide.a[std::size_t(i) * wide.lda + p] = pr.a[std::size_t(i) * pr.lda + p];
            wide.ldc = pr.ldc + 5;
            wide.c0.assign(std::size_t(wide.m) * wide.ldc, 0.5f);
            mag = wide.magnitude();
            CHECK(count_bad(wide, wide.run(true), wide.reference(), mag) == 0);
        }
    }
}

TEST_CASE("parallel_for covers every index exactly once in contiguous chunks", "[nn][kernels]") {
    KernelStateGuard guard;
    for (int threads : {1, 2, 3}) {
        REQUIRE(set_threads(threads).ok());
        for (int n : {0, 1, 2, 3, 5, 64, 1001}) {
            INFO("threads " << current_threads() << " n " << n);
            std::vector<std::atomic<int>> hits(std::size_t(n) + 1);
            std::atomic<int> chunks{0};
            std::atomic<int> bad_chunks{0};
            parallel_for(n, [&](int begin, int end) {
                if (begin < 0 || end > n || begin >= end)
                    ++bad_chunks;
                ++chunks;
                for (int i = begin; i < end; ++i)
                    ++hits[std::size_t(i)];
                // A nested call runs inline and still covers its whole range.
                std::atomic<int> inner{0};
                parallel_for(3, [&](int b, int e) { inner += e - b; });
                if (inner != 3)
                    ++bad_chunks;
            });
            CHECK(bad_chunks == 0);
            CHECK(chunks <= current_threads());
            int wrong = 0;
            for (int i = 0; i < n; ++i)
                if (hits[std::size_t(i)] != 1)
                    ++wrong;
            CHECK(wrong == 0);
        }
    }
}

TEST_CASE("kernel settings: thread range, backend availability", "[nn][kernels]") {
    KernelStateGuard guard;
    CHECK(!set_threads(0).ok());
    CHECK(!set_threads(65).ok());
    REQUIRE(set_threads(2).ok());
    CHECK(current_threads() >= 1);
    CHECK(current_threads() <= 2);
    CHECK(backend_available(Backend::reference));
    CHECK(backend_available(Backend::simd));
#ifdef __EMSCRIPTEN__
    CHECK(!backend_available(Backend::xnnpack));
    CHECK(!set_backend(Backend::xnnpack).ok());
#endif
#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
    CHECK(current_threads() == 1);
#endif
    Backend b;
    CHECK(parse_backend("simd", b).ok());
    CHECK(b == Backend::simd);
    CHECK(!parse_backend("cuda", b).ok());
}
