// aer/train/personalise: personalisation that never makes a voice worse on the clips it can
// check. The CLI (`aer adapt`) and the page (wasm/bindings.cpp, class Personaliser) both run it;
// neither keeps a copy of the rule.
//
// Contract
// - Input: a starting model (never modified: the run works on copies), its ModelInfo, an adapt
//   request (SessionSettings with `adapt`, core/train/session.h) and the user's labelled clips
//   (features of the model's feature config; label names; actor and channel optional).
// - Cross-validation over the user's clips, stratified by label: the clips of every label with 2
//   or more clips are spread over k folds (k = the fewest clips of such a label, within
//   kMinFolds..kMaxFolds; the clips are shuffled per label with the request's seed, and each
//   label's clips start at the fold after the previous label's, so folds stay even). A label with
//   a single clip is never held back: its clip adapts every fold's model and is never scored.
//   Each fold is one adaptation run (TrainingSession::adapt with the request, split "none") on
//   the other folds' clips; the fold's clips are then classified by that adapted model and by
//   the original (prepare_inputs + predict_classes, as TrainingSession::evaluate does).
// - Decision (adaptation_wins()): the adapted model is kept only when, summed over the folds, it
//   classifies more held-back clips right than the original, or as many and gives their true
//   labels a strictly higher mean log-likelihood (a proper score: as right, and surer of the
//   truth). Otherwise the original is kept: no evidence of a gain. Either way the kept model
//   never classifies fewer held-back clips right than the original. (Measured on 39 new voices
//   over two draws of clips, scripts/personalise-eval: of 12 ties, the 11 the likelihood gave to
//   the adapted model gained on the voice's other clips, the one it gave to the original would
//   have lost; README, Personalisation.) When adapted wins, one more run adapts the original on
//   ALL the clips: that model is the one kept (its cross-validated figures are the estimate).
// - Too few clips: fewer than 2 labels with 2 or more clips leaves nothing fair to hold back
//   (kMinHeldBackLabels); no run is made and the original is kept, the reason saying what is
//   missing. A fold whose run fails (a non-finite loss, for one) keeps the original too, the
//   reason quoting the failure; stop() keeps it as well.
// - Usage: configure(), add_example()..., start(), then step() until finished() (or run()),
//   result() and serialize() for the model kept: the adapted weights, or the original's bit for
//   bit; either way the metadata's training.personalisation says which was kept and why.
#pragma once

#include "core/nn/model.h"
#include "core/nn/model_io.h"
#include "core/status.h"
#include "core/train/dataset.h"
#include "core/train/session.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace aer {

constexpr int kMinFolds = 2;
constexpr int kMaxFolds = 4;
/// Labels that need 2 or more clips each before anything is held back.
constexpr int kMinHeldBackLabels = 2;

/// The rule: whether an adapted model that classified adapted_right held-back clips right (mean
/// log-likelihood of their true labels adapted_ll, in nats) beats the original's original_right
/// (original_ll) on the same clips: more right, or as many right and a strictly higher
/// likelihood. Non-finite likelihoods never win a tie.
bool adaptation_wins(int adapted_right, int original_right, double adapted_ll, double original_ll);

/// What a personalisation decided, and the figures it decided on.
struct PersonaliseResult {
    std::string kept = "original";        ///< "adapted" or "original"
    std::string reason;                   ///< for the user: which model and why, with the counts
    int folds = 0;                        ///< cross-validation folds run (0: no comparison was made)
    int held_back_n = 0;                  ///< clips scored over all folds (each once)
    int adapted_right = 0;                ///< of those, classified right by the fold's adapted model
    int original_right = 0;               ///< ... by the original
    double adapted_log_likelihood = 0;    ///< mean ln p(true label) of the adapted models (nats)
    double original_log_likelihood = 0;   ///< ... of the original
    int adapt_n = 0;                      ///< clips that adapt the kept model (all of them; 0 when original)
    std::vector<nlohmann::json> per_fold; ///< {fold, train_n, held_back_n, adapted_right, original_right}

    /// {kept, reason, folds, held_back_n, adapted_right, original_right, adapted_accuracy,
    /// original_accuracy (null without a comparison), adapted_log_likelihood,
    /// original_log_likelihood, adapt_n, per_fold}.
    nlohmann::json to_json() const;
};

/// Where a personalisation is after a step().
struct PersonaliseProgress {
    int run = 0;           ///< the adaptation run going on, 1-based: folds first, then the final run
    int runs = 0;          ///< runs planned: the folds, plus 1 once adapted has won (or always_final_run())
    int fold = 0;          ///< 1..folds while cross-validating, 0 in the final run
    int folds = 0;         ///< folds of the cross-validation
    TrainProgress train;   ///< the current run's own progress
    bool finished = false; ///< decided, and the kept model is ready
};

