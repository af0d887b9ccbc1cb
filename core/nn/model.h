// aer/nn/model: a sequential network described by a JSON architecture, with its training step.
//
// Architecture JSON (every field checked by build(); unknown keys are refused):
//   {"input": {"steps": S, "features": F},
//    "orientation": "coefficients_as_steps" | "frames_as_steps",   (optional, default the first)
//    "layers": [{"type": "lstm", "units": 256, "return_sequences": false}, ...]}
// Layer types and fields (defaults in brackets; Keras names and semantics):
//   lstm {units, return_sequences [false]}          dense {units, activation [linear]: linear|relu|softmax}
//   dropout {rate in [0, 1)}                        flatten {}
//   conv1d {filters, kernel_size, strides [1], padding [valid]: valid|same, activation [linear]}
//   max_pooling1d {pool_size [2], strides [pool_size], padding [valid]}
//   batch_normalization {momentum [0.99], epsilon [0.001]}    global_average_pooling1d {}
// The last layer must be dense with softmax on a non-sequence: the model outputs class
// probabilities (batch x classes) and trains through the fused softmax cross-entropy.
//
// Contract (phases as the layers, core/nn/layer.h): build() validates and allocates the
// parameters (at most kMaxParameters values), reshape(batch) allocates every activation,
// forward()/backward() run without allocating. Parameter names are "<type>_<layer index>/<weight>",
// e.g. "lstm_0/kernel". Training is deterministic for a seed (weights and dropout masks come from
// Rng streams derived from it) and a kernel backend/thread count (see kernels.h).
// Kernels: each model runs on its own backend (set_backend(); until set, the process default of
// kernels.h) and its layers keep their weights packed for it, packed again only after this
// model's after_update() (a training step of one model leaves every other model's packed weights).
// Input: (batch, S, F) row-major; arrange_input() makes it from MFCC features.
#pragma once

#include "core/nn/kernels.h"
#include "core/nn/layer.h"
#include "core/nn/optimizer.h"
#include "core/status.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace aer {

/// Cap on a model's parameter values (weights + BN statistics): 64M floats = 256 MB.
constexpr long long kMaxParameters = 64LL << 20;

/// How the [n_mfcc][frames] features become (steps, features): the paper feeds the 32
/// coefficients as 32 steps of 256 frame values (coefficients_as_steps); frames_as_steps is the
/// transpose, 256 steps of 32 coefficients.
enum class Orientation { coefficients_as_steps, frames_as_steps };
const char* orientation_name(Orientation o);
bool parse_orientation(const std::string& name, Orientation& out);

/// Lays out one example's MFCC (n_mfcc x frames, row-major, as MfccExtractor::features())
/// as the model input: out is n_mfcc x frames (a copy) for coefficients_as_steps, frames x n_mfcc
/// (the transpose) for frames_as_steps. out (n_mfcc * frames floats) is owned by the caller.
void arrange_input(const float* mfcc, int n_mfcc, int frames, Orientation orientation, float* out);

/// The named architectures with `classes` outputs (default 6):
///   paper-lstm-phase1: LSTM(256, return_sequences) -> LSTM(256) -> Dense(64, relu) ->
///                      Dense(16, relu) -> Dense(classes, softmax); input 32 x 256.
///   paper-lstm:        LSTM(256) -> Dropout(0.25) -> Flatten -> Dense(128, relu) -> Dropout(0.25)
///                      -> Dense(classes, softmax); input 32 steps x 256 features.
///   conv1d:            a Conv1D baseline over time: input frames_as_steps (256 x 32),
///                      Conv1D(64, 5, same, relu) -> BN -> MaxPool(2) -> Conv1D(128, 5, same, relu)
///                      -> BN -> MaxPool(2) -> Dropout(0.25) -> GlobalAveragePooling1D ->
///                      Dense(128, relu) -> Dropout(0.25) -> Dense(classes, softmax).
/// Fails for an unknown name (listing the known ones) or classes outside 2..65536.
Status preset_architecture(const std::string& name, nlohmann::json& out, int classes = 6);
/// The preset names, in the order above.
std::vector<std::string> preset_names();

class Model {
  public:
    Model() = default;
    Model(Model&&) = default;
    Model& operator=(Model&&) = default;

