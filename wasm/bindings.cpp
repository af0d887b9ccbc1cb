// Embind bindings: the page's view of the core. Thin facades only; every heavy step is core/.
// Typed arrays cross the boundary in one bulk copy each way (TypedArray.set / slice on a
// typed_memory_view), never element by element.
//
// One error style (web/README.md): every call that can fail returns a JS object, either
// {ok: true, ...fields} or {ok: false, error: "what was wrong"}; calls that cannot fail return
// plain values. JSON data crosses as JS objects. No C++ exception escapes: each call catches
// std::bad_alloc (the heap's 2 GB cap) and any other exception into {ok: false, error}.
#include "core/audio/load.h"
#include "core/audio/resample.h"
#include "core/dsp/mfcc.h"
#include "core/infer/stream_session.h"
#include "core/nn/kernels.h"
#include "core/nn/model_io.h"
#include "core/train/checkpoint.h"
#include "core/train/normalize.h"
#include "core/train/personalise.h"
#include "core/train/session.h"

#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <new>
#include <thread>

using emscripten::val;

namespace {

/// Copies a JS Uint8Array into wasm memory with one TypedArray.set call.
std::vector<std::uint8_t> bytes_from_js(const val& array) {
    const std::size_t n = array["length"].as<std::size_t>();
    std::vector<std::uint8_t> out(n);
    val view(emscripten::typed_memory_view(n, out.data()));
    view.call<void>("set", array);
    return out;
}

/// A model from its two files as the page holds them (JSON text, .bin Uint8Array). `bin_bytes`
/// (may be null) receives the .bin's bytes.
aer::Status model_from_js(const std::string& json_text, const val& bin, aer::Model& model,
                          aer::ModelInfo& info, std::vector<std::uint8_t>* bin_bytes = nullptr) {
    std::vector<std::uint8_t> b = bytes_from_js(bin);
    aer::Status s = aer::load_model(reinterpret_cast<const std::uint8_t*>(json_text.data()), json_text.size(),
                                    b.data(), b.size(), model, info);
    if (bin_bytes)
        *bin_bytes = std::move(b);
    return s;
}

/// A JS-owned Float32Array copy of `v` (one bulk slice).
val floats_to_js(const std::vector<float>& v) {
    return val(emscripten::typed_memory_view(v.size(), v.data())).call<val>("slice");
}

/// Copies a JS Float32Array into wasm memory with one TypedArray.set call.
std::vector<float> floats_from_js(const val& array) {
    const std::size_t n = array["length"].as<std::size_t>();
    std::vector<float> out(n);
    val view(emscripten::typed_memory_view(n, out.data()));
    view.call<void>("set", array);
    return out;
}

val bytes_to_js(const std::vector<std::uint8_t>& v) {
    return val(emscripten::typed_memory_view(v.size(), v.data())).call<val>("slice");
}

/// What a failed allocation says: the wasm heap stops growing at 2 GB (MAXIMUM_MEMORY).
const char* const kOutOfMemory = "out of memory: the page can use at most 2 GB; try fewer or shorter files";

val error_result(const std::string& message) {
    val r = val::object();
    r.set("ok", false);
    r.set("error", message);
    return r;
}

val ok_result() {
    val r = val::object();
    r.set("ok", true);
    return r;
}

/// {ok: true} or {ok: false, error} from a Status (`context` prefixes the message).
val status_result(const aer::Status& s, const std::string& context = "") {
    return s.ok() ? ok_result() : error_result(context + s.message);
}

/// A JS value holding the same data as `j` (objects, arrays, strings, numbers, booleans, null).
val json_to_val(const nlohmann::json& j) {
    switch (j.type()) {
    case nlohmann::json::value_t::object: {
        val o = val::object();
        for (auto it = j.begin(); it != j.end(); ++it)
            o.set(it.key(), json_to_val(it.value()));
        return o;
    }
    case nlohmann::json::value_t::array: {
        val a = val::array();
        for (std::size_t i = 0; i < j.size(); ++i)
            a.set(i, json_to_val(j[i]));
        return a;
    }
    case nlohmann::json::value_t::string:
        return val(j.get<std::string>());
    case nlohmann::json::value_t::boolean:
        return val(j.get<bool>());
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float:
        return val(j.get<double>());
    default:
        return val::null();
    }
}

/// {ok: true, ...the fields of the JSON object j}.
val ok_json(const nlohmann::json& j) {
    val r = json_to_val(j);
    r.set("ok", true);
    return r;
}

/// Runs `body`, turning a failed allocation or any other exception into {ok: false, error}.
template <typename Body> val guarded(Body body) {
    try {
        return body();
    } catch (const std::bad_alloc&) {
        return error_result(kOutOfMemory);
    } catch (const std::exception& e) {
        return error_result(std::string("internal error: ") + e.what());
    }
}

/// A model's files from one serialisation: {ok, json, bin: Uint8Array} (plus state when given).
val files_result(const std::string& json, const std::vector<std::uint8_t>& bin) {
    val r = ok_result();
    r.set("json", json);
    r.set("bin", bytes_to_js(bin));
    return r;
}

/// options_json: a StreamOptions object as JSON text ("" for the defaults) -> the options, or a
/// message naming the bad key.
aer::Status stream_options_from_text(const std::string& options_json, aer::StreamOptions& out) {
    out = aer::StreamOptions{};
    if (options_json.empty())
        return out.validate();
    nlohmann::json j = nlohmann::json::parse(options_json, nullptr, false);
    if (j.is_discarded())
        return aer::Status::error("stream options: not valid JSON");
    aer::Status s = aer::stream_options_from_json(j, out);
    return s.ok() ? s : aer::Status::error("stream options: " + s.message);
}

/// {label: probability} over `labels` (null for no probabilities: a window without voice).
nlohmann::json probabilities_json(const std::vector<float>& probs, const std::vector<std::string>& labels) {
    if (probs.empty() || probs.size() != labels.size())
        return nullptr;
    nlohmann::json o = nlohmann::json::object();
    for (std::size_t c = 0; c < probs.size(); ++c)
        o[labels[c]] = probs[c];
    return o;
}

/// WAV bytes (Uint8Array of a whole file) decoded and resampled to `sample_rate` Hz -> {ok,
/// samples: Float32Array (mono), sample_rate (the file's own), channels, format, duration_s,
/// truncated} or {ok: false, error}. With FeatureExtractor.compute_samples at the same rate it
/// gives exactly FeatureExtractor.compute's features (equal rates copy), and the samples stay
/// with the caller for a timeline.
val decode_wav(const val& bytes, int sample_rate) {
    return guarded([&] {
        if (sample_rate < 1)
            return error_result("decode_wav: the sample rate must be a positive number of Hz");
        std::vector<std::uint8_t> b = bytes_from_js(bytes);
        std::vector<float> y;
        aer::WavInfo info;
        aer::Status s = aer::load_audio(b.data(), b.size(), sample_rate, y, info);
        if (!s.ok())
            return error_result(s.message);
        val r = ok_result();
        r.set("samples", floats_to_js(y));
        r.set("sample_rate", info.sample_rate);
        r.set("channels", info.channels);
        r.set("format", info.format);
        r.set("duration_s", info.duration_s());
        r.set("truncated", info.truncated);
        return r;
    });
}

/// WAV bytes -> MFCC features, with the librosa pipeline of the given config.
class FeatureExtractor {
  public:
    FeatureExtractor() { status_ = extractor_.init(aer::MfccConfig{}); }

