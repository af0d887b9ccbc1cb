#include "core/nn/model.h"

#include "core/nn/batch_norm.h"
#include "core/nn/conv1d.h"
#include "core/nn/dense.h"
#include "core/nn/kernels.h"
#include "core/nn/layers.h"
#include "core/nn/loss.h"
#include "core/nn/lstm.h"

#include <cmath>
#include <cstdio>
#include <set>

namespace aer {

using nlohmann::json;

const char* orientation_name(Orientation o) {
    return o == Orientation::frames_as_steps ? "frames_as_steps" : "coefficients_as_steps";
}

bool parse_orientation(const std::string& name, Orientation& out) {
    if (name == "coefficients_as_steps")
        out = Orientation::coefficients_as_steps;
    else if (name == "frames_as_steps")
        out = Orientation::frames_as_steps;
    else
        return false;
    return true;
}

void arrange_input(const float* mfcc, int n_mfcc, int frames, Orientation orientation, float* out) {
    for (int c = 0; c < n_mfcc; ++c)
        for (int t = 0; t < frames; ++t) {
            float v = mfcc[std::size_t(c) * frames + t];
            if (orientation == Orientation::coefficients_as_steps)
                out[std::size_t(c) * frames + t] = v;
            else
                out[std::size_t(t) * n_mfcc + c] = v;
        }
}

int argmax(const float* values, int n) {
    int best = 0;
    for (int i = 1; i < n; ++i)
        if (values[i] > values[best])
            best = i;
    return best;
}

// ---- presets ----------------------------------------------------------------------------------

std::vector<std::string> preset_names() { return {"paper-lstm-phase1", "paper-lstm", "conv1d"}; }

Status preset_architecture(const std::string& name, json& out, int classes) {
    if (classes < 2 || classes > 65536)
        return Status::error("classes must be within 2..65536");
    json softmax = {{"type", "dense"}, {"units", classes}, {"activation", "softmax"}};
    if (name == "paper-lstm-phase1") {
        out = {{"input", {{"steps", 32}, {"features", 256}}},
               {"orientation", "coefficients_as_steps"},
               {"layers",
                {{{"type", "lstm"}, {"units", 256}, {"return_sequences", true}},
                 {{"type", "lstm"}, {"units", 256}, {"return_sequences", false}},
                 {{"type", "dense"}, {"units", 64}, {"activation", "relu"}},
                 {{"type", "dense"}, {"units", 16}, {"activation", "relu"}},
                 softmax}}};
    } else if (name == "paper-lstm") {
        out = {{"input", {{"steps", 32}, {"features", 256}}},
               {"orientation", "coefficients_as_steps"},
               {"layers",
                {{{"type", "lstm"}, {"units", 256}, {"return_sequences", false}},
                 {{"type", "dropout"}, {"rate", 0.25}},
                 {{"type", "flatten"}},
                 {{"type", "dense"}, {"units", 128}, {"activation", "relu"}},
                 {{"type", "dropout"}, {"rate", 0.25}},
                 softmax}}};
    } else if (name == "conv1d") {
        auto conv = [](int filters) {
            return json{{"type", "conv1d"}, {"filters", filters}, {"kernel_size", 5},
                        {"strides", 1},     {"padding", "same"},  {"activation", "relu"}};
        };
        out = {{"input", {{"steps", 256}, {"features", 32}}},
               {"orientation", "frames_as_steps"},
               {"layers",
                {conv(64),
                 {{"type", "batch_normalization"}},
                 {{"type", "max_pooling1d"}, {"pool_size", 2}},
                 conv(128),
                 {{"type", "batch_normalization"}},
                 {{"type", "max_pooling1d"}, {"pool_size", 2}},
                 {{"type", "dropout"}, {"rate", 0.25}},
                 {{"type", "global_average_pooling1d"}},
                 {{"type", "dense"}, {"units", 128}, {"activation", "relu"}},
                 {{"type", "dropout"}, {"rate", 0.25}},
                 softmax}}};
    } else {
        std::string known;
        for (const std::string& n : preset_names())
            known += (known.empty() ? "" : ", ") + n;
        return Status::error("unknown preset '" + name + "' (" + known + ")");
    }
    return Status{};
}

// ---- architecture parsing ---------------------------------------------------------------------

namespace {

constexpr int kMaxDim = 65536;        // steps, features, units, filters...
constexpr int kMaxLayers = 256;
constexpr long long kMaxActivationsPerExample = 1LL << 24;

/// Reads the fields of one JSON object, remembering which it used, so that leftovers can be
/// reported as unknown. Every message starts with `where` (e.g. "layer 2 (dense)").
class Fields {
  public:
    Fields(const json& j, std::string where) : j_(j), where_(std::move(where)) {}

