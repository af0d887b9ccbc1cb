// aer/nn/lstm: the Keras LSTM layer (tf.keras 2.x defaults), forward and full backpropagation
// through time.
//
// Math (Hochreiter & Schmidhuber 1997, with forget gate, Gers et al. 2000; Keras' gate order
// i, f, c, o): z_t = x_t W + h_{t-1} R + b split in four blocks of `units`;
//   i = sigmoid(z_i), f = sigmoid(z_f), g = tanh(z_c), o = sigmoid(z_o)
//   c_t = f * c_{t-1} + i * g,  h_t = o * tanh(c_t),  h_{-1} = c_{-1} = 0.
// Weights (Keras shapes): kernel W (features, 4u), recurrent_kernel R (u, 4u), bias b (4u).
// Initialisers: glorot_uniform W, orthogonal R, zero b with ones on the f block (unit_forget_bias).
// Input (batch, steps, features); output (batch, steps, u) with return_sequences, else
// (batch, u) = the last h.
//
// Efficiency: the input projection of all steps is one gemm (steps*batch x features) x
// (features x 4u); each step then does only the recurrent gemm (batch x u) x (u x 4u). Backward
// gathers the weight gradients of all steps in single gemms (dW = X^T dZ, dR = H_prev^T dZ).
// Internally the buffers are time-major (row t*batch + b) so that each step is a contiguous block.
#pragma once

#include "core/nn/kernels.h"
#include "core/nn/layer.h"

namespace aer {

struct LstmConfig {
    int units = 0;
    bool return_sequences = false;
};

template <typename T>
class Lstm : public Layer<T> {
  public:
    /// `in` must be a sequence (steps >= 1).
    Lstm(std::string name, LstmConfig config, Shape in);
    const char* type() const override { return "lstm"; }
    const LstmConfig& config() const { return config_; }

    Status allocate() override;
    void init_weights(Rng& rng) override;
    std::vector<Param<T>> params() override;
    void forward(const TensorT<T>& in, bool training) override;
    void backward(const TensorT<T>& in, const TensorT<T>& grad_out, bool want_input_grad) override;

  private:
    Status reshape_scratch(int batch) override;

    LstmConfig config_;
    TensorT<T> kernel_, recurrent_, bias_;
    TensorT<T> d_kernel_, d_recurrent_, d_bias_;
    // Scratch, time-major.
    TensorT<T> x_tm_;   // steps*batch x features: the input
    TensorT<T> gates_;  // steps*batch x 4u: activated i, f, g, o
    TensorT<T> h_;      // (steps+1)*batch x u: block 0 is h_{-1} = 0, block t+1 is h_t
    TensorT<T> c_;      // (steps+1)*batch x u: likewise for c
    TensorT<T> tanh_c_; // steps*batch x u
    TensorT<T> dz_;     // steps*batch x 4u: dL/dz
    TensorT<T> dh_;     // batch x u: dL/dh_{t} flowing back through R
    TensorT<T> dc_;     // batch x u: dL/dc_{t} flowing back through f
    TensorT<T> dx_tm_;  // steps*batch x features
    // The products with the weights, each packed per weights version (kernels.h WeightGemm).
    WeightGemm in_op_;      // x W + b: every step's input projection at once
    WeightGemm rec_op_;     // z_t += h_{t-1} R
    WeightGemm rec_dx_op_;  // dz_t R^T
    WeightGemm in_dx_op_;   // dz W^T
};

} // namespace aer
