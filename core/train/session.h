// aer/train/session: one training run, from a request and labelled examples to a trained model,
// its metadata and its report. The CLI (`aer train`) and the page (wasm/bindings.cpp) both run
// training through this class; neither keeps a copy of the setup.
//
// Contract
// - A run is described by a request (JSON, the same keys from the CLI's options and the page's
//   form), checked field by field by parse_session_settings(): an unknown key, a wrong type or a
//   value out of range is an error naming the key. Nothing in a request can make the core throw
//   or hit undefined behaviour.
// - Examples arrive with their label NAME, actor and vocal channel. At start() the session keeps
//   the examples of the wanted channels, fixes the label order (the request's `labels`, a resumed
//   checkpoint's labels, or choose_labels() of the examples, core/train/dataset.h), counts what it
//   skipped and why (notes()), splits, builds the architecture with one output per label, fits
//   the normalisation on the training side, and hands the arranged inputs to a Trainer.
// - The session owns the model, its ModelInfo (labels, features, normalisation, metadata) and
//   the trainer. The metadata (`info().training`) has one set of keys whoever trains, and keeps
//   the request itself under "config", from which a resume starts.
// - Usage: configure(), add_example()... (or resume()), start(), then step() until finished (or
//   run()), stop() to keep the last finished epoch, evaluate() for the report.
#pragma once

#include "core/nn/model.h"
#include "core/nn/model_io.h"
#include "core/status.h"
#include "core/train/checkpoint.h"
#include "core/train/clip_copies.h"
#include "core/train/dataset.h"
#include "core/train/split.h"
#include "core/train/trainer.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace aer {

/// How a run fine-tunes an existing model on a few clips (TrainingSession::adapt()).
struct AdaptSettings {
    bool enabled = false;
    /// Which parameters train: "head" (the layers after the last conv1d or lstm layer: the
    /// classifier on top of the learnt features), "last" (the output layer alone) or "all".
    std::string train = "all";
    double penalty = 0.0; ///< L2-SP weight towards the starting weights (TrainConfig::anchor_penalty)
};

/// What an adaptation request leaves out takes these: every layer, 100 steps of Adam at 2e-4 on
/// 16 clips, no penalty (chosen by scripts/personalise-eval over actors 01-20; the README's
/// personalisation table gives the alternatives measured: training the head alone, fewer steps,
/// L2-SP penalties, augmentation).
constexpr int kAdaptEpochs = 100;
constexpr double kAdaptLearningRate = 2e-4;
constexpr int kAdaptBatch = 16;

/// A checked training request.
struct SessionSettings {
    nlohmann::json arch = "paper-lstm";   ///< a preset name (string) or an architecture object
    std::string arch_name = "paper-lstm"; ///< for the metadata: the preset, the file, or "custom"
    TrainConfig train;                    ///< epochs, batch, lr, optimizer, seed, augmentation
    std::string split = "paper";          ///< "paper", "none" or "actors:LIST"
    double train_fraction = 0.6;          ///< the paper split's training share
    bool normalize = false;               ///< per-coefficient normalisation fitted on the training side
    double dropout = -1;                  ///< >= 0: every dropout layer's rate; < 0: the architecture's
    Channels channels = Channels::both;   ///< which RAVDESS vocal channels train
    MfccConfig features;                  ///< the feature pipeline (max_len > 0)
    std::vector<std::string> labels;      ///< the label order; empty: chosen from the examples
    std::vector<std::string> data;        ///< where the examples came from (metadata only)
    std::string init_from;                ///< a model whose lstm_0 weights start the run (metadata)
    std::string where = "cli";            ///< "cli" or "browser" (metadata)
    AdaptSettings adapt;                  ///< fine-tuning of an existing model (request key "adapt")
    WaveAugment wave_augment; ///< augmented copies of each training clip (key "wave_augment", a spec)
};

/// Parses and checks a request: {arch, arch_name, epochs, batch, lr, optimizer, seed, split,
/// train_fraction, normalize, dropout, augment, channels, feature_config, labels, data,
/// init_from, where, adapt}, every key optional. `adapt` is an object {train: head|last|all,
/// penalty: 0..1000}; with it, epochs, lr, batch and split default to kAdaptEpochs,
/// kAdaptLearningRate, kAdaptBatch and "none". Fails, naming the key, on an unknown key, a wrong type
/// or a value out of range (epochs 1..100000, batch 1..4096, 0 < lr <= 1e6, seed 0..2^32-1,
/// train_fraction 0.05..0.95, dropout 0..0.95, at most 1000 labels of 1..100 characters).
Status parse_session_settings(const nlohmann::json& request, SessionSettings& out);

/// The request that parse_session_settings() turns back into `s` (kept in a model's metadata).
nlohmann::json session_settings_json(const SessionSettings& s);

/// The epochs a model's training metadata says it finished (0 when absent or implausible).
int epochs_done_of(const nlohmann::json& training);

/// Accuracy per vocal channel: {speech: {accuracy, n}, song: {accuracy, n}}, the channels
/// present only. channels, truth, predicted: one entry per example.
nlohmann::json accuracy_by_channel(const std::vector<Channel>& channels, const std::vector<int>& truth,
                                   const std::vector<int>& predicted);

class TrainingSession {
  public:
    /// Starts afresh with these settings (examples, model and trainer are dropped).
    void configure(const SessionSettings& settings);

    /// One example: `features` (size floats: n_mfcc x max_len of the settings' features, copied),
    /// its label name, actor (-1 unknown) and channel. Fails on a wrong size or an empty label.
    /// `copy`: the features of an augmented copy of the last original example (same label, actor
    /// and channel): it trains when that example trains and is never tested.
    Status add_example(const float* features, std::size_t size, const std::string& label, int actor,
                       Channel channel, bool copy = false);