    Status integer(const char* key, int lo, int hi, int& out, bool required, int fallback = 0) {
        used_.insert(key);
        auto it = j_.find(key);
        if (it == j_.end()) {
            if (required)
                return fail(std::string("missing '") + key + "'");
            out = fallback;
            return Status{};
        }
        if (!it->is_number_integer() || it->get<long long>() < lo || it->get<long long>() > hi)
            return fail(std::string("'") + key + "' must be an integer in " + std::to_string(lo) + ".." +
                        std::to_string(hi));
        out = int(it->get<long long>());
        return Status{};
    }

    Status real(const char* key, double lo, double hi, bool hi_open, double& out, bool required,
                double fallback = 0.0) {
        used_.insert(key);
        auto it = j_.find(key);
        if (it == j_.end()) {
            if (required)
                return fail(std::string("missing '") + key + "'");
            out = fallback;
            return Status{};
        }
        double v = it->is_number() ? it->get<double>() : std::nan("");
        if (!(v >= lo && (hi_open ? v < hi : v <= hi)))
            return fail(std::string("'") + key + "' must be a number in [" + num(lo) + ", " + num(hi) +
                        (hi_open ? ")" : "]"));
        out = v;
        return Status{};
    }

    Status boolean(const char* key, bool& out, bool fallback) {
        used_.insert(key);
        auto it = j_.find(key);
        if (it == j_.end()) {
            out = fallback;
            return Status{};
        }
        if (!it->is_boolean())
            return fail(std::string("'") + key + "' must be true or false");
        out = it->get<bool>();
        return Status{};
    }

    Status activation(Activation& out) {
        std::string s;
        Status st = text("activation", s, "linear");
        if (st.ok() && !parse_activation(s, out))
            return fail("'activation' must be linear, relu or softmax (got '" + s + "')");
        return st;
    }

    Status padding(Padding& out) {
        std::string s;
        Status st = text("padding", s, "valid");
        if (!st.ok())
            return st;
        if (s == "valid")
            out = Padding::valid;
        else if (s == "same")
            out = Padding::same;
        else
            return fail("'padding' must be valid or same (got '" + s + "')");
        return Status{};
    }

    Status text(const char* key, std::string& out, const char* fallback) {
        used_.insert(key);
        auto it = j_.find(key);
        if (it == j_.end()) {
            out = fallback;
            return Status{};
        }
        if (!it->is_string())
            return fail(std::string("'") + key + "' must be a string");
        out = it->get<std::string>();
        return Status{};
    }

    /// Marks `key` as known without reading it (the caller checks it).
    void known(const char* key) { used_.insert(key); }

    /// Fails on the first key that no call above asked for.
    Status no_unknown() {
        for (auto it = j_.begin(); it != j_.end(); ++it)
            if (!used_.count(it.key()))
                return fail("unknown field '" + it.key() + "'");
        return Status{};
    }

    Status fail(const std::string& why) const { return Status::error(where_ + ": " + why); }

