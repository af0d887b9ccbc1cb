// The xnnpack gemm backend (native builds with AER_HAVE_XNNPACK): Debian's libXNNPACK
// (2022-02) fully-connected operator, Y = X W^T, with W packed when the operator is created.
//
// Layers own their operators (XnnpackWeights, inside each WeightGemm: created when the weights
// version changes, with the bias and a relu clamp fused where the call has them). What follows
// is the cache behind gemm_weights(), for callers that own no WeightGemm.
//
// Packing a 288 x 1024 weight matrix costs ~0.7 ms, so an operator is only worth creating when
// it is reused: gemm_weights() calls (cache_b) keep theirs in a small cache keyed by
// (B pointer, k, n, ldb, trans_b, lda, ldc, slices) -- XNNPACK fixes the input and output
// strides at creation -- until weights_changed(b) or all_weights_changed() drops them.
// Everything else goes to the simd backend:
// - plain gemm() calls (B may be a scratch buffer whose contents change between calls) to
//   gemm_simd,
// - trans_a (the operator reads X row-major), and small products (below min_madds), where the
//   set-up costs more than the kernel, to gemm_simd_weights.
// The choice depends only on the call's arguments, so repeated calls give identical results.
//
// Threads: rather than XNNPACK's own pthreadpool (whose workers spin for a while after each
// job and then compete with global_pool()'s), op(B) is cut into column slices, one operator per
// slice with no thread pool, and global_pool() runs one slice per thread. XNNPACK computes each
// output element with the same micro-kernel over the whole of k in every slice, so results do not
// depend on the slicing (the tests check it bit for bit).
// beta != 0: the operators write a scratch C, then C = beta C + scratch.
#include "core/nn/kernels_backends.h"

#ifdef AER_HAVE_XNNPACK

#include "core/nn/thread_pool.h"

#include <xnnpack.h>

#include <atomic>
#include <cmath>
#include <cstddef>
#include <mutex>
#include <vector>

namespace aer {
namespace {

constexpr double min_madds = xnnpack_min_madds; // below this, m n k multiply-adds go to gemm_simd
constexpr std::size_t max_cached = 32;
constexpr int slice_align = 16; // slice edges on multiples of XNNPACK's widest column tile

struct CachedOp {
    const float* b;
    int k, n, ldb;
    bool trans_b;
    int lda, ldc;
    std::vector<xnn_operator_t> ops; // one per column slice
    std::vector<int> col_begin;      // slice s covers columns [col_begin[s], col_begin[s + 1])
    unsigned long long last_use;
};

void delete_ops(CachedOp& e) {
    for (xnn_operator_t op : e.ops)
        xnn_delete_operator(op);
    e.ops.clear();
}

struct XnnState {
    std::mutex mutex; // guards everything below; held while operators run
    bool ready = false;
    std::vector<CachedOp> cache;
    unsigned long long clock = 0;
    std::vector<float> dense_b; // a dense copy of one slice of B
    std::vector<float> scratch; // C for beta != 0

