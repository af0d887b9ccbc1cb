#include "core/train/session.h"

#include "core/train/metrics.h"
#include "core/train/normalize.h"

#include <cmath>
#include <map>
#include <set>

namespace aer {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxLabels = 1000;
constexpr std::size_t kMaxLabelChars = 100;

// An integer field within [lo, hi]: a JSON integer, or a float with an integral value (what a
// page's JavaScript may send). Checked before any conversion, so no cast is ever undefined.
Status integer_field(const json& v, const char* key, long long lo, long long hi, long long& out) {
    const std::string range = std::to_string(lo) + ".." + std::to_string(hi);
    if (v.is_number_integer()) {
        // JSON's non-negative integers are unsigned: those need the lower bound too (0 < lo).
        const bool in_range = v.is_number_unsigned()
                                  ? v.get<unsigned long long>() <= (unsigned long long)hi &&
                                        (long long)v.get<unsigned long long>() >= lo
                                  : v.get<long long>() >= lo && v.get<long long>() <= hi;
        if (!in_range)
            return Status::error(std::string("'") + key + "' must be an integer within " + range);
        out = v.get<long long>();
        return Status{};
    }
    if (v.is_number_float()) {
        double d = v.get<double>();
        if (std::isfinite(d) && d == std::floor(d) && d >= double(lo) && d <= double(hi)) {
            out = (long long)d;
            return Status{};
        }
    }
    return Status::error(std::string("'") + key + "' must be an integer within " + range);
}

Status number_field(const json& v, const char* key, double lo, double hi, bool open_low, double& out) {
    if (v.is_number()) {
        double d = v.get<double>();
        if (std::isfinite(d) && (open_low ? d > lo : d >= lo) && d <= hi) {
            out = d;
            return Status{};
        }
    }
    return Status::error(std::string("'") + key + "' must be a number within " + (open_low ? "(" : "[") +
                         std::to_string(lo) + ", " + std::to_string(hi) + "]");
}

Status string_field(const json& v, const char* key, std::string& out) {
    if (!v.is_string())
        return Status::error(std::string("'") + key + "' must be a string");
    out = v.get<std::string>();
    return Status{};
}

Status string_list(const json& v, const char* key, std::vector<std::string>& out) {
    if (!v.is_array())
        return Status::error(std::string("'") + key + "' must be an array of strings");
    out.clear();
    for (const json& e : v) {
        if (!e.is_string())
            return Status::error(std::string("'") + key + "' must be an array of strings");
        out.push_back(e.get<std::string>());
    }
    return Status{};
}

Status check_labels(const std::vector<std::string>& labels) {
    if (labels.size() == 1 || labels.size() > kMaxLabels)
        return Status::error("'labels' must hold 2.." + std::to_string(kMaxLabels) + " names");
    std::set<std::string> seen;
    for (const std::string& l : labels) {
        if (l.empty() || l.size() > kMaxLabelChars)
            return Status::error("'labels': every name must have 1.." + std::to_string(kMaxLabelChars) +
                                 " characters");
        if (!seen.insert(l).second)
            return Status::error("'labels': '" + l + "' appears twice");
    }
    return Status{};
}

Status check_split(const std::string& spec) {
    if (spec == "paper" || spec == "none")
        return Status{};
    if (spec.compare(0, 7, "actors:") == 0) {
        std::vector<int> actors;
        return parse_actor_list(spec.substr(7), actors);
    }
    return Status::error("'split' must be paper, none or actors:LIST, not '" + spec + "'");
}

} // namespace

