// The simd gemm backend: a packed-panel, register-blocked gemm after Goto & van de Geijn,
// "Anatomy of High-Performance Matrix Multiplication", ACM TOMS 34(3), 2008, with the loop
// order of BLIS (Van Zee & van de Geijn, ACM TOMS 41(3), 2015):
//
//   for each block of KC values of k                       (pc)
//     for each block of MC rows of C                       (ic)  pack op(A) into MR-row strips
//       for each NR-column panel of C                      (jr)  pack op(B) into one kc x NR panel
//                                                                (gemm_simd_weights: packed once, cached)
//         for each MR-row strip                            (ir)  micro-kernel: MR x NR tile in registers
//
// Packing reads A and B through their transposes, so all four transpose cases share the
// micro-kernel. Edge tiles (fewer than MR rows or NR columns left) run the same micro-kernel on
// a zero-padded copy, so every C element gets exactly the same arithmetic wherever it sits:
// acc = sum over p in [pc, pc + kc) of a[i][p] * b[p][j], in increasing p, then
// C = beta * C + acc for the first k block (beta = 0: C = acc, C unread) and C = C + acc for the
// later ones. The thread split (whole MR strips or NR panels per thread) changes none of that.
#include "core/nn/kernels_backends.h"
#include "core/nn/thread_pool.h"

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#elif defined(__SSE2__)
#include <immintrin.h>
#endif

