// aer/nn/dense: the Keras Dense layer: y = activation(x W + b), on the last axis.
//
// Weights (Keras shapes): kernel W (features, units), bias b (units); glorot_uniform W, zero b.
// Input (batch, features) -> (batch, units), or a sequence (batch, steps, features) ->
// (batch, steps, units) applied to every step, as Keras does for 3-D inputs.
// With softmax the pre-activation (the logits) is kept, so that a model can train through the
// fused softmax cross-entropy (core/nn/loss.h): backward_from_logits() takes dL/dlogits directly.
// The products with W run through WeightGemms the layer owns (kernels.h): the forward one adds
// the bias and applies relu (inside XNNPACK's operator under the xnnpack backend).
#pragma once

#include "core/nn/kernels.h"
#include "core/nn/layer.h"

namespace aer {

struct DenseConfig {
    int units = 0;
    Activation activation = Activation::linear;
};

template <typename T>
class Dense : public Layer<T> {
  public:
    Dense(std::string name, DenseConfig config, Shape in);
    const char* type() const override { return "dense"; }
    const DenseConfig& config() const { return config_; }

    Status allocate() override;
    void init_weights(Rng& rng) override;
    std::vector<Param<T>> params() override;
    void forward(const TensorT<T>& in, bool training) override;
    void backward(const TensorT<T>& in, const TensorT<T>& grad_out, bool want_input_grad) override;

    /// The pre-activation x W + b of the last forward() (softmax only; empty otherwise).
    const TensorT<T>& logits() const { return logits_; }
    /// backward() given d_logits = dL/d(x W + b) (same shape as the output) instead of dL/dy.
    void backward_from_logits(const TensorT<T>& in, const T* d_logits, bool want_input_grad);

  private:
    Status reshape_scratch(int batch) override;
    long long rows() const { return (long long)this->batch_ * (this->in_.steps > 0 ? this->in_.steps : 1); }

    DenseConfig config_;
    TensorT<T> kernel_, bias_, d_kernel_, d_bias_;
    TensorT<T> dz_;     // rows x units: dL/d pre-activation
    TensorT<T> logits_; // rows x units, softmax only
    WeightGemm fwd_op_; // x W + b (relu fused): the kernel packed per weights version
    WeightGemm dx_op_;  // dz W^T
};

} // namespace aer