Status parse_session_settings(const json& request, SessionSettings& out) {
    if (!request.is_object())
        return Status::error("the training request is not a JSON object");
    SessionSettings s;
    bool arch_named = false;
    for (auto it = request.begin(); it != request.end(); ++it) {
        const std::string& key = it.key();
        const json& v = it.value();
        Status r;
        long long i = 0;
        std::string text;
        if (key == "arch") {
            if (v.is_string()) {
                json probe;
                r = preset_architecture(v.get<std::string>(), probe, 2);
                s.arch = v;
                s.arch_name = v.get<std::string>();
            } else if (v.is_object()) {
                s.arch = v;
                if (!arch_named)
                    s.arch_name = "custom";
            } else {
                r = Status::error("'arch' must be a preset name or an architecture object");
            }
        } else if (key == "arch_name") {
            r = string_field(v, "arch_name", s.arch_name);
            arch_named = true;
        } else if (key == "epochs") {
            r = integer_field(v, "epochs", 1, 100000, i);
            s.train.epochs = int(i);
        } else if (key == "batch") {
            r = integer_field(v, "batch", 1, 4096, i);
            s.train.batch = int(i);
        } else if (key == "lr") {
            r = number_field(v, "lr", 0, 1e6, true, s.train.learning_rate);
        } else if (key == "optimizer") {
            r = string_field(v, "optimizer", s.train.optimizer);
            if (r.ok() && s.train.optimizer != "adam" && s.train.optimizer != "sgd")
                r = Status::error("'optimizer' must be adam or sgd");
        } else if (key == "seed") {
            r = integer_field(v, "seed", 0, 4294967295LL, i);
            s.train.seed = std::uint32_t(i);
        } else if (key == "split") {
            r = string_field(v, "split", s.split);
            if (r.ok())
                r = check_split(s.split);
        } else if (key == "train_fraction") {
            r = number_field(v, "train_fraction", 0.05, 0.95, false, s.train_fraction);
        } else if (key == "normalize") {
            if (v.is_boolean())
                s.normalize = v.get<bool>();
            else
                r = Status::error("'normalize' must be true or false");
        } else if (key == "dropout") {
            if (!v.is_null())
                r = number_field(v, "dropout", 0, 0.95, false, s.dropout);
        } else if (key == "augment") {
            r = string_field(v, "augment", text);
            if (r.ok())
                r = parse_augment(text, s.train.augment);
        } else if (key == "wave_augment") {
            r = string_field(v, "wave_augment", text);
            if (r.ok())
                r = parse_wave_augment(text, s.wave_augment);
        } else if (key == "channels") {
            r = string_field(v, "channels", text);
            if (r.ok())
                r = parse_channels(text, s.channels);
        } else if (key == "feature_config") {
            r = mfcc_config_from_json(v, s.features);
            if (r.ok() && s.features.max_len <= 0)
                r = Status::error("feature config: training needs a fixed length (max_len > 0)");
        } else if (key == "labels") {
            r = string_list(v, "labels", s.labels);
            if (r.ok())
                r = check_labels(s.labels);
        } else if (key == "data") {
            r = string_list(v, "data", s.data);
        } else if (key == "init_from") {
            r = string_field(v, "init_from", s.init_from);
        } else if (key == "where") {
            r = string_field(v, "where", s.where);
        } else if (key == "adapt") {
            s.adapt.enabled = true;
            if (!v.is_object())
                r = Status::error("'adapt' must be an object {train, penalty}");
            for (auto a = v.begin(); r.ok() && a != v.end(); ++a) {
                if (a.key() == "train") {
                    r = string_field(a.value(), "adapt.train", s.adapt.train);
                    if (r.ok() && s.adapt.train != "head" && s.adapt.train != "last" &&
                        s.adapt.train != "all")
                        r = Status::error("'adapt.train' must be head, last or all");
                } else if (a.key() == "penalty") {
                    r = number_field(a.value(), "adapt.penalty", 0, 1000, false, s.adapt.penalty);
                } else {
                    r = Status::error("unknown key 'adapt." + a.key() + "'");
                }
            }
        } else {
            r = Status::error("unknown key '" + key + "'");
        }
        if (!r.ok())
            return Status::error("training request: " + r.message);
    }
    if (s.adapt.enabled) { // fine-tuning's own defaults for what the request leaves out
        if (!request.contains("epochs"))
            s.train.epochs = kAdaptEpochs;
        if (!request.contains("lr"))
            s.train.learning_rate = kAdaptLearningRate;
        if (!request.contains("batch"))
            s.train.batch = kAdaptBatch;
        if (!request.contains("split"))
            s.split = "none";
    }
    out = std::move(s);
    return Status{};
}

