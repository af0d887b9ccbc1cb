#include "core/nn/gemm_typed.h"

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

} // namespace aer
