#include "core/nn/conv1d.h"

#include "core/nn/gemm_typed.h"
#include "core/nn/initializers.h"

namespace aer {

template <typename T>
Conv1d<T>::Conv1d(std::string name, Conv1dConfig config, Shape in)
    : Layer<T>(std::move(name), in,
               Shape{window_output_length(in.steps, config.kernel_size, config.strides, config.padding),
                     config.filters}),
      config_(config),
      pad_(window_pad_before(in.steps, config.kernel_size, config.strides, config.padding)) {}

template <typename T>
Status Conv1d<T>::allocate() {
    const int k = config_.kernel_size, c = this->in_.features, f = config_.filters;
    Status s = kernel_.resize(k, c, f);
    if (s.ok())
        s = bias_.resize(f);
    if (s.ok())
        s = d_kernel_.resize(k, c, f);
    if (s.ok())
        s = d_bias_.resize(f);
    return s;
}

template <typename T>
void Conv1d<T>::init_weights(Rng& rng) {
    const int k = config_.kernel_size, c = this->in_.features, f = config_.filters;
    glorot_uniform(rng, k * c, k * f, kernel_.data(), k * c * f);
    bias_.fill(T(0));
}

template <typename T>
std::vector<Param<T>> Conv1d<T>::params() {
    const int k = config_.kernel_size, c = this->in_.features, f = config_.filters;
    return {this->make_param("kernel", {k, c, f}, kernel_, &d_kernel_),
            this->make_param("bias", {f}, bias_, &d_bias_)};
}

template <typename T>
Status Conv1d<T>::reshape_scratch(int batch) {
    const int rows = batch * this->out_.steps, width = config_.kernel_size * this->in_.features;
    Status s = cols_.resize(rows, width);
    if (s.ok())
        s = dz_.resize(rows, config_.filters);
    if (s.ok())
        s = dcols_.resize(rows, width);
    return s;
}

template <typename T>
void Conv1d<T>::forward(const TensorT<T>& in, bool training) {
    const int batch = this->batch_, len = this->in_.steps, c = this->in_.features;
    const int out_len = this->out_.steps, k = config_.kernel_size, f = config_.filters;
    const int width = k * c, rows = batch * out_len;
    for (int b = 0; b < batch; ++b)
        for (int o = 0; o < out_len; ++o) {
            T* row = cols_.data() + (std::size_t(b) * out_len + o) * width;
            for (int j = 0; j < k; ++j) {
                int pos = o * config_.strides - pad_ + j;
                if (pos < 0 || pos >= len) {
                    for (int ch = 0; ch < c; ++ch)
                        row[j * c + ch] = T(0);
                    continue;
                }
                const T* src = in.data() + (std::size_t(b) * len + pos) * c;
                for (int ch = 0; ch < c; ++ch)
                    row[j * c + ch] = src[ch];
            }
        }
    T* y = this->output_.data();
    const bool relu = config_.activation == Activation::relu;
    weight_gemm_bias_typed(fwd_op_, false, rows, f, width, cols_.data(), width, kernel_.data(), f, bias_.data(), relu,
                           y, f);
    if (!relu)
        activation_forward(config_.activation, y, rows, f);
}

template <typename T>
void Conv1d<T>::backward(const TensorT<T>& in, const TensorT<T>& grad_out, bool want_input_grad) {
    const int batch = this->batch_, len = this->in_.steps, c = this->in_.features;
    const int out_len = this->out_.steps, k = config_.kernel_size, f = config_.filters;
    const int width = k * c, rows = batch * out_len;
    activation_backward(config_.activation, this->output_.data(), grad_out.data(), dz_.data(), rows, f);
    gemm_typed(true, false, width, f, rows, cols_.data(), width, dz_.data(), f, T(0), d_kernel_.data(), f);
    for (int j = 0; j < f; ++j)
        d_bias_[j] = T(0);
    for (int r = 0; r < rows; ++r)
        for (int j = 0; j < f; ++j)
            d_bias_[j] += dz_[std::size_t(r) * f + j];
    if (!want_input_grad)
        return;
    weight_gemm_typed(dx_op_, false, true, rows, width, f, dz_.data(), f, kernel_.data(), f, T(0), dcols_.data(),
                      width);
    // col2im: every patch value adds back to the input step it came from.
    T* dx = this->input_grad_.data();
    this->input_grad_.fill(T(0));
    for (int b = 0; b < batch; ++b)
        for (int o = 0; o < out_len; ++o) {
            const T* row = dcols_.data() + (std::size_t(b) * out_len + o) * width;
            for (int j = 0; j < k; ++j) {
                int pos = o * config_.strides - pad_ + j;
                if (pos < 0 || pos >= len)
                    continue;
                T* dst = dx + (std::size_t(b) * len + pos) * c;
                for (int ch = 0; ch < c; ++ch)
                    dst[ch] += row[j * c + ch];
            }
        }
}

template class Conv1d<float>;
template class Conv1d<double>;

} // namespace aer
