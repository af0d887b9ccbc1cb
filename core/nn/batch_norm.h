// aer/nn/batch_norm: the Keras BatchNormalization layer (axis -1, tf.keras 2.x defaults
// momentum 0.99, epsilon 1e-3, center and scale on), Ioffe & Szegedy (2015).
//
// Training: per feature (the last axis), mean and biased variance over every other axis
// (batch and steps); y = gamma * (x - mean) / sqrt(var + eps) + beta; then
// moving = moving * momentum + batch statistic * (1 - momentum) (Keras' non-fused path, used for
// 2-D and 3-D inputs, which takes the biased variance too).
// Inference: the same with moving_mean / moving_variance.
// Weights (Keras order): gamma (1), beta (0), moving_mean (0), moving_variance (1), each
// (features); the moving statistics are non-trainable parameters (grad == nullptr).
// Backward in training mode goes through the batch statistics (the full formula).
#pragma once

#include "core/nn/layer.h"

namespace aer {

struct BatchNormConfig {
    double momentum = 0.99;
    double epsilon = 1e-3;
};

template <typename T>
class BatchNorm : public Layer<T> {
  public:
    BatchNorm(std::string name, BatchNormConfig config, Shape in);
    const char* type() const override { return "batch_normalization"; }
    const BatchNormConfig& config() const { return config_; }

    Status allocate() override;
    void init_weights(Rng& rng) override;
    std::vector<Param<T>> params() override;
    void forward(const TensorT<T>& in, bool training) override;
    void backward(const TensorT<T>& in, const TensorT<T>& grad_out, bool want_input_grad) override;

  private:
    Status reshape_scratch(int batch) override;

    BatchNormConfig config_;
    TensorT<T> gamma_, beta_, moving_mean_, moving_var_, d_gamma_, d_beta_;
    TensorT<T> x_hat_;   // rows x features: the normalised input of the last forward
    TensorT<T> inv_std_; // features: 1 / sqrt(var + eps) used by the last forward
    bool last_training_ = false;
};

} // namespace aer
