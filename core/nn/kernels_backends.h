// aer/nn/kernels_backends: the backend entry points behind kernels.h (internal to core/nn;
// layers call gemm() and gemm_weights(), which dispatch here).
//
// Contract
// - Every gemm_* here has gemm()'s semantics exactly (see kernels.h), including beta = 0 not
//   reading C, and the determinism rule: each C element is reduced in an order that depends on
//   (m, n, k, transposes) and the machine only, never on the thread count or the split.
// - Both split work with global_pool() (the xnnpack backend one operator per column slice).
#pragma once

#include <string>

namespace aer {

/// Packed-panel, register-blocked gemm: wasm_simd128 in wasm, SSE or (runtime-detected)
/// AVX2+FMA natively. Thread-local packing buffers, grown on first use only.
void gemm_simd(bool trans_a, bool trans_b, int m, int n, int k, const float* a, int lda, const float* b,
               int ldb, float beta, float* c, int ldc);

/// gemm_simd with op(B) a weight matrix (gemm_weights' promise): op(B) is packed once into
/// panels and kept in a cache keyed by (b, k, n, ldb, trans_b, micro-kernel), at most 64 entries
/// and 256 MB (least recently used evicted), until simd_drop_cached(). Same results as gemm_simd.
void gemm_simd_weights(bool trans_a, bool trans_b, int m, int n, int k, const float* a, int lda,
                       const float* b, int ldb, float beta, float* c, int ldc);
/// Drops the packed copies of B = b (nullptr: all of them).
void simd_drop_cached(const float* b);

/// Which micro-kernel gemm_simd runs, e.g. "avx2-fma 6x16" (for benchmarks).
const char* simd_kernel_name();
/// Test and benchmark hook: makes gemm_simd use the micro-kernel whose name starts with `name`
/// ("avx512f", "avx2-fma", "sse", "wasm-simd128", "vector-ext"), or the run-time default for
/// "auto". False, and nothing changes, when this build or CPU lacks it. Changes results (another
/// summation), so not for use while other threads run kernels.
bool force_simd_kernel(const std::string& name);

/// True once XNNPACK is initialised (native builds with AER_HAVE_XNNPACK only; false elsewhere).
bool xnnpack_ready();
/// gemm through XNNPACK's fully-connected operator. cache_b: op(B) is a weight matrix unchanged
/// since the last weights_changed(b) / all_weights_changed(), so its packed operator may be kept and reused.
/// Calls XNNPACK cannot serve (see kernels_xnnpack.cpp) go to gemm_simd.
void gemm_xnnpack(bool cache_b, bool trans_a, bool trans_b, int m, int n, int k, const float* a, int lda,
                  const float* b, int ldb, float beta, float* c, int ldc);
/// Drops the cached operators built from B = b (nullptr: all of them).
void xnnpack_drop_cached(const float* b);

} // namespace aer
