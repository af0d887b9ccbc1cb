#include "core/infer/stream_session.h"

#include "core/train/normalize.h"

#include <algorithm>
#include <cmath>

namespace aer {

Status StreamOptions::validate() const {
    if (!std::isfinite(hop_s) || hop_s < 0.05 || hop_s > 60.0)
        return Status::error("stream options: hop_s must be within 0.05..60 seconds");
    if (!std::isfinite(margin_s) || margin_s < 0.0 || margin_s > 5.0)
        return Status::error("stream options: margin_s must be within 0..5 seconds");
    if (!std::isfinite(min_voice_s) || min_voice_s < 0.01 || min_voice_s > 10.0)
        return Status::error("stream options: min_voice_s must be within 0.01..10 seconds");
    Status s = gate.validate();
    return s.ok() ? s : Status::error("stream options: " + s.message);
}

Status stream_options_from_json(const nlohmann::json& j, StreamOptions& out) {
    out = StreamOptions{};
    if (j.is_null())
        return Status{};
    if (!j.is_object())
        return Status::error("stream options: expected a JSON object");
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& k = it.key();
        double* field = k == "hop_s"              ? &out.hop_s
                        : k == "margin_s"         ? &out.margin_s
                        : k == "min_voice_s"      ? &out.min_voice_s
                        : k == "min_level_db"     ? &out.gate.min_level_db
                        : k == "above_floor_db"   ? &out.gate.above_floor_db
                        : k == "floor_percentile" ? &out.gate.floor_percentile
                                                  : nullptr;
        if (!field)
            return Status::error("stream options: unknown key '" + k + "'");
        if (!it.value().is_number())
            return Status::error("stream options: '" + k + "' must be a number");
        *field = it.value().get<double>();
    }
    return out.validate();
}

Status StreamSession::init(const ModelInfo& info, int input_rate, const StreamOptions& options) {
    Status s = options.validate();
    if (!s.ok())
        return s;
    if (info.features.max_len <= 0)
        return Status::error("stream: the model's features have no fixed length (max_len)");
    s = resampler_.init(input_rate, info.features.sample_rate);
    if (!s.ok())
        return s;
    info_ = info;
    options_ = options;
    const double frame_rate = double(info.features.sample_rate) / info.features.hop_length;
    window_ = std::size_t(info.features.max_len);
    // At most hop_s apart (a whole number of frames).
    hop_frames_ = std::max<std::size_t>(1, std::size_t(std::floor(options.hop_s * frame_rate)));
    margin_frames_ = std::size_t(std::lround(options.margin_s * frame_rate));
    min_voice_frames_ = std::max<std::size_t>(1, std::size_t(std::lround(options.min_voice_s * frame_rate)));
    // Held: a window, the frames until the next window's start, and slack for finish().
    s = mfcc_.init(info.features, window_ + hop_frames_ + 8);
    if (!s.ok())
        return s;
    reset();
    return Status{};
}

void StreamSession::reset() {
    resampler_.reset();
    mfcc_.reset();
    next_start_ = emitted_end_ = 0;
    finished_ = false;
}

double StreamSession::seconds() const { return double(mfcc_.samples()) / double(info_.features.sample_rate); }

double StreamSession::window_s() const {
    return double(window_) * info_.features.hop_length / double(info_.features.sample_rate);
}

Status StreamSession::check_model(const Model& model) const {
    if (window_ == 0)
        return Status::error("stream: used before init()");
    if (!model.built())
        return Status::error("stream: no model");
    if ((long long)model.steps() * model.features() != (long long)info_.features.n_mfcc * info_.features.max_len)
        return Status::error("stream: the model's input is not " + std::to_string(info_.features.n_mfcc) + " x " +
                             std::to_string(info_.features.max_len) + " features");
    if (model.classes() != int(info_.labels.size()))
        return Status::error("stream: the model's classes do not match its labels");
    return Status{};
}