    /// config: a JSON string of MfccConfig fields -> {ok} or {ok: false, error}.
    val configure(const std::string& json_text) {
        return guarded([&] {
            nlohmann::json j = nlohmann::json::parse(json_text, nullptr, false);
            if (j.is_discarded())
                return error_result("feature config: not valid JSON");
            aer::MfccConfig cfg;
            aer::Status s = aer::mfcc_config_from_json(j, cfg);
            if (s.ok())
                s = extractor_.init(cfg);
            status_ = s;
            return status_result(s, "feature config: ");
        });
    }

    /// The MfccConfig in effect, as an object.
    val config() const { return json_to_val(aer::to_json(extractor_.config())); }

    /// bytes: Uint8Array of a whole WAV file -> {ok, sample_rate, channels, format, duration_s,
    /// truncated, samples, n_mfcc, frames, natural_frames, mfcc: Float32Array [n_mfcc * frames]
    /// row-major} or {ok: false, error}.
    val compute(const val& bytes) {
        return guarded([&] {
            if (!status_.ok())
                return error_result(status_.message);
            std::vector<std::uint8_t> b = bytes_from_js(bytes);
            std::vector<float> y, m;
            aer::WavInfo info;
            aer::Status s = aer::load_audio(b.data(), b.size(), extractor_.config().sample_rate, y, info);
            if (!s.ok())
                return error_result(s.message);
            std::size_t frames = 0;
            s = extractor_.features(y.data(), y.size(), m, frames);
            if (!s.ok())
                return error_result(s.message);
            val r = features_result(y.size(), frames, m);
            r.set("sample_rate", info.sample_rate);
            r.set("channels", info.channels);
            r.set("format", info.format);
            r.set("duration_s", info.duration_s());
            r.set("truncated", info.truncated);
            r.set("samples", double(y.size()));
            return r;
        });
    }

