#include "core/train/personalise.h"

#include "core/train/normalize.h"
#include "core/train/split.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace aer {

using nlohmann::json;

namespace {

/// A copy of `model` through its files (Model is move-only).
Status copy_model(const Model& model, const ModelInfo& info, Model& out) {
    std::string text;
    std::vector<std::uint8_t> bin;
    Status s = serialize_model(model, info, text, bin);
    ModelInfo ignored;
    if (s.ok())
        s = load_model(reinterpret_cast<const std::uint8_t*>(text.data()), text.size(), bin.data(),
                       bin.size(), out, ignored);
    return s;
}

std::string fraction(int right, int n) {
    return std::to_string(right) + "/" + std::to_string(n);
}

} // namespace

bool adaptation_wins(int adapted_right, int original_right, double adapted_ll, double original_ll) {
    if (adapted_right != original_right)
        return adapted_right > original_right;
    return std::isfinite(adapted_ll) && std::isfinite(original_ll) && adapted_ll > original_ll;
}

json PersonaliseResult::to_json() const {
    const bool compared = held_back_n > 0;
    auto accuracy = [&](int right) {
        return compared ? json(double(right) / double(held_back_n)) : json(nullptr);
    };
    auto finite = [](double v) { return std::isfinite(v) ? json(v) : json(nullptr); };
    return {{"kept", kept},
            {"reason", reason},
            {"folds", folds},
            {"held_back_n", held_back_n},
            {"adapted_right", adapted_right},
            {"original_right", original_right},
            {"adapted_accuracy", accuracy(adapted_right)},
            {"original_accuracy", accuracy(original_right)},
            {"adapted_log_likelihood", compared ? finite(adapted_log_likelihood) : json(nullptr)},
            {"original_log_likelihood", compared ? finite(original_log_likelihood) : json(nullptr)},
            {"adapt_n", adapt_n},
            {"per_fold", per_fold}};
}

Status Personalisation::configure(const SessionSettings& settings, const Model& model,
                                  const ModelInfo& info) {
    *this = Personalisation{};
    if (!settings.adapt.enabled)
        return Status::error("personalisation: the request has no 'adapt' settings");
    if (!model.built())
        return Status::error("personalisation: no model to start from");
    Status s = copy_model(model, info, original_);
    if (!s.ok())
        return Status::error("personalisation: the starting model could not be copied: " + s.message);
    info_ = info;
    settings_ = settings;
    settings_.split = "none"; // the folds are the split
    settings_.features = info.features;
    settings_.labels = info.labels;
    return Status{};
}

Status Personalisation::add_example(const float* features, std::size_t size, const std::string& label,
                                    int actor, Channel channel) {
    if (started_)
        return Status::error("examples must be added before personalisation starts");
    if (!original_.built())
        return Status::error("personalisation: configure() first");
    const std::size_t want = std::size_t(info_.features.n_mfcc) * std::size_t(info_.features.max_len);
    if (size != want)
        return Status::error("an example has " + std::to_string(size) +
                             " values, the model's features give " + std::to_string(want) + " (" +
                             std::to_string(info_.features.n_mfcc) + " x " +
                             std::to_string(info_.features.max_len) + ")");
    if (label.empty())
        return Status::error("an example has no label");
    if (actor < -1 || actor > 99)
        return Status::error("an example's actor must be -1 (unknown) or 0..99");
    for (std::size_t k = 0; k < size; ++k)
        if (!std::isfinite(features[k]))
            return Status::error("an example's features are not finite");
    if (!channel_wanted(settings_.channels, channel)) {
        ++skipped_channel_;
        return Status{};
    }
    auto it = std::find(info_.labels.begin(), info_.labels.end(), label);
    if (it == info_.labels.end()) {
        ++skipped_labels_[label];
        return Status{};
    }
    features_.insert(features_.end(), features, features + size);
    labels_.push_back(int(it - info_.labels.begin()));
    actors_.push_back(actor);
    channels_.push_back(channel);
    return Status{};
}

Status Personalisation::add_dataset(const Dataset& data) {
    if (data.n_mfcc != info_.features.n_mfcc || data.frames != info_.features.max_len)
        return Status::error("the dataset's features do not match the model's feature config");
    Status s = for_each_example(data, [&](const float* f, std::size_t n, const std::string& label, int actor,
                                          Channel channel) { return add_example(f, n, label, actor, channel); });
    if (s.ok())
        notes_.insert(notes_.end(), data.notes.begin(), data.notes.end());
    return s;
}

