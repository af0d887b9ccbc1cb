// bench_peak: the arithmetic ceiling of one core for each vector instruction set this build can
// run, so that a gemm's GFLOP/s (bench_gemm) can be read against what the hardware allows and the
// wasm/native gap is seen for what it is. One JSON line per instruction set:
//   {"isa": "wasm-simd128 mul+add", "lanes": 4, "fma": false, "gflops": ...}
// Natively: SSE mul+add (the instructions V8 emits for wasm's f32x4.mul/add), 128-bit FMA (what
// relaxed SIMD's f32x4.relaxed_madd would give), AVX2 FMA and AVX-512 FMA where the CPU has them; in wasm
// (node build/wasm-st/bench_peak.js): simd128 mul+add. Each runs kChains independent accumulator chains
// (enough to cover the latency of every FP pipe) for a fixed number of iterations, median of 15 calls. In
// wasm run it with node's --no-liftoff: node 20 keeps these few long calls in V8's baseline compiler
// (Liftoff, about a quarter of the speed), whereas the project's kernels, called thousands of times, run
// optimised (bench-nn gives the same figures with and without the flag).
//   node --no-experimental-fetch --no-liftoff build/wasm-st/bench_peak.js
//   bench_peak
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#elif defined(__x86_64__)
#include <immintrin.h>
#endif

namespace {

constexpr int kChains = 12;
constexpr long kIters = 5000000;

double now_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Runs `body` (returns a value so that the work is kept) 15 times; median seconds.
template <typename F> double median_seconds(F body, float& sink) {
    std::vector<double> t;
    for (int r = 0; r < 15; ++r) {
        const double t0 = now_s();
        sink += body();
        t.push_back(now_s() - t0);
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

void report(const char* isa, int lanes, bool fma, double seconds) {
    // Per iteration: kChains vector multiply-adds = kChains * lanes * 2 flops.
    const double flops = double(kIters) * kChains * lanes * 2.0;
    std::printf("{\"isa\":\"%s\",\"lanes\":%d,\"fma\":%s,\"chains\":%d,\"gflops\":%.1f}\n", isa, lanes,
                fma ? "true" : "false", kChains, flops / seconds * 1e-9);
    std::fflush(stdout);
}

#if defined(__wasm_simd128__)
__attribute__((noinline)) float run_wasm() {
    v128_t acc[kChains], x = wasm_f32x4_splat(0.999999f), y = wasm_f32x4_splat(1e-7f);
    for (int c = 0; c < kChains; ++c)
        acc[c] = wasm_f32x4_splat(float(c));
    for (long i = 0; i < kIters; ++i)
        for (int c = 0; c < kChains; ++c)
            acc[c] = wasm_f32x4_add(wasm_f32x4_mul(acc[c], x), y);
    float s = 0;
    for (int c = 0; c < kChains; ++c)
        s += wasm_f32x4_extract_lane(acc[c], 0);
    return s;
}
#elif defined(__x86_64__)
__attribute__((noinline)) float run_sse() {
    __m128 acc[kChains], x = _mm_set1_ps(0.999999f), y = _mm_set1_ps(1e-7f);
    for (int c = 0; c < kChains; ++c)
        acc[c] = _mm_set1_ps(float(c));
    for (long i = 0; i < kIters; ++i)
        for (int c = 0; c < kChains; ++c)
            acc[c] = _mm_add_ps(_mm_mul_ps(acc[c], x), y);
    float s = 0;
    for (int c = 0; c < kChains; ++c)
        s += _mm_cvtss_f32(acc[c]);
    return s;
}
// 128-bit FMA: what wasm's relaxed-SIMD f32x4.relaxed_madd would compile to on this CPU.
__attribute__((target("fma"), noinline)) float run_fma128() {
    __m128 acc[kChains], x = _mm_set1_ps(0.999999f), y = _mm_set1_ps(1e-7f);
    for (int c = 0; c < kChains; ++c)
        acc[c] = _mm_set1_ps(float(c));
    for (long i = 0; i < kIters; ++i)
        for (int c = 0; c < kChains; ++c)
            acc[c] = _mm_fmadd_ps(acc[c], x, y);
    float s = 0;
    for (int c = 0; c < kChains; ++c)
        s += _mm_cvtss_f32(acc[c]);
    return s;
}
__attribute__((target("avx2,fma"), noinline)) float run_avx2() {
    __m256 acc[kChains], x = _mm256_set1_ps(0.999999f), y = _mm256_set1_ps(1e-7f);
    for (int c = 0; c < kChains; ++c)
        acc[c] = _mm256_set1_ps(float(c));
    for (long i = 0; i < kIters; ++i)
        for (int c = 0; c < kChains; ++c)
            acc[c] = _mm256_fmadd_ps(acc[c], x, y);
    float s = 0;
    for (int c = 0; c < kChains; ++c)
        s += _mm256_cvtss_f32(acc[c]);
    return s;
}
__attribute__((target("avx512f"), noinline)) float run_avx512() {
    __m512 acc[kChains], x = _mm512_set1_ps(0.999999f), y = _mm512_set1_ps(1e-7f);
    for (int c = 0; c < kChains; ++c)
        acc[c] = _mm512_set1_ps(float(c));
    for (long i = 0; i < kIters; ++i)
        for (int c = 0; c < kChains; ++c)
            acc[c] = _mm512_fmadd_ps(acc[c], x, y);
    float s = 0;
    for (int c = 0; c < kChains; ++c)
        s += _mm512_cvtss_f32(acc[c]);
    return s;
}
#endif

} // namespace

int main() {
    float sink = 0;
#if defined(__wasm_simd128__)
    report("wasm-simd128 mul+add", 4, false, median_seconds(run_wasm, sink));
#elif defined(__x86_64__)
    report("sse mul+add", 4, false, median_seconds(run_sse, sink));
    if (__builtin_cpu_supports("fma"))
        report("sse fma (128-bit: relaxed-simd madd)", 4, true, median_seconds(run_fma128, sink));
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        report("avx2 fma", 8, true, median_seconds(run_avx2, sink));
    if (__builtin_cpu_supports("avx512f"))
        report("avx512f fma", 16, true, median_seconds(run_avx512, sink));
#else
    std::printf("{\"isa\":\"none\",\"note\":\"no vector peak measured on this architecture\"}\n");
#endif
    std::fprintf(stderr, "(checksum %g)\n", double(sink));
    return 0;
}
