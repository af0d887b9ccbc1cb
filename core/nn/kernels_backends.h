// aer/nn/kernels_backends: the backend entry points behind kernels.h (internal to core/nn;
// layers call gemm() and gemm_weights(), which dispatch here).
//
// Contract
// - Every gemm_* here has gemm()'s semantics exactly (see kernels.h), including beta = 0 not
//   reading C, and the determinism rule: each C element is reduced in an order that depends on
//   (m, n, k, transposes) and the machine only, never on the thread count or the split.
// - Both split work with global_pool() (the xnnpack backend one operator per column slice).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

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

/// op(B) (k x n) packed for one micro-kernel, owned by a WeightGemm (64-byte aligned).
struct SimdPacked {
    float* data = nullptr;
    std::size_t floats = 0;
    int kernel = -1; ///< the micro-kernel the layout is for (its NR), -1 when empty
    SimdPacked() = default;
    ~SimdPacked();
    SimdPacked(const SimdPacked&) = delete;
    SimdPacked& operator=(const SimdPacked&) = delete;
    void clear();
};
/// Index of the micro-kernel gemm_simd runs now (a SimdPacked made for another is stale).
int simd_kernel_index();
/// Packs op(B) into out for the current micro-kernel; false (out empty) when memory ran out.
bool simd_pack(bool trans_b, int n, int k, const float* b, int ldb, SimdPacked& out);
/// gemm_simd with op(B) from `packed` (made by simd_pack for this B and the current
/// micro-kernel): the same results as gemm_simd, bit for bit.
void gemm_simd_packed(bool trans_a, bool trans_b, int m, int n, int k, const float* a, int lda, const float* b,
                      int ldb, float beta, float* c, int ldc, const SimdPacked& packed);

/// Which micro-kernel gemm_simd runs, e.g. "avx2-fma 6x16" (for benchmarks).
const char* simd_kernel_name();
/// Test and benchmark hook: makes gemm_simd use the micro-kernel whose name starts with `name`
/// ("avx512f", "avx2-fma", "sse", "wasm-simd128", "vector-ext"), or the run-time default for
/// "auto". False, and nothing changes, when this build or CPU lacks it. Changes results (another
/// summation), so not for use while other threads run kernels.
bool force_simd_kernel(const std::string& name);

/// C = beta * C + P for m x n matrices with the same row stride ldc (P computed into scratch by a
/// kernel that only overwrites, as XNNPACK's operators do). beta == 1 adds without multiplying.
void accumulate_product(int m, int n, const float* p, float beta, float* c, int ldc);

/// True once XNNPACK is initialised (native builds with AER_HAVE_XNNPACK only; false elsewhere).
bool xnnpack_ready();
/// gemm through XNNPACK's fully-connected operator. cache_b: op(B) is a weight matrix unchanged
/// since the last weights_changed(b) / all_weights_changed(), so its packed operator may be kept and reused.
/// Calls XNNPACK cannot serve (see kernels_xnnpack.cpp) go to gemm_simd.
void gemm_xnnpack(bool cache_b, bool trans_a, bool trans_b, int m, int n, int k, const float* a, int lda,
                  const float* b, int ldb, float beta, float* c, int ldc);
/// Drops the cached operators built from B = b (nullptr: all of them).
void xnnpack_drop_cached(const float* b);
/// Below this many multiply-adds (m n k) a product is not worth an XNNPACK call: the simd
/// backend takes it.
constexpr double xnnpack_min_madds = 1 << 16;

/// A WeightGemm's XNNPACK operators for one weight matrix: one fully-connected operator per
/// column slice (no XNNPACK thread pool: global_pool() runs one slice per thread), each with its
/// slice of op(B) and of the bias packed in, and the output clamped to [0, inf) for relu.
class XnnpackWeights {
  public:
    XnnpackWeights() = default;
    ~XnnpackWeights();
    XnnpackWeights(const XnnpackWeights&) = delete;
    XnnpackWeights& operator=(const XnnpackWeights&) = delete;

    /// Creates the operators for Y (stride ldc) = X (stride lda) op(B) [+ bias] [relu] in
    /// `slices` column slices (bias may be null). False, and empty, when XNNPACK refuses or is
    /// not in this build.
    bool create(bool trans_b, int n, int k, const float* b, int ldb, int lda, int ldc, const float* bias,
                bool relu, int slices);
    /// Runs the operators on m rows of X, writing m rows of Y. False when XNNPACK failed.
    bool run(int m, const float* x, float* y);
    void clear();
    bool empty() const { return ops_.empty(); }
    int slices() const { return int(ops_.size()); }

  private:
    std::vector<void*> ops_;     // xnn_operator_t, one per column slice
    std::vector<int> col_begin_; // slice s covers columns [col_begin_[s], col_begin_[s + 1])
};
/// Column slices an XnnpackWeights of n columns uses at the current thread count.
int xnnpack_slices(int n);

} // namespace aer