  private:
    static std::string num(double v) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%g", v);
        return buf;
    }
    const json& j_;
    std::string where_;
    std::set<std::string> used_;
};

#define AER_TRY(expr)                                                                                        \
    do {                                                                                                     \
        Status aer_try_status_ = (expr);                                                                     \
        if (!aer_try_status_.ok())                                                                           \
            return aer_try_status_;                                                                          \
    } while (0)

/// One layer: validated, its parameter count, its canonical JSON and the layer object.
Status make_layer(const json& spec, int index, Shape in, std::uint64_t seed, std::unique_ptr<Layer<float>>& out,
                  long long& param_count, json& canonical) {
    std::string where = "layer " + std::to_string(index);
    if (!spec.is_object())
        return Status::error(where + ": expected a JSON object");
    auto type_it = spec.find("type");
    if (type_it == spec.end() || !type_it->is_string())
        return Status::error(where + ": missing 'type' (a string)");
    const std::string type = type_it->get<std::string>();
    where += " (" + type + ")";
    Fields f(spec, where);
    f.known("type");
    const std::string name = type + "_" + std::to_string(index);
    const bool seq = in.is_sequence();
    auto need_sequence = [&]() {
        return f.fail("needs a sequence input (batch, steps, features); its input is (batch, " +
                      std::to_string(in.features) + ")");
    };
    param_count = 0;
    canonical = {{"type", type}};

    if (type == "lstm") {
        LstmConfig c;
        AER_TRY(f.integer("units", 1, 4096, c.units, true));
        AER_TRY(f.boolean("return_sequences", c.return_sequences, false));
        AER_TRY(f.no_unknown());
        if (!seq)
            return need_sequence();
        param_count = (long long)(in.features + c.units + 1) * 4 * c.units;
        canonical["units"] = c.units;
        canonical["return_sequences"] = c.return_sequences;
        out.reset(new Lstm<float>(name, c, in));
    } else if (type == "dense") {
        DenseConfig c;
        AER_TRY(f.integer("units", 1, kMaxDim, c.units, true));
        AER_TRY(f.activation(c.activation));
        AER_TRY(f.no_unknown());
        param_count = (long long)(in.features + 1) * c.units;
        canonical["units"] = c.units;
        canonical["activation"] = activation_name(c.activation);
        out.reset(new Dense<float>(name, c, in));
    } else if (type == "dropout") {
        double rate = 0.0;
        AER_TRY(f.real("rate", 0.0, 1.0, true, rate, true));
        AER_TRY(f.no_unknown());
        canonical["rate"] = rate;
        std::uint64_t s = seed * 0x9e3779b97f4a7c15ULL + std::uint64_t(index) + 1;
        out.reset(new Dropout<float>(name, rate, s, in));
    } else if (type == "flatten") {
        AER_TRY(f.no_unknown());
        if (in.size() > kMaxDim * 256LL)
            return f.fail("flattened size too large");
        out.reset(new Flatten<float>(name, in));
    } else if (type == "conv1d") {
        Conv1dConfig c;
        AER_TRY(f.integer("filters", 1, kMaxDim, c.filters, true));
        AER_TRY(f.integer("kernel_size", 1, 1024, c.kernel_size, true));
        AER_TRY(f.integer("strides", 1, 1024, c.strides, false, 1));
        AER_TRY(f.padding(c.padding));
        AER_TRY(f.activation(c.activation));
        AER_TRY(f.no_unknown());
        if (!seq)
            return need_sequence();
        if (window_output_length(in.steps, c.kernel_size, c.strides, c.padding) < 1)
            return f.fail("'kernel_size' " + std::to_string(c.kernel_size) + " is longer than its input (" +
                          std::to_string(in.steps) + " steps) with valid padding");
        param_count = (long long)c.kernel_size * in.features * c.filters + c.filters;
        canonical["filters"] = c.filters;
        canonical["kernel_size"] = c.kernel_size;
        canonical["strides"] = c.strides;
        canonical["padding"] = c.padding == Padding::same ? "same" : "valid";
        canonical["activation"] = activation_name(c.activation);
        out.reset(new Conv1d<float>(name, c, in));
    } else if (type == "max_pooling1d") {
        MaxPool1dConfig c;
        AER_TRY(f.integer("pool_size", 1, 1024, c.pool_size, false, 2));
        AER_TRY(f.integer("strides", 1, 1024, c.strides, false, c.pool_size));
        AER_TRY(f.padding(c.padding));
        AER_TRY(f.no_unknown());
        if (!seq)
            return need_sequence();
        if (window_output_length(in.steps, c.pool_size, c.strides, c.padding) < 1)
            return f.fail("'pool_size' " + std::to_string(c.pool_size) + " is longer than its input (" +
                          std::to_string(in.steps) + " steps) with valid padding");
        canonical["pool_size"] = c.pool_size;
        canonical["strides"] = c.strides;
        canonical["padding"] = c.padding == Padding::same ? "same" : "valid";
        out.reset(new MaxPool1d<float>(name, c, in));
    } else if (type == "batch_normalization") {
        BatchNormConfig c;
        AER_TRY(f.real("momentum", 0.0, 1.0, false, c.momentum, false, 0.99));
        AER_TRY(f.real("epsilon", 1e-12, 1.0, false, c.epsilon, false, 1e-3));
        AER_TRY(f.no_unknown());
        param_count = 4LL * in.features;
        canonical["momentum"] = c.momentum;
        canonical["epsilon"] = c.epsilon;
        out.reset(new BatchNorm<float>(name, c, in));
    } else if (type == "global_average_pooling1d") {
        AER_TRY(f.no_unknown());
        if (!seq)
            return need_sequence();
        out.reset(new GlobalAvgPool1d<float>(name, in));
    } else {
        return Status::error(where + ": unknown layer type '" + type +
                             "' (lstm, dense, dropout, flatten, conv1d, max_pooling1d, batch_normalization, "
                             "global_average_pooling1d)");
    }
    if (out->output_shape().size() > kMaxActivationsPerExample)
        return f.fail("its output has more than 2^24 values per example");
    return Status{};
}

} // namespace