json session_settings_json(const SessionSettings& s) {
    json j = {{"arch", s.arch},
              {"arch_name", s.arch_name},
              {"epochs", s.train.epochs},
              {"batch", s.train.batch},
              {"lr", s.train.learning_rate},
              {"optimizer", s.train.optimizer},
              {"seed", s.train.seed},
              {"split", s.split},
              {"train_fraction", s.train_fraction},
              {"normalize", s.normalize},
              {"augment", augment_spec(s.train.augment)},
              {"wave_augment", wave_augment_spec(s.wave_augment)},
              {"channels", channels_name(s.channels)},
              {"feature_config", to_json(s.features)},
              {"data", s.data},
              {"init_from", s.init_from},
              {"where", s.where}};
    if (s.dropout >= 0)
        j["dropout"] = s.dropout;
    if (!s.labels.empty())
        j["labels"] = s.labels;
    if (s.adapt.enabled)
        j["adapt"] = {{"train", s.adapt.train}, {"penalty", s.adapt.penalty}};
    return j;
}

int epochs_done_of(const json& training) {
    if (!training.is_object() || !training.contains("epochs_done") ||
        !training["epochs_done"].is_number_integer())
        return 0;
    long long v = training["epochs_done"].get<long long>();
    return v >= 0 && v <= 100000 ? int(v) : 0;
}

json accuracy_by_channel(const std::vector<Channel>& channels, const std::vector<int>& truth,
                         const std::vector<int>& predicted) {
    json out = json::object();
    for (Channel c : {Channel::speech, Channel::song}) {
        long n = 0, right = 0;
        for (std::size_t k = 0; k < channels.size() && k < truth.size() && k < predicted.size(); ++k) {
            if (channels[k] != c)
                continue;
            ++n;
            right += predicted[k] == truth[k];
        }
        if (n > 0)
            out[channel_name(c)] = {{"accuracy", double(right) / double(n)}, {"n", n}};
    }
    return out;
}

// ---- TrainingSession ----------------------------------------------------------------------------

void TrainingSession::configure(const SessionSettings& settings) {
    *this = TrainingSession{};
    settings_ = settings;
    info_.features = settings.features;
}

Status TrainingSession::add_example(const float* features, std::size_t size, const std::string& label,
                                    int actor, Channel channel, bool copy) {
    if (started_)
        return Status::error("examples must be added before the run starts");
    if (copy && (pending_.empty() || pending_.back().label != label || pending_.back().actor != actor ||
                 pending_.back().channel != channel))
        return Status::error(
            "an augmented copy must follow its original example (same label, actor, channel)");
    const std::size_t want = std::size_t(settings_.features.n_mfcc) * std::size_t(settings_.features.max_len);
    if (size != want)
        return Status::error("an example has " + std::to_string(size) + " values, the features give " +
                             std::to_string(want) + " (" + std::to_string(settings_.features.n_mfcc) + " x " +
                             std::to_string(settings_.features.max_len) + ")");
    if (label.empty() || label.size() > kMaxLabelChars)
        return Status::error("an example's label must have 1.." + std::to_string(kMaxLabelChars) +
                             " characters");
    if (actor < -1 || actor > 99)
        return Status::error("an example's actor must be -1 (unknown) or 0..99");
    for (std::size_t k = 0; k < size; ++k)
        if (!std::isfinite(features[k]))
            return Status::error("an example's features are not finite");
    pending_.push_back({label, actor, channel, copy});
    pending_features_.insert(pending_features_.end(), features, features + size);
    return Status{};
}

bool TrainingSession::held_out(int actor) const {
    const std::string prefix = "actors:";
    std::vector<int> actors;
    if (actor < 0 || settings_.split.compare(0, prefix.size(), prefix) != 0 ||
        !parse_actor_list(settings_.split.substr(prefix.size()), actors).ok())
        return false;
    return std::find(actors.begin(), actors.end(), actor) != actors.end();
}

bool TrainingSession::trains_clip(int actor, Channel channel) const {
    return !held_out(actor) && channel_wanted(settings_.channels, channel);
}

void TrainingSession::add_babble(const float* y, std::size_t n) {
    if (babble_.size() < kMaxBabble && n > 0)
        babble_.emplace_back(y, y + n);
}

std::vector<const std::vector<float>*> TrainingSession::babble() const {
    std::vector<const std::vector<float>*> out;
    for (const std::vector<float>& b : babble_)
        out.push_back(&b);
    return out;
}

