// aer/nn/gemm_typed: gemm for the scalar a layer is instantiated with. float goes to the kernel
// interface (core/nn/kernels.h, whatever backend is selected); double, used only by the
// gradient-check tests, goes to plain loops here. Same arguments and meaning as aer::gemm.
#pragma once

#include "core/nn/kernels.h"

namespace aer {

/// C(m x n) = beta * C + op(A) * op(B), float: the selected kernel backend.
inline void gemm_typed(bool trans_a, bool trans_b, int m, int n, int k, const float* a, int lda, const float* b,
                       int ldb, float beta, float* c, int ldc) {
    gemm(trans_a, trans_b, m, n, k, a, lda, b, ldb, beta, c, ldc);
}

/// The same in double precision (plain loops; tests only).
void gemm_typed(bool trans_a, bool trans_b, int m, int n, int k, const double* a, int lda, const double* b,
                int ldb, double beta, double* c, int ldc);

} // namespace aer