Status Personalisation::start() {
    if (started_)
        return Status::error("personalisation has already started");
    if (!original_.built())
        return Status::error("personalisation: configure() first");
    if (skipped_channel_ > 0)
        notes_.push_back(std::to_string(skipped_channel_) +
                         " clip(s) of the other vocal channel skipped (channels: " +
                         channels_name(settings_.channels) + ")");
    for (const auto& [label, n] : skipped_labels_)
        notes_.push_back(std::to_string(n) + " clip(s) labelled '" + label +
                         "' skipped: not one of the model's labels");
    if (labels_.empty())
        return Status::error("personalisation needs labelled clips of the model's labels (" +
                             std::to_string(notes_.size()) + " skipped)");
    started_ = true;
    // Clips per label, in class order.
    std::map<int, std::vector<std::size_t>> by_label;
    for (std::size_t i = 0; i < labels_.size(); ++i)
        by_label[labels_[i]].push_back(i);
    int held_labels = 0, fewest = 0;
    std::string counts;
    for (const auto& [label, idx] : by_label) {
        counts += (counts.empty() ? "" : ", ") + info_.labels[std::size_t(label)] + " " +
                  std::to_string(idx.size());
        if (idx.size() >= 2) {
            ++held_labels;
            fewest = fewest == 0 ? int(idx.size()) : std::min(fewest, int(idx.size()));
        }
    }
    fold_of_.assign(labels_.size(), -1);
    if (held_labels < kMinHeldBackLabels) {
        keep_original(
            "kept the original: too few clips to hold any back (a comparison needs 2 or more clips of at "
            "least " +
            std::to_string(kMinHeldBackLabels) + " labels; there are " + counts + ")");
        return Status{};
    }
    folds_ = std::clamp(fewest, kMinFolds, kMaxFolds);
    int offset = 0;
    for (auto& [label, idx] : by_label) {
        if (idx.size() < 2)
            continue; // a single clip always adapts
        seeded_shuffle(idx, settings_.train.seed + std::uint32_t(label) * 7919u);
        for (std::size_t j = 0; j < idx.size(); ++j)
            fold_of_[idx[j]] = int((std::size_t(offset) + j) % std::size_t(folds_));
        offset = int((std::size_t(offset) + idx.size()) % std::size_t(folds_));
    }
    result_.folds = folds_;
    return begin_run(1);
}

Status Personalisation::begin_run(int fold) {
    fold_ = fold;
    session_ = std::make_unique<TrainingSession>();
    session_->configure(settings_);
    Model copy;
    Status s = copy_model(original_, info_, copy);
    if (s.ok())
        s = session_->adapt(std::move(copy), info_);
    const std::size_t size = std::size_t(info_.features.n_mfcc) * std::size_t(info_.features.max_len);
    for (std::size_t i = 0; s.ok() && i < labels_.size(); ++i)
        if (fold == 0 || fold_of_[i] != fold - 1)
            s = session_->add_example(features_.data() + i * size, size,
                                      info_.labels[std::size_t(labels_[i])], actors_[i], channels_[i]);
    if (s.ok())
        s = session_->start();
    if (!s.ok())
        return Status::error("personalisation: " + s.message);
    if (fold == 1) // what the first run notes (the parameters adapted) holds for every run
        notes_.insert(notes_.end(), session_->notes().begin(), session_->notes().end());
    return Status{};
}

Status Personalisation::score(Model& model, const std::vector<std::size_t>& idx, int& right,
                              double& log_likelihood) const {
    const int n_mfcc = info_.features.n_mfcc, frames = info_.features.max_len;
    const std::size_t size = std::size_t(n_mfcc) * std::size_t(frames);
    std::vector<float> x(idx.size() * size), probs;
    for (std::size_t k = 0; k < idx.size(); ++k)
        prepare_inputs(features_.data() + idx[k] * size, 1, n_mfcc, frames, info_, model.orientation(),
                       x.data() + k * size);
    std::vector<int> predicted;
    Status s = predict_classes(model, x.data(), int(idx.size()), predicted, &probs);
    if (!s.ok())
        return s;
    right = 0;
    log_likelihood = 0;
    const std::size_t classes = std::size_t(model.classes());
    for (std::size_t k = 0; k < idx.size(); ++k) {
        const int truth = labels_[idx[k]];
        right += predicted[k] == truth;
        log_likelihood += std::log(std::max(double(probs[k * classes + std::size_t(truth)]), 1e-30));
    }
    return Status{};
}

Status Personalisation::end_fold() {
    std::vector<std::size_t> held;
    for (std::size_t i = 0; i < labels_.size(); ++i)
        if (fold_of_[i] == fold_ - 1)
            held.push_back(i);
    Model adapted;
    Status s = copy_model(session_->model(), info_, adapted);
    int adapted_right = 0, original_right = 0;
    double adapted_ll = 0, original_ll = 0;
    if (s.ok())
        s = score(adapted, held, adapted_right, adapted_ll);
    if (s.ok())
        s = score(original_, held, original_right, original_ll);
    if (!s.ok())
        return Status::error("personalisation: scoring fold " + std::to_string(fold_) + ": " + s.message);
    result_.held_back_n += int(held.size());
    result_.adapted_right += adapted_right;
    result_.original_right += original_right;
    adapted_ll_sum_ += adapted_ll;
    original_ll_sum_ += original_ll;
    result_.per_fold.push_back({{"fold", fold_},
                                {"train_n", session_->split().train.size()},
                                {"held_back_n", held.size()},
                                {"adapted_right", adapted_right},
                                {"original_right", original_right}});
    if (fold_ < folds_)
        return begin_run(fold_ + 1);
    result_.adapted_log_likelihood = adapted_ll_sum_ / double(result_.held_back_n);
    result_.original_log_likelihood = original_ll_sum_ / double(result_.held_back_n);
    decide();
    if (result_.kept == "adapted" || always_final_run_)
        return begin_run(0); // the final run on all the clips
    finished_ = true;
    return Status{};
}