// ---- Model ------------------------------------------------------------------------------------

Status Model::build(const json& arch, std::uint64_t seed, bool init_weights) {
    *this = Model();
    Status s;
    Shape in;
    Orientation orientation = Orientation::coefficients_as_steps;
    std::vector<std::unique_ptr<Layer<float>>> layers;
    json canonical_layers = json::array();
    {
        if (!arch.is_object())
            return Status::error("architecture: expected a JSON object");
        Fields top(arch, "architecture");
        std::string orient;
        AER_TRY(top.text("orientation", orient, "coefficients_as_steps"));
        if (!parse_orientation(orient, orientation))
            return top.fail("'orientation' must be coefficients_as_steps or frames_as_steps (got '" + orient + "')");
        top.known("input");
        top.known("layers");
        AER_TRY(top.no_unknown());
        auto input = arch.find("input");
        if (input == arch.end() || !input->is_object())
            return Status::error("architecture: missing 'input' {\"steps\": S, \"features\": F}");
        Fields fi(*input, "architecture input");
        AER_TRY(fi.integer("steps", 1, kMaxDim, in.steps, true));
        AER_TRY(fi.integer("features", 1, kMaxDim, in.features, true));
        AER_TRY(fi.no_unknown());
        if (in.size() > kMaxActivationsPerExample)
            return Status::error("architecture input: steps x features exceeds 2^24");
    }
    auto list = arch.find("layers");
    if (list == arch.end() || !list->is_array() || list->empty())
        return Status::error("architecture: 'layers' must be a non-empty array");
    if (list->size() > std::size_t(kMaxLayers))
        return Status::error("architecture: more than " + std::to_string(kMaxLayers) + " layers");

    long long total_params = 0;
    Shape shape = in;
    for (std::size_t i = 0; i < list->size(); ++i) {
        std::unique_ptr<Layer<float>> layer;
        long long count = 0;
        json canonical;
        AER_TRY(make_layer((*list)[i], int(i), shape, seed, layer, count, canonical));
        total_params += count;
        if (total_params > kMaxParameters)
            return Status::error("layer " + std::to_string(i) + " (" + canonical["type"].get<std::string>() +
                                 "): the model would have more than " + std::to_string(kMaxParameters) +
                                 " parameters");
        shape = layer->output_shape();
        layers.push_back(std::move(layer));
        canonical_layers.push_back(std::move(canonical));
    }
    const Layer<float>& last = *layers.back();
    const std::string last_where = "layer " + std::to_string(layers.size() - 1) + " (" + last.type() + ")";
    if (std::string(last.type()) != "dense" ||
        static_cast<const Dense<float>&>(last).config().activation != Activation::softmax)
        return Status::error(last_where + ": the last layer must be dense with softmax activation (the model "
                                          "outputs class probabilities)");
    if (last.output_shape().is_sequence())
        return Status::error(last_where + ": the output must be (batch, classes), not a sequence: add flatten, "
                                          "global_average_pooling1d or an lstm without return_sequences before it");
    if (last.output_shape().features < 2)
        return Status::error(last_where + ": 'units' (the classes) must be at least 2");

    Rng rng(seed);
    for (std::size_t i = 0; i < layers.size(); ++i) {
        s = layers[i]->allocate();
        if (!s.ok())
            return Status::error("layer " + std::to_string(i) + ": " + s.message);
        if (init_weights)
            layers[i]->init_weights(rng);
        for (Param<float>& p : layers[i]->params())
            params_.push_back(std::move(p));
    }
    arch_ = {{"input", {{"steps", in.steps}, {"features", in.features}}},
             {"orientation", orientation_name(orientation)},
             {"layers", std::move(canonical_layers)}};
    input_shape_ = in;
    orientation_ = orientation;
    classes_ = last.output_shape().features;
    layers_ = std::move(layers);
    after_update();
    return Status{};
}

std::vector<Rng*> Model::random_streams() {
    std::vector<Rng*> out;
    for (std::unique_ptr<Layer<float>>& l : layers_)
        if (Rng* r = l->random_stream())
            out.push_back(r);
    return out;
}

long long Model::parameter_count() const {
    long long n = 0;
    for (const Param<float>& p : params_)
        n += (long long)p.size;
    return n;
}