class Personalisation {
  public:
    /// Starts afresh: `settings` must carry `adapt` (parse_session_settings()); its split is not
    /// used (the folds are the split). `model` and `info`: the starting model, copied (the
    /// caller's stays untouched). The clips must have the model's features. Fails when the model
    /// cannot be copied or the request has no `adapt`.
    Status configure(const SessionSettings& settings, const Model& model, const ModelInfo& info);

    /// One clip: `features` (size floats: n_mfcc x max_len of the model's features, copied), its
    /// label name, actor (-1 unknown) and channel. A label the model does not know, or a channel
    /// the request leaves out, is skipped and counted in notes(). Fails on a wrong size, non-finite
    /// values or an empty label, as TrainingSession::add_example does.
    Status add_example(const float* features, std::size_t size, const std::string& label, int actor,
                       Channel channel);

    /// Every example of a dataset whose features are computed with the model's features.
    Status add_dataset(const Dataset& data);

    /// Before start(): the final run on all the clips happens even when the original is kept, so
    /// that adapted_model() gives what adapting would have given (for comparisons: `aer adapt
    /// --also-adapted`, scripts/personalise-eval). The decision and the kept model do not change.
    void always_final_run(bool on) { always_final_run_ = on; }

    /// Plans the folds and starts the first run; with too few clips decides at once (finished(),
    /// the original kept). Fails without any usable clip.
    Status start();

    /// Runs at most max_batches batches of the current run, then (when it ends) scores its fold,
    /// starts the next run or decides. A failed run ends the personalisation with the original
    /// kept (the Status stays ok; result().reason says what failed).
    Status step(int max_batches, PersonaliseProgress& out);

    /// step() until finished. progress (may be null) after every step of one batch; stop (may be
    /// null) checked between batches: a stop keeps the original (stop()).
    Status run(const std::function<void(const PersonaliseProgress&)>& progress,
               const std::atomic<bool>* stop);

    /// Ends now, keeping the original ("stopped before ..."). Fails before start().
    Status stop();

    bool started() const { return started_; }
    bool finished() const { return finished_; }
    /// The decision and its figures (complete once finished()).
    const PersonaliseResult& result() const { return result_; }
    /// What was skipped and why, and what the runs noted (parameters adapted).
    const std::vector<std::string>& notes() const { return notes_; }
    const std::vector<std::string>& labels() const { return info_.labels; }
    /// Clips taken (after skipping).
    std::size_t clip_count() const { return labels_.size(); }
    const SessionSettings& settings() const { return settings_; }
    /// The history of the last run (the final run's when adapted was kept).
    const std::vector<EpochMetrics>& history() const;
    /// The kept model's metadata: the final run's (adapted) or the original's, with
    /// training.personalisation = result().to_json(). Valid once finished().
    const ModelInfo& kept_info() const { return kept_info_; }

    /// The kept model (valid once finished()): the final run's, or the original's weights unchanged.
    const Model& kept_model() const;

    /// The model adapted on all the clips, whether kept or not (null when that run did not happen:
    /// the original kept without always_final_run(), or a stop). Valid once finished().
    const Model* adapted_model() const;
    /// Its metadata (training.personalisation as kept_info()'s), when adapted_model() is not null.
    const ModelInfo& adapted_info() const { return adapted_info_; }

    /// The kept model's two files (valid once finished()): kept_model() with kept_info().
    Status serialize(std::string& json_text, std::vector<std::uint8_t>& bin) const;

  private:
    Status begin_run(int fold);
    Status end_fold();
    void decide();
    void set_original(const std::string& reason);  ///< the decision, without finishing
    void keep_original(const std::string& reason); ///< ... and finished

    Status score(Model& model, const std::vector<std::size_t>& idx, int& right, double& log_likelihood) const;

    SessionSettings settings_;
    Model original_;
    ModelInfo info_;
    std::vector<float> features_; ///< clip_count() x feature size
    std::vector<int> labels_;     ///< class index per clip
    std::vector<int> actors_;
    std::vector<Channel> channels_;
    std::vector<int> fold_of_; ///< per clip: 0..folds-1, or -1 (a label's single clip: always adapts)
    std::vector<std::string> notes_;
    std::size_t skipped_channel_ = 0;
    std::map<std::string, std::size_t> skipped_labels_;
    std::unique_ptr<TrainingSession> session_; ///< the run going on (or the last one)
    int folds_ = 0;
    int fold_ = 0; ///< 1-based fold running; 0 in the final run
    bool started_ = false, finished_ = false, always_final_run_ = false, have_adapted_ = false;
    PersonaliseResult result_;
    double adapted_ll_sum_ = 0, original_ll_sum_ = 0;
    ModelInfo kept_info_, adapted_info_;
};

} // namespace aer