    /// Decoded mono samples (Float32Array) at `sample_rate` Hz -> the same result as compute()
    /// without the WAV fields: resampled to the config's rate when needed, then MFCC.
    val compute_samples(const val& samples, int sample_rate) {
        return guarded([&] {
            if (!status_.ok())
                return error_result(status_.message);
            std::vector<float> x = floats_from_js(samples), y, m;
            aer::Status s = aer::resample(x, sample_rate, extractor_.config().sample_rate, y);
            std::size_t frames = 0;
            if (s.ok())
                s = extractor_.features(y.data(), y.size(), m, frames);
            if (!s.ok())
                return error_result(s.message);
            return features_result(y.size(), frames, m);
        });
    }

  private:
    val features_result(std::size_t samples, std::size_t frames, const std::vector<float>& m) const {
        val r = ok_result();
        r.set("n_mfcc", extractor_.config().n_mfcc);
        r.set("frames", double(frames));
        r.set("natural_frames", double(extractor_.frame_count(samples)));
        r.set("mfcc", floats_to_js(m));
        return r;
    }

    aer::MfccExtractor extractor_;
    aer::Status status_;
};

/// A loaded model: features in, class probabilities out. Its labels come from its file.
class Classifier {
  public:
    /// json_text + bin (Uint8Array): the model's two files -> {ok} or {ok: false, error}. On
    /// failure the previous model stays.
    val load(const std::string& json_text, const val& bin) {
        return guarded([&] {
            aer::Model m;
            aer::ModelInfo info;
            aer::Status s = model_from_js(json_text, bin, m, info);
            if (!s.ok())
                return error_result(s.message);
            model_ = std::move(m);
            info_ = info;
            generation_ = ++loads_;
            return ok_result();
        });
    }
    bool loaded() const { return model_.built(); }
    /// The model's labels, in class order (empty before a load).
    val labels() const { return json_to_val(info_.labels); }
    val feature_config() const { return json_to_val(aer::to_json(info_.features)); }
    /// {ok, architecture, parameters, bytes, labels, normalized, training} or {ok: false, error}.
    val info() const {
        if (!model_.built())
            return error_result("no model loaded");
        return guarded([&] {
            return ok_json({{"architecture", model_.architecture()},
                            {"parameters", model_.parameter_count()},
                            {"bytes", model_.parameter_count() * 4},
                            {"labels", info_.labels},
                            {"normalized", !info_.norm_mean.empty()},
                            {"training", info_.training}});
        });
    }

    /// features: n examples of n_mfcc * max_len floats (as FeatureExtractor.compute gives them)
    /// -> {ok, probs: Float32Array [n * classes]} or {ok: false, error}.
    val predict(const val& features, int n) {
        return guarded([&] {
            if (!model_.built())
                return error_result("no model loaded");
            const int n_mfcc = info_.features.n_mfcc, frames = info_.features.max_len;
            const std::size_t size = std::size_t(n_mfcc) * std::size_t(frames);
            std::vector<float> f = floats_from_js(features);
            if (n < 1 || f.size() != size * std::size_t(n) || int(size) != model_.steps() * model_.features())
                return error_result("features do not match the model's input (" + std::to_string(n_mfcc) +
                                    " x " + std::to_string(frames) + " per example)");
            std::vector<float> x(f.size()), probs(std::size_t(n) * std::size_t(model_.classes()));
            aer::prepare_inputs(f.data(), n, n_mfcc, frames, info_, model_.orientation(), x.data());
            aer::Status s = model_.predict(x.data(), n, probs.data());
            if (!s.ok())
                return error_result(s.message);
            val r = ok_result();
            r.set("probs", floats_to_js(probs));
            return r;
        });
    }