Status TrainingSession::add_clip(const float* y, std::size_t n, const std::string& label, int actor,
                                 Channel channel) {
    if (!clip_extractor_) {
        clip_extractor_ = std::make_unique<MfccExtractor>();
        Status s = clip_extractor_->init(settings_.features);
        if (!s.ok()) {
            clip_extractor_.reset();
            return s;
        }
    }
    const bool trains = trains_clip(actor, channel);
    const int copies = trains ? settings_.wave_augment.copies : 0;
    std::vector<float> f;
    Status s = clip_features(y, n, settings_.wave_augment, copies,
                             clip_seed(settings_.train.seed, clips_added_++), babble(), *clip_extractor_, f);
    const std::size_t size = std::size_t(settings_.features.n_mfcc) * std::size_t(settings_.features.max_len);
    for (int k = 0; s.ok() && k <= copies; ++k)
        s = add_example(f.data() + std::size_t(k) * size, size, label, actor, channel, k > 0);
    if (s.ok() && trains && babble_.size() < kMaxBabble) // no babble given: the first clips make it
        add_babble(y, n);
    return s;
}

Status TrainingSession::add_dataset(const Dataset& data) {
    if (data.n_mfcc != settings_.features.n_mfcc || data.frames != settings_.features.max_len)
        return Status::error("the dataset's features do not match the settings' feature config");
    Status s =
        for_each_example(data, [&](const float* f, std::size_t n, const std::string& label, int actor,
                                   Channel channel) { return add_example(f, n, label, actor, channel); });
    if (s.ok())
        notes_.insert(notes_.end(), data.notes.begin(), data.notes.end());
    return s;
}

Status TrainingSession::resume(Model model, const ModelInfo& info, const TrainState* state,
                               const std::vector<std::uint8_t>* bin) {
    if (started_)
        return Status::error("resume: the run has already started");
    if (to_json(info.features) != to_json(settings_.features))
        return Status::error("resume: the checkpoint was trained on other features");
    if (!settings_.labels.empty() && settings_.labels != info.labels)
        return Status::error("resume: the checkpoint was trained on other labels");
    if (state && bin && state->weights != weights_digest(bin->data(), bin->size()))
        return Status::error("resume: the training state belongs to other weights than the model");
    model_ = std::move(model);
    info_.labels = info.labels;
    info_.norm_mean = info.norm_mean;
    info_.norm_std = info.norm_std;
    have_resume_state_ = state != nullptr;
    if (state)
        resume_state_ = *state;
    else
        resume_state_.epochs_done = epochs_done_of(info.training);
    resuming_ = true;
    return Status{};
}

Status TrainingSession::adapt(Model model, const ModelInfo& info) {
    if (started_)
        return Status::error("adapt: the run has already started");
    if (!settings_.adapt.enabled)
        return Status::error("adapt: the request has no 'adapt' settings");
    if (to_json(info.features) != to_json(settings_.features)) {
        if (!pending_.empty())
            return Status::error("adapt: the examples were computed with other features than the model's");
        settings_.features = info.features;
        info_.features = info.features;
    }
    // The starting model, kept to compare with on the held-back clips.
    std::string json_text;
    std::vector<std::uint8_t> bin;
    ModelInfo copy_info;
    Status s = serialize_model(model, info, json_text, bin);
    if (s.ok())
        s = load_model(reinterpret_cast<const std::uint8_t*>(json_text.data()), json_text.size(), bin.data(),
                       bin.size(), original_, copy_info);
    if (!s.ok())
        return Status::error("adapt: " + s.message);
    original_training_ = info.training;
    settings_.labels = info.labels;
    s = resume(std::move(model), info, nullptr, nullptr);
    resume_state_.epochs_done = 0; // a new run from these weights, not a continuation
    return s;
}

Status TrainingSession::build_model() {
    const int classes = int(info_.labels.size());
    json arch;
    if (settings_.arch.is_string()) {
        Status s = preset_architecture(settings_.arch.get<std::string>(), arch, classes);
        if (!s.ok())
            return s;
    } else {
        // A user's architecture: its last layer gives one output per label.
        arch = settings_.arch;
        if (!arch.contains("layers") || !arch["layers"].is_array() || arch["layers"].empty() ||
            !arch["layers"].back().is_object() || arch["layers"].back().value("type", "") != "dense")
            return Status::error("the architecture must end with a dense layer (one unit per label)");
        arch["layers"].back()["units"] = classes;
    }
    if (settings_.dropout >= 0)
        for (json& layer : arch["layers"])
            if (layer.is_object() && layer.value("type", "") == "dropout")
                layer["rate"] = settings_.dropout;
    return model_.build(arch, settings_.train.seed);
}