namespace aer {
namespace {

// ---- blocking ---------------------------------------------------------------------------------
constexpr int kc_block = 256; // k values per packed block: a kc x NR panel of B stays in L1
constexpr int mc_block = 240; // rows of op(A) packed at once (a multiple of every MR used here)
constexpr int max_mr = 8;
constexpr int max_nr = 32;

/// C tile (MR x NR at c, row stride ldc) = beta * C + A strip (kc x MR) * B panel (kc x NR).
using MicroKernel = void (*)(int kc, const float* ap, const float* bp, float* c, int ldc, float beta);

/// One row of C across `row_panels` consecutive pre-packed panels (panel stride kc x NR floats):
/// C[0][0 .. row_panels NR) = beta * C + (row 0 of the A strip, read at stride MR) * panels.
using RowKernel = void (*)(int kc, const float* ap, const float* bp, float* c, float beta);

struct KernelChoice {
    int mr;
    int nr;
    MicroKernel fn;
    const char* name;
    /// For a product of one row (batch-1 inference) against pre-packed weights: the micro-kernel
    /// computes MR rows for one, this computes one row of row_panels panels with the same
    /// per-element arithmetic (so the same bits). Null: use fn.
    RowKernel row_fn;
};
constexpr int row_panels = 4;

// ---- 128-bit micro-kernel: wasm_simd128, SSE, or GCC vector extensions ------------------------
// v4_load: 16-byte aligned (packed panels); v4_loadu and v4_store: any address (C).
#if defined(__wasm_simd128__)
typedef v128_t v4;
inline v4 v4_load(const float* p) {
    return wasm_v128_load(p);
}
inline v4 v4_loadu(const float* p) {
    return wasm_v128_load(p);
}
inline void v4_store(float* p, v4 v) {
    wasm_v128_store(p, v);
}
inline v4 v4_splat(const float* p) {
    return wasm_v128_load32_splat(p);
}
inline v4 v4_set1(float x) {
    return wasm_f32x4_splat(x);
}
inline v4 v4_add(v4 x, v4 y) {
    return wasm_f32x4_add(x, y);
}
inline v4 v4_mul(v4 x, v4 y) {
    return wasm_f32x4_mul(x, y);
}
#elif defined(__SSE2__)
typedef __m128 v4;
inline v4 v4_load(const float* p) {
    return _mm_load_ps(p);
}
inline v4 v4_loadu(const float* p) {
    return _mm_loadu_ps(p);
}
inline void v4_store(float* p, v4 v) {
    _mm_storeu_ps(p, v);
}
inline v4 v4_splat(const float* p) {
    return _mm_set1_ps(*p);
}
inline v4 v4_set1(float x) {
    return _mm_set1_ps(x);
}
inline v4 v4_add(v4 x, v4 y) {
    return _mm_add_ps(x, y);
}
inline v4 v4_mul(v4 x, v4 y) {
    return _mm_mul_ps(x, y);
}
#else
typedef float v4 __attribute__((vector_size(16)));
inline v4 v4_load(const float* p) {
    v4 v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
inline v4 v4_loadu(const float* p) {
    return v4_load(p);
}
inline void v4_store(float* p, v4 v) {
    std::memcpy(p, &v, sizeof v);
}
inline v4 v4_set1(float x) {
    return v4{x, x, x, x};
}
inline v4 v4_splat(const float* p) {
    return v4_set1(*p);
}
inline v4 v4_add(v4 x, v4 y) {
    return x + y;
}
inline v4 v4_mul(v4 x, v4 y) {
    return x * y;
}
#endif

/// MR x 8 tile: 2 MR accumulators of 4 lanes. simd128 has no fused multiply-add: multiply then
/// add, as XNNPACK's wasmsimd kernels do. In wasm, 4 x 8 measured fastest under V8 (6 x 8 and
/// 5 x 8 spill); natively SSE prefers 6 x 8.
template <int MR> void kernel_v4(int kc, const float* ap, const float* bp, float* c, int ldc, float beta) {
    v4 acc[MR][2];
    for (int r = 0; r < MR; ++r) {
        acc[r][0] = v4_set1(0.0f);
        acc[r][1] = v4_set1(0.0f);
    }
    for (int p = 0; p < kc; ++p) {
        const v4 b0 = v4_load(bp);
        const v4 b1 = v4_load(bp + 4);
        for (int r = 0; r < MR; ++r) {
            const v4 a = v4_splat(ap + r);
            acc[r][0] = v4_add(acc[r][0], v4_mul(a, b0));
            acc[r][1] = v4_add(acc[r][1], v4_mul(a, b1));
        }
        ap += MR;
        bp += 8;
    }
    if (beta == 0.0f) {
        for (int r = 0; r < MR; ++r) {
            v4_store(c + r * ldc, acc[r][0]);
            v4_store(c + r * ldc + 4, acc[r][1]);
        }
    } else if (beta == 1.0f) {
        for (int r = 0; r < MR; ++r) {
            v4_store(c + r * ldc, v4_add(v4_loadu(c + r * ldc), acc[r][0]));
            v4_store(c + r * ldc + 4, v4_add(v4_loadu(c + r * ldc + 4), acc[r][1]));
        }
    } else {
        const v4 vb = v4_set1(beta);
        for (int r = 0; r < MR; ++r) {
            v4_store(c + r * ldc, v4_add(v4_mul(vb, v4_loadu(c + r * ldc)), acc[r][0]));
            v4_store(c + r * ldc + 4, v4_add(v4_mul(vb, v4_loadu(c + r * ldc + 4)), acc[r][1]));
        }
    }
}

/// 1 x (row_panels x 8) tile for a strip packed with MR rows: row 0 only, from row_panels
/// consecutive 8-wide panels. Each C element gets kernel_v4's arithmetic exactly (acc = 0, then
/// acc + a b in increasing p, then beta), so it matches the full tile bit for bit; the 8
/// independent accumulators hide the add latency that a 1 x 8 tile would stall on.
template <int MR> void row_kernel_v4(int kc, const float* ap, const float* bp, float* c, float beta) {
    constexpr int lanes = 2 * row_panels;
    const std::size_t panel = std::size_t(kc) * 8;
    v4 acc[lanes];
    for (int v = 0; v < lanes; ++v)
        acc[v] = v4_set1(0.0f);
    for (int p = 0; p < kc; ++p) {
        const v4 a = v4_splat(ap);
        for (int q = 0; q < row_panels; ++q) {
            const float* b = bp + q * panel + std::size_t(p) * 8;
            acc[2 * q] = v4_add(acc[2 * q], v4_mul(a, v4_load(b)));
            acc[2 * q + 1] = v4_add(acc[2 * q + 1], v4_mul(a, v4_load(b + 4)));
        }
        ap += MR;
    }
    const v4 vb = v4_set1(beta);
    for (int v = 0; v < lanes; ++v) {
        float* cv = c + 4 * v;
        if (beta == 0.0f)
            v4_store(cv, acc[v]);
        else if (beta == 1.0f)
            v4_store(cv, v4_add(v4_loadu(cv), acc[v]));
        else
            v4_store(cv, v4_add(v4_mul(vb, v4_loadu(cv)), acc[v]));
    }
}

// ---- AVX2+FMA and AVX-512 micro-kernels (x86-64 only, chosen at run time) ------------------------
#if defined(__x86_64__) && !defined(__EMSCRIPTEN__)
#define AER_X86_KERNELS 1
/// MR x 16 tile: 2 MR accumulators of 8 lanes, fused multiply-add.
template <int MR>
__attribute__((target("avx2,fma"))) void kernel_avx2(int kc, const float* ap, const float* bp, float* c,
                                                     int ldc, float beta) {
    __m256 acc[MR][2];
    for (int r = 0; r < MR; ++r) {
        acc[r][0] = _mm256_setzero_ps();
        acc[r][1] = _mm256_setzero_ps();
    }
    for (int p = 0; p < kc; ++p) {
        const __m256 b0 = _mm256_load_ps(bp);
        const __m256 b1 = _mm256_load_ps(bp + 8);
        for (int r = 0; r < MR; ++r) {
            const __m256 a = _mm256_set1_ps(ap[r]); // (a broadcast from a pointer makes GCC spill acc)
            acc[r][0] = _mm256_fmadd_ps(a, b0, acc[r][0]);
            acc[r][1] = _mm256_fmadd_ps(a, b1, acc[r][1]);
        }
        ap += MR;
        bp += 16;
    }
    if (beta == 0.0f) {
        for (int r = 0; r < MR; ++r) {
            _mm256_storeu_ps(c + r * ldc, acc[r][0]);
            _mm256_storeu_ps(c + r * ldc + 8, acc[r][1]);
        }
    } else if (beta == 1.0f) {
        for (int r = 0; r < MR; ++r) {
            _mm256_storeu_ps(c + r * ldc, _mm256_add_ps(_mm256_loadu_ps(c + r * ldc), acc[r][0]));
            _mm256_storeu_ps(c + r * ldc + 8, _mm256_add_ps(_mm256_loadu_ps(c + r * ldc + 8), acc[r][1]));
        }
    } else {
        const __m256 vb = _mm256_set1_ps(beta);
        for (int r = 0; r < MR; ++r) {
            _mm256_storeu_ps(c + r * ldc, _mm256_fmadd_ps(vb, _mm256_loadu_ps(c + r * ldc), acc[r][0]));
            _mm256_storeu_ps(c + r * ldc + 8,
                             _mm256_fmadd_ps(vb, _mm256_loadu_ps(c + r * ldc + 8), acc[r][1]));
        }
    }
}

/// MR x 32 tile: 2 MR accumulators of 16 lanes, fused multiply-add (32 registers: MR = 8 uses 19).
template <int MR>
__attribute__((target("avx512f"))) void kernel_avx512(int kc, const float* ap, const float* bp, float* c,
                                                      int ldc, float beta) {
    __m512 acc[MR][2];
    for (int r = 0; r < MR; ++r) {
        acc[r][0] = _mm512_setzero_ps();
        acc[r][1] = _mm512_setzero_ps();
    }
    for (int p = 0; p < kc; ++p) {
        const __m512 b0 = _mm512_load_ps(bp);
        const __m512 b1 = _mm512_load_ps(bp + 16);
        for (int r = 0; r < MR; ++r) {
            const __m512 a = _mm512_set1_ps(ap[r]);
            acc[r][0] = _mm512_fmadd_ps(a, b0, acc[r][0]);
            acc[r][1] = _mm512_fmadd_ps(a, b1, acc[r][1]);
        }
        ap += MR;
        bp += 32;
    }
    if (beta == 0.0f) {
        for (int r = 0; r < MR; ++r) {
            _mm512_storeu_ps(c + r * ldc, acc[r][0]);
            _mm512_storeu_ps(c + r * ldc + 16, acc[r][1]);
        }
    } else if (beta == 1.0f) {
        for (int r = 0; r < MR; ++r) {
            _mm512_storeu_ps(c + r * ldc, _mm512_add_ps(_mm512_loadu_ps(c + r * ldc), acc[r][0]));
            _mm512_storeu_ps(c + r * ldc + 16, _mm512_add_ps(_mm512_loadu_ps(c + r * ldc + 16), acc[r][1]));
        }
    } else {
        const __m512 vb = _mm512_set1_ps(beta);
        for (int r = 0; r < MR; ++r) {
            _mm512_storeu_ps(c + r * ldc, _mm512_fmadd_ps(vb, _mm512_loadu_ps(c + r * ldc), acc[r][0]));
            _mm512_storeu_ps(c + r * ldc + 16,
                             _mm512_fmadd_ps(vb, _mm512_loadu_ps(c + r * ldc + 16), acc[r][1]));
        }
    }
}
#endif

// Every micro-kernel this build has, best first; the first one the CPU runs is the default.
const KernelChoice all_kernels[] = {
#ifdef AER_X86_KERNELS
    {8, 32, kernel_avx512<8>, "avx512f 8x32", nullptr},
    {6, 16, kernel_avx2<6>, "avx2-fma 6x16", nullptr},
#endif
#if defined(__wasm_simd128__)
    {4, 8, kernel_v4<4>, "wasm-simd128 4x8", row_kernel_v4<4>},
#elif defined(__SSE2__)
    {6, 8, kernel_v4<6>, "sse 6x8", row_kernel_v4<6>},
#else
    {6, 8, kernel_v4<6>, "vector-ext 6x8", row_kernel_v4<6>},
#endif
};
constexpr int kernel_count = int(sizeof all_kernels / sizeof all_kernels[0]);

bool cpu_runs(const KernelChoice& k) {
#ifdef AER_X86_KERNELS
    __builtin_cpu_init();
    if (k.fn == kernel_avx512<8>)
        return __builtin_cpu_supports("avx512f");
    if (k.fn == kernel_avx2<6>)
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
    return k.fn != nullptr;
}

int default_kernel() {
    for (int i = 0; i < kernel_count; ++i)
        if (cpu_runs(all_kernels[i]))
            return i;
    return kernel_count - 1;
}

std::atomic<int> g_kernel{-1}; // index into all_kernels; -1 until first use

int kernel_index() {
    int i = g_kernel.load(std::memory_order_relaxed);
    if (i < 0) {
        i = default_kernel();
        g_kernel.store(i, std::memory_order_relaxed);
    }
    return i;
}

const KernelChoice& kernel_choice() {
    return all_kernels[kernel_index()];
}

// ---- packing ----------------------------------------------------------------------------------

/// A 64-byte aligned float buffer that only grows: one per thread and role, so that after the
/// first calls a gemm allocates nothing.
struct PackBuffer {
    float* data = nullptr;
    std::size_t capacity = 0;
    ~PackBuffer() { std::free(data); }
    float* get(std::size_t count) {
        if (count > capacity) {
            std::free(data);
            std::size_t bytes = (count * sizeof(float) + 63) / 64 * 64;
            data = static_cast<float*>(std::aligned_alloc(64, bytes));
            capacity = data ? count : 0;
        }
        return data;
    }
};
thread_local PackBuffer t_pack_a;
thread_local PackBuffer t_pack_b;

/// Packs rows [i0, i0 + mc) x columns [p0, p0 + kc) of op(A) into ceil(mc / MR) strips; strip s
/// holds, for each p, the MR values op(A)[i0 + s MR + r][p0 + p] (r = 0..MR-1, zero past mc).
void pack_a(bool trans_a, const float* a, int lda, int i0, int mc, int p0, int kc, int mr, float* out) {
    for (int s = 0; s < mc; s += mr) {
        const int rows = mc - s < mr ? mc - s : mr;
        float* dst = out + std::size_t(s) * kc;
        if (!trans_a) {
            for (int r = 0; r < rows; ++r) {
                const float* src = a + std::size_t(i0 + s + r) * lda + p0;
                for (int p = 0; p < kc; ++p)
                    dst[p * mr + r] = src[p];
            }
        } else {
            for (int p = 0; p < kc; ++p) {
                const float* src = a + std::size_t(p0 + p) * lda + i0 + s;
                for (int r = 0; r < rows; ++r)
                    dst[p * mr + r] = src[r];
            }
        }
        for (int r = rows; r < mr; ++r)
            for (int p = 0; p < kc; ++p)
                dst[p * mr + r] = 0.0f;
    }
}

/// Packs rows [p0, p0 + kc) x columns [j0, j0 + cols) of op(B) (cols <= NR) into one panel:
/// for each p, the NR values op(B)[p0 + p][j0 + j] (zero past cols).
void pack_b(bool trans_b, const float* b, int ldb, int p0, int kc, int j0, int cols, int nr, float* out) {
    if (!trans_b) {
        for (int p = 0; p < kc; ++p) {
            const float* src = b + std::size_t(p0 + p) * ldb + j0;
            float* dst = out + std::size_t(p) * nr;
            for (int j = 0; j < cols; ++j)
                dst[j] = src[j];
            for (int j = cols; j < nr; ++j)
                dst[j] = 0.0f;
        }
    } else {
        // Column j of op(B) is row j0 + j of B. Blocks of 16 values of k: each row of B is read
        // 64 bytes at a time and the 16 packed rows being written stay in L1.
        for (int pb = 0; pb < kc; pb += 16) {
            const int pe = kc - pb < 16 ? kc : pb + 16;
            for (int j = 0; j < cols; ++j) {
                const float* src = b + std::size_t(j0 + j) * ldb + p0;
                for (int p = pb; p < pe; ++p)
                    out[std::size_t(p) * nr + j] = src[p];
            }
        }
        for (int p = 0; p < kc; ++p)
            for (int j = cols; j < nr; ++j)
                out[std::size_t(p) * nr + j] = 0.0f;
    }
}

struct GemmArgs {
    bool trans_a, trans_b;
    int m, n, k;
    const float* a;
    int lda;
    const float* b;
    int ldb;
    float beta;
    float* c;
    int ldc;
    /// All of op(B) pre-packed (see PackedWeights), or null: pack panels as they are needed.
    const float* packed_b;
};

/// Number of NR panels covering n columns, and their padded width.
int panel_count(int n, int nr) {
    return (n + nr - 1) / nr;
}

/// Computes the block rows [i_begin, i_end) x columns [j_begin, j_end) of C on this thread.
/// j_begin is a multiple of NR.
void gemm_block(const GemmArgs& g, int i_begin, int i_end, int j_begin, int j_end) {
    const KernelChoice& kern = kernel_choice();
    const int mr = kern.mr;
    const int nr = kern.nr;
    const std::size_t n_pad = std::size_t(panel_count(g.n, nr)) * nr;
    float* pa = t_pack_a.get(std::size_t(mc_block) * kc_block);
    float* pb = g.packed_b ? nullptr : t_pack_b.get(std::size_t(kc_block) * max_nr);
    if (!pa || (!g.packed_b && !pb))
        return; // out of memory: nothing sensible left to do (cannot happen for these sizes)
    alignas(64) float tile[max_mr * max_nr];

    for (int p0 = 0; p0 < g.k; p0 += kc_block) {
        const int kc = g.k - p0 < kc_block ? g.k - p0 : kc_block;
        const float beta = p0 == 0 ? g.beta : 1.0f;
        for (int i0 = i_begin; i0 < i_end; i0 += mc_block) {
            const int mc = i_end - i0 < mc_block ? i_end - i0 : mc_block;
            pack_a(g.trans_a, g.a, g.lda, i0, mc, p0, kc, mr, pa);
            int j_first = j_begin;
            if (mc == 1 && g.packed_b && kern.row_fn) { // one row: row_panels whole panels at a time
                for (; j_first + row_panels * nr <= j_end; j_first += row_panels * nr)
                    kern.row_fn(kc, pa, g.packed_b + std::size_t(p0) * n_pad + std::size_t(j_first) * kc,
                                g.c + std::size_t(i0) * g.ldc + j_first, beta);
            }
            for (int j0 = j_first; j0 < j_end; j0 += nr) {
                const int cols = j_end - j0 < nr ? j_end - j0 : nr;
                const float* panel;
                if (g.packed_b) {
                    panel = g.packed_b + std::size_t(p0) * n_pad + std::size_t(j0) * kc;
                } else {
                    pack_b(g.trans_b, g.b, g.ldb, p0, kc, j0, cols, nr, pb);
                    panel = pb;
                }
                for (int s = 0; s < mc; s += mr) {
                    const int rows = mc - s < mr ? mc - s : mr;
                    const float* strip = pa + std::size_t(s) * kc;
                    float* ct = g.c + std::size_t(i0 + s) * g.ldc + j0;
                    if (rows == mr && cols == nr) {
                        kern.fn(kc, strip, panel, ct, g.ldc, beta);
                        continue;
                    }
                    // Edge tile: the same kernel on a padded copy of the valid part of C.
                    if (beta != 0.0f)
                        for (int r = 0; r < rows; ++r)
                            for (int j = 0; j < cols; ++j)
                                tile[r * nr + j] = ct[std::size_t(r) * g.ldc + j];
                    kern.fn(kc, strip, panel, tile, nr, beta);
                    for (int r = 0; r < rows; ++r)
                        for (int j = 0; j < cols; ++j)
                            ct[std::size_t(r) * g.ldc + j] = tile[r * nr + j];
                }
            }
        }
    }
}

void run_gemm(const GemmArgs& g) {
    const int m = g.m, n = g.n, k = g.k;
    if (m <= 0 || n <= 0)
        return;
    if (k <= 0) { // op(A) op(B) is zero: C = beta * C
        for (int i = 0; i < m; ++i)
            for (int j = 0; j < n; ++j) {
                float& out = g.c[std::size_t(i) * g.ldc + j];
                out = g.beta == 0.0f ? 0.0f : g.beta * out;
            }
        return;
    }
    const KernelChoice& kern = kernel_choice();
    const int strips = (m + kern.mr - 1) / kern.mr;
    const int panels = panel_count(n, kern.nr);
    ThreadPool& pool = global_pool();
    const int threads = pool.threads();
    // Below ~64k multiply-adds a second thread costs more to wake than it saves.
    if (threads == 1 || double(m) * n * k < 65536.0) {
        gemm_block(g, 0, m, 0, n);
        return;
    }
    // Split the dimension with more units of work; each thread packs the other operand whole,
    // so on a tie prefer columns (A is usually the smaller operand: a batch of activations).
    // The bodies capture one pointer, so std::function stores them without allocating.
    const GemmArgs* gp = &g;
    if (panels >= threads && panels >= strips) {
        pool.run(panels, [gp](int begin, int end) {
            const int nr = kernel_choice().nr;
            gemm_block(*gp, 0, gp->m, begin * nr, end * nr < gp->n ? end * nr : gp->n);
        });
    } else {
        pool.run(strips, [gp](int begin, int end) {
            const int mr = kernel_choice().mr;
            gemm_block(*gp, begin * mr, end * mr < gp->m ? end * mr : gp->m, 0, gp->n);
        });
    }
}

// ---- pre-packed weight matrices (gemm_simd_weights) --------------------------------------------

/// op(B) (k x n) packed once for the current micro-kernel: for each block of kc_block values of
/// k starting at p0, the ceil(n / NR) panels of that block (kc x NR each, as pack_b makes them)
/// one after the other, at offset p0 * n_pad + j0 * kc for the panel of column j0.
struct PackedWeights {
    const float* b;
    int k, n, ldb;
    bool trans_b;
    int kernel; // index into all_kernels: the layout depends on its NR
    PackBuffer data;
    std::size_t floats = 0;
    unsigned long long last_use = 0;
};

struct WeightCache {
    std::mutex mutex;
    std::vector<std::shared_ptr<PackedWeights>> entries;
    std::size_t floats = 0; // total over entries
    unsigned long long clock = 0;
};
constexpr std::size_t max_cached_floats = std::size_t(64) << 20; // 256 MB
constexpr std::size_t max_cached_entries = 64;

WeightCache& weight_cache() {
    static WeightCache cache;
    return cache;
}

std::shared_ptr<PackedWeights> pack_weights(bool trans_b, int n, int k, const float* b, int ldb) {
    const int kernel = kernel_index();
    const int nr = all_kernels[kernel].nr;
    const std::size_t n_pad = std::size_t(panel_count(n, nr)) * nr;
    auto w = std::make_shared<PackedWeights>();
    w->b = b;
    w->k = k;
    w->n = n;
    w->ldb = ldb;
    w->trans_b = trans_b;
    w->kernel = kernel;
    w->floats = std::size_t(k) * n_pad;
    float* out = w->data.get(w->floats);
    if (!out)
        return nullptr;
    for (int p0 = 0; p0 < k; p0 += kc_block) {
        const int kc = k - p0 < kc_block ? k - p0 : kc_block;
        for (int j0 = 0; j0 < n; j0 += nr) {
            const int cols = n - j0 < nr ? n - j0 : nr;
            pack_b(trans_b, b, ldb, p0, kc, j0, cols, nr,
                   out + std::size_t(p0) * n_pad + std::size_t(j0) * kc);
        }
    }
    return w;
}

/// The packed copy of op(B), from the cache or packed now (null if memory ran out).
std::shared_ptr<PackedWeights> find_or_pack(bool trans_b, int n, int k, const float* b, int ldb) {
    WeightCache& cache = weight_cache();
    std::lock_guard<std::mutex> lock(cache.mutex);
    ++cache.clock;
    const int kernel = kernel_index();
    for (const std::shared_ptr<PackedWeights>& e : cache.entries) {
        if (e->b == b && e->k == k && e->n == n && e->ldb == ldb && e->trans_b == trans_b &&
            e->kernel == kernel) {
            e->last_use = cache.clock;
            return e;
        }
    }
    std::shared_ptr<PackedWeights> w = pack_weights(trans_b, n, k, b, ldb);
    if (!w)
        return nullptr;
    w->last_use = cache.clock;
    // Evict the least recently used until the new entry fits.
    while (!cache.entries.empty() &&
           (cache.entries.size() >= max_cached_entries || cache.floats + w->floats > max_cached_floats)) {
        std::size_t oldest = 0;
        for (std::size_t i = 1; i < cache.entries.size(); ++i)
            if (cache.entries[i]->last_use < cache.entries[oldest]->last_use)
                oldest = i;
        cache.floats -= cache.entries[oldest]->floats;
        cache.entries.erase(cache.entries.begin() + std::ptrdiff_t(oldest));
    }
    cache.entries.push_back(w);
    cache.floats += w->floats;
    return w;
}

} // namespace

const char* simd_kernel_name() {
    return kernel_choice().name;
}

bool force_simd_kernel(const std::string& name) {
    if (name == "auto") {
        g_kernel.store(default_kernel());
        return true;
    }
    for (int i = 0; i < kernel_count; ++i) {
        if (std::string(all_kernels[i].name).rfind(name, 0) == 0 && cpu_runs(all_kernels[i])) {
            g_kernel.store(i);
            return true;
        }
    }
    return false;
}

void gemm_simd(bool trans_a, bool trans_b, int m, int n, int k, const float* a, int lda, const float* b,
               int ldb, float beta, float* c, int ldc) {
    run_gemm(GemmArgs{trans_a, trans_b, m, n, k, a, lda, b, ldb, beta, c, ldc, nullptr});
}

void gemm_simd_weights(bool trans_a, bool trans_b, int m, int n, int k, const float* a, int lda,
                       const float* b, int ldb, float beta, float* c, int ldc) {
    std::shared_ptr<PackedWeights> w;
    if (m > 0 && n > 0 && k > 0)
        w = find_or_pack(trans_b, n, k, b, ldb);
    // The packed copy holds exactly the values pack_b would produce: same results either way.
    run_gemm(GemmArgs{trans_a, trans_b, m, n, k, a, lda, b, ldb, beta, c, ldc, w ? w->data.data : nullptr});
}

SimdPacked::~SimdPacked() {
    clear();
}

void SimdPacked::clear() {
    std::free(data);
    data = nullptr;
    floats = 0;
    kernel = -1;
}

int simd_kernel_index() {
    return kernel_index();
}

bool simd_pack(bool trans_b, int n, int k, const float* b, int ldb, SimdPacked& out) {
    out.clear();
    if (n <= 0 || k <= 0)
        return false;
    const int kernel = kernel_index();
    const int nr = all_kernels[kernel].nr;
    const std::size_t n_pad = std::size_t(panel_count(n, nr)) * nr;
    const std::size_t floats = std::size_t(k) * n_pad;
    const std::size_t bytes = (floats * sizeof(float) + 63) / 64 * 64;
    float* data = static_cast<float*>(std::aligned_alloc(64, bytes));
    if (!data)
        return false;
    for (int p0 = 0; p0 < k; p0 += kc_block) {
        const int kc = k - p0 < kc_block ? k - p0 : kc_block;
        for (int j0 = 0; j0 < n; j0 += nr) {
            const int cols = n - j0 < nr ? n - j0 : nr;
            pack_b(trans_b, b, ldb, p0, kc, j0, cols, nr, data + std::size_t(p0) * n_pad + std::size_t(j0) * kc);
        }
    }
    out.data = data;
    out.floats = floats;
    out.kernel = kernel;
    return true;
}

void gemm_simd_packed(bool trans_a, bool trans_b, int m, int n, int k, const float* a, int lda, const float* b,
                      int ldb, float beta, float* c, int ldc, const SimdPacked& packed) {
    // A stale or missing packed form (another micro-kernel, out of memory) packs as it goes.
    const float* p = packed.data && packed.kernel == kernel_index() ? packed.data : nullptr;
    run_gemm(GemmArgs{trans_a, trans_b, m, n, k, a, lda, b, ldb, beta, c, ldc, p});
}

void simd_drop_cached(const float* b) {
    WeightCache& cache = weight_cache();
    std::lock_guard<std::mutex> lock(cache.mutex);
    std::size_t kept = 0;
    for (std::size_t i = 0; i < cache.entries.size(); ++i) {
        if (b == nullptr || cache.entries[i]->b == b)
            cache.floats -= cache.entries[i]->floats;
        else
            cache.entries[kept++] = cache.entries[i];
    }
    cache.entries.resize(kept);
}

} // namespace aer