    /// The seconds of audio one window of the model covers (max_len frames; 0 before a load).
    double window_s() const {
        const aer::MfccConfig& f = info_.features;
        return model_.built() && f.sample_rate > 0 ? double(f.max_len) * f.hop_length / f.sample_rate : 0.0;
    }

    /// The timeline of a whole recording: samples (Float32Array, mono) at sample_rate Hz (resampled
    /// inside), options_json (StreamOptions: hop_s, margin_s, min_voice_s, gate fields; "" for the
    /// defaults) -> {ok, label|null, probabilities|null ({label: p}), duration_s, window_s,
    /// timeline: [{start, end, label|null, probabilities|null, voiced_s}]} (aer::timeline_json;
    /// label null: no voice) or {ok: false, error}. Runs its own StreamSession: a live Listener
    /// on the same Classifier is not disturbed.
    val timeline(const val& samples, int sample_rate, const std::string& options_json) {
        return guarded([&] {
            if (!model_.built())
                return error_result("no model loaded");
            if (sample_rate < 1)
                return error_result("timeline: the sample rate must be a positive number of Hz");
            aer::StreamOptions options;
            aer::Status s = stream_options_from_text(options_json, options);
            if (!s.ok())
                return error_result(s.message);
            std::vector<float> y = floats_from_js(samples);
            aer::Timeline t;
            s = aer::predict_timeline(model_, info_, y.data(), y.size(), sample_rate, options, t);
            if (!s.ok())
                return error_result("timeline: " + s.message);
            val r = ok_json(aer::timeline_json(t, info_.labels));
            r.set("window_s", window_s());
            return r;
        });
    }

    /// The model's two files from one serialisation: {ok, json, bin: Uint8Array} or {ok: false, error}.
    val save() const {
        return guarded([&] {
            if (!model_.built())
                return error_result("no model loaded");
            std::string json;
            std::vector<std::uint8_t> bin;
            aer::Status s = aer::serialize_model(model_, info_, json, bin);
            return s.ok() ? files_result(json, bin) : error_result("saving the model: " + s.message);
        });
    }

    // For Listener (not bound): the model, its file's facts, and which load() of all Classifiers'
    // it came from (unique, even for a Classifier made where a deleted one was), so that a
    // Listener can tell that the model it started with was replaced.
    aer::Model& model() { return model_; }
    const aer::ModelInfo& model_info() const { return info_; }
    std::uint64_t generation() const { return generation_; }

  private:
    aer::Model model_;
    aer::ModelInfo info_;
    std::uint64_t generation_ = 0;
    static std::uint64_t loads_; // load()s so far, of every Classifier
};
std::uint64_t Classifier::loads_ = 0;

/// Live listening: the running state of one audio stream (aer::StreamSession: resampler, MFCC
/// frames, voice gate), apart from the model, which each call takes from a Classifier. Several
/// Listeners and Classifier.timeline() share one Classifier (calls on one thread never overlap).
/// start(), then push() blocks of audio as they come and latest() for the newest window.
class Listener {
  public:
    /// A new stream of mono audio at input_rate Hz (e.g. the AudioContext's rate) for the
    /// classifier's model; options_json as Classifier.timeline's -> {ok, window_s} or {ok: false, error}.
    val start(Classifier& c, int input_rate, const std::string& options_json) {
        return guarded([&] {
            started_ = false;
            if (!c.loaded())
                return error_result("no model loaded");
            if (input_rate < 1)
                return error_result("listener: the input rate must be a positive number of Hz");
            aer::StreamOptions options;
            aer::Status s = stream_options_from_text(options_json, options);
            if (s.ok())
                s = session_.init(c.model_info(), input_rate, options);
            if (!s.ok())
                return error_result("listener: " + s.message);
            classifier_ = &c;
            generation_ = c.generation();
            labels_ = c.model_info().labels;
            started_ = true;
            val r = ok_result();
            r.set("window_s", session_.window_s());
            return r;
        });
    }

