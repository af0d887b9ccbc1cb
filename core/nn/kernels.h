// aer/nn/kernels: the few dense kernels every layer is built on, behind one interface with
// swappable backends.
//
// Contract
// - Matrices are row-major float32 with explicit leading dimensions (elements between rows).
// - gemm: C = beta * C + op(A) * op(B), op(X) = X or X^T. A is m x k after op, B is k x n after
//   op, C is m x n. beta = 0 ignores C's old contents (NaN in C does not leak through).
// - Results are deterministic for a given backend and thread count: each output element is
//   reduced in a fixed order whatever the split across threads.
// - Backends: `reference` (plain loops: the ground truth of every test), `simd` (wasm_simd128
//   in the wasm build, vector instructions natively), `xnnpack` (native only, Debian's
//   libXNNPACK; falls back to simd for calls it cannot serve). set_backend() returns an error
//   for a backend this build lacks.
// - Threads: a small pool splits gemm rows/columns and parallel_for ranges. threads = 1 runs
//   everything on the calling thread (always true in the single-threaded wasm build).
// - Nothing here allocates per call once the pool exists, except the xnnpack backend's packing.
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

/// Worker threads used by kernels (1..64; clipped to 1 in single-threaded builds).
Status set_threads(int n);
int current_threads();

/// C(m x n) = beta * C + op(A) * op(B). lda/ldb/ldc: row strides of A, B, C as stored.
void gemm(bool trans_a, bool trans_b, int m, int n, int k, const float* a, int lda, const float* b, int ldb,
          float beta, float* c, int ldc);

/// Runs fn(begin, end) over [0, n) split into contiguous chunks across the pool's threads.
/// fn must be safe to run concurrently on disjoint ranges.
void parallel_for(int n, const std::function<void(int, int)>& fn);

/// The reference gemm (plain loops), always available: tests compare every backend with it.
void gemm_reference(bool trans_a, bool trans_b, int m, int n, int k, const float* a, int lda, const float* b,
                    int ldb, float beta, float* c, int ldc);

} // namespace aer
