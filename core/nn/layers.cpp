#include "core/nn/layers.h"

#include <new>

namespace aer {

// ---- Dropout ----------------------------------------------------------------------------------

template <typename T>
Dropout<T>::Dropout(std::string name, double rate, std::uint64_t seed, Shape in)
    : Layer<T>(std::move(name), in, in), rate_(rate), rng_(seed) {}

template <typename T>
Status Dropout<T>::reshape_scratch(int batch) {
    Shape s = this->in_;
    return s.is_sequence() ? mask_.resize(batch, s.steps, s.features) : mask_.resize(batch, s.features);
}

template <typename T>
void Dropout<T>::forward(const TensorT<T>& in, bool training) {
    last_training_ = training && rate_ > 0.0;
    const std::size_t n = in.size();
    T* y = this->output_.data();
    if (!last_training_) {
        for (std::size_t i = 0; i < n; ++i)
            y[i] = in[i];
        return;
    }
    const T scale = T(1.0 / (1.0 - rate_));
    for (std::size_t i = 0; i < n; ++i) {
        mask_[i] = rng_.uniform() >= rate_ ? scale : T(0);
        y[i] = in[i] * mask_[i];
    }
}

template <typename T>
void Dropout<T>::backward(const TensorT<T>& in, const TensorT<T>& grad_out, bool want_input_grad) {
    if (!want_input_grad)
        return;
    T* dx = this->input_grad_.data();
    for (std::size_t i = 0; i < grad_out.size(); ++i)
        dx[i] = last_training_ ? grad_out[i] * mask_[i] : grad_out[i];
}

// ---- Flatten ----------------------------------------------------------------------------------

template <typename T>
Flatten<T>::Flatten(std::string name, Shape in) : Layer<T>(std::move(name), in, Shape{0, int(in.size())}) {}

template <typename T>
void Flatten<T>::forward(const TensorT<T>& in, bool training) {
    T* y = this->output_.data();
    for (std::size_t i = 0; i < in.size(); ++i)
        y[i] = in[i];
}

template <typename T>
void Flatten<T>::backward(const TensorT<T>& in, const TensorT<T>& grad_out, bool want_input_grad) {
    if (!want_input_grad)
        return;
    T* dx = this->input_grad_.data();
    for (std::size_t i = 0; i < grad_out.size(); ++i)
        dx[i] = grad_out[i];
}

// ---- MaxPooling1D -----------------------------------------------------------------------------

template <typename T>
MaxPool1d<T>::MaxPool1d(std::string name, MaxPool1dConfig config, Shape in)
    : Layer<T>(std::move(name), in,
               Shape{window_output_length(in.steps, config.pool_size, config.strides, config.padding),
                     in.features}),
      config_(config), pad_(window_pad_before(in.steps, config.pool_size, config.strides, config.padding)) {}

template <typename T>
Status MaxPool1d<T>::reshape_scratch(int batch) {
    try {
        argmax_.assign(std::size_t(batch) * this->out_.steps * this->out_.features, 0);
    } catch (const std::bad_alloc&) {
        return Status::error("out of memory");
    }
    return Status{};
}

template <typename T>
void MaxPool1d<T>::forward(const TensorT<T>& in, bool training) {
    const int batch = this->batch_, len = this->in_.steps, c = this->in_.features;
    const int out_len = this->out_.steps;
    T* y = this->output_.data();
    for (int b = 0; b < batch; ++b)
        for (int o = 0; o < out_len; ++o) {
            int start = o * config_.strides - pad_;
            int first = start < 0 ? 0 : start;
            int last = start + config_.pool_size < len ? start + config_.pool_size : len; // exclusive
            for (int ch = 0; ch < c; ++ch) {
                int best = first;
                T best_v = in[(std::size_t(b) * len + first) * c + ch];
                for (int p = first + 1; p < last; ++p) {
                    T v = in[(std::size_t(b) * len + p) * c + ch];
                    if (v > best_v) {
                        best_v = v;
                        best = p;
                    }
                }
                std::size_t k = (std::size_t(b) * out_len + o) * c + ch;
                y[k] = best_v;
                argmax_[k] = best;
            }
        }
}

template <typename T>
void MaxPool1d<T>::backward(const TensorT<T>& in, const TensorT<T>& grad_out, bool want_input_grad) {
    if (!want_input_grad)
        return;
    const int batch = this->batch_, len = this->in_.steps, c = this->in_.features;
    const int out_len = this->out_.steps;
    T* dx = this->input_grad_.data();
    this->input_grad_.fill(T(0));
    for (int b = 0; b < batch; ++b)
        for (int o = 0; o < out_len; ++o)
            for (int ch = 0; ch < c; ++ch) {
                std::size_t k = (std::size_t(b) * out_len + o) * c + ch;
                dx[(std::size_t(b) * len + argmax_[k]) * c + ch] += grad_out[k];
            }
}

// ---- GlobalAveragePooling1D -------------------------------------------------------------------

template <typename T>
GlobalAvgPool1d<T>::GlobalAvgPool1d(std::string name, Shape in)
    : Layer<T>(std::move(name), in, Shape{0, in.features}) {}

template <typename T>
void GlobalAvgPool1d<T>::forward(const TensorT<T>& in, bool training) {
    const int batch = this->batch_, len = this->in_.steps, c = this->in_.features;
    T* y = this->output_.data();
    for (int b = 0; b < batch; ++b)
        for (int ch = 0; ch < c; ++ch) {
            T sum = 0;
            for (int t = 0; t < len; ++t)
                sum += in[(std::size_t(b) * len + t) * c + ch];
            y[std::size_t(b) * c + ch] = sum / T(len);
        }
}

template <typename T>
void GlobalAvgPool1d<T>::backward(const TensorT<T>& in, const TensorT<T>& grad_out, bool want_input_grad) {
    if (!want_input_grad)
        return;
    const int batch = this->batch_, len = this->in_.steps, c = this->in_.features;
    T* dx = this->input_grad_.data();
    for (int b = 0; b < batch; ++b)
        for (int t = 0; t < len; ++t)
            for (int ch = 0; ch < c; ++ch)
                dx[(std::size_t(b) * len + t) * c + ch] = grad_out[std::size_t(b) * c + ch] / T(len);
}

template class Dropout<float>;
template class Dropout<double>;
template class Flatten<float>;
template class Flatten<double>;
template class MaxPool1d<float>;
template class MaxPool1d<double>;
template class GlobalAvgPool1d<float>;
template class GlobalAvgPool1d<double>;

} // namespace aer
