// aer/nn/gemm_typed: gemm for the scalar a layer is instantiated with. float goes to the kernel
// interface (core/nn/kernels.h, whatever backend is selected); double, used only by the
// gradient-check tests, goes to plain loops here. Same arguments and meaning as aer::gemm.
// weight_gemm_typed and weight_gemm_bias_typed run a layer's products with its own weight
// matrices through the WeightGemm the layer owns (kernels.h: packed once per weights version,
// which Model::after_update() renews); gemm_weights_typed goes through kernels.h's
// gemm_weights() (its process-wide cache).
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

/// op.run(): C = beta * C + op(A) * op(B), op(B) the layer's weights held packed by `op`.
inline void weight_gemm_typed(WeightGemm& op, bool trans_a, bool trans_b, int m, int n, int k, const float* a,
                              int lda, const float* b, int ldb, float beta, float* c, int ldc) {
    op.run(trans_a, trans_b, m, n, k, a, lda, b, ldb, beta, c, ldc);
}

/// Double precision: the plain loops of gemm_typed (op unused).
inline void weight_gemm_typed(WeightGemm&, bool trans_a, bool trans_b, int m, int n, int k, const double* a,
                              int lda, const double* b, int ldb, double beta, double* c, int ldc) {
    gemm_typed(trans_a, trans_b, m, n, k, a, lda, b, ldb, beta, c, ldc);
}

/// op.run_bias(): C = act(A * op(B) + bias), act = max(x, 0) when relu (kernels.h WeightGemm).
inline void weight_gemm_bias_typed(WeightGemm& op, bool trans_b, int m, int n, int k, const float* a, int lda,
                                   const float* b, int ldb, const float* bias, bool relu, float* c, int ldc) {
    op.run_bias(trans_b, m, n, k, a, lda, b, ldb, bias, relu, c, ldc);
}

/// Double precision: plain loops, then the bias added and relu applied (op unused).
void weight_gemm_bias_typed(WeightGemm& op, bool trans_b, int m, int n, int k, const double* a, int lda,
                            const double* b, int ldb, const double* bias, bool relu, double* c, int ldc);

} // namespace aer
