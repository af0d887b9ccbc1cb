// aer/nn/kernels: the few dense kernels every layer is built on, behind one interface with
// swappable backends.
//
// Contract
// - Matrices are row-major float32 with explicit leading dimensions (elements between rows).
// - gemm: C = beta * C + op(A) * op(B), op(X) = X or X^T. A is m x k after op, B is k x n after
//   op, C is m x n. beta = 0 ignores C's old contents (NaN in C does not leak through).
// - Results are deterministic for a given backend and machine: each output element is reduced
//   in a fixed order that depends on the call's shape and transposes only, so repeated calls and
//   every thread count give bit-identical results. They differ from the reference by rounding
//   (k-blocked sums, fused multiply-adds), and under xnnpack gemm_weights() (XNNPACK's kernels)
//   from gemm() (simd's) the same way.
// - Backends: `reference` (plain loops: the ground truth of every test), `simd` (the default:
//   packed-panel micro-kernels, wasm_simd128 in the wasm build; natively SSE, or AVX2+FMA or
//   AVX-512 when the CPU has them, detected at run time), `xnnpack` (native only, Debian's
//   libXNNPACK; it serves gemm_weights() calls with a cached pre-packed operator and sends every
//   other call to simd). set_backend() returns an error for a backend this build lacks. The
//   wasm build has no xnnpack: CMakeLists.txt looks for libXNNPACK (and defines
//   AER_HAVE_XNNPACK) in native builds only, and there is no Emscripten build of XNNPACK to link,
//   so there core/nn/kernels_xnnpack.cpp compiles to its fallback and set_backend(xnnpack) fails.
// - Weight matrices: gemm_weights() is gemm() with a promise that op(B) is a weight matrix that
//   has not been written since the last weights_changed(B) / all_weights_changed(). The xnnpack
//   backend may then reuse an operator packed from B's old contents (keyed by the pointer and the
//   shape), so call weights_changed() after every write to a weight buffer (optimiser step, model
//   load, initialisation) or all_weights_changed() after a whole optimiser step. The simd backend
//   likewise keeps op(B) packed into its panels (same results as gemm(), bit for bit); the
//   reference backend ignores the promise. A buffer freed and reallocated at the same address
//   with the same shape counts as written.
// - Threads: a persistent pool (core/nn/thread_pool.h) splits gemm by whole row strips or column
//   panels and parallel_for by contiguous chunks; the calling thread takes part. threads = 1
//   runs everything on the calling thread (always true in the single-threaded wasm build).
// - Nothing here allocates per call once warm (per-thread packing buffers grow on first use),
//   except gemm_weights() on a cache miss (packing op(B), or creating XNNPACK operators).
// - Thread safety: gemm, gemm_weights and parallel_for may be called from several threads; a
//   parallel_for or gemm issued inside a parallel_for body runs inline on that thread.
//   set_backend and set_threads must not race with kernel calls.
#pragma once

#include "core/status.h"

#include <functional>
#include <string>

namespace aer {

enum class Backend { reference, simd, xnnpack };

/// "reference" | "simd" | "xnnpack".
const char* backend_name(Backend b);
/// Parses a backend name; error names the valid ones.
Status parse_backend(const std::string& name, Backend& out);

/// Selects the kernel backend for all later calls (process-wide). Not thread-safe against
/// concurrent kernel calls: set it before work starts.
Status set_backend(Backend b);
Backend current_backend();
/// True when this build has `b`.
bool backend_available(Backend b);

/// Threads used by kernels, the caller included: 1..64, else an error. Clipped to 1 in the
/// single-threaded wasm build and to min(core count, 8) in the threaded one (its pthreads come
/// from workers pre-spawned at start-up). current_threads() reports the count in effect.
Status set_threads(int n);
int current_threads();

/// C(m x n) = beta * C + op(A) * op(B). lda/ldb/ldc: row strides of A, B, C as stored.
void gemm(bool trans_a, bool trans_b, int m, int n, int k, const float* a, int lda, const float* b, int ldb,
          float beta, float* c, int ldc);

/// gemm() for a product whose op(B) is a weight matrix, unchanged since the last
/// weights_changed(b) / all_weights_changed() (see the contract). Same shapes and results rules.
void gemm_weights(bool trans_a, bool trans_b, int m, int n, int k, const float* a, int lda, const float* b,
                  int ldb, float beta, float* c, int ldc);
/// Declares that the weight matrix starting at b was written: cached packed copies of it are dropped.
void weights_changed(const float* b);
/// Declares that any weight matrix may have been written (e.g. after an optimiser step).
void all_weights_changed();

/// Runs fn(begin, end) over [0, n) split into at most current_threads() contiguous chunks of
/// near-equal size (chunk c = [n c / t, n (c + 1) / t)), each run exactly once, the calling
/// thread taking part; returns when all are done. n <= 0 does nothing. fn must be safe to run
/// concurrently on disjoint ranges.
void parallel_for(int n, const std::function<void(int, int)>& fn);

/// The reference gemm (plain loops), always available: tests compare every backend with it.
void gemm_reference(bool trans_a, bool trans_b, int m, int n, int k, const float* a, int lda, const float* b,
                    int ldb, float beta, float* c, int ldc);

} // namespace aer
