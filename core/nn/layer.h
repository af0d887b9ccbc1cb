// aer/nn/layer: what every layer shares: per-example shapes, parameters, activations and the
// Layer base class with its phases.
//
// Contract (the phases follow XNNPACK: create, reshape, run)
// 1. Construct with the config and the per-example input shape (the model validates configs
//    first; constructors trust them). allocate() then makes the parameter and gradient tensors,
//    init_weights() fills them with Keras' initialisers (or a loader overwrites them).
// 2. reshape(batch) allocates the output, the input gradient and every scratch buffer.
// 3. forward(in, training) and backward(in, grad_out, want_input_grad) only read and write those
//    buffers: they never allocate. `in` must be the tensor forward() saw (batch x input shape);
//    backward() needs the state the last forward(training = true) left.
// - backward() overwrites (does not add to) the parameter gradients, and writes input_grad()
//   only when want_input_grad (the first layer of a model skips it).
// - Tensors are batch-major: (batch, steps, features) for sequences, (batch, features) otherwise.
// - Weight layouts and semantics are Keras' (tf.keras 2.x), so Keras weights load unchanged.
// - T is float in production and double in the gradient-check tests.
// - Products with a weight matrix go through a kernels.h WeightGemm the layer owns, which reuses
//   its packed copy while the weights version holds: whoever writes float weights directly calls
//   all_weights_changed() before the next forward, or, for a Model's layers, the model's
//   after_update() (which repacks that model's weights only).
#pragma once

#include "core/nn/random.h"
#include "core/nn/tensor.h"
#include "core/status.h"

#include <string>
#include <vector>

namespace aer {

/// Per-example shape: `steps` x `features` for a sequence, `features` alone when steps == 0.
struct Shape {
    int steps = 0;
    int features = 0;
    bool is_sequence() const { return steps > 0; }
    /// Values per example.
    long long size() const { return (long long)(steps > 0 ? steps : 1) * features; }
};

/// One weight tensor of a layer, as the optimiser and the model files see it.
template <typename T>
struct Param {
    std::string name;       ///< "<layer name>/<weight>", e.g. "lstm_0/kernel"
    std::vector<int> shape; ///< the Keras shape, e.g. {in, 4 * units}
    T* value = nullptr;     ///< row-major, owned by the layer
    T* grad = nullptr;      ///< same size; nullptr for non-trainable state (BN moving statistics)
    std::size_t size = 0;   ///< number of values
    /// Whether optimisers update it (tiny-dnn's set_trainable; Keras' trainable weights). A
    /// frozen parameter keeps its gradient slot, so checkpoints and names do not change.
    bool trainable = true;
};

enum class Activation { linear, relu, softmax };

/// Keras/TensorFlow padding of a 1-D window (Conv1D, MaxPooling1D).
enum class Padding { valid, same };

/// Output length of a window of `size` moved by `stride` over `length` steps: valid:
/// floor((length - size) / stride) + 1 (0 when length < size); same: ceil(length / stride).
int window_output_length(int length, int size, int stride, Padding padding);
/// Steps of zero padding before the first window: 0 for valid; for same, TensorFlow's
/// floor(max((out - 1) * stride + size - length, 0) / 2).
int window_pad_before(int length, int size, int stride, Padding padding);

/// "linear" | "relu" | "softmax".
const char* activation_name(Activation a);
/// Parses an activation name; false if unknown.
bool parse_activation(const std::string& name, Activation& out);

/// Applies `a` in place to `rows` rows of `n` values (softmax along each row, max-subtracted).
template <typename T>
void activation_forward(Activation a, T* x, long long rows, int n);
/// dz = dL/d(pre-activation) from the activated output y and dy = dL/dy (rows x n each).
/// softmax uses the full Jacobian: dz = y * (dy - sum(dy * y)).
template <typename T>
void activation_backward(Activation a, const T* y, const T* dy, T* dz, long long rows, int n);

template <typename T>
class Layer {
  public:
    /// `name`: the prefix of the parameter names (e.g. "dense_3").
    Layer(std::string name, Shape in, Shape out) : name_(std::move(name)), in_(in), out_(out) {}
    virtual ~Layer() = default;
    Layer(const Layer&) = delete;
    Layer& operator=(const Layer&) = delete;

    /// The type as the architecture JSON spells it ("lstm", "dense", ...).
    virtual const char* type() const = 0;
    const std::string& name() const { return name_; }
    Shape input_shape() const { return in_; }
    Shape output_shape() const { return out_; }
    int batch() const { return batch_; }

    /// Allocates the parameters and their gradients (zero). Fails only when out of memory.
    virtual Status allocate() { return Status{}; }
    /// Fills the parameters with Keras' default initialisers.
    virtual void init_weights(Rng& rng) {}
    /// The parameters (empty for layers without any). Pointers stay valid until destruction.
    virtual std::vector<Param<T>> params() { return {}; }
    /// The random stream the layer draws from in training (dropout's masks), or nullptr: a
    /// checkpoint saves its state so that a resumed run draws what an unbroken run would.
    virtual Rng* random_stream() { return nullptr; }

    /// Allocates output (batch x output shape), input gradient (batch x input shape) and scratch.
    Status reshape(int batch);
    /// Computes output() from `in` (batch x input shape). training: dropout active, batch
    /// statistics in batch normalisation.
    virtual void forward(const TensorT<T>& in, bool training) = 0;
    /// From grad_out = dL/d output (batch x output shape): writes the parameter gradients and,
    /// when want_input_grad, input_grad() = dL/d in.
    virtual void backward(const TensorT<T>& in, const TensorT<T>& grad_out, bool want_input_grad) = 0;

    const TensorT<T>& output() const { return output_; }
    const TensorT<T>& input_grad() const { return input_grad_; }

  protected:
    /// Layer-specific buffers for `batch` (called by reshape()).
    virtual Status reshape_scratch(int batch) { return Status{}; }
    /// Resizes t to batch x s (rank 3 for a sequence, else rank 2).
    static Status resize_for(TensorT<T>& t, int batch, Shape s);
    /// A Param over `value` (and `grad` unless nullptr), named name()/weight.
    Param<T> make_param(const char* weight, std::vector<int> shape, TensorT<T>& value, TensorT<T>* grad);

    std::string name_;
    Shape in_;
    Shape out_;
    int batch_ = 0;
    TensorT<T> output_;
    TensorT<T> input_grad_;
};

} // namespace aer
