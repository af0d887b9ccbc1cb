// aer/nn/conv1d: the Keras Conv1D layer (channels last): y[o] = activation(b + sum_j x[o*s - p + j] W[j]).
//
// Weights (Keras shapes): kernel W (kernel_size, in_channels, filters), bias b (filters);
// glorot_uniform W (fan_in = kernel_size * in, fan_out = kernel_size * filters), zero b.
// Input (batch, steps, in) -> (batch, out_steps, filters), out_steps by window_output_length()
// (padding valid or same, TensorFlow's split of odd padding: the extra zero goes after).
// Computed as im2col + one gemm: rows (b, o) of the patch matrix hold kernel_size * in values, so
// W read row-major is exactly the (kernel_size * in) x filters matrix.
#pragma once

#include "core/nn/kernels.h"
#include "core/nn/layer.h"

namespace aer {

struct Conv1dConfig {
    int filters = 0;
    int kernel_size = 0;
    int strides = 1;
    Padding padding = Padding::valid;
    Activation activation = Activation::linear;
};

template <typename T>
class Conv1d : public Layer<T> {
  public:
    /// `in` must be a sequence whose output length is at least 1.
    Conv1d(std::string name, Conv1dConfig config, Shape in);
    const char* type() const override { return "conv1d"; }
    const Conv1dConfig& config() const { return config_; }

    Status allocate() override;
    void init_weights(Rng& rng) override;
    std::vector<Param<T>> params() override;
    void forward(const TensorT<T>& in, bool training) override;
    void backward(const TensorT<T>& in, const TensorT<T>& grad_out, bool want_input_grad) override;

  private:
    Status reshape_scratch(int batch) override;

    Conv1dConfig config_;
    int pad_ = 0;
    TensorT<T> kernel_, bias_, d_kernel_, d_bias_;
    TensorT<T> cols_;  // batch*out_steps x kernel_size*in: the patches
    TensorT<T> dz_;    // batch*out_steps x filters
    TensorT<T> dcols_; // like cols_
    WeightGemm fwd_op_; // patches x kernel + bias (relu fused), packed per weights version
    WeightGemm dx_op_;  // dz kernel^T
};

} // namespace aer
