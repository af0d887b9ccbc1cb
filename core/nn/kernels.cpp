#include "core/nn/kernels.h"

#include "core/nn/kernels_backends.h"
#include "core/nn/thread_pool.h"

namespace aer {
namespace {
Backend g_backend = Backend::simd; // the fastest backend every build has
} // namespace

const char* backend_name(Backend b) {
    switch (b) {
    case Backend::reference:
        return "reference";
    case Backend::simd:
        return "simd";
    case Backend::xnnpack:
        return "xnnpack";
    }
    return "?";
}

Status parse_backend(const std::string& name, Backend& out) {
    if (name == "reference")
        out = Backend::reference;
    else if (name == "simd")
        out = Backend::simd;
    else if (name == "xnnpack")
        out = Backend::xnnpack;
    else
        return Status::error("unknown backend '" + name + "' (reference, simd, xnnpack)");
    return Status{};
}

bool backend_available(Backend b) {
    switch (b) {
    case Backend::reference:
        return true;
    case Backend::simd:
        return true;
    case Backend::xnnpack:
        return xnnpack_ready();
    }
    return false;
}

Status set_backend(Backend b) {
    if (!backend_available(b))
        return Status::error(std::string("backend ") + backend_name(b) + " is not in this build");
    g_backend = b;
    return Status{};
}
Backend current_backend() {
    return g_backend;
}

Status set_threads(int n) {
    if (n < 1 || n > 64)
        return Status::error("threads must be within 1..64 (got " + std::to_string(n) + ")");
    global_pool().resize(n);
    return Status{};
}
int current_threads() {
    return global_pool().threads();
}

void gemm_reference(bool trans_a, bool trans_b, int m, int n, int k, const float* a, int lda, const float* b,
                    int ldb, float beta, float* c, int ldc) {
    for (int i = 0; i < m; ++i) {
        for (int j = 0; j < n; ++j) {
            float acc = 0.0f;
            for (int p = 0; p < k; ++p) {
                float av = trans_a ? a[p * lda + i] : a[i * lda + p];
                float bv = trans_b ? b[j * ldb + p] : b[p * ldb + j];
                acc += av * bv;
            }
            float& out = c[i * ldc + j];
            out = beta == 0.0f ? acc : beta * out + acc;
        }
    }
}

void gemm(bool trans_a, bool trans_b, int m, int n, int k, const float* a, int lda, const float* b, int ldb,
          float beta, float* c, int ldc) {
    switch (g_backend) {
    case Backend::reference:
        gemm_reference(trans_a, trans_b, m, n, k, a, lda, b, ldb, beta, c, ldc);
        return;
    case Backend::simd:
    case Backend::xnnpack:
        gemm_simd(trans_a, trans_b, m, n, k, a, lda, b, ldb, beta, c, ldc);
        return;
    }
}

void gemm_weights(bool trans_a, bool trans_b, int m, int n, int k, const float* a, int lda, const float* b,
                  int ldb, float beta, float* c, int ldc) {
    switch (g_backend) {
    case Backend::reference:
        gemm_reference(trans_a, trans_b, m, n, k, a, lda, b, ldb, beta, c, ldc);
        return;
    case Backend::simd:
        gemm_simd_weights(trans_a, trans_b, m, n, k, a, lda, b, ldb, beta, c, ldc);
        return;
    case Backend::xnnpack:
        gemm_xnnpack(true, trans_a, trans_b, m, n, k, a, lda, b, ldb, beta, c, ldc);
        return;
    }
}

void weights_changed(const float* b) {
    if (b == nullptr)
        return;
    simd_drop_cached(b);
    xnnpack_drop_cached(b);
}

void all_weights_changed() {
    simd_drop_cached(nullptr);
    xnnpack_drop_cached(nullptr);
}

void parallel_for(int n, const std::function<void(int, int)>& fn) {
    global_pool().run(n, fn);
}

} // namespace aer