void Personalisation::decide() {
    const PersonaliseResult& r = result_;
    const std::string adapted = fraction(r.adapted_right, r.held_back_n),
                      original = fraction(r.original_right, r.held_back_n),
                      over = " (cross-validation over " + std::to_string(folds_) + " folds)";
    char ll[96];
    std::snprintf(ll, sizeof ll, " (mean log-likelihood %.3f against %.3f)", r.adapted_log_likelihood,
                  r.original_log_likelihood);
    const bool tie = r.adapted_right == r.original_right;
    if (adaptation_wins(r.adapted_right, r.original_right, r.adapted_log_likelihood,
                        r.original_log_likelihood)) {
        result_.kept = "adapted";
        result_.adapt_n = int(labels_.size());
        result_.reason =
            "kept the adapted model: on held-back clips it classified " + adapted + " right, " +
            (tie ? "as many as the original, and gave the true labels a higher likelihood" + std::string(ll)
                 : "the original " + original) +
            over + "; then adapted on all " + std::to_string(labels_.size()) + " clips";
    } else if (tie) {
        set_original("kept the original: on held-back clips the adapted model classified " + adapted +
                     " right, as many as the original, and gave the true labels no higher likelihood" + ll +
                     over + ": no evidence of a gain");
    } else {
        set_original("kept the original: on held-back clips the adapted model classified " + adapted +
                     " right, the original " + original + over);
    }
}

void Personalisation::set_original(const std::string& reason) {
    result_.kept = "original";
    result_.adapt_n = 0;
    result_.reason = reason;
    kept_info_ = info_;
    if (!kept_info_.training.is_object())
        kept_info_.training = json::object();
    kept_info_.training["personalisation"] = result_.to_json();
}

void Personalisation::keep_original(const std::string& reason) {
    set_original(reason);
    finished_ = true;
}

Status Personalisation::step(int max_batches, PersonaliseProgress& out) {
    if (!started_)
        return Status::error("personalisation has not started");
    const bool decided = fold_ == 0; // the final run comes after the decision
    if (!finished_) {
        Status s = session_->step(max_batches, out.train);
        if (!s.ok() && decided && result_.kept == "original") { // a run for comparison only
            notes_.push_back("adapting on all the clips for comparison failed: " + s.message);
            finished_ = true;
        } else if (!s.ok()) {
            const std::string where = fold_ > 0
                                          ? "fold " + std::to_string(fold_) + " of " + std::to_string(folds_)
                                          : std::string("the final run on all the clips");
            keep_original("kept the original: adapting failed in " + where + " (" + s.message + ")");
        } else if (out.train.finished && !decided) {
            s = end_fold();
            if (!s.ok())
                return s;
        } else if (out.train.finished) { // the final run
            adapted_info_ = session_->info();
            adapted_info_.training["personalisation"] = result_.to_json();
            have_adapted_ = true;
            if (result_.kept == "adapted")
                kept_info_ = adapted_info_;
            finished_ = true;
        }
    }
    out.folds = folds_;
    out.fold = fold_;
    out.run = fold_ > 0 ? fold_ : folds_ + 1;
    out.runs = folds_ + (result_.kept == "adapted" || always_final_run_ ? 1 : 0);
    out.finished = finished_;
    return Status{};
}

Status Personalisation::run(const std::function<void(const PersonaliseProgress&)>& progress,
                            const std::atomic<bool>* stop) {
    PersonaliseProgress p;
    while (!finished_) {
        if (stop && stop->load())
            return this->stop();
        Status s = step(1, p);
        if (!s.ok())
            return s;
        if (progress)
            progress(p);
    }
    return Status{};
}

Status Personalisation::stop() {
    if (!started_)
        return Status::error("no personalisation to stop");
    if (finished_)
        return Status{};
    if (fold_ == 0 && result_.kept == "original") // decided: only the run for comparison is cut short
        finished_ = true;
    else
        keep_original(fold_ > 0
                          ? "kept the original: stopped before the comparison on held-back clips finished"
                          : "kept the original: stopped during the final run on all the clips");
    return Status{};
}

const std::vector<EpochMetrics>& Personalisation::history() const {
    static const std::vector<EpochMetrics> none;
    return session_ ? session_->trainer().history() : none;
}

const Model& Personalisation::kept_model() const {
    return finished_ && result_.kept == "adapted" ? session_->model() : original_;
}

const Model* Personalisation::adapted_model() const {
    return finished_ && have_adapted_ ? &session_->model() : nullptr;
}

Status Personalisation::serialize(std::string& json_text, std::vector<std::uint8_t>& bin) const {
    if (!finished_)
        return Status::error("personalisation has not finished");
    return serialize_model(kept_model(), kept_info_, json_text, bin);
}

} // namespace aer
