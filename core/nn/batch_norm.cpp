#include "core/nn/batch_norm.h"

#include <cmath>

namespace aer {

template <typename T>
BatchNorm<T>::BatchNorm(std::string name, BatchNormConfig config, Shape in)
    : Layer<T>(std::move(name), in, in), config_(config) {}

template <typename T>
Status BatchNorm<T>::allocate() {
    const int c = this->in_.features;
    TensorT<T>* all[] = {&gamma_, &beta_, &moving_mean_, &moving_var_, &d_gamma_, &d_beta_, &inv_std_};
    for (TensorT<T>* t : all) {
        Status s = t->resize(c);
        if (!s.ok())
            return s;
    }
    gamma_.fill(T(1));
    moving_var_.fill(T(1));
    return Status{};
}

template <typename T>
void BatchNorm<T>::init_weights(Rng&) {
    gamma_.fill(T(1));
    beta_.fill(T(0));
    moving_mean_.fill(T(0));
    moving_var_.fill(T(1));
}

template <typename T>
std::vector<Param<T>> BatchNorm<T>::params() {
    const int c = this->in_.features;
    return {this->make_param("gamma", {c}, gamma_, &d_gamma_), this->make_param("beta", {c}, beta_, &d_beta_),
            this->make_param("moving_mean", {c}, moving_mean_, nullptr),
            this->make_param("moving_variance", {c}, moving_var_, nullptr)};
}

template <typename T>
Status BatchNorm<T>::reshape_scratch(int batch) {
    return x_hat_.resize(batch * (this->in_.steps > 0 ? this->in_.steps : 1), this->in_.features);
}

template <typename T>
void BatchNorm<T>::forward(const TensorT<T>& in, bool training) {
    const int c = this->in_.features;
    const std::size_t rows = x_hat_.dim(0);
    const T* x = in.data();
    T* y = this->output_.data();
    const T eps = T(config_.epsilon);
    last_training_ = training;
    if (training) {
        const T momentum = T(config_.momentum);
        for (int j = 0; j < c; ++j) {
            T mean = 0;
            for (std::size_t r = 0; r < rows; ++r)
                mean += x[r * c + j];
            mean /= T(rows);
            T var = 0;
            for (std::size_t r = 0; r < rows; ++r) {
                T d = x[r * c + j] - mean;
                var += d * d;
            }
            var /= T(rows);
            inv_std_[j] = T(1) / std::sqrt(var + eps);
            moving_mean_[j] = moving_mean_[j] * momentum + mean * (T(1) - momentum);
            moving_var_[j] = moving_var_[j] * momentum + var * (T(1) - momentum);
            for (std::size_t r = 0; r < rows; ++r)
                x_hat_[r * c + j] = (x[r * c + j] - mean) * inv_std_[j];
        }
    } else {
        for (int j = 0; j < c; ++j)
            inv_std_[j] = T(1) / std::sqrt(moving_var_[j] + eps);
        for (std::size_t r = 0; r < rows; ++r)
            for (int j = 0; j < c; ++j)
                x_hat_[r * c + j] = (x[r * c + j] - moving_mean_[j]) * inv_std_[j];
    }
    for (std::size_t r = 0; r < rows; ++r)
        for (int j = 0; j < c; ++j)
            y[r * c + j] = gamma_[j] * x_hat_[r * c + j] + beta_[j];
}

template <typename T>
void BatchNorm<T>::backward(const TensorT<T>& in, const TensorT<T>& grad_out, bool want_input_grad) {
    const int c = this->in_.features;
    const std::size_t rows = x_hat_.dim(0);
    const T* dy = grad_out.data();
    T* dx = this->input_grad_.data();
    for (int j = 0; j < c; ++j) {
        T sum_dy = 0, sum_dy_xhat = 0;
        for (std::size_t r = 0; r < rows; ++r) {
            sum_dy += dy[r * c + j];
            sum_dy_xhat += dy[r * c + j] * x_hat_[r * c + j];
        }
        d_gamma_[j] = sum_dy_xhat;
        d_beta_[j] = sum_dy;
        if (!want_input_grad)
            continue;
        const T scale = gamma_[j] * inv_std_[j];
        if (last_training_) {
            // dx = gamma / (N sigma) * (N dy - sum(dy) - x_hat * sum(dy x_hat))
            const T n = T(rows);
            for (std::size_t r = 0; r < rows; ++r)
                dx[r * c + j] = scale / n * (n * dy[r * c + j] - sum_dy - x_hat_[r * c + j] * sum_dy_xhat);
        } else {
            for (std::size_t r = 0; r < rows; ++r)
                dx[r * c + j] = scale * dy[r * c + j];
        }
    }
}

template class BatchNorm<float>;
template class BatchNorm<double>;

} // namespace aer