Status TrainingSession::start() {
    if (started_)
        return Status::error("the run has already started");
    // Keep the wanted channels and fix the label order.
    std::vector<std::string> names;
    bool any_speech = false;
    std::size_t other_channel = 0;
    std::vector<std::size_t> kept;
    for (std::size_t i = 0; i < pending_.size(); ++i) {
        if (pending_[i].copy)
            continue; // copies follow their original below
        if (!channel_wanted(settings_.channels, pending_[i].channel)) {
            ++other_channel;
            continue;
        }
        kept.push_back(i);
        names.push_back(pending_[i].label);
        any_speech = any_speech || pending_[i].channel == Channel::speech;
    }
    if (other_channel > 0)
        notes_.push_back(std::to_string(other_channel) +
                         " example(s) of the other vocal channel skipped (channels: " +
                         channels_name(settings_.channels) + ")");
    if (!resuming_)
        info_.labels = settings_.labels.empty() ? choose_labels(names, any_speech) : settings_.labels;
    if (info_.labels.size() < 2)
        return Status::error("training needs at least two labels (found: " +
                             (info_.labels.empty() ? std::string("none") : info_.labels[0]) + ")");
    data_ = Dataset{};
    data_.labels = info_.labels;
    data_.n_mfcc = settings_.features.n_mfcc;
    data_.frames = settings_.features.max_len;
    const std::size_t size = data_.feature_size();
    std::map<std::string, int> unknown;
    std::vector<long> data_index(pending_.size(), -1); // pending original -> its index in data_
    for (std::size_t i : kept) {
        auto it = std::find(info_.labels.begin(), info_.labels.end(), pending_[i].label);
        if (it == info_.labels.end()) {
            ++unknown[pending_[i].label];
            continue;
        }
        data_index[i] = long(data_.examples.size());
        data_.examples.push_back(
            {"", int(it - info_.labels.begin()), pending_[i].actor, pending_[i].channel});
        data_.features.insert(data_.features.end(), pending_features_.begin() + std::ptrdiff_t(i * size),
                              pending_features_.begin() + std::ptrdiff_t((i + 1) * size));
    }
    copy_of_.clear();
    copy_features_.clear();
    long original = -1;
    for (std::size_t i = 0; i < pending_.size(); ++i) {
        if (!pending_[i].copy) {
            original = data_index[i];
            continue;
        }
        if (original < 0)
            continue; // its original was left out
        copy_of_.push_back(std::size_t(original));
        copy_features_.insert(copy_features_.end(), pending_features_.begin() + std::ptrdiff_t(i * size),
                              pending_features_.begin() + std::ptrdiff_t((i + 1) * size));
    }
    for (const auto& [label, n] : unknown)
        notes_.push_back(std::to_string(n) + " example(s) labelled '" + label +
                         "' skipped: not one of the labels");
    pending_.clear();
    pending_features_.clear();
    pending_features_.shrink_to_fit();
    if (data_.examples.size() < 2)
        return Status::error("training needs at least two labelled examples (" +
                             std::to_string(data_.examples.size()) + " left)");

    // Split.
    Status s;
    if (settings_.split == "none") {
        split_ = Split{};
        for (std::size_t i = 0; i < data_.examples.size(); ++i)
            split_.train.push_back(i);
        split_.description = "none: every example trains";
    } else if (settings_.split == "paper") {
        split_ = paper_split(data_, settings_.train_fraction, settings_.train.seed);
    } else {
        s = parse_split(settings_.split, data_, settings_.train.seed, split_);
        if (!s.ok())
            return s;
    }
    if (split_.train.empty())
        return Status::error("the split leaves nothing to train on");

    // Model: the checkpoint's, or the architecture with one output per label.
    if (!resuming_) {
        s = build_model();
        if (!s.ok())
            return Status::error(settings_.arch_name + ": " + s.message);
    } else if (model_.classes() != int(info_.labels.size())) {
        return Status::error("resume: the checkpoint's model does not match its labels");
    }
    if (std::size_t(model_.steps()) * std::size_t(model_.features()) != size)
        return Status::error("the architecture's input (" + std::to_string(model_.steps()) + " x " +
                             std::to_string(model_.features()) + ") does not match the features (" +
                             std::to_string(data_.n_mfcc) + " x " + std::to_string(data_.frames) + ")");
    if (init_from_.built() && !resuming_) {
        int copied = copy_matching_weights(init_from_, model_, "lstm_0/");
        if (copied == 0)
            return Status::error(settings_.init_from + ": no lstm_0 weights of the right shapes");
        notes_.push_back(std::to_string(copied) + " tensors of lstm_0 start from " + settings_.init_from);
    }
    TrainConfig train = settings_.train;
    train.augment.time_is_steps = model_.orientation() == Orientation::frames_as_steps;
    if (settings_.adapt.enabled) {
        // Parameter names are "<type>_<layer index>/<weight>": the rule picks whole layers.
        int first = 0;
        if (settings_.adapt.train == "last") {
            first = model_.layer_count() - 1;
        } else if (settings_.adapt.train == "head") {
            for (int l = 0; l < model_.layer_count(); ++l) {
                std::string type = model_.layer(l).type();
                if (type == "conv1d" || type == "lstm")
                    first = l + 1;
            }
        }
        model_.set_trainable("", false);
        for (int l = first; l < model_.layer_count(); ++l)
            model_.set_trainable(model_.layer(l).name() + "/", true);
        if (model_.trainable_count() == 0)
            return Status::error("adapt: the rule '" + settings_.adapt.train +
                                 "' leaves no parameter to train");
        train.anchor_penalty = settings_.adapt.penalty;
        notes_.push_back("adapting " + std::to_string(model_.trainable_count()) + " of " +
                         std::to_string(model_.parameter_count()) + " parameter values (" +
                         settings_.adapt.train + ")");
    }
    if (settings_.normalize && !resuming_)
        fit_normalization(data_, split_.train, info_);

    std::vector<float> tx, vx;
    std::vector<int> ty, vy;
    gather(split_.train, tx, ty);
    const std::size_t train_copies = gather_copies(split_.train, tx, ty);
    copy_features_.clear();
    copy_features_.shrink_to_fit();
    gather(split_.test, vx, vy);
    test_x_ = vx;
    test_y_ = vy;
    if (resuming_ && !have_resume_state_)
        train.first_epoch = resume_state_.epochs_done + 1;
    s = trainer_.init(&model_, std::move(tx), std::move(ty), std::move(vx), std::move(vy), train,
                      resuming_ && have_resume_state_ ? &resume_state_ : nullptr);
    if (!s.ok())
        return s;
    std::map<std::string, long> per_channel;
    for (const Example& e : data_.examples)
        ++per_channel[e.channel == Channel::unknown ? "unknown" : channel_name(e.channel)];
    info_.training = {{"arch", settings_.arch_name},
                      {"split", split_.description},
                      {"split_spec", settings_.split},
                      {"seed", settings_.train.seed},
                      {"epochs", settings_.train.epochs},
                      {"batch", settings_.train.batch},
                      {"learning_rate", settings_.train.learning_rate},
                      {"optimizer", settings_.train.optimizer},
                      {"normalize", !info_.norm_mean.empty()},
                      {"augment", augment_spec(settings_.train.augment)},
                      {"wave_augment", wave_augment_spec(settings_.wave_augment)},
                      {"train_copies", train_copies},
                      {"channels", channels_name(settings_.channels)},
                      {"train_fraction", settings_.train_fraction},
                      {"train_n", split_.train.size()},
                      {"test_n", split_.test.size()},
                      {"examples_by_channel", per_channel},
                      {"data", settings_.data},
                      {"init_from", settings_.init_from},
                      {"where", settings_.where},
                      {"epochs_done", trainer_.state().epochs_done},
                      {"config", session_settings_json(settings_)}};
    if (settings_.adapt.enabled) {
        info_.training["arch"] = original_training_.value("arch", json("unknown"));
        info_.training["normalize"] = !info_.norm_mean.empty();
        info_.training["adapt"] = {{"train", settings_.adapt.train},
                                   {"penalty", settings_.adapt.penalty},
                                   {"trainable_parameters", model_.trainable_count()}};
        json from = json::object();
        for (const char* k : {"arch", "data", "channels", "test_accuracy", "epochs_done", "where"})
            if (original_training_.is_object() && original_training_.contains(k))
                from[k] = original_training_[k];
        info_.training["adapted_from"] = from;
    }
    started_ = true;
    return Status{};
}

