#include "core/nn/kernels.h"

#include "core/nn/kernels_backends.h"
#include "core/nn/thread_pool.h"

#include <atomic>
#include <cstddef>
#include <vector>

namespace aer {
namespace {
Backend g_backend = Backend::simd; // the fastest backend every build has

// The innermost KernelScope of this thread.
thread_local bool t_scope_active = false;
thread_local Backend t_scope_backend = Backend::simd;
thread_local std::uint64_t t_scope_version = 0;

std::atomic<std::uint64_t> g_weights_epoch{0};   // bumped by (all_)weights_changed()
std::atomic<std::uint64_t> g_next_version{0};    // new_weights_version()
std::atomic<std::uint64_t> g_pack_count{0};      // weight_pack_count()
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

Backend effective_backend() {
    return t_scope_active ? t_scope_backend : g_backend;
}

std::uint64_t new_weights_version() {
    return g_next_version.fetch_add(1, std::memory_order_relaxed) + 1;
}

KernelScope::KernelScope(Backend backend, std::uint64_t weights_version)
    : prev_active_(t_scope_active), prev_backend_(t_scope_backend), prev_version_(t_scope_version) {
    t_scope_active = true;
    t_scope_backend = backend_available(backend) ? backend : Backend::simd;
    t_scope_version = weights_version;
}

KernelScope::~KernelScope() {
    t_scope_active = prev_active_;
    t_scope_backend = prev_backend_;
    t_scope_version = prev_version_;
}

std::uint64_t weight_pack_count() {
    return g_pack_count.load(std::memory_order_relaxed);
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
    switch (effective_backend()) {
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
    switch (effective_backend()) {
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
    g_weights_epoch.fetch_add(1, std::memory_order_relaxed); // a WeightGemm does not know whose b it is
}

void all_weights_changed() {
    simd_drop_cached(nullptr);
    xnnpack_drop_cached(nullptr);
    g_weights_epoch.fetch_add(1, std::memory_order_relaxed);
}

// ---- WeightGemm ---------------------------------------------------------------------------------

/// What a packed form was made from: it is reused only while all of it holds.
struct PackKey {
    Backend backend = Backend::reference;
    std::uint64_t version = 0, epoch = 0;
    const float* b = nullptr;
    const float* bias = nullptr;
    bool trans_b = false, relu = false;
    int n = 0, k = 0, ldb = 0, lda = 0, ldc = 0;
    int variant = 0; // simd: micro-kernel index; xnnpack: column slices

    bool operator==(const PackKey& o) const {
        return backend == o.backend && version == o.version && epoch == o.epoch && b == o.b && bias == o.bias &&
               trans_b == o.trans_b && relu == o.relu && n == o.n && k == o.k && ldb == o.ldb && lda == o.lda &&
               ldc == o.ldc && variant == o.variant;
    }
};

struct WeightGemm::Impl {
    PackKey simd_key, xnn_key;
    SimdPacked simd;
    XnnpackWeights xnn;
    std::vector<float> scratch; // xnnpack with beta != 0: the product, before C = beta C + product

    PackKey key(Backend backend, bool trans_b, int n, int k, const float* b, int ldb) const {
        PackKey key;
        key.backend = backend;
        key.version = t_scope_active ? t_scope_version : 0;
        key.epoch = g_weights_epoch.load(std::memory_order_relaxed);
        key.b = b;
        key.trans_b = trans_b;
        key.n = n;
        key.k = k;
        key.ldb = ldb;
        return key;
    }

    /// The simd packed form of op(B), packed now if stale.
    const SimdPacked& simd_for(bool trans_b, int n, int k, const float* b, int ldb) {
        PackKey want = key(Backend::simd, trans_b, n, k, b, ldb);
        want.variant = simd_kernel_index();
        if (!(want == simd_key) || !simd.data) {
            if (simd_pack(trans_b, n, k, b, ldb, simd)) {
                simd_key = want;
                g_pack_count.fetch_add(1, std::memory_order_relaxed);
            } else {
                simd_key = PackKey{}; // out of memory: gemm_simd_packed packs as it goes
            }
        }
        return simd;
    }

    /// The XNNPACK operators for op(B) (+ bias, relu) at these strides; null when XNNPACK refused.
    XnnpackWeights* xnn_for(bool trans_b, int n, int k, const float* b, int ldb, int lda, int ldc,
                            const float* bias, bool relu) {
        PackKey want = key(Backend::xnnpack, trans_b, n, k, b, ldb);
        want.lda = lda;
        want.ldc = ldc;
        want.bias = bias;
        want.relu = relu;
        want.variant = xnnpack_slices(n);
        if (!(want == xnn_key) || xnn.empty()) {
            xnn_key = PackKey{};
            if (!xnn.create(trans_b, n, k, b, ldb, lda, ldc, bias, relu, want.variant))
                return nullptr;
            xnn_key = want;
            g_pack_count.fetch_add(1, std::memory_order_relaxed);
        }
        return &xnn;
    }
};

namespace {

/// C = act(C + bias) over m rows of n: the simd and reference backends' bias and relu, the
/// arithmetic the layers always did (add, then x > 0 ? x : 0).
void add_bias_relu(int m, int n, const float* bias, bool relu, float* c, int ldc) {
    for (int i = 0; i < m; ++i) {
        float* row = c + std::size_t(i) * ldc;
        if (bias)
            for (int j = 0; j < n; ++j)
                row[j] += bias[j];
        if (relu)
            for (int j = 0; j < n; ++j)
                row[j] = row[j] > 0.0f ? row[j] : 0.0f;
    }
}

/// True when the xnnpack backend takes this product (else simd does): XNNPACK reads X row-major,
/// and below xnnpack_min_madds its set-up costs more than the product.
bool xnnpack_takes(bool trans_a, int m, int n, int k) {
    return !trans_a && m > 0 && n > 0 && k > 0 && double(m) * n * k >= xnnpack_min_madds && xnnpack_ready();
}

} // namespace

WeightGemm::WeightGemm() : impl_(new Impl) {}
WeightGemm::~WeightGemm() = default;
WeightGemm::WeightGemm(WeightGemm&&) noexcept = default;
WeightGemm& WeightGemm::operator=(WeightGemm&&) noexcept = default;

void WeightGemm::reset() {
    impl_->simd.clear();
    impl_->xnn.clear();
    impl_->simd_key = PackKey{};
    impl_->xnn_key = PackKey{};
}

void WeightGemm::run(bool trans_a, bool trans_b, int m, int n, int k, const float* a, int lda, const float* b,
                     int ldb, float beta, float* c, int ldc) {
    const Backend be = effective_backend();
    if (be == Backend::reference || m <= 0 || n <= 0 || k <= 0) {
        if (be == Backend::reference)
            gemm_reference(trans_a, trans_b, m, n, k, a, lda, b, ldb, beta, c, ldc);
        else
            gemm_simd(trans_a, trans_b, m, n, k, a, lda, b, ldb, beta, c, ldc); // C = beta C
        return;
    }
    if (be == Backend::xnnpack && xnnpack_takes(trans_a, m, n, k)) {
        Impl& d = *impl_;
        float* out = c;
        if (beta != 0.0f) {
            d.scratch.resize(std::size_t(m - 1) * ldc + n);
            out = d.scratch.data();
        }
        XnnpackWeights* ops = d.xnn_for(trans_b, n, k, b, ldb, lda, ldc, nullptr, false);
        if (ops && ops->run(m, a, out)) {
            if (beta != 0.0f)
                accumulate_product(m, n, out, beta, c, ldc);
            return;
        }
        // XNNPACK refused (out of memory): simd computes the product instead.
    }
    gemm_simd_packed(trans_a, trans_b, m, n, k, a, lda, b, ldb, beta, c, ldc,
                     impl_->simd_for(trans_b, n, k, b, ldb));
}

void WeightGemm::run_bias(bool trans_b, int m, int n, int k, const float* a, int lda, const float* b, int ldb,
                          const float* bias, bool relu, float* c, int ldc) {
    const Backend be = effective_backend();
    if (be == Backend::xnnpack && xnnpack_takes(false, m, n, k)) {
        XnnpackWeights* ops = impl_->xnn_for(trans_b, n, k, b, ldb, lda, ldc, bias, relu);
        if (ops && ops->run(m, a, c))
            return;
    }
    if (be == Backend::reference)
        gemm_reference(false, trans_b, m, n, k, a, lda, b, ldb, 0.0f, c, ldc);
    else if (m > 0 && n > 0 && k > 0)
        gemm_simd_packed(false, trans_b, m, n, k, a, lda, b, ldb, 0.0f, c, ldc, impl_->simd_for(trans_b, n, k, b, ldb));
    else
        gemm_simd(false, trans_b, m, n, k, a, lda, b, ldb, 0.0f, c, ldc);
    add_bias_relu(m, n, bias, relu, c, ldc);
}

void parallel_for(int n, const std::function<void(int, int)>& fn) {
    global_pool().run(n, fn);
}

void accumulate_product(int m, int n, const float* p, float beta, float* c, int ldc) {
    for (int i = 0; i < m; ++i) {
        float* crow = c + std::size_t(i) * ldc;
        const float* prow = p + std::size_t(i) * ldc;
        if (beta == 1.0f)
            for (int j = 0; j < n; ++j)
                crow[j] += prow[j];
        else
            for (int j = 0; j < n; ++j)
                crow[j] = beta * crow[j] + prow[j];
    }
}

} // namespace aer