    /// Appends samples (Float32Array) -> {ok, seconds, windows: [timeline windows completed by
    /// them, as in Classifier.timeline]} or {ok: false, error}.
    val push(Classifier& c, const val& samples) {
        return guarded([&] {
            aer::Status s = check(c);
            if (!s.ok())
                return error_result(s.message);
            std::vector<float> x = floats_from_js(samples);
            std::vector<aer::WindowPrediction> done;
            s = session_.push(c.model(), x.data(), x.size(), done);
            if (!s.ok())
                return error_result("listener: " + s.message);
            aer::Timeline t;
            t.windows = std::move(done);
            val r = ok_result();
            r.set("seconds", session_.seconds());
            r.set("windows", json_to_val(aer::timeline_json(t, labels_)["timeline"]));
            return r;
        });
    }

    /// The newest window predicted now -> {ok, label|null (null: too little voice),
    /// probabilities|null ({label: p}), voiced_s, seconds (of audio so far), start, end} or
    /// {ok: false, error}.
    val latest(Classifier& c) {
        return guarded([&] {
            aer::Status s = check(c);
            if (!s.ok())
                return error_result(s.message);
            aer::WindowPrediction w;
            s = session_.latest(c.model(), w);
            if (!s.ok())
                return error_result("listener: " + s.message);
            const bool voiced = w.label >= 0 && std::size_t(w.label) < labels_.size();
            return ok_json(
                {{"label", voiced ? nlohmann::json(labels_[std::size_t(w.label)]) : nlohmann::json(nullptr)},
                 {"probabilities", voiced ? probabilities_json(w.probs, labels_) : nlohmann::json(nullptr)},
                 {"voiced_s", w.voiced_s},
                 {"seconds", session_.seconds()},
                 {"start", w.start_s},
                 {"end", w.end_s}});
        });
    }

    /// Forgets the audio; the next push() starts a new stream (same model and options).
    void reset() { session_.reset(); }
    /// Seconds of audio pushed since start() or reset().
    double seconds() const { return started_ ? session_.seconds() : 0.0; }

  private:
    aer::Status check(const Classifier& c) const {
        if (!started_)
            return aer::Status::error("listener: not started");
        if (&c != classifier_ || c.generation() != generation_)
            return aer::Status::error("listener: the model changed since start(); start again");
        return {};
    }

    aer::StreamSession session_;
    const Classifier* classifier_ = nullptr;
    std::uint64_t generation_ = 0;
    std::vector<std::string> labels_;
    bool started_ = false;
};

/// Training in the browser: a thin facade over aer::TrainingSession (core/train/session.h), the
/// same session `aer train` runs. setup(), add_example()... (or resume()), start(), then step()
/// until finished.
class Trainer {
  public:
    /// config_json: a training request (core/train/session.h parse_session_settings(): arch,
    /// epochs, batch, lr, seed, split, normalize, dropout, augment, channels, feature_config,
    /// labels...) -> {ok} or {ok: false, error} naming the bad field.
    val setup(const std::string& config_json) {
        return guarded([&] {
            nlohmann::json c = nlohmann::json::parse(config_json, nullptr, false);
            if (c.is_discarded())
                return error_result("training request: not valid JSON");
            if (c.is_object())
                c["where"] = "browser";
            aer::SessionSettings settings;
            aer::Status s = aer::parse_session_settings(c, settings);
            if (!s.ok())
                return error_result(s.message);
            session_.configure(settings);
            return ok_result();
        });
    }

    /// After setup(), before start(): continue a checkpoint (its two model files and the state
    /// checkpoint() gave, Uint8Arrays) instead of a fresh model -> {ok} or {ok: false, error}.
    val resume(const std::string& json_text, const val& bin, const val& state) {
        return guarded([&] {
            std::vector<std::uint8_t> b, st = bytes_from_js(state);
            aer::Model m;
            aer::ModelInfo saved;
            aer::TrainState ts;
            aer::Status s = model_from_js(json_text, bin, m, saved, &b);
            if (s.ok())
                s = aer::parse_train_state(st.data(), st.size(), ts);
            if (s.ok())
                s = session_.resume(std::move(m), saved, &ts, &b);
            return status_result(s, "resume: ");
        });
    }