Status Model::reshape(int batch) {
    if (!built())
        return Status::error("model: not built");
    if (batch < 1 || batch > 65536)
        return Status::error("model: batch must be within 1..65536");
    long long values = input_shape_.size() * 2;
    for (const auto& layer : layers_)
        values += (layer->input_shape().size() + layer->output_shape().size()) * 4; // with scratch
    // A generous estimate (activations, gradients, scratch): refuse before trying to allocate.
    if (values * batch > (1LL << 29))
        return Status::error("model: batch " + std::to_string(batch) + " would need more than 2 GB of activations");
    batch_ = 0;
    Status s = input_.resize(batch, input_shape_.steps, input_shape_.features);
    if (s.ok())
        s = loss_grad_.resize(batch, classes_);
    for (std::size_t i = 0; s.ok() && i < layers_.size(); ++i)
        s = layers_[i]->reshape(batch);
    if (!s.ok())
        return Status::error("model: " + s.message);
    batch_ = batch;
    trained_forward_ = false;
    return Status{};
}

const float* Model::run(const float* input, int rows, bool training) {
    if (!built() || batch_ == 0)
        return nullptr;
    const std::size_t per = std::size_t(input_shape_.size());
    float* dst = input_.data();
    for (std::size_t i = 0; i < per * rows; ++i)
        dst[i] = input[i];
    for (std::size_t i = per * rows; i < input_.size(); ++i)
        dst[i] = 0.0f;
    KernelScope scope(backend(), weights_version_);
    for (std::size_t i = 0; i < layers_.size(); ++i)
        layers_[i]->forward(layer_input(int(i)), training);
    trained_forward_ = training;
    return layers_.back()->output().data();
}

const float* Model::forward(const float* input, bool training) { return run(input, batch_, training); }

Status Model::backward(const int* labels, float& loss) {
    if (!built() || batch_ == 0 || !trained_forward_)
        return Status::error("model: backward() needs a forward(training = true) first");
    AER_TRY(check_labels(labels, batch_, classes_));
    KernelScope scope(backend(), weights_version_);
    const int n = int(layers_.size());
    Dense<float>& last = static_cast<Dense<float>&>(*layers_.back());
    loss = softmax_cross_entropy(last.logits().data(), labels, batch_, classes_, loss_grad_.data());
    last.backward_from_logits(layer_input(n - 1), loss_grad_.data(), n > 1);
    for (int i = n - 2; i >= 0; --i)
        layers_[i]->backward(layer_input(i), layers_[i + 1]->input_grad(), i > 0);
    return Status{};
}

int Model::set_trainable(const std::string& prefix, bool trainable) {
    int n = 0;
    for (Param<float>& p : params_)
        if (p.grad && p.name.compare(0, prefix.size(), prefix) == 0) {
            p.trainable = trainable;
            ++n;
        }
    return n;
}

long long Model::trainable_count() const {
    long long n = 0;
    for (const Param<float>& p : params_)
        if (p.grad && p.trainable)
            n += (long long)p.size;
    return n;
}

Status Model::train_batch(const float* input, const int* labels, Optimizer& optimizer, float& loss) {
    if (!forward(input, true))
        return Status::error("model: not built and reshaped");
    AER_TRY(backward(labels, loss));
    AER_TRY(optimizer.step(params_));
    after_update();
    return Status{};
}

void Model::after_update() {
    // The weights just changed: the layers' packed forms of them are stale (kernels.h).
    weights_version_ = new_weights_version();
}

Status Model::set_backend(Backend b) {
    if (!backend_available(b))
        return Status::error(std::string("backend ") + backend_name(b) + " is not in this build");
    backend_ = b;
    has_backend_ = true;
    return Status{};
}

Status Model::predict(const float* inputs, int count, float* probs) {
    if (!built())
        return Status::error("model: not built");
    if (count < 0)
        return Status::error("model: negative example count");
    if (batch_ == 0)
        AER_TRY(reshape(count < 32 ? (count > 0 ? count : 1) : 32));
    const std::size_t per = std::size_t(input_shape_.size());
    for (int start = 0; start < count; start += batch_) {
        int rows = count - start < batch_ ? count - start : batch_;
        const float* out = run(inputs + per * start, rows, false);
        for (std::size_t i = 0; i < std::size_t(rows) * classes_; ++i) {
            // Finite weights can still overflow float32 (a hostile or broken model file).
            if (!std::isfinite(out[i]))
                return Status::error("model: the output for example " + std::to_string(start + int(i / classes_)) +
                                     " is not a number (the input or the weights overflow float32)");
            probs[std::size_t(start) * classes_ + i] = out[i];
        }
    }
    return Status{};
}

} // namespace aer
