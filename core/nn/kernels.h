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
//   libXNNPACK; it serves weight products (WeightGemm, gemm_weights()) with pre-packed
//   fully-connected operators and sends every other call to simd). set_backend() returns an
//   error for a backend this build lacks. The wasm build has no xnnpack: CMakeLists.txt looks for
//   libXNNPACK (and defines AER_HAVE_XNNPACK) in native builds only, and there is no Emscripten
//   build of XNNPACK to link, so there core/nn/kernels_xnnpack.cpp compiles to its fallback and
//   set_backend(xnnpack) fails.
// - Which backend runs: the innermost KernelScope on the calling thread names it (a Model
//   installs one with its own backend around forward, backward and predict, so two models in one
//   process can run different backends); without a scope, the process default (set_backend()).
// - Weight products of layers go through a WeightGemm that the layer owns: it keeps op(B) packed
//   for the backend in effect (simd panels, or XNNPACK operators with the bias and a relu fused)
//   and packs again when the weights version changes. The version is the KernelScope's (a Model
//   takes a new one in Model::after_update(), after every write to its weights) together with a
//   process-wide count bumped by all_weights_changed() and weights_changed() (for code that
//   writes weights of layers used without a Model, e.g. tests). So an optimiser step of one model
//   repacks only that model's weights.
// - gemm_weights() is gemm() with a promise that op(B) is a weight matrix that has not been
//   written since the last weights_changed(B) / all_weights_changed(); for callers that own no
//   WeightGemm (benchmarks, tests). It keeps its packed copies in a process-wide cache keyed by
//   the pointer and the shape, dropped by those two calls. A buffer freed and reallocated at the
//   same address with the same shape counts as written. The simd packed forms give the same
//   results as gemm(), bit for bit; the reference backend ignores the promise.
// - Threads: a persistent pool (core/nn/thread_pool.h) splits gemm by whole row strips or column
//   panels and parallel_for by contiguous chunks; the calling thread takes part. threads = 1
//   runs everything on the calling thread (always true in the single-threaded wasm build).
// - Nothing here allocates per call once warm (per-thread packing buffers grow on first use),
//   except gemm_weights() on a cache miss and a WeightGemm that packs (packing op(B), or creating
//   XNNPACK operators).
// - Thread safety: gemm, gemm_weights and parallel_for may be called from several threads; a
//   parallel_for or gemm issued inside a parallel_for body runs inline on that thread.
//   set_backend and set_threads must not race with kernel calls. A WeightGemm belongs to one
//   layer and is not shared between threads.
#pragma once

#include "core/status.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace aer {

enum class Backend { reference, simd, xnnpack };

/// "reference" | "simd" | "xnnpack".
const char* backend_name(Backend b);
/// Parses a backend name; error names the valid ones.
Status parse_backend(const std::string& name, Backend& out);

/// Selects the process default backend: the one kernel calls use outside any KernelScope (and
/// models that were given none of their own). Not thread-safe against concurrent kernel calls:
/// set it before work starts.
Status set_backend(Backend b);
/// The process default backend.
Backend current_backend();
/// The backend kernel calls on this thread use now: the innermost KernelScope's, else
/// current_backend().
Backend effective_backend();
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
/// Declares that any weight matrix may have been written: every packed copy (gemm_weights()'s
/// cache, and every WeightGemm at its next use) is made again. A Model calls its own
/// after_update() instead, which repacks that model's weights only.
void all_weights_changed();

/// A new weights version, unique in the process and never 0 (Model::after_update() takes one).
std::uint64_t new_weights_version();

/// Sets, for the kernel calls of the calling thread until it is destroyed, the backend and the
/// weights version (see the contract); scopes nest, the innermost wins. The backend must be
/// available (backend_available()); an unavailable one runs as simd.
class KernelScope {
  public:
    KernelScope(Backend backend, std::uint64_t weights_version);
    ~KernelScope();
    KernelScope(const KernelScope&) = delete;
    KernelScope& operator=(const KernelScope&) = delete;

  private:
    bool prev_active_;
    Backend prev_backend_;
    std::uint64_t prev_version_;
};

/// One product with a weight matrix, owned by the layer that owns the weights: it keeps op(B)
/// packed for the backend in effect (simd: panels for the current micro-kernel; xnnpack: one
/// fully-connected operator per column slice, with the bias and a relu fused) and packs again
/// when the backend, the weights version (see the contract), the shape or the thread count
/// changes. Each call site of a layer has its own WeightGemm, used always with the same B, bias
/// and strides. Not thread-safe: one layer, one thread.
class WeightGemm {
  public:
    WeightGemm();
    ~WeightGemm();
    WeightGemm(WeightGemm&&) noexcept;
    WeightGemm& operator=(WeightGemm&&) noexcept;

    /// C(m x n) = beta * C + op(A) * op(B): gemm()'s arguments and rules, op(B) the weights.
    void run(bool trans_a, bool trans_b, int m, int n, int k, const float* a, int lda, const float* b, int ldb,
             float beta, float* c, int ldc);
    /// C(m x n) = act(A op(B) + bias): A is m x k (not transposed), bias has n values (a weight
    /// too: packed with B under xnnpack), act is max(x, 0) when relu, else the identity. C is not
    /// read. simd and reference add the bias and apply relu after the product, xnnpack inside it.
    void run_bias(bool trans_b, int m, int n, int k, const float* a, int lda, const float* b, int ldb,
                  const float* bias, bool relu, float* c, int ldc);
    /// Drops the packed form now (the next call packs again).
    void reset();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// How many times WeightGemms have packed weights, process-wide (tests and benchmarks: it shows
/// whose weights were packed again).
std::uint64_t weight_pack_count();

/// Runs fn(begin, end) over [0, n) split into at most current_threads() contiguous chunks of
/// near-equal size (chunk c = [n c / t, n (c + 1) / t)), each run exactly once, the calling
/// thread taking part; returns when all are done. n <= 0 does nothing. fn must be safe to run
/// concurrently on disjoint ranges.
void parallel_for(int n, const std::function<void(int, int)>& fn);

/// The reference gemm (plain loops), always available: tests compare every backend with it.
void gemm_reference(bool trans_a, bool trans_b, int m, int n, int k, const float* a, int lda, const float* b,
                    int ldb, float beta, float* c, int ldc);

} // namespace aer
