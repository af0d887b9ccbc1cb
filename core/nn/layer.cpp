#include "core/nn/layer.h"

#include <cmath>

namespace aer {

const char* activation_name(Activation a) {
    switch (a) {
    case Activation::linear: return "linear";
    case Activation::relu: return "relu";
    case Activation::softmax: return "softmax";
    }
    return "?";
}

bool parse_activation(const std::string& name, Activation& out) {
    if (name == "linear")
        out = Activation::linear;
    else if (name == "relu")
        out = Activation::relu;
    else if (name == "softmax")
        out = Activation::softmax;
    else
        return false;
    return true;
}

int window_output_length(int length, int size, int stride, Padding padding) {
    if (padding == Padding::same)
        return (length + stride - 1) / stride;
    return length < size ? 0 : (length - size) / stride + 1;
}

int window_pad_before(int length, int size, int stride, Padding padding) {
    if (padding == Padding::valid)
        return 0;
    int out = window_output_length(length, size, stride, padding);
    int total = (out - 1) * stride + size - length;
    return total > 0 ? total / 2 : 0;
}

template <typename T>
void activation_forward(Activation a, T* x, long long rows, int n) {
    if (a == Activation::relu) {
        for (long long i = 0; i < rows * n; ++i)
            x[i] = x[i] > T(0) ? x[i] : T(0);
    } else if (a == Activation::softmax) {
        for (long long r = 0; r < rows; ++r) {
            T* row = x + r * n;
            T mx = row[0];
            for (int j = 1; j < n; ++j)
                mx = row[j] > mx ? row[j] : mx;
            T sum = 0;
            for (int j = 0; j < n; ++j) {
                row[j] = std::exp(row[j] - mx);
                sum += row[j];
            }
            for (int j = 0; j < n; ++j)
                row[j] /= sum;
        }
    }
}

template <typename T>
void activation_backward(Activation a, const T* y, const T* dy, T* dz, long long rows, int n) {
    if (a == Activation::linear) {
        for (long long i = 0; i < rows * n; ++i)
            dz[i] = dy[i];
    } else if (a == Activation::relu) {
        for (long long i = 0; i < rows * n; ++i)
            dz[i] = y[i] > T(0) ? dy[i] : T(0);
    } else {
        for (long long r = 0; r < rows; ++r) {
            const T* yr = y + r * n;
            const T* dyr = dy + r * n;
            T dot = 0;
            for (int j = 0; j < n; ++j)
                dot += dyr[j] * yr[j];
            for (int j = 0; j < n; ++j)
                dz[r * n + j] = yr[j] * (dyr[j] - dot);
        }
    }
}

template <typename T>
Status Layer<T>::reshape(int batch) {
    if (batch < 1)
        return Status::error(name_ + ": batch must be at least 1");
    batch_ = 0;
    Status s = resize_for(output_, batch, out_);
    if (s.ok())
        s = resize_for(input_grad_, batch, in_);
    if (s.ok())
        s = reshape_scratch(batch);
    if (!s.ok())
        return Status::error(name_ + ": " + s.message);
    batch_ = batch;
    return Status{};
}

template <typename T>
Status Layer<T>::resize_for(TensorT<T>& t, int batch, Shape s) {
    return s.is_sequence() ? t.resize(batch, s.steps, s.features) : t.resize(batch, s.features);
}

template <typename T>
Param<T> Layer<T>::make_param(const char* weight, std::vector<int> shape, TensorT<T>& value, TensorT<T>* grad) {
    Param<T> p;
    p.name = name_ + "/" + weight;
    p.shape = std::move(shape);
    p.value = value.data();
    p.grad = grad ? grad->data() : nullptr;
    p.size = value.size();
    return p;
}

template void activation_forward<float>(Activation, float*, long long, int);
template void activation_forward<double>(Activation, double*, long long, int);
template void activation_backward<float>(Activation, const float*, const float*, float*, long long, int);
template void activation_backward<double>(Activation, const double*, const double*, double*, long long, int);
template class Layer<float>;
template class Layer<double>;

} // namespace aer