void TrainingSession::gather(const std::vector<std::size_t>& idx, std::vector<float>& x,
                             std::vector<int>& y) const {
    const std::size_t size = data_.feature_size();
    x.resize(idx.size() * size);
    y.resize(idx.size());
    for (std::size_t k = 0; k < idx.size(); ++k) {
        prepare_inputs(data_.feature(idx[k]), 1, data_.n_mfcc, data_.frames, info_, model_.orientation(),
                       x.data() + k * size);
        y[k] = data_.examples[idx[k]].label;
    }
}

std::size_t TrainingSession::gather_copies(const std::vector<std::size_t>& train, std::vector<float>& x,
                                           std::vector<int>& y) const {
    std::vector<bool> trains(data_.examples.size(), false);
    for (std::size_t i : train)
        trains[i] = true;
    const std::size_t size = data_.feature_size();
    std::size_t added = 0;
    for (std::size_t c = 0; c < copy_of_.size(); ++c) {
        if (!trains[copy_of_[c]])
            continue;
        x.resize(x.size() + size);
        prepare_inputs(copy_features_.data() + c * size, 1, data_.n_mfcc, data_.frames, info_,
                       model_.orientation(), x.data() + x.size() - size);
        y.push_back(data_.examples[copy_of_[c]].label);
        ++added;
    }
    return added;
}

