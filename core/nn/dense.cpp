#include "core/nn/dense.h"

#include "core/nn/gemm_typed.h"
#include "core/nn/initializers.h"

namespace aer {

template <typename T>
Dense<T>::Dense(std::string name, DenseConfig config, Shape in)
    : Layer<T>(std::move(name), in, Shape{in.steps, config.units}), config_(config) {}

template <typename T>
Status Dense<T>::allocate() {
    const int f = this->in_.features, u = config_.units;
    Status s = kernel_.resize(f, u);
    if (s.ok())
        s = bias_.resize(u);
    if (s.ok())
        s = d_kernel_.resize(f, u);
    if (s.ok())
        s = d_bias_.resize(u);
    return s;
}

template <typename T>
void Dense<T>::init_weights(Rng& rng) {
    const int f = this->in_.features, u = config_.units;
    glorot_uniform(rng, f, u, kernel_.data(), f * u);
    bias_.fill(T(0));
}

template <typename T>
std::vector<Param<T>> Dense<T>::params() {
    return {this->make_param("kernel", {this->in_.features, config_.units}, kernel_, &d_kernel_),
            this->make_param("bias", {config_.units}, bias_, &d_bias_)};
}

template <typename T>
Status Dense<T>::reshape_scratch(int batch) {
    const int r = batch * (this->in_.steps > 0 ? this->in_.steps : 1);
    Status s = dz_.resize(r, config_.units);
    if (s.ok() && config_.activation == Activation::softmax)
        s = logits_.resize(r, config_.units);
    return s;
}

template <typename T>
void Dense<T>::forward(const TensorT<T>& in, bool training) {
    const int f = this->in_.features, u = config_.units;
    const int r = int(rows());
    T* y = this->output_.data();
    const bool relu = config_.activation == Activation::relu;
    weight_gemm_bias_typed(fwd_op_, false, r, u, f, in.data(), f, kernel_.data(), u, bias_.data(), relu, y, u);
    if (config_.activation == Activation::softmax) {
        for (std::size_t i = 0; i < logits_.size(); ++i)
            logits_[i] = y[i];
        activation_forward(config_.activation, y, r, u);
    }
}

template <typename T>
void Dense<T>::backward(const TensorT<T>& in, const TensorT<T>& grad_out, bool want_input_grad) {
    activation_backward(config_.activation, this->output_.data(), grad_out.data(), dz_.data(), rows(),
                        config_.units);
    backward_from_logits(in, dz_.data(), want_input_grad);
}

template <typename T>
void Dense<T>::backward_from_logits(const TensorT<T>& in, const T* d_logits, bool want_input_grad) {
    const int f = this->in_.features, u = config_.units;
    const int r = int(rows());
    gemm_typed(true, false, f, u, r, in.data(), f, d_logits, u, T(0), d_kernel_.data(), u);
    for (int j = 0; j < u; ++j)
        d_bias_[j] = T(0);
    for (int i = 0; i < r; ++i)
        for (int j = 0; j < u; ++j)
            d_bias_[j] += d_logits[std::size_t(i) * u + j];
    if (want_input_grad)
        weight_gemm_typed(dx_op_, false, true, r, f, u, d_logits, u, kernel_.data(), u, T(0),
                          this->input_grad_.data(), f);
}

template class Dense<float>;
template class Dense<double>;

} // namespace aer