    /// One example: features (Float32Array, n_mfcc * max_len), its label name, actor (-1
    /// unknown) and channel ('speech', 'song' or '') -> {ok} or {ok: false, error}.
    val add_example(const val& features, const std::string& label, int actor, const std::string& channel) {
        return guarded([&] {
            aer::Channel c = aer::Channel::unknown;
            aer::Status s = aer::parse_channel(channel, c);
            if (s.ok()) {
                std::vector<float> f = floats_from_js(features);
                s = session_.add_example(f.data(), f.size(), label, actor, c);
            }
            return status_result(s, "training example: ");
        });
    }

    /// One clip's audio (Float32Array at the feature config's sample rate, as
    /// FeatureExtractor.compute_samples resamples it), its label name, actor and channel: the
    /// session computes its features and, with the request's wave_augment, its augmented copies
    /// (core/train/clip_copies.h) -> {ok} or {ok: false, error}.
    val add_clip(const val& samples, const std::string& label, int actor, const std::string& channel) {
        return guarded([&] {
            aer::Channel c = aer::Channel::unknown;
            aer::Status s = aer::parse_channel(channel, c);
            if (s.ok()) {
                std::vector<float> y = floats_from_js(samples);
                s = session_.add_clip(y.data(), y.size(), label, actor, c);
            }
            return status_result(s, "training clip: ");
        });
    }

    /// -> {ok, labels, train_n, test_n, split, notes} or {ok: false, error}.
    val start() {
        return guarded([&] {
            aer::Status s = session_.start();
            if (!s.ok())
                return error_result("training: " + s.message);
            return ok_json({{"labels", session_.labels()},
                            {"train_n", session_.split().train.size()},
                            {"test_n", session_.split().test.size()},
                            {"split", session_.split().description},
                            {"notes", session_.notes()}});
        });
    }

    /// Runs at most max_batches batches -> {ok, epoch, batch, batches_per_epoch, epochs, loss,
    /// acc, finished, epoch_done: null | {epoch, loss, acc, val_loss, val_acc, seconds}} or
    /// {ok: false, error} (the weights of the last finished epoch are kept).
    val step(int max_batches) {
        return guarded([&] {
            aer::TrainProgress p;
            aer::Status s = session_.step(max_batches < 1 ? 1 : max_batches, p);
            if (!s.ok())
                return error_result(s.message);
            auto num = [](double v) {
                return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
            };
            nlohmann::json j = {
                {"epoch", p.epoch},       {"batch", p.batch},     {"batches_per_epoch", p.batches},
                {"epochs", p.epochs},     {"loss", num(p.loss)},  {"acc", num(p.acc)},
                {"finished", p.finished}, {"epoch_done", nullptr}};
            if (p.epoch_done) {
                const aer::EpochMetrics& m = session_.trainer().history().back();
                j["epoch_done"] = {{"epoch", m.epoch},          {"loss", num(m.loss)},
                                   {"acc", num(m.acc)},         {"val_loss", num(m.val_loss)},
                                   {"val_acc", num(m.val_acc)}, {"seconds", m.seconds}};
            }
            return ok_json(j);
        });
    }

    /// Keeps the weights of the last finished epoch -> {ok} or {ok: false, error} (before start()).
    val stop() {
        return guarded([&] { return status_result(session_.stop()); });
    }

    /// The report on the test side -> {ok, n, accuracy, labels, confusion, confusion_normalized,
    /// per_class_accuracy, macro_f1, by_channel} or {ok: false, error}.
    val evaluate() {
        return guarded([&] {
            nlohmann::json report;
            aer::Status s = session_.evaluate(report);
            return s.ok() ? ok_json(report) : error_result(s.message);
        });
    }

    /// The model as it stands -> {ok, json, bin: Uint8Array} or {ok: false, error}.
    val model() {
        return guarded([&] {
            std::string json;
            std::vector<std::uint8_t> bin;
            aer::Status s = session_.serialize(json, bin, nullptr);
            return s.ok() ? files_result(json, bin) : error_result("saving the model: " + s.message);
        });
    }

