// aer/nn/gemm_typed: gemm for the scalar a layer is instantiated with. float goes to the kernel
// interface (core/nn/kernels.h, whatever backend is selected); double, used only by the
// gradient-check tests, goes to plain loops here. Same arguments and meaning as aer::gemm.
// gemm_weights_typed marks products whose op(B) is a layer's weight matrix (kernels.h's
// gemm_weights: the backend may reuse a packed copy until all_weights_changed(), which
// Model::after_update() calls).
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

/// gemm_typed where op(B) is a weight matrix unchanged since the last weights_changed().
inline void gemm_weights_typed(bool trans_a, bool trans_b, int m, int n, int k, const float* a, int lda,
                               const float* b, int ldb, float beta, float* c, int ldc) {
    gemm_weights(trans_a, trans_b, m, n, k, a, lda, b, ldb, beta, c, ldc);
}

/// Double precision: no packing, the same plain loops as gemm_typed.
inline void gemm_weights_typed(bool trans_a, bool trans_b, int m, int n, int k, const double* a, int lda,
                               const double* b, int ldb, double beta, double* c, int ldc) {
    gemm_typed(trans_a, trans_b, m, n, k, a, lda, b, ldb, beta, c, ldc);
}

} // namespace aer
