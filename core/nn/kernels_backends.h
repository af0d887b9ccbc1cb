// aer/nn/kernels_backends: the backend entry points behind kernels.h (internal to core/nn;
// layers call gemm() and gemm_weights(), which dispatch here).
//
// Contract
// - Every gemm_* here has gemm()'s semantics exactly (see kernels.h), including beta = 0 not
//   reading C, and the determinism rule: each C element is reduced in an order that depends on
//   (m, n, k, transposes) and the machine only, never on the thread count or the split.
// - Both split work with global_pool() (the xnnpack backend one operator per column slice).
#pragma once

namespace aer {

/// Packed-panel, register-blocked gemm: wasm_simd128 in wasm, SSE or (runtime-detected)
/// AVX2+FMA natively. Thread-local packing buffers, grown on first use only.
void gemm_simd(bool trans_a, bool trans_b, int m, int n, int k, const float* a, int lda, const float* b,
               int ldb, float beta, float* c, int ldc);

/// Which micro-kernel gemm_simd runs on this machine, e.g. "avx2-fma 6x16" (for benchmarks).
const char* simd_kernel_name();

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