Status StreamSession::predict_window(Model& model, std::size_t first, std::size_t end, bool whole,
                                     WindowPrediction& out) {
    const double sr = info_.features.sample_rate, hop = info_.features.hop_length;
    out = WindowPrediction{};
    out.start_s = double(first) * hop / sr;
    out.end_s = std::min(double(end) * hop / sr, seconds());
    const std::size_t n = end - first;
    levels_.resize(n);
    for (std::size_t i = 0; i < n; ++i)
        levels_[i] = mfcc_.level_db(first + i);
    out.voiced_frames = int(gate_voice(levels_.data(), n, options_.gate, voiced_));
    out.voiced_s = double(out.voiced_frames) * hop / sr;
    if (std::size_t(out.voiced_frames) < min_voice_frames_)
        return Status{};
    // The clip: the whole window, or its voiced part with the margin either side.
    std::size_t lo = first, hi = end;
    if (!whole) {
        std::size_t v0 = 0, v1 = n;
        while (!voiced_[v0])
            ++v0;
        while (!voiced_[v1 - 1])
            --v1;
        lo = first + (v0 > margin_frames_ ? v0 - margin_frames_ : 0);
        hi = first + std::min(n, v1 + margin_frames_);
    }
    out.voice_start_s = double(lo) * hop / sr;
    out.voice_end_s = std::min(double(hi) * hop / sr, seconds());
    Status s = mfcc_.mfcc(lo, hi - lo, features_);
    if (!s.ok())
        return s;
    const int n_mfcc = info_.features.n_mfcc;
    padded_ = fix_length(features_, std::size_t(n_mfcc), hi - lo, window_);
    input_.resize(padded_.size());
    prepare_inputs(padded_.data(), 1, n_mfcc, int(window_), info_, model.orientation(), input_.data());
    out.probs.assign(std::size_t(model.classes()), 0.0f);
    s = model.predict(input_.data(), 1, out.probs.data());
    if (!s.ok())
        return s;
    out.label = argmax(out.probs.data(), model.classes());
    return Status{};
}

Status StreamSession::emit_ready(Model& model, std::vector<WindowPrediction>& out) {
    while (next_start_ + window_ <= mfcc_.frames()) {
        WindowPrediction w;
        Status s = predict_window(model, next_start_, next_start_ + window_, false, w);
        if (!s.ok())
            return s;
        out.push_back(std::move(w));
        emitted_end_ = next_start_ + window_;
        next_start_ += hop_frames_;
    }
    return Status{};
}

Status StreamSession::feed_resampled(Model& model, std::vector<WindowPrediction>& out) {
    // A hop of audio at a time, so that no window's frames leave the history before it is taken.
    const std::size_t chunk = hop_frames_ * std::size_t(info_.features.hop_length);
    for (std::size_t at = 0; at < resampled_.size(); at += chunk) {
        mfcc_.push(resampled_.data() + at, std::min(chunk, resampled_.size() - at));
        Status s = emit_ready(model, out);
        if (!s.ok())
            return s;
    }
    return Status{};
}

Status StreamSession::push(Model& model, const float* x, std::size_t n, std::vector<WindowPrediction>& out) {
    Status s = check_model(model);
    if (!s.ok())
        return s;
    if (finished_)
        return Status::error("stream: push() after finish(); reset() first");
    resampled_.clear();
    resampler_.push(x, n, resampled_);
    return feed_resampled(model, out);
}