    /// One clip's audio: `y` (n samples at the settings' feature sample rate, mono, copied).
    /// Computes its features and, for a clip that can train (held_out() is false), the
    /// settings' wave_augment.copies augmented copies (clip_features(), seeded by the run's seed
    /// and the clip's number), then add_example()s them. The page trains through this.
    Status add_clip(const float* y, std::size_t n, const std::string& label, int actor, Channel channel);

    /// Audio (n samples at the feature rate, copied) that babble noise is made of; the session
    /// keeps the first kMaxBabble clips given. Without any, add_clip() keeps its first clips.
    void add_babble(const float* y, std::size_t n);
    static constexpr std::size_t kMaxBabble = 24;
    /// The babble clips, for callers that compute clip_features() themselves (the CLI's threads).
    std::vector<const std::vector<float>*> babble() const;

    /// Whether the settings' split tests every clip of `actor` ("actors:LIST"), so that an
    /// augmented copy of it could never train.
    bool held_out(int actor) const;
    /// Whether a clip of `actor` and `channel` can train: not held out, of a wanted channel
    /// (only such clips get augmented copies).
    bool trains_clip(int actor, Channel channel) const;

    /// Every example of a dataset whose features are computed (with the settings' features).
    Status add_dataset(const Dataset& data);

    /// Continues a checkpoint instead of building a fresh model: its weights, labels and
    /// normalisation, and (when `state` is not null) its optimiser state and dropout streams.
    /// `bin` (may be null when the caller has matched the state to the weights, as
    /// load_checkpoint() does): the model's .bin bytes, which the state's digest must match.
    /// Fails when the checkpoint's features or labels differ from the settings'.
    Status resume(Model model, const ModelInfo& info, const TrainState* state,
                  const std::vector<std::uint8_t>* bin);

    /// Fine-tunes `model` (settings().adapt): its weights start the run, and its labels, features
    /// and normalisation are kept (the session adopts its features when no example was added
    /// yet). At start() only the parameters of the adapt rule train; the optimiser starts
    /// afresh. evaluate() then also reports the starting model on the same held-back clips
    /// (original_accuracy, original_by_channel). Fails when examples of other features were added.
    Status adapt(Model model, const ModelInfo& info);

    /// A model whose lstm_0 weights (when shapes match) start the run; applied by start().
    void init_from(Model from) { init_from_ = std::move(from); }

    /// Filters, labels, splits, builds, normalises and initialises the trainer (see the contract).
    Status start();

    /// Trainer::step(), once started.
    Status step(int max_batches, TrainProgress& out);
    /// Trainer::run(), once started; `on_epoch` (may be null) after every finished epoch.
    Status run(const std::function<void(const TrainProgress&)>& progress, const std::atomic<bool>* stop);
    /// Keeps the last finished epoch's weights and state. Fails when no run has started.
    Status stop();

    /// The report on the test side: compute_metrics() as JSON plus
    /// by_channel {speech: {accuracy, n}, song: {accuracy, n}} (the channels present), and
    /// {n: 0, labels} without a test side. Also records test_accuracy in the metadata.
    Status evaluate(nlohmann::json& report);

    /// The model files and (when `state` is not null) the training state of the model as it
    /// stands, from one serialisation; the state carries the digest of `bin`.
    Status serialize(std::string& json, std::vector<std::uint8_t>& bin,
                     std::vector<std::uint8_t>* state) const;

    bool started() const { return started_; }
    const SessionSettings& settings() const { return settings_; }
    const std::vector<std::string>& labels() const { return info_.labels; }
    /// Adds a note for the user (e.g. a file a caller's dataset skipped).
    void add_note(const std::string& note) { notes_.push_back(note); }
    /// What start() left out and why, for the user.
    const std::vector<std::string>& notes() const { return notes_; }
    const Split& split() const { return split_; }
    const Model& model() const { return model_; }
    ModelInfo& info() { return info_; }
    const Trainer& trainer() const { return trainer_; }

  private:
    struct Pending { // an example before the labels are fixed
        std::string label;
        int actor;
        Channel channel;
        bool copy; // an augmented copy of the last original before it
    };
    Status build_model();
    void gather(const std::vector<std::size_t>& idx, std::vector<float>& x, std::vector<int>& y) const;
    /// Appends the prepared copies of the examples in `train`; returns how many.
    std::size_t gather_copies(const std::vector<std::size_t>& train, std::vector<float>& x,
                              std::vector<int>& y) const;

    SessionSettings settings_;
    std::vector<Pending> pending_;
    std::vector<float> pending_features_;
    Dataset data_;                     ///< the kept examples, labelled, after start()
    std::vector<std::size_t> copy_of_; ///< after start(): for each copy, its original's index in data_
    std::vector<float> copy_features_; ///< after start(): the copies' features, in copy_of_'s order
    std::vector<std::vector<float>> babble_;
    std::size_t clips_added_ = 0;
    std::unique_ptr<MfccExtractor> clip_extractor_; ///< add_clip()'s, made on first use
    std::vector<std::string> notes_;
    Split split_;
    Model model_;
    Model init_from_;
    ModelInfo info_;
    TrainState resume_state_;
    bool resuming_ = false, have_resume_state_ = false, started_ = false;
    Model original_;                   ///< the model an adaptation started from
    nlohmann::json original_training_; ///< its training metadata
    Trainer trainer_;
    std::vector<float> test_x_;
    std::vector<int> test_y_;
};

} // namespace aer
