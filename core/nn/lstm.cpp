#include "core/nn/lstm.h"

#include "core/nn/gemm_typed.h"
#include "core/nn/initializers.h"
#include "core/nn/kernels.h"

#include <cmath>
#include <cstdint>
#include <cstring>

namespace aer {

namespace {

// The cell's activations run 5 x batch x units times per step: in float they use a branch-free
// exp (Cephes expf: range reduction x = n ln2 + r, degree-5 polynomial for e^r, 2^n from the
// exponent bits; relative error ~2e-7; NaN and infinite inputs give NaN) that compilers vectorise,
// where libm's expf/tanhf stay scalar. Double (the gradient-check tests) keeps std::exp and std::tanh.
inline float exp_fast(float x) {
    // Clamp with comparisons (they vectorise; std::fmin/fmax are libm calls): NaN -> -87, a finite
    // stand-in that the last line turns back into NaN.
    float xc = x > -87.0f ? x : -87.0f;
    xc = xc < 88.0f ? xc : 88.0f;
    // n = round(xc / ln 2) by the 1.5 * 2^23 trick (|xc / ln 2| < 2^22): plain adds that vectorise
    // under default flags, where std::floor stays a libm call while FP exceptions are honoured.
    const float n = (xc * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
    const float r = xc - n * 0.693359375f + n * 2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    const std::int32_t bits = (std::int32_t(n) + 127) << 23;
    float scale;
    std::memcpy(&scale, &bits, sizeof scale);
    // 0 * x is NaN when x is NaN or infinite: a diverging run stays visible as NaN instead of
    // being clamped into plausible numbers (the trainer stops on it).
    return p * scale + 0.0f * x;
}

template <typename T> T sigmoid(T x) {
    return T(1) / (T(1) + std::exp(-x));
}
template <> float sigmoid(float x) {
    return 1.0f / (1.0f + exp_fast(-x));
}

template <typename T> T tanh_(T x) {
    return std::tanh(x);
}
template <> float tanh_(float x) { // tanh x = 1 - 2 / (e^2x + 1): absolute error ~1e-7
    return 1.0f - 2.0f / (exp_fast(2.0f * x) + 1.0f);
}

/// x[0..n) = sigmoid(x) in place (contiguous, so the float version vectorises).
template <typename T> void sigmoid_inplace(T* __restrict x, int n) {
    for (int j = 0; j < n; ++j)
        x[j] = sigmoid(x[j]);
}

/// x[0..n) = tanh(x) in place.
template <typename T> void tanh_inplace(T* __restrict x, int n) {
    for (int j = 0; j < n; ++j)
        x[j] = tanh_(x[j]);
}

/// One batch row of the cell update, Keras gate order i, f, c, o in z (4u, pre-activations in,
/// activations out): c = f * c_prev + i * g, h = o * tanh(c). Hochreiter & Schmidhuber 1997
/// with the forget gate of Gers et al. 2000.
template <typename T>
void cell_row(int u, T* __restrict z, const T* __restrict c_prev, T* __restrict c_t, T* __restrict tc_t,
              T* __restrict h_t) {
    sigmoid_inplace(z, 2 * u);     // i, f
    tanh_inplace(z + 2 * u, u);    // g
    sigmoid_inplace(z + 3 * u, u); // o
    const T* __restrict i = z;
    const T* __restrict fg = z + u;
    const T* __restrict g = z + 2 * u;
    for (int j = 0; j < u; ++j)
        c_t[j] = fg[j] * c_prev[j] + i[j] * g[j];
    for (int j = 0; j < u; ++j)
        tc_t[j] = tanh_(c_t[j]);
    const T* __restrict o = z + 3 * u;
    for (int j = 0; j < u; ++j)
        h_t[j] = o[j] * tc_t[j];
}

} // namespace

template <typename T>
Lstm<T>::Lstm(std::string name, LstmConfig config, Shape in)
    : Layer<T>(std::move(name), in,
               config.return_sequences ? Shape{in.steps, config.units} : Shape{0, config.units}),
      config_(config) {}

template <typename T> Status Lstm<T>::allocate() {
    const int f = this->in_.features, u = config_.units;
    Status s = kernel_.resize(f, 4 * u);
    if (s.ok())
        s = recurrent_.resize(u, 4 * u);
    if (s.ok())
        s = bias_.resize(4 * u);
    if (s.ok())
        s = d_kernel_.resize(f, 4 * u);
    if (s.ok())
        s = d_recurrent_.resize(u, 4 * u);
    if (s.ok())
        s = d_bias_.resize(4 * u);
    return s;
}

template <typename T> void Lstm<T>::init_weights(Rng& rng) {
    const int f = this->in_.features, u = config_.units;
    glorot_uniform(rng, f, 4 * u, kernel_.data(), f * 4 * u);
    orthogonal(rng, u, 4 * u, recurrent_.data());
    for (int j = 0; j < 4 * u; ++j)
        bias_[j] = (j >= u && j < 2 * u) ? T(1) : T(0);
}

template <typename T> std::vector<Param<T>> Lstm<T>::params() {
    const int f = this->in_.features, u = config_.units;
    return {this->make_param("kernel", {f, 4 * u}, kernel_, &d_kernel_),
            this->make_param("recurrent_kernel", {u, 4 * u}, recurrent_, &d_recurrent_),
            this->make_param("bias", {4 * u}, bias_, &d_bias_)};
}

template <typename T> Status Lstm<T>::reshape_scratch(int batch) {
    const int s = this->in_.steps, f = this->in_.features, u = config_.units;
    const int rows = s * batch;
    Status st = x_tm_.resize(rows, f);
    if (st.ok())
        st = gates_.resize(rows, 4 * u);
    if (st.ok())
        st = h_.resize(rows + batch, u);
    if (st.ok())
        st = c_.resize(rows + batch, u);
    if (st.ok())
        st = tanh_c_.resize(rows, u);
    if (st.ok())
        st = dz_.resize(rows, 4 * u);
    if (st.ok())
        st = dh_.resize(batch, u);
    if (st.ok())
        st = dc_.resize(batch, u);
    if (st.ok())
        st = dx_tm_.resize(rows, f);
    return st;
}

template <typename T> void Lstm<T>::forward(const TensorT<T>& in, bool training) {
    const int batch = this->batch_, steps = this->in_.steps, f = this->in_.features, u = config_.units;
    const int g4 = 4 * u;
    // Batch-major input (b, t) -> time-major rows t*batch + b.
    for (int b = 0; b < batch; ++b)
        for (int t = 0; t < steps; ++t) {
            const T* src = in.data() + (std::size_t(b) * steps + t) * f;
            T* dst = x_tm_.data() + (std::size_t(t) * batch + b) * f;
            for (int k = 0; k < f; ++k)
                dst[k] = src[k];
        }
    // Input projection of every step at once, plus the bias.
    T* z = gates_.data();
    weight_gemm_bias_typed(in_op_, false, steps * batch, g4, f, x_tm_.data(), f, kernel_.data(), g4, bias_.data(),
                           false, z, g4);

    for (int b = 0; b < batch * u; ++b) {
        h_[b] = T(0);
        c_[b] = T(0);
    }
    for (int t = 0; t < steps; ++t) {
        T* zt = z + std::size_t(t) * batch * g4;
        const T* h_prev = h_.data() + std::size_t(t) * batch * u;
        const T* c_prev = c_.data() + std::size_t(t) * batch * u;
        T* h_t = h_.data() + std::size_t(t + 1) * batch * u;
        T* c_t = c_.data() + std::size_t(t + 1) * batch * u;
        T* tc_t = tanh_c_.data() + std::size_t(t) * batch * u;
        weight_gemm_typed(rec_op_, false, false, batch, g4, u, h_prev, u, recurrent_.data(), g4, T(1), zt, g4);
        // Rows are independent: split them across the pool (each row's arithmetic is the same
        // whatever the split, so results do not depend on the thread count).
        parallel_for(batch, [&](int b0, int b1) {
            for (int b = b0; b < b1; ++b) {
                const std::size_t k = std::size_t(b) * u;
                cell_row(u, zt + std::size_t(b) * g4, c_prev + k, c_t + k, tc_t + k, h_t + k);
            }
        });
    }
    // Output, batch-major.
    T* out = this->output_.data();
    if (config_.return_sequences) {
        for (int b = 0; b < batch; ++b)
            for (int t = 0; t < steps; ++t) {
                const T* src = h_.data() + (std::size_t(t + 1) * batch + b) * u;
                T* dst = out + (std::size_t(b) * steps + t) * u;
                for (int j = 0; j < u; ++j)
                    dst[j] = src[j];
            }
    } else {
        const T* last = h_.data() + std::size_t(steps) * batch * u;
        for (int k = 0; k < batch * u; ++k)
            out[k] = last[k];
    }
}

template <typename T>
void Lstm<T>::backward(const TensorT<T>& in, const TensorT<T>& grad_out, bool want_input_grad) {
    const int batch = this->batch_, steps = this->in_.steps, f = this->in_.features, u = config_.units;
    const int g4 = 4 * u;
    dh_.fill(T(0));
    dc_.fill(T(0));
    for (int t = steps - 1; t >= 0; --t) {
        const T* zt = gates_.data() + std::size_t(t) * batch * g4;
        const T* c_prev = c_.data() + std::size_t(t) * batch * u;
        const T* tc_t = tanh_c_.data() + std::size_t(t) * batch * u;
        T* dzt = dz_.data() + std::size_t(t) * batch * g4;
        parallel_for(batch, [&](int b0, int b1) {
            for (int b = b0; b < b1; ++b) {
                const T* go = nullptr; // dL/dh_t from the output, if any
                if (config_.return_sequences)
                    go = grad_out.data() + (std::size_t(b) * steps + t) * u;
                else if (t == steps - 1)
                    go = grad_out.data() + std::size_t(b) * u;
                const T* zr = zt + std::size_t(b) * g4;
                T* dzr = dzt + std::size_t(b) * g4;
                for (int j = 0; j < u; ++j) {
                    std::size_t k = std::size_t(b) * u + j;
                    T dh = dh_[k] + (go ? go[j] : T(0));
                    T i = zr[j], fg = zr[u + j], g = zr[2 * u + j], o = zr[3 * u + j];
                    T tc = tc_t[k];
                    T dc = dc_[k] + dh * o * (T(1) - tc * tc);
                    dzr[j] = dc * g * i * (T(1) - i);
                    dzr[u + j] = dc * c_prev[k] * fg * (T(1) - fg);
                    dzr[2 * u + j] = dc * i * (T(1) - g * g);
                    dzr[3 * u + j] = dh * tc * o * (T(1) - o);
                    dc_[k] = dc * fg;
                }
            }
        });
        // dL/dh_{t-1} through the recurrent kernel: dz_t R^T.
        if (t > 0)
            weight_gemm_typed(rec_dx_op_, false, true, batch, u, g4, dzt, g4, recurrent_.data(), g4, T(0),
                              dh_.data(), u);
    }
    const int rows = steps * batch;
    gemm_typed(true, false, f, g4, rows, x_tm_.data(), f, dz_.data(), g4, T(0), d_kernel_.data(), g4);
    // h_ blocks 0..steps-1 are h_{t-1} for t = 0..steps-1, in the same row order as dz_.
    gemm_typed(true, false, u, g4, rows, h_.data(), u, dz_.data(), g4, T(0), d_recurrent_.data(), g4);
    for (int j = 0; j < g4; ++j)
        d_bias_[j] = T(0);
    for (int r = 0; r < rows; ++r)
        for (int j = 0; j < g4; ++j)
            d_bias_[j] += dz_[std::size_t(r) * g4 + j];
    if (!want_input_grad)
        return;
    weight_gemm_typed(in_dx_op_, false, true, rows, f, g4, dz_.data(), g4, kernel_.data(), g4, T(0), dx_tm_.data(),
                      f);
    T* dx = this->input_grad_.data();
    for (int b = 0; b < batch; ++b)
        for (int t = 0; t < steps; ++t) {
            const T* src = dx_tm_.data() + (std::size_t(t) * batch + b) * f;
            T* dst = dx + (std::size_t(b) * steps + t) * f;
            for (int k = 0; k < f; ++k)
                dst[k] = src[k];
        }
}

template class Lstm<float>;
template class Lstm<double>;

} // namespace aer