    /// The model as it stands (the last finished epoch after a step that finished one) and the
    /// training state that goes with it, from one serialisation -> {ok, json, bin: Uint8Array,
    /// state: Uint8Array} (what resume() takes back) or {ok: false, error}.
    val checkpoint() {
        return guarded([&] {
            std::string json;
            std::vector<std::uint8_t> bin, state;
            aer::Status s = session_.serialize(json, bin, &state);
            if (!s.ok())
                return error_result("saving the checkpoint: " + s.message);
            val r = files_result(json, bin);
            r.set("state", bytes_to_js(state));
            return r;
        });
    }

  private:
    aer::TrainingSession session_;
};

/// Personalisation in the browser: a thin facade over aer::Personalisation
/// (core/train/personalise.h), the same cross-validated adaptation `aer adapt` runs. setup(),
/// add_example()..., start(), then step() until finished; result() says which model was kept
/// and why, model() gives it.
class Personaliser {
  public:
    /// The classifier's model (copied: the Classifier stays as it is) and config_json, an
    /// adaptation request (core/train/session.h: adapt {train, penalty}, epochs, lr, batch,
    /// seed, channels, augment; the model's features and labels are used) -> {ok} or {ok: false,
    /// error} naming the bad field.
    val setup(Classifier& c, const std::string& config_json) {
        return guarded([&] {
            if (!c.loaded())
                return error_result("no model loaded to personalise");
            nlohmann::json j = nlohmann::json::parse(config_json, nullptr, false);
            if (j.is_discarded())
                return error_result("personalisation request: not valid JSON");
            if (j.is_object()) {
                j["where"] = "browser";
                if (!j.contains("adapt"))
                    j["adapt"] = nlohmann::json::object();
                j["feature_config"] = aer::to_json(c.model_info().features);
            }
            aer::SessionSettings settings;
            aer::Status s = aer::parse_session_settings(j, settings);
            if (s.ok())
                s = p_.configure(settings, c.model(), c.model_info());
            return status_result(s);
        });
    }

    /// One clip: features (Float32Array, n_mfcc * max_len of the model's features), its label
    /// name, actor (-1 unknown) and channel ('speech', 'song' or '') -> {ok} or {ok: false, error}.
    val add_example(const val& features, const std::string& label, int actor, const std::string& channel) {
        return guarded([&] {
            aer::Channel ch = aer::Channel::unknown;
            aer::Status s = aer::parse_channel(channel, ch);
            if (s.ok()) {
                std::vector<float> f = floats_from_js(features);
                s = p_.add_example(f.data(), f.size(), label, actor, ch);
            }
            return status_result(s, "personalisation clip: ");
        });
    }

    /// Plans the folds -> {ok, labels, clips, folds, finished (true: decided at once, too few
    /// clips), notes} or {ok: false, error}.
    val start() {
        return guarded([&] {
            aer::Status s = p_.start();
            if (!s.ok())
                return error_result(s.message);
            return ok_json({{"labels", p_.labels()},
                            {"clips", p_.clip_count()},
                            {"folds", p_.result().folds},
                            {"finished", p_.finished()},
                            {"notes", p_.notes()}});
        });
    }

    /// At most max_batches batches -> {ok, run, runs, fold (0: the final run on all clips),
    /// folds, epoch, epochs, batch, batches_per_epoch, loss, acc, finished} or {ok: false, error}.
    val step(int max_batches) {
        return guarded([&] {
            aer::PersonaliseProgress p;
            aer::Status s = p_.step(max_batches < 1 ? 1 : max_batches, p);
            if (!s.ok())
                return error_result(s.message);
            auto num = [](double v) {
                return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
            };
            return ok_json({{"run", p.run},
                            {"runs", p.runs},
                            {"fold", p.fold},
                            {"folds", p.folds},
                            {"epoch", p.train.epoch},
                            {"epochs", p.train.epochs},
                            {"batch", p.train.batch},
                            {"batches_per_epoch", p.train.batches},
                            {"loss", num(p.train.loss)},
                            {"acc", num(p.train.acc)},
                            {"finished", p.finished}});
        });
    }