    /// Validates `arch` (the message names the layer index and field at fault) and creates the
    /// layers and parameters. init_weights: Keras' initialisers from `seed` (a loader that
    /// overwrites every weight passes false; then weights are zero, BN statistics 0/1).
    /// `seed` also seeds the dropout masks. On failure the model is left empty.
    Status build(const nlohmann::json& arch, std::uint64_t seed, bool init_weights = true);
    bool built() const { return !layers_.empty(); }
    /// The architecture with every default filled in (what model files store).
    const nlohmann::json& architecture() const { return arch_; }

    int steps() const { return input_shape_.steps; }
    int features() const { return input_shape_.features; }
    int classes() const { return classes_; }
    Orientation orientation() const { return orientation_; }
    int layer_count() const { return int(layers_.size()); }
    const Layer<float>& layer(int i) const { return *layers_[i]; }
    /// Every parameter (trainable and not), in layer order then Keras weight order.
    const std::vector<Param<float>>& parameters() const { return params_; }
    /// Values in all parameters.
    long long parameter_count() const;
    /// Freezes (false) or unfreezes every parameter with a gradient whose name starts with
    /// `prefix` ("" = all; "dense_8/" = one layer; "dense_8/kernel" = one tensor). Returns how many
    /// tensors it set; the names never change, so a rule means the same in every model file.
    int set_trainable(const std::string& prefix, bool trainable);
    /// Values in the parameters the optimiser updates.
    long long trainable_count() const;
    /// The random streams of the layers that draw in training (dropout), in layer order; owned
    /// by the model (a checkpoint saves and restores their states).
    std::vector<Rng*> random_streams();

    /// Allocates activations for `batch` examples (1..65536; refused when a generous estimate of
    /// the activations, gradients and scratch exceeds 2 GB). Required before forward().
    Status reshape(int batch);
    int batch() const { return batch_; }

    /// Runs the network on batch() examples (input: batch x steps x features floats, read only).
    /// Returns the class probabilities, batch x classes, owned by the model and valid until the
    /// next forward()/reshape(). training: dropout on, batch statistics in BN (and updates the
    /// moving statistics). nullptr if the model is not built and reshaped.
    const float* forward(const float* input, bool training);
    /// After forward(training = true): the mean softmax cross-entropy against `labels`
    /// (batch() class indices) in `loss`, and every parameter's gradient.
    Status backward(const int* labels, float& loss);
    /// forward(training) + backward + optimizer.step + after_update: one training step.
    Status train_batch(const float* input, const int* labels, Optimizer& optimizer, float& loss);
    /// Call after writing to any parameter from outside (train_batch, build and the loader
    /// call it themselves): takes a new weights version (kernels.h new_weights_version()), so
    /// this model's layers pack their weights again at their next use, the one place where
    /// cached forms of the weights are invalidated. Other models are not touched.
    void after_update();
    /// The version after_update() last took (kernels.h: what the layers' packed forms are for).
    std::uint64_t weights_version() const { return weights_version_; }

    /// Runs this model on backend `b` from now on (every forward, backward and predict),
    /// whatever the process default or other models use. Fails, changing nothing, for a backend
    /// this build lacks (kernels.h backend_available()).
    Status set_backend(Backend b);
    /// The backend this model runs on: its own once set_backend() succeeded, else the process
    /// default (kernels.h current_backend()) at the time of the call.
    Backend backend() const { return has_backend_ ? backend_ : current_backend(); }

    /// Class probabilities of `count` examples (count x steps x features) into probs
    /// (count x classes, caller-owned), in inference mode, batch() at a time (reshapes to
    /// min(count, 32) first if the model was never reshaped). Fails, naming the example, when an
    /// output is NaN or infinite (weights or inputs that overflow float32).
    Status predict(const float* inputs, int count, float* probs);

  private:
    const float* run(const float* input, int rows, bool training);
    const TensorT<float>& layer_input(int i) const { return i == 0 ? input_ : layers_[i - 1]->output(); }

    nlohmann::json arch_;
    Shape input_shape_;
    Orientation orientation_ = Orientation::coefficients_as_steps;
    int classes_ = 0;
    std::vector<std::unique_ptr<Layer<float>>> layers_;
    std::vector<Param<float>> params_;
    int batch_ = 0;
    TensorT<float> input_;
    TensorT<float> loss_grad_;
    bool trained_forward_ = false; // the last forward() was in training mode
    bool has_backend_ = false;     // set_backend() succeeded: backend_ holds, not the process default
    Backend backend_ = Backend::simd;
    std::uint64_t weights_version_ = 0;
};

/// Index of the largest of n values (the first on ties).
int argmax(const float* values, int n);

} // namespace aer
