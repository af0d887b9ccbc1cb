#include "core/nn/gemm_typed.h"

#include <cstddef>

namespace aer {

void gemm_typed(bool trans_a, bool trans_b, int m, int n, int k, const double* a, int lda, const double* b,
                int ldb, double beta, double* c, int ldc) {
    for (int i = 0; i < m; ++i) {
        for (int j = 0; j < n; ++j) {
            double acc = 0.0;
            for (int p = 0; p < k; ++p) {
                double av = trans_a ? a[p * lda + i] : a[i * lda + p];
                double bv = trans_b ? b[j * ldb + p] : b[p * ldb + j];
                acc += av * bv;
            }
            double& out = c[i * ldc + j];
            out = beta == 0.0 ? acc : beta * out + acc;
        }
    }
}

void weight_gemm_bias_typed(WeightGemm&, bool trans_b, int m, int n, int k, const double* a, int lda,
                            const double* b, int ldb, const double* bias, bool relu, double* c, int ldc) {
    gemm_typed(false, trans_b, m, n, k, a, lda, b, ldb, 0.0, c, ldc);
    for (int i = 0; i < m; ++i) {
        double* row = c + std::size_t(i) * ldc;
        for (int j = 0; j < n; ++j)
            row[j] += bias[j];
        if (relu)
            for (int j = 0; j < n; ++j)
                row[j] = row[j] > 0.0 ? row[j] : 0.0;
    }
}

} // namespace aer
