// aer/nn/layers: the small layers without weights: Dropout, Flatten, MaxPooling1D and
// GlobalAveragePooling1D, with Keras semantics.
//
// - Dropout (Srivastava et al. 2014, inverted): in training each value is kept with probability
//   1 - rate and scaled by 1 / (1 - rate); at inference it is the identity. The mask comes from
//   the layer's own seeded Rng, so training is deterministic for a seed.
// - Flatten: (batch, steps, features) -> (batch, steps * features), row-major as Keras.
// - MaxPooling1D: windows of pool_size moved by strides (Keras default: strides = pool_size),
//   valid or same padding (padded positions never win); the gradient goes to the arg-max (the
//   first one on ties).
// - GlobalAveragePooling1D: (batch, steps, features) -> (batch, features), the mean over steps.
#pragma once

#include "core/nn/layer.h"

#include <cstdint>
#include <vector>

namespace aer {

template <typename T>
class Dropout : public Layer<T> {
  public:
    /// rate in [0, 1); `seed` starts the mask stream.
    Dropout(std::string name, double rate, std::uint64_t seed, Shape in);
    const char* type() const override { return "dropout"; }
    double rate() const { return rate_; }
    /// Restarts the mask stream (tests use it to replay one mask).
    void reseed(std::uint64_t seed) { rng_.seed_with(seed); }
    Rng* random_stream() override { return &rng_; }

    void forward(const TensorT<T>& in, bool training) override;
    void backward(const TensorT<T>& in, const TensorT<T>& grad_out, bool want_input_grad) override;

  private:
    Status reshape_scratch(int batch) override;

    double rate_;
    Rng rng_;
    TensorT<T> mask_; // 0 or 1 / (1 - rate) per value
    bool last_training_ = false;
};

template <typename T>
class Flatten : public Layer<T> {
  public:
    Flatten(std::string name, Shape in);
    const char* type() const override { return "flatten"; }
    void forward(const TensorT<T>& in, bool training) override;
    void backward(const TensorT<T>& in, const TensorT<T>& grad_out, bool want_input_grad) override;
};

struct MaxPool1dConfig {
    int pool_size = 2;
    int strides = 2;
    Padding padding = Padding::valid;
};

template <typename T>
class MaxPool1d : public Layer<T> {
  public:
    /// `in` must be a sequence whose output length is at least 1.
    MaxPool1d(std::string name, MaxPool1dConfig config, Shape in);
    const char* type() const override { return "max_pooling1d"; }
    const MaxPool1dConfig& config() const { return config_; }
    void forward(const TensorT<T>& in, bool training) override;
    void backward(const TensorT<T>& in, const TensorT<T>& grad_out, bool want_input_grad) override;

  private:
    Status reshape_scratch(int batch) override;

    MaxPool1dConfig config_;
    int pad_ = 0;
    std::vector<int> argmax_; // per output value: the input step that won
};

template <typename T>
class GlobalAvgPool1d : public Layer<T> {
  public:
    /// `in` must be a sequence.
    GlobalAvgPool1d(std::string name, Shape in);
    const char* type() const override { return "global_average_pooling1d"; }
    void forward(const TensorT<T>& in, bool training) override;
    void backward(const TensorT<T>& in, const TensorT<T>& grad_out, bool want_input_grad) override;
};

} // namespace aer
