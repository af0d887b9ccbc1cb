// aer/train/trainer: mini-batch training of a Model with validation after each epoch, as
// Keras' model.fit(x, y, batch_size, epochs, validation_data, shuffle=True) does.
//
// Contract
// - The trainer borrows a built Model (the caller owns it) and copies the training and
//   validation inputs (already normalised and arranged: n x steps x features floats).
// - Epoch order is a seeded shuffle (seed, epoch): with the same seed, kernel backend and
//   thread count, two runs give the same weights and history.
// - step(k) runs at most k batches and returns, so a browser worker can yield to its event loop
//   between calls; run() loops step() for the CLI, calling `progress` and honouring `stop`
//   between batches.
// - Stop and divergence keep the weights of the last finished epoch: they are snapshotted at the
//   end of every epoch (and at the start), with the optimiser's state and the dropout streams
//   (state(), core/train/checkpoint.h). A non-finite loss stops training with an error that
//   says where, and restores that snapshot.
// - Resuming from a state() (init with `resume`) continues at the next epoch exactly: same
//   data, split, seed, backend and thread count give the bits of a run that never stopped.
#pragma once

#include "core/nn/model.h"
#include "core/nn/optimizer.h"
#include "core/status.h"
#include "core/train/augment.h"
#include "core/train/checkpoint.h"
#include "core/train/metrics.h"

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

namespace aer {

struct TrainConfig {
    int epochs = 50;
    int batch = 32;
    double learning_rate = 0.001;
    std::string optimizer = "adam"; ///< "adam" (Keras defaults) or "sgd" (momentum 0.9)
    std::uint32_t seed = 1;
    int first_epoch =
        1; ///< > 1 when resuming: epochs first_epoch..epochs run (the shuffles match a full run)
    AugmentConfig augment; ///< applied to each training batch (never to validation), seeded per batch
    /// L2-SP (Li, Grandvalet & Davoine, "Explicit inductive bias for transfer learning with
    /// convolutional networks", ICML 2018): adds anchor_penalty / 2 * sum (w - w0)^2 over the
    /// trainable parameters to the loss, w0 being the weights at init(), so that fine-tuning on a
    /// few clips stays near the model it started from. 0 = off.
    double anchor_penalty = 0.0;
};

/// Metrics of one finished epoch (val_* are NaN without validation data).
struct EpochMetrics {
    int epoch = 0; ///< 1-based
    double loss = 0, acc = 0, val_loss = 0, val_acc = 0;
    double seconds = 0;
};

/// Where training is after a step() (or at a progress callback).
struct TrainProgress {
    int epoch = 1; ///< the epoch running (1-based), or the last one when finished
    int epochs = 0;
    int batch = 0;            ///< batches done in this epoch
    int batches = 0;          ///< batches per epoch
    double loss = 0, acc = 0; ///< running means over this epoch's batches
    bool finished = false;
    bool epoch_done = false; ///< an epoch finished during this step: see history().back()
};

class Trainer {
  public:
    /// `model`: built, borrowed until the trainer is destroyed. train_x: n_train x steps x
    /// features floats; train_y: class indices. val_*: may be empty (n_val = 0).
    /// resume (may be null, read only): a state() saved with the model's weights; training then
    /// starts at epoch resume->epochs_done + 1 (config.first_epoch is ignored) with the saved
    /// optimiser state and dropout streams. Fails, naming the mismatch, when it does not fit
    /// the model or the optimiser.
    Status init(Model* model, std::vector<float> train_x, std::vector<int> train_y, std::vector<float> val_x,
                std::vector<int> val_y, const TrainConfig& config, const TrainState* resume = nullptr);

    /// Runs at most max_batches batches (>= 1), stopping early at an epoch's end (validation,
    /// history, snapshot), so each call reports at most one finished epoch.
    Status step(int max_batches, TrainProgress& out);

    /// The whole run. progress (may be null) after every batch; stop (may be null) checked
    /// between batches. A stop keeps the last finished epoch's weights and returns ok.
    Status run(const std::function<void(const TrainProgress&)>& progress, const std::atomic<bool>* stop);

    /// Puts back the weights, optimiser state and dropout streams of the last finished epoch
    /// (what a Stop keeps). Fails before init().
    Status restore_last_epoch();

    /// The state that goes with the last finished epoch's weights (epochs_done = 0 before the
    /// first): save it beside the model files to resume exactly.
    const TrainState& state() const { return saved_; }

    const std::vector<EpochMetrics>& history() const { return history_; }
    const TrainConfig& config() const { return config_; }
    bool finished() const { return epoch_ > config_.epochs; }
    /// Examples that train (augmented copies included) and that validate.
    std::size_t train_count() const { return train_y_.size(); }
    std::size_t val_count() const { return val_y_.size(); }

  private:
    void begin_epoch();
    /// Model::train_batch() on the batch with the L2-SP gradient penalty * (w - w0) added.
    Status anchored_step(float& loss);
    void snapshot();
    /// Mean cross-entropy and accuracy of the model on (x, y) in inference mode (NaN when y is
    /// empty); fails when the model's prediction fails.
    Status evaluate(const std::vector<float>& x, const std::vector<int>& y, double& loss, double& acc);

    Model* model_ = nullptr;
    TrainConfig config_;
    std::unique_ptr<Optimizer> optimizer_;
    std::vector<float> train_x_, val_x_;
    std::vector<int> train_y_, val_y_;
    std::size_t example_size_ = 0;
    int n_train_ = 0, n_val_ = 0;

    int epoch_ = 1;
    int batch_ = 0;
    int batches_ = 0;
    double loss_sum_ = 0, correct_ = 0, seen_ = 0;
    double epoch_start_ms_ = 0;
    std::vector<std::size_t> order_;
    std::vector<float> batch_x_;
    std::vector<int> batch_y_;
    std::vector<std::vector<float>> last_good_;
    std::vector<std::vector<float>> anchor_; // w0 of each parameter (L2-SP), empty when off
    TrainState saved_;
    std::vector<EpochMetrics> history_;
};

/// Class predictions of the model for n examples (n x steps x features), batch at a time.
Status predict_classes(Model& model, const float* x, int n, std::vector<int>& out,
                       std::vector<float>* probs = nullptr);

/// Copies every parameter whose name starts with `prefix` (e.g. "lstm_0/") from `from` into
/// `to` when both have it with the same shape. Returns how many tensors were copied.
int copy_matching_weights(const Model& from, Model& to, const std::string& prefix);

} // namespace aer