Status TrainingSession::step(int max_batches, TrainProgress& out) {
    if (!started_)
        return Status::error("the run has not started");
    Status s = trainer_.step(max_batches, out);
    info_.training["epochs_done"] = trainer_.state().epochs_done;
    return s;
}

Status TrainingSession::run(const std::function<void(const TrainProgress&)>& progress,
                            const std::atomic<bool>* stop) {
    if (!started_)
        return Status::error("the run has not started");
    return trainer_.run(
        [&](const TrainProgress& p) {
            if (p.epoch_done)
                info_.training["epochs_done"] = trainer_.state().epochs_done;
            if (progress)
                progress(p);
        },
        stop);
}

Status TrainingSession::stop() {
    if (!started_)
        return Status::error("no training run to stop");
    Status s = trainer_.restore_last_epoch();
    info_.training["epochs_done"] = trainer_.state().epochs_done;
    return s;
}

Status TrainingSession::evaluate(json& report) {
    if (!started_)
        return Status::error("no training run to evaluate");
    if (test_y_.empty()) {
        report = {{"labels", info_.labels}, {"n", 0}};
        return Status{};
    }
    std::vector<int> pred;
    Status s = predict_classes(model_, test_x_.data(), int(test_y_.size()), pred);
    if (!s.ok())
        return Status::error("evaluation: " + s.message);
    report = compute_metrics(test_y_, pred, info_.labels).to_json();
    std::vector<Channel> channels;
    for (std::size_t i : split_.test)
        channels.push_back(data_.examples[i].channel);
    const json by_channel = accuracy_by_channel(channels, test_y_, pred);
    report["by_channel"] = by_channel;
    info_.training["test_accuracy"] = report["accuracy"];
    info_.training["test_by_channel"] = by_channel;
    if (original_.built()) { // an adaptation: the starting model on the same clips
        std::vector<int> before;
        s = predict_classes(original_, test_x_.data(), int(test_y_.size()), before);
        if (!s.ok())
            return Status::error("evaluation of the original model: " + s.message);
        long right = 0;
        for (std::size_t k = 0; k < before.size(); ++k)
            right += before[k] == test_y_[k];
        report["original_accuracy"] = double(right) / double(before.size());
        report["original_by_channel"] = accuracy_by_channel(channels, test_y_, before);
        info_.training["original_test_accuracy"] = report["original_accuracy"];
    }
    return Status{};
}

Status TrainingSession::serialize(std::string& json_text, std::vector<std::uint8_t>& bin,
                                  std::vector<std::uint8_t>* state) const {
    if (!model_.built())
        return Status::error("no model to save");
    Status s = serialize_model(model_, info_, json_text, bin);
    if (!s.ok())
        return s;
    if (state) {
        TrainState st = trainer_.state();
        st.weights = weights_digest(bin.data(), bin.size());
        serialize_train_state(st, *state);
    }
    return Status{};
}

} // namespace aer