    ~XnnState() {
        for (CachedOp& e : cache)
            delete_ops(e);
    }
};

XnnState& state() {
    static XnnState s;
    static std::once_flag once;
    std::call_once(once, [] { s.ready = xnn_initialize(nullptr) == xnn_status_success; });
    return s;
}

void dense_slice(bool trans_b, const float* b, int ldb, int k, int j0, int cols, std::vector<float>& out);

/// Builds the operators of entry e (key fields set) for `slices` column slices. XNNPACK wants the
/// slice's weights as [cols x k] (trans_b) or, with XNN_FLAG_TRANSPOSE_WEIGHTS, [k x cols],
/// densely stored: copied unless B already is.
bool create_ops(XnnState& s, CachedOp& e, int slices) {
    e.col_begin.assign(std::size_t(slices) + 1, e.n);
    for (int sl = 0; sl < slices; ++sl)
        e.col_begin[std::size_t(sl)] = int((long long)e.n * sl / slices / slice_align * slice_align);
    for (int sl = 0; sl < slices; ++sl) {
        const int j0 = e.col_begin[std::size_t(sl)];
        const int cols = e.col_begin[std::size_t(sl) + 1] - j0;
        const float* w = nullptr;
        if (e.trans_b && e.ldb == e.k) {
            w = e.b + std::size_t(j0) * e.ldb;
        } else if (!e.trans_b && slices == 1 && e.ldb == e.n) {
            w = e.b;
        } else {
            dense_slice(e.trans_b, e.b, e.ldb, e.k, j0, cols, s.dense_b);
            w = s.dense_b.data();
        }
        xnn_operator_t op = nullptr;
        const uint32_t flags = e.trans_b ? 0 : XNN_FLAG_TRANSPOSE_WEIGHTS;
        if (xnn_create_fully_connected_nc_f32(std::size_t(e.k), std::size_t(cols), std::size_t(e.lda),
                                              std::size_t(e.ldc), w, nullptr, -INFINITY, INFINITY, flags,
                                              &op) != xnn_status_success) {
            delete_ops(e);
            return false;
        }
        e.ops.push_back(op);
    }
    return true;
}

CachedOp* find_or_create(XnnState& s, bool trans_b, int n, int k, const float* b, int ldb, int lda, int ldc,
                         int slices) {
    ++s.clock;
    for (CachedOp& e : s.cache) {
        if (e.b == b && e.k == k && e.n == n && e.ldb == ldb && e.trans_b == trans_b && e.lda == lda &&
            e.ldc == ldc && int(e.ops.size()) == slices) {
            e.last_use = s.clock;
            return &e;
        }
    }
    CachedOp fresh{b, k, n, ldb, trans_b, lda, ldc, {}, {}, s.clock};
    if (!create_ops(s, fresh, slices))
        return nullptr;
    if (s.cache.size() >= max_cached) { // evict the least recently used
        std::size_t oldest = 0;
        for (std::size_t i = 1; i < s.cache.size(); ++i)
            if (s.cache[i].last_use < s.cache[oldest].last_use)
                oldest = i;
        delete_ops(s.cache[oldest]);
        s.cache.erase(s.cache.begin() + std::ptrdiff_t(oldest));
    }
    s.cache.push_back(fresh);
    return &s.cache.back();
}

/// Copies columns [j0, j0 + cols) of op(B) (trans_b: rows [j0, j0 + cols) of B) densely into
/// out, as XNNPACK wants the weights: [cols x k] for trans_b, else [k x cols].
void dense_slice(bool trans_b, const float* b, int ldb, int k, int j0, int cols, std::vector<float>& out) {
    const int rows = trans_b ? cols : k;
    const int width = trans_b ? k : cols;
    out.resize(std::size_t(rows) * width);
    for (int r = 0; r < rows; ++r) {
        const float* src = trans_b ? b + std::size_t(j0 + r) * ldb : b + std::size_t(r) * ldb + j0;
        for (int c = 0; c < width; ++c)
            out[std::size_t(r) * width + c] = src[c];
    }
}

} // namespace

bool xnnpack_ready() {
    return state().ready;
}

int xnnpack_slices(int n) {
    const int threads = global_pool().threads();
    const int max_slices = n / slice_align > 1 ? n / slice_align : 1;
    return threads < max_slices ? threads : max_slices;
}

XnnpackWeights::~XnnpackWeights() {
    clear();
}

void XnnpackWeights::clear() {
    for (void* op : ops_)
        xnn_delete_operator(static_cast<xnn_operator_t>(op));
    ops_.clear();
    col_begin_.clear();
}

bool XnnpackWeights::create(bool trans_b, int n, int k, const float* b, int ldb, int lda, int ldc,
                            const float* bias, bool relu, int slices) {
    clear();
    if (!xnnpack_ready() || n <= 0 || k <= 0 || slices < 1)
        return false;
    col_begin_.assign(std::size_t(slices) + 1, n);
    for (int sl = 0; sl < slices; ++sl)
        col_begin_[std::size_t(sl)] = int((long long)n * sl / slices / slice_align * slice_align);
    std::vector<float> dense;
    for (int sl = 0; sl < slices; ++sl) {
        const int j0 = col_begin_[std::size_t(sl)];
        const int cols = col_begin_[std::size_t(sl) + 1] - j0;
        const float* w = nullptr;
        if (trans_b && ldb == k) {
            w = b + std::size_t(j0) * ldb;
        } else if (!trans_b && slices == 1 && ldb == n) {
            w = b;
        } else {
            dense_slice(trans_b, b, ldb, k, j0, cols, dense);
            w = dense.data();
        }
        xnn_operator_t op = nullptr;
        const uint32_t flags = trans_b ? 0 : XNN_FLAG_TRANSPOSE_WEIGHTS;
        if (xnn_create_fully_connected_nc_f32(std::size_t(k), std::size_t(cols), std::size_t(lda), std::size_t(ldc),
                                              w, bias ? bias + j0 : nullptr, relu ? 0.0f : -INFINITY, INFINITY,
                                              flags, &op) != xnn_status_success) {
            clear();
            return false;
        }
        ops_.push_back(op);
    }
    return true;
}

bool XnnpackWeights::run(int m, const float* x, float* y) {
    if (ops_.empty())
        return false;
    struct Job {
        XnnpackWeights* self;
        int m;
        const float* x;
        float* y;
        std::atomic<bool> failed;
    } job{this, m, x, y, {false}};
    Job* jp = &job;
    // The body captures one pointer, so std::function stores it without allocating.
    global_pool().run(int(ops_.size()), [jp](int begin, int end) {
        for (int sl = begin; sl < end; ++sl) {
            xnn_operator_t op = static_cast<xnn_operator_t>(jp->self->ops_[std::size_t(sl)]);
            float* out = jp->y + jp->self->col_begin_[std::size_t(sl)];
            if (xnn_setup_fully_connected_nc_f32(op, std::size_t(jp->m), jp->x, out, nullptr) != xnn_status_success ||
                xnn_run_operator(op, nullptr) != xnn_status_success)
                jp->failed = true;
        }
    });
    return !job.failed;
}

void xnnpack_drop_cached(const float* b) {
    XnnState& s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    std::size_t kept = 0;
    for (std::size_t i = 0; i < s.cache.size(); ++i) {
        if (b == nullptr || s.cache[i].b == b)
            delete_ops(s.cache[i]);
        else
            s.cache[kept++] = s.cache[i];
    }
    s.cache.resize(kept);
}

void gemm_xnnpack(bool cache_b, bool trans_a, bool trans_b, int m, int n, int k, const float* a, int lda,
                  const float* b, int ldb, float beta, float* c, int ldc) {
    XnnState& s = state();
    if (!cache_b) {
        gemm_simd(trans_a, trans_b, m, n, k, a, lda, b, ldb, beta, c, ldc);
        return;
    }
    if (trans_a || !s.ready || m <= 0 || n <= 0 || k <= 0 || double(m) * n * k < min_madds) {
        gemm_simd_weights(trans_a, trans_b, m, n, k, a, lda, b, ldb, beta, c, ldc);
        return;
    }
    // One slice per thread, but no slice narrower than slice_align columns.
    const int threads = global_pool().threads();
    const int max_slices = n / slice_align > 1 ? n / slice_align : 1;
    const int slices = threads < max_slices ? threads : max_slices;

    std::lock_guard<std::mutex> lock(s.mutex);
    CachedOp* e = find_or_create(s, trans_b, n, k, b, ldb, lda, ldc, slices);
    float* out = c;
    if (beta != 0.0f) {
        s.scratch.resize(std::size_t(m - 1) * ldc + n);
        out = s.scratch.data();
    }
    // The slice body captures one pointer, so std::function stores it without allocating.
    struct SliceJob {
        CachedOp* e;
        int m;
        const float* a;
        float* out;
        std::atomic<bool> failed;
    } job{e, m, a, out, {e == nullptr}};
    if (e) {
        SliceJob* jp = &job;
        global_pool().run(slices, [jp](int begin, int end) {
            for (int sl = begin; sl < end; ++sl) {
                xnn_operator_t op = jp->e->ops[std::size_t(sl)];
                float* out_slice = jp->out + jp->e->col_begin[std::size_t(sl)];
                if (xnn_setup_fully_connected_nc_f32(op, std::size_t(jp->m), jp->a, out_slice, nullptr) !=
                        xnn_status_success ||
                    xnn_run_operator(op, nullptr) != xnn_status_success)
                    jp->failed = true;
            }
        });
    }
    if (job.failed) { // XNNPACK refused (out of memory): the simd path computes the product instead
        gemm_simd_weights(trans_a, trans_b, m, n, k, a, lda, b, ldb, beta, c, ldc);
        return;
    }
    if (beta != 0.0f)
        accumulate_product(m, n, out, beta, c, ldc);
}

} // namespace aer

#else // no XNNPACK in this build: the seam stays, every call goes to simd.

namespace aer {
bool xnnpack_ready() {
    return false;
}
int xnnpack_slices(int) {
    return 1;
}
XnnpackWeights::~XnnpackWeights() = default;
void XnnpackWeights::clear() {}
bool XnnpackWeights::create(bool, int, int, const float*, int, int, int, const float*, bool, int) {
    return false;
}
bool XnnpackWeights::run(int, const float*, float*) {
    return false;
}
void xnnpack_drop_cached(const float*) {}
void gemm_xnnpack(bool cache_b, bool trans_a, bool trans_b, int m, int n, int k, const float* a, int lda,
                  const float* b, int ldb, float beta, float* c, int ldc) {
    if (cache_b)
        gemm_simd_weights(trans_a, trans_b, m, n, k, a, lda, b, ldb, beta, c, ldc);
    else
        gemm_simd(trans_a, trans_b, m, n, k, a, lda, b, ldb, beta, c, ldc);
}
} // namespace aer

#endif
