#include "core/train/trainer.h"

#include "core/train/split.h"

#include <chrono>
#include <cmath>
#include <cstring>

namespace aer {
namespace {
double now_ms() {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// Puts a saved state into the optimiser and the model's dropout streams (a resume, or a Stop
// going back to the last finished epoch). Fails, changing nothing, when it does not fit them.
Status apply_state(const TrainState& state, Model& model, Optimizer& optimizer) {
    if (state.optimizer != optimizer.name() || state.slots != optimizer.slots())
        return Status::error("the saved state is of optimizer '" + state.optimizer + "', this run uses '" +
                             optimizer.name() + "'");
    std::vector<Rng*> streams = model.random_streams();
    if (state.rngs.size() != streams.size())
        return Status::error("the saved state has " + std::to_string(state.rngs.size()) +
                             " dropout streams, the model has " + std::to_string(streams.size()));
    Status s = optimizer.restore(model.parameters(), state.iterations, state.values);
    if (!s.ok())
        return s;
    for (std::size_t i = 0; i < streams.size(); ++i)
        streams[i]->set_state(state.rngs[i]); // parse_train_state() refuses all-zero states
    return Status{};
}
} // namespace

Status Trainer::init(Model* model, std::vector<float> train_x, std::vector<int> train_y,
                     std::vector<float> val_x, std::vector<int> val_y, const TrainConfig& config,
                     const TrainState* resume) {
    if (!model || !model->built())
        return Status::error("trainer: the model is not built");
    if (config.epochs < 1 || config.epochs > 100000)
        return Status::error("trainer: epochs must be within 1..100000");
    const int first_epoch = resume ? resume->epochs_done + 1 : config.first_epoch;
    if (first_epoch < 1 || first_epoch > config.epochs)
        return Status::error(resume ? "trainer: the saved state already finished " +
                                          std::to_string(first_epoch - 1) + " of " +
                                          std::to_string(config.epochs) + " epochs"
                                    : std::string("trainer: the first epoch must be within 1..epochs"));
    if (config.batch < 1 || config.batch > 4096)
        return Status::error("trainer: batch must be within 1..4096");
    if (!(config.learning_rate > 0) || !std::isfinite(config.learning_rate))
        return Status::error("trainer: the learning rate must be a positive number");
    example_size_ = std::size_t(model->steps()) * std::size_t(model->features());
    if (train_y.empty() || train_x.size() != train_y.size() * example_size_)
        return Status::error("trainer: training inputs do not match the model's input size");
    if (val_x.size() != val_y.size() * example_size_)
        return Status::error("trainer: validation inputs do not match the model's input size");
    for (int y : train_y)
        if (y < 0 || y >= model->classes())
            return Status::error("trainer: a training label is outside 0.." +
                                 std::to_string(model->classes() - 1));
    for (int y : val_y)
        if (y < 0 || y >= model->classes())
            return Status::error("trainer: a validation label is outside 0.." +
                                 std::to_string(model->classes() - 1));
    if (config.optimizer == "adam") {
        AdamConfig a;
        a.learning_rate = config.learning_rate;
        optimizer_ = std::make_unique<Adam>(a);
    } else if (config.optimizer == "sgd") {
        SgdConfig s;
        s.learning_rate = config.learning_rate;
        s.momentum = 0.9;
        optimizer_ = std::make_unique<Sgd>(s);
    } else {
        return Status::error("trainer: unknown optimizer '" + config.optimizer + "' (adam, sgd)");
    }
    if (resume) {
        Status s = apply_state(*resume, *model, *optimizer_);
        if (!s.ok())
            return Status::error("trainer: " + s.message);
    }
    model_ = model;
    config_ = config;
    config_.first_epoch = first_epoch;
    train_x_ = std::move(train_x);
    train_y_ = std::move(train_y);
    val_x_ = std::move(val_x);
    val_y_ = std::move(val_y);
    n_train_ = int(train_y_.size());
    n_val_ = int(val_y_.size());
    batches_ = (n_train_ + config.batch - 1) / config.batch;
    batch_x_.resize(std::size_t(config.batch) * example_size_);
    batch_y_.resize(std::size_t(config.batch));
    history_.clear();
    epoch_ = config_.first_epoch;
    anchor_.clear();
    if (config_.anchor_penalty > 0.0) {
        const std::vector<Param<float>>& params = model_->parameters();
        anchor_.resize(params.size());
        for (std::size_t i = 0; i < params.size(); ++i)
            if (params[i].grad && params[i].trainable)
                anchor_[i].assign(params[i].value, params[i].value + params[i].size);
    }
    snapshot();
    begin_epoch();
    return Status{};
}

void Trainer::begin_epoch() {
    order_.resize(std::size_t(n_train_));
    for (int i = 0; i < n_train_; ++i)
        order_[std::size_t(i)] = std::size_t(i);
    seeded_shuffle(order_, config_.seed * 1000003u + std::uint32_t(epoch_));
    batch_ = 0;
    loss_sum_ = correct_ = seen_ = 0;
    epoch_start_ms_ = now_ms();
}

void Trainer::snapshot() {
    const std::vector<Param<float>>& params = model_->parameters();
    last_good_.resize(params.size());
    for (std::size_t i = 0; i < params.size(); ++i)
        last_good_[i].assign(params[i].value, params[i].value + params[i].size);
    saved_.epochs_done = epoch_ - 1;
    saved_.optimizer = optimizer_->name();
    saved_.slots = optimizer_->slots();
    saved_.iterations = optimizer_->iterations();
    saved_.values = optimizer_->state();
    saved_.rngs.clear();
    for (Rng* r : model_->random_streams())
        saved_.rngs.push_back(r->state());
}

Status Trainer::restore_last_epoch() {
    if (!model_ || !optimizer_)
        return Status::error("trainer: not initialised");
    const std::vector<Param<float>>& params = model_->parameters();
    for (std::size_t i = 0; i < params.size() && i < last_good_.size(); ++i)
        std::memcpy(params[i].value, last_good_[i].data(), params[i].size * sizeof(float));
    model_->after_update();
    return apply_state(saved_, *model_, *optimizer_); // snapshot() took it from these: it fits
}

Status Trainer::evaluate(const std::vector<float>& x, const std::vector<int>& y, double& loss, double& acc) {
    std::vector<int> pred;
    std::vector<float> probs;
    int n = int(y.size());
    loss = acc = std::nan("");
    if (n == 0)
        return Status{};
    Status s = predict_classes(*model_, x.data(), n, pred, &probs);
    if (!s.ok())
        return s;
    const int k = model_->classes();
    double l = 0, c = 0;
    for (int i = 0; i < n; ++i) {
        // Keras clips probabilities to [1e-7, 1 - 1e-7] in its cross-entropy.
        double p = std::fmin(
            1.0 - 1e-7, std::fmax(1e-7, double(probs[std::size_t(i) * k + std::size_t(y[std::size_t(i)])])));
        l -= std::log(p);
        c += pred[std::size_t(i)] == y[std::size_t(i)];
    }
    loss = l / n;
    acc = c / n;
    return Status{};
}

Status Trainer::anchored_step(float& loss) {
    if (!model_->forward(batch_x_.data(), true))
        return Status::error("trainer: the model is not built and reshaped");
    Status s = model_->backward(batch_y_.data(), loss);
    if (!s.ok())
        return s;
    const std::vector<Param<float>>& params = model_->parameters();
    const float lambda = float(config_.anchor_penalty);
    double penalty = 0.0;
    for (std::size_t i = 0; i < params.size(); ++i) {
        if (anchor_[i].size() != params[i].size || !params[i].trainable)
            continue;
        const float* w0 = anchor_[i].data();
        for (std::size_t k = 0; k < params[i].size; ++k) {
            float d = params[i].value[k] - w0[k];
            params[i].grad[k] += lambda * d;
            penalty += double(d) * d;
        }
    }
    loss += float(0.5 * config_.anchor_penalty * penalty);
    s = optimizer_->step(params);
    if (!s.ok())
        return s;
    model_->after_update();
    return Status{};
}

Status Trainer::step(int max_batches, TrainProgress& out) {
    if (!model_)
        return Status::error("trainer: not initialised");
    out = TrainProgress{};
    out.epochs = config_.epochs;
    out.batches = batches_;
    for (int done = 0; done < max_batches && !finished(); ++done) {
        const int first = batch_ * config_.batch;
        const int rows = std::min(config_.batch, n_train_ - first);
        for (int r = 0; r < rows; ++r) {
            std::size_t src = order_[std::size_t(first + r)];
            std::memcpy(batch_x_.data() + std::size_t(r) * example_size_,
                        train_x_.data() + src * example_size_, example_size_ * sizeof(float));
            batch_y_[std::size_t(r)] = train_y_[src];
        }
        if (config_.augment.active()) {
            // One stream per (seed, epoch, batch): a resumed run draws what an unbroken one did.
            Rng rng((std::uint64_t(config_.seed) << 40) ^ (std::uint64_t(epoch_) << 20) ^
                    std::uint64_t(batch_) ^ 0x5eedau);
            augment_batch(batch_x_.data(), rows, model_->steps(), model_->features(), config_.augment, rng);
        }
        if (model_->batch() != rows) {
            Status s = model_->reshape(rows);
            if (!s.ok())
                return s;
        }
        float loss = 0;
        Status s = anchor_.empty() ? model_->train_batch(batch_x_.data(), batch_y_.data(), *optimizer_, loss)
                                   : anchored_step(loss);
        if (!s.ok())
            return s;
        if (!std::isfinite(loss)) {
            Status r = restore_last_epoch();
            if (!r.ok())
                return r;
            int kept = int(history_.size());
            return Status::error("training diverged at epoch " + std::to_string(epoch_) + ", batch " +
                                 std::to_string(batch_ + 1) + " (loss is " +
                                 (std::isnan(loss) ? "NaN" : "infinite") +
                                 "; try a smaller learning rate); kept the weights of " +
                                 (kept ? "epoch " + std::to_string(kept) : std::string("the start")));
        }
        // Accuracy of this batch from the probabilities of its training-mode forward pass
        // (dropout on, weights before the update), as Keras reports it.
        const float* probs = model_->layer(model_->layer_count() - 1).output().data();
        for (int r = 0; r < rows; ++r)
            correct_ += argmax(probs + std::size_t(r) * std::size_t(model_->classes()), model_->classes()) ==
                        batch_y_[std::size_t(r)];
        loss_sum_ += double(loss) * rows;
        seen_ += rows;
        ++batch_;
        if (batch_ == batches_) {
            EpochMetrics m;
            m.epoch = epoch_;
            m.loss = loss_sum_ / seen_;
            m.acc = correct_ / seen_;
            Status v = evaluate(val_x_, val_y_, m.val_loss, m.val_acc);
            if (!v.ok()) {
                Status r = restore_last_epoch();
                return Status::error("validation after epoch " + std::to_string(epoch_) + " failed (" +
                                     v.message + "); kept the weights of " +
                                     (history_.empty() ? std::string("the start")
                                                       : "epoch " + std::to_string(history_.size())) +
                                     (r.ok() ? "" : "; " + r.message));
            }
            m.seconds = (now_ms() - epoch_start_ms_) / 1000.0;
            history_.push_back(m);
            ++epoch_;
            snapshot();
            out.epoch_done = true;
            out.loss = m.loss;
            out.acc = m.acc;
            if (!finished())
                begin_epoch();
            break; // one epoch's end per call, so every finished epoch is reported
        }
    }
    out.epoch = std::min(epoch_, config_.epochs);
    out.batch = finished() ? batches_ : batch_;
    if (!out.epoch_done && seen_ > 0) {
        out.loss = loss_sum_ / seen_;
        out.acc = correct_ / seen_;
    }
    out.finished = finished();
    return Status{};
}

Status Trainer::run(const std::function<void(const TrainProgress&)>& progress,
                    const std::atomic<bool>* stop) {
    TrainProgress p;
    while (!finished()) {
        if (stop && stop->load())
            return restore_last_epoch();
        Status s = step(1, p);
        if (!s.ok())
            return s;
        if (progress)
            progress(p);
    }
    return Status{};
}

Status predict_classes(Model& model, const float* x, int n, std::vector<int>& out,
                       std::vector<float>* probs) {
    std::vector<float> p(std::size_t(n) * std::size_t(model.classes()));
    Status s = model.predict(x, n, p.data());
    if (!s.ok())
        return s;
    out.resize(std::size_t(n));
    for (int i = 0; i < n; ++i)
        out[std::size_t(i)] =
            argmax(p.data() + std::size_t(i) * std::size_t(model.classes()), model.classes());
    if (probs)
        probs->swap(p);
    return Status{};
}

int copy_matching_weights(const Model& from, Model& to, const std::string& prefix) {
    int copied = 0;
    for (const Param<float>& dst : to.parameters()) {
        if (dst.name.compare(0, prefix.size(), prefix) != 0)
            continue;
        for (const Param<float>& src : from.parameters()) {
            if (src.name == dst.name && src.shape == dst.shape) {
                std::memcpy(dst.value, src.value, dst.size * sizeof(float));
                ++copied;
            }
        }
    }
    to.after_update();
    return copied;
}

} // namespace aer