    /// Ends now, keeping the original -> {ok} or {ok: false, error} (before start()).
    val stop() {
        return guarded([&] { return status_result(p_.stop()); });
    }

    /// The decision -> {ok, kept: 'adapted' | 'original', reason, folds, held_back_n,
    /// adapted_right, original_right, adapted_accuracy, original_accuracy (null without a
    /// comparison), adapted_log_likelihood, original_log_likelihood, adapt_n, per_fold}.
    val result() const {
        return guarded([&] { return ok_json(p_.result().to_json()); });
    }

    /// The kept model's files, its metadata saying which was kept and why -> {ok, json, bin:
    /// Uint8Array} or {ok: false, error} (before it finished).
    val model() const {
        return guarded([&] {
            std::string json;
            std::vector<std::uint8_t> bin;
            aer::Status s = p_.serialize(json, bin);
            return s.ok() ? files_result(json, bin) : error_result("saving the model: " + s.message);
        });
    }

  private:
    aer::Personalisation p_;
};

/// Sets the kernel threads (1 in the single-threaded build); returns the count in effect.
int set_threads(int n) {
    aer::Status s = aer::set_backend(aer::Backend::simd);
    if (s.ok())
        s = aer::set_threads(n < 1 ? 1 : n);
    return aer::current_threads(); // what is in effect, whether or not the change was taken
}

/// What this module was built with, for the page's runtime line.
val runtime_info() {
    val r = val::object();
#ifdef __EMSCRIPTEN_PTHREADS__
    r.set("threads_built", true);
    r.set("hardware_threads", int(std::thread::hardware_concurrency()));
#else
    r.set("threads_built", false);
    r.set("hardware_threads", 1);
#endif
#ifdef __wasm_simd128__
    r.set("simd", true);
#else
    r.set("simd", false);
#endif
    // The kernel backend models run on (core/nn/kernels.h): simd; this build has no xnnpack.
    r.set("backend", std::string(aer::backend_name(aer::current_backend())));
    return r;
}

} // namespace

EMSCRIPTEN_BINDINGS(aer) {
    emscripten::class_<FeatureExtractor>("FeatureExtractor")
        .constructor<>()
        .function("configure", &FeatureExtractor::configure)
        .function("config", &FeatureExtractor::config)
        .function("compute", &FeatureExtractor::compute)
        .function("compute_samples", &FeatureExtractor::compute_samples);
    emscripten::class_<Classifier>("Classifier")
        .constructor<>()
        .function("load", &Classifier::load)
        .function("loaded", &Classifier::loaded)
        .function("labels", &Classifier::labels)
        .function("feature_config", &Classifier::feature_config)
        .function("info", &Classifier::info)
        .function("predict", &Classifier::predict)
        .function("window_s", &Classifier::window_s)
        .function("timeline", &Classifier::timeline)
        .function("save", &Classifier::save);
    emscripten::class_<Listener>("Listener")
        .constructor<>()
        .function("start", &Listener::start)
        .function("push", &Listener::push)
        .function("latest", &Listener::latest)
        .function("reset", &Listener::reset)
        .function("seconds", &Listener::seconds);
    emscripten::class_<Trainer>("Trainer")
        .constructor<>()
        .function("setup", &Trainer::setup)
        .function("add_example", &Trainer::add_example)
        .function("add_clip", &Trainer::add_clip)
        .function("resume", &Trainer::resume)
        .function("start", &Trainer::start)
        .function("step", &Trainer::step)
        .function("stop", &Trainer::stop)
        .function("evaluate", &Trainer::evaluate)
        .function("model", &Trainer::model)
        .function("checkpoint", &Trainer::checkpoint);
    emscripten::class_<Personaliser>("Personaliser")
        .constructor<>()
        .function("setup", &Personaliser::setup)
        .function("add_example", &Personaliser::add_example)
        .function("start", &Personaliser::start)
        .function("step", &Personaliser::step)
        .function("stop", &Personaliser::stop)
        .function("result", &Personaliser::result)
        .function("model", &Personaliser::model);
    emscripten::function("runtime_info", &runtime_info);
    emscripten::function("decode_wav", &decode_wav);
    emscripten::function("set_threads", &set_threads);
}