Status StreamSession::finish(Model& model, std::vector<WindowPrediction>& out) {
    Status s = check_model(model);
    if (!s.ok())
        return s;
    if (finished_)
        return Status{};
    finished_ = true;
    resampled_.clear();
    resampler_.finish(resampled_);
    s = feed_resampled(model, out);
    if (!s.ok())
        return s;
    mfcc_.finish();
    const std::size_t total = mfcc_.frames();
    if (total == 0)
        return Status{};
    if (total <= window_) { // the whole recording is one clip, as `aer predict` sees it
        WindowPrediction w;
        s = predict_window(model, 0, total, true, w);
        if (!s.ok())
            return s;
        out.push_back(std::move(w));
        return Status{};
    }
    s = emit_ready(model, out);
    if (!s.ok())
        return s;
    if (emitted_end_ < total) { // one more window, ending with the audio
        WindowPrediction w;
        s = predict_window(model, total - window_, total, false, w);
        if (!s.ok())
            return s;
        out.push_back(std::move(w));
        emitted_end_ = total;
    }
    return Status{};
}

Status StreamSession::latest(Model& model, WindowPrediction& out) {
    Status s = check_model(model);
    if (!s.ok())
        return s;
    const std::size_t end = mfcc_.frames();
    const std::size_t first = end > window_ ? end - window_ : 0;
    out = WindowPrediction{};
    if (end == 0)
        return Status{};
    return predict_window(model, first, end, false, out);
}

void summarize_timeline(int classes, Timeline& out) {
    out.label = -1;
    out.probs.clear();
    std::vector<double> sum(std::size_t(classes > 0 ? classes : 0), 0.0);
    double weight = 0.0;
    for (const WindowPrediction& w : out.windows) {
        if (w.label < 0 || w.probs.size() != sum.size())
            continue;
        for (std::size_t c = 0; c < sum.size(); ++c)
            sum[c] += double(w.voiced_frames) * w.probs[c];
        weight += w.voiced_frames;
    }
    if (weight <= 0.0)
        return;
    out.probs.resize(sum.size());
    for (std::size_t c = 0; c < sum.size(); ++c)
        out.probs[c] = float(sum[c] / weight);
    out.label = argmax(out.probs.data(), classes);
}

Status predict_timeline(Model& model, const ModelInfo& info, const float* y, std::size_t n, int sample_rate,
                        const StreamOptions& options, Timeline& out) {
    out = Timeline{};
    StreamSession session;
    Status s = session.init(info, sample_rate, options);
    if (!s.ok())
        return s;
    if (n == 0)
        return Status::error("no samples");
    // Fed in blocks, as a stream: the windows are the same whatever the block size.
    const std::size_t block = 1 << 16;
    for (std::size_t at = 0; at < n; at += block) {
        s = session.push(model, y + at, std::min(block, n - at), out.windows);
        if (!s.ok())
            return s;
    }
    s = session.finish(model, out.windows);
    if (!s.ok())
        return s;
    out.duration_s = session.seconds();
    summarize_timeline(model.classes(), out);
    return Status{};
}

nlohmann::json timeline_json(const Timeline& t, const std::vector<std::string>& labels) {
    auto probs_json = [&](const std::vector<float>& p) {
        if (p.empty() || p.size() != labels.size())
            return nlohmann::json(nullptr);
        nlohmann::json o = nlohmann::json::object();
        for (std::size_t c = 0; c < p.size(); ++c)
            o[labels[c]] = p[c];
        return o;
    };
    auto label_json = [&](int label) {
        return label >= 0 && std::size_t(label) < labels.size() ? nlohmann::json(labels[std::size_t(label)])
                                                                 : nlohmann::json(nullptr);
    };
    nlohmann::json windows = nlohmann::json::array();
    for (const WindowPrediction& w : t.windows) {
        nlohmann::json o = {{"start", std::round(w.start_s * 1000.0) / 1000.0},
                            {"end", std::round(w.end_s * 1000.0) / 1000.0},
                            {"label", label_json(w.label)},
                            {"probabilities", probs_json(w.probs)},
                            {"voiced_s", std::round(w.voiced_s * 1000.0) / 1000.0}};
        windows.push_back(o);
    }
    return {{"label", label_json(t.label)},
            {"probabilities", probs_json(t.probs)},
            {"duration_s", std::round(t.duration_s * 1000.0) / 1000.0},
            {"timeline", windows}};
}

} // namespace aer
