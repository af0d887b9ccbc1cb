// Embind bindings: the page's view of the core. Thin facades only; every heavy step is core/.
// Typed arrays cross the boundary in one bulk copy each way (TypedArray.set / slice on a
// typed_memory_view), never element by element.
#include "core/audio/load.h"
#include "core/audio/resample.h"
#include "core/dsp/mfcc.h"
#include "core/nn/kernels.h"
#include "core/nn/model_io.h"
#include "core/train/checkpoint.h"
#include "core/train/normalize.h"
#include "core/train/split.h"
#include "core/train/trainer.h"

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

/// The model's files as the CLI writes them.
struct ModelFiles {
    std::string json;
    std::vector<std::uint8_t> bin;
};

/// What a failed allocation says: the wasm heap stops growing at 2 GB (MAXIMUM_MEMORY).
const char* const kOutOfMemory = "out of memory: the page can use at most 2 GB; try fewer or shorter files";

val error_result(const std::string& message) {
    val r = val::object();
    r.set("ok", false);
    r.set("error", message);
    return r;
}

/// WAV bytes -> MFCC features, with the librosa pipeline of the given config.
class FeatureExtractor {
  public:
    FeatureExtractor() { status_ = extractor_.init(aer::MfccConfig{}); }

    /// config: a JSON string of MfccConfig fields; returns "" or an error message.
    std::string configure(const std::string& json_text) {
        nlohmann::json j = nlohmann::json::parse(json_text, nullptr, false);
        if (j.is_discarded())
            return "feature config: not valid JSON";
        aer::MfccConfig cfg;
        aer::Status s = aer::mfcc_config_from_json(j, cfg);
        if (s.ok())
            s = extractor_.init(cfg);
        status_ = s;
        return s.message;
    }

    std::string config_json() const { return aer::to_json(extractor_.config()).dump(); }

    /// bytes: Uint8Array of a whole WAV file. Returns {ok, error} or {ok, sample_rate, channels,
    /// format, duration_s, truncated, samples, n_mfcc, frames, natural_frames, mfcc: Float32Array
    /// [n_mfcc * frames] row-major}.
    val compute(const val& bytes) {
        try {
            return compute_unguarded(bytes);
        } catch (const std::bad_alloc&) {
            return error_result(kOutOfMemory);
        }
    }
    val compute_unguarded(const val& bytes) {
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
        val r = val::object();
        r.set("ok", true);
        r.set("sample_rate", info.sample_rate);
        r.set("channels", info.channels);
        r.set("format", info.format);
        r.set("duration_s", info.duration_s());
        r.set("truncated", info.truncated);
        r.set("samples", double(y.size()));
        r.set("n_mfcc", extractor_.config().n_mfcc);
        r.set("frames", double(frames));
        r.set("natural_frames", double(extractor_.frame_count(y.size())));
        r.set("mfcc", floats_to_js(m));
        return r;
    }

    /// Decoded mono samples (Float32Array) at `sample_rate` Hz -> the same result as compute()
    /// without the WAV fields: resampled to the config's rate when needed, then MFCC.
    val compute_samples(const val& samples, int sample_rate) {
        try {
            return compute_samples_unguarded(samples, sample_rate);
        } catch (const std::bad_alloc&) {
            return error_result(kOutOfMemory);
        }
    }
    val compute_samples_unguarded(const val& samples, int sample_rate) {
        if (!status_.ok())
            return error_result(status_.message);
        std::vector<float> x = floats_from_js(samples), y, m;
        aer::Status s = aer::resample(x, sample_rate, extractor_.config().sample_rate, y);
        std::size_t frames = 0;
        if (s.ok())
            s = extractor_.features(y.data(), y.size(), m, frames);
        if (!s.ok())
            return error_result(s.message);
        val r = val::object();
        r.set("ok", true);
        r.set("n_mfcc", extractor_.config().n_mfcc);
        r.set("frames", double(frames));
        r.set("natural_frames", double(extractor_.frame_count(y.size())));
        r.set("mfcc", floats_to_js(m));
        return r;
    }

  private:
    aer::MfccExtractor extractor_;
    aer::Status status_;
};

/// A loaded model: features in, class probabilities out.
class Classifier {
  public:
    /// json_text + bin (Uint8Array): the model's two files. On failure the previous model stays.
    std::string load(const std::string& json_text, const val& bin) {
        try {
            return load_unguarded(json_text, bin);
        } catch (const std::bad_alloc&) {
            return kOutOfMemory;
        }
    }
    std::string load_unguarded(const std::string& json_text, const val& bin) {
        std::vector<std::uint8_t> b = bytes_from_js(bin);
        aer::Model m;
        aer::ModelInfo info;
        aer::Status s = aer::load_model(reinterpret_cast<const std::uint8_t*>(json_text.data()), json_text.size(),
                                        b.data(), b.size(), m, info);
        if (!s.ok())
            return s.message;
        model_ = std::move(m);
        info_ = info;
        return "";
    }
    bool loaded() const { return model_.built(); }
    std::string labels() const { return nlohmann::json(info_.labels).dump(); }
    std::string feature_config() const { return aer::to_json(info_.features).dump(); }
    std::string info() const {
        if (!model_.built())
            return "null";
        return nlohmann::json({{"architecture", model_.architecture()},
                               {"parameters", model_.parameter_count()},
                               {"bytes", model_.parameter_count() * 4},
                               {"labels", info_.labels},
                               {"normalized", !info_.norm_mean.empty()},
                               {"training", info_.training}})
            .dump();
    }

    /// features: n examples of n_mfcc * frames (as FeatureExtractor.compute returns them).
    val predict(const val& features, int n) {
        try {
            return predict_unguarded(features, n);
        } catch (const std::bad_alloc&) {
            return error_result(kOutOfMemory);
        }
    }
    val predict_unguarded(const val& features, int n) {
        if (!model_.built())
            return error_result("no model loaded");
        const int n_mfcc = info_.features.n_mfcc, frames = info_.features.max_len;
        const std::size_t size = std::size_t(n_mfcc) * std::size_t(frames);
        std::vector<float> f = floats_from_js(features);
        if (n < 1 || f.size() != size * std::size_t(n) || int(size) != model_.steps() * model_.features())
            return error_result("features do not match the model's input (" + std::to_string(n_mfcc) + " x " +
                                std::to_string(frames) + " per example)");
        std::vector<float> x(f.size()), probs(std::size_t(n) * std::size_t(model_.classes()));
        aer::prepare_inputs(f.data(), n, n_mfcc, frames, info_, model_.orientation(), x.data());
        aer::Status s = model_.predict(x.data(), n, probs.data());
        if (!s.ok())
            return error_result(s.message);
        val r = val::object();
        r.set("ok", true);
        r.set("probs", floats_to_js(probs));
        return r;
    }

    std::string save_json() {
        ModelFiles f;
        aer::serialize_model(model_, info_, f.json, f.bin);
        return f.json;
    }
    val save_bin() {
        ModelFiles f;
        aer::serialize_model(model_, info_, f.json, f.bin);
        return bytes_to_js(f.bin);
    }

  private:
    aer::Model model_;
    aer::ModelInfo info_;
};

/// Training in the browser: examples in, then start() and step() until finished.
class Trainer {
  public:
    /// config_json: {arch, epochs, batch, lr, seed, split, labels, feature_config, normalize, dropout,
    /// augment (core/train/augment.h spec, optional)}.
    std::string setup(const std::string& config_json) {
        nlohmann::json c = nlohmann::json::parse(config_json, nullptr, false);
        if (c.is_discarded() || !c.is_object())
            return "trainer: the configuration is not a JSON object";
        *this = Trainer{};
        config_ = c;
        auto num = [&](const char* k, double fallback) { return c.contains(k) && c[k].is_number() ? c[k].get<double>() : fallback; };
        train_.epochs = int(num("epochs", 50));
        train_.batch = int(num("batch", 32));
        train_.learning_rate = num("lr", 0.001);
        train_.seed = std::uint32_t(num("seed", 1));
        info_.labels = c.contains("labels") ? c["labels"].get<std::vector<std::string>>() : aer::default_labels();
        if (c.contains("feature_config")) {
            aer::Status s = aer::mfcc_config_from_json(c["feature_config"], info_.features);
            if (!s.ok())
                return s.message;
        }
        if (info_.features.max_len <= 0)
            return "trainer: features need a fixed length (max_len > 0)";
        data_.labels = info_.labels;
        data_.n_mfcc = info_.features.n_mfcc;
        data_.frames = info_.features.max_len;
        return "";
    }

    /// After setup(), before start(): continue a checkpoint (its two model files and the state
    /// checkpoint() gave, Uint8Arrays) instead of a fresh model. Its weights, normalisation and
    /// optimiser state are used; the run goes on at its next epoch. Refused, naming the
    /// problem, when the files are broken or were trained on other labels or features.
    std::string resume(const std::string& json_text, const val& bin, const val& state) {
        try {
            return resume_unguarded(json_text, bin, state);
        } catch (const std::bad_alloc&) {
            return kOutOfMemory;
        }
    }
    std::string resume_unguarded(const std::string& json_text, const val& bin, const val& state) {
        std::vector<std::uint8_t> b = bytes_from_js(bin), st = bytes_from_js(state);
        aer::Model m;
        aer::ModelInfo saved;
        aer::Status s = aer::load_model(reinterpret_cast<const std::uint8_t*>(json_text.data()), json_text.size(),
                                        b.data(), b.size(), m, saved);
        if (s.ok())
            s = aer::parse_train_state(st.data(), st.size(), resume_state_);
        if (s.ok() && resume_state_.weights != aer::weights_digest(b.data(), b.size()))
            s = aer::Status::error("the training state belongs to other weights than the model");
        if (!s.ok())
            return "resume: " + s.message;
        if (saved.labels != info_.labels)
            return "resume: the checkpoint was trained on other labels";
        if (aer::to_json(saved.features) != aer::to_json(info_.features))
            return "resume: the checkpoint was trained on other features";
        model_ = std::move(m);
        info_.norm_mean = saved.norm_mean;
        info_.norm_std = saved.norm_std;
        resuming_ = true;
        return "";
    }

    /// One example's features (n_mfcc * max_len floats), its label index and actor (-1 unknown).
    std::string add_example(const val& features, int label, int actor) {
        try {
            return add_example_unguarded(features, label, actor);
        } catch (const std::bad_alloc&) {
            return kOutOfMemory;
        }
    }
    std::string add_example_unguarded(const val& features, int label, int actor) {
        std::vector<float> f = floats_from_js(features);
        if (f.size() != data_.feature_size())
            return "trainer: an example has " + std::to_string(f.size()) + " values, expected " +
                   std::to_string(data_.feature_size());
        if (label < 0 || label >= int(info_.labels.size()))
            return "trainer: label index out of range";
        data_.examples.push_back({"", label, actor});
        data_.features.insert(data_.features.end(), f.begin(), f.end());
        return "";
    }

    std::string start() {
        try {
            return start_unguarded();
        } catch (const std::bad_alloc&) {
            return kOutOfMemory;
        }
    }
    std::string start_unguarded() {
        if (data_.examples.size() < 2)
            return "trainer: add at least two examples first";
        std::string spec = config_.value("split", std::string("paper"));
        aer::Status s;
        if (spec == "none") {
            for (std::size_t i = 0; i < data_.examples.size(); ++i)
                split_.train.push_back(i);
        } else if (spec == "paper") {
            split_ = aer::paper_split(data_, 0.6, train_.seed);
        } else {
            s = aer::parse_split(spec, data_, train_.seed, split_);
        }
        if (s.ok() && split_.train.empty())
            s = aer::Status::error("the split leaves nothing to train on");
        nlohmann::json arch;
        if (s.ok() && !resuming_) {
            if (config_.contains("arch") && config_["arch"].is_object())
                arch = config_["arch"];
            else
                s = aer::preset_architecture(config_.value("arch", std::string("paper-lstm")), arch,
                                             int(info_.labels.size()));
        }
        if (s.ok() && config_.contains("dropout") && config_["dropout"].is_number())
            for (nlohmann::json& layer : arch["layers"])
                if (layer.value("type", "") == "dropout")
                    layer["rate"] = config_["dropout"];
        if (s.ok() && !resuming_)
            s = model_.build(arch, train_.seed);
        if (s.ok() && model_.steps() * model_.features() != int(data_.feature_size()))
            s = aer::Status::error("the architecture's input does not match the features");
        train_.augment.time_is_steps = model_.orientation() == aer::Orientation::frames_as_steps;
        if (s.ok())
            s = aer::parse_augment(config_.contains("augment") && config_["augment"].is_string()
                                       ? config_["augment"].get<std::string>()
                                       : std::string("none"),
                                   train_.augment);
        if (!s.ok())
            return "trainer: " + s.message;
        if (config_.value("normalize", false) && !resuming_)
            aer::fit_normalization(data_, split_.train, info_);
        std::vector<float> tx, vx;
        std::vector<int> ty, vy;
        gather(split_.train, tx, ty);
        gather(split_.test, vx, vy);
        test_x_ = vx;
        test_y_ = vy;
        info_.training = {{"split", split_.description}, {"epochs", train_.epochs}, {"batch", train_.batch},
                          {"learning_rate", train_.learning_rate}, {"seed", train_.seed},
                          {"train_n", split_.train.size()}, {"test_n", split_.test.size()}, {"where", "browser"},
                          {"config", page_config()}};
        s = trainer_.init(&model_, std::move(tx), std::move(ty), std::move(vx), std::move(vy), train_,
                          resuming_ ? &resume_state_ : nullptr);
        if (s.ok())
            info_.training["epochs_done"] = trainer_.state().epochs_done;
        return s.ok() ? "" : "trainer: " + s.message;
    }

    /// Runs at most max_batches batches; returns the progress as JSON (see web-contract).
    std::string step(int max_batches) {
        try {
            return step_unguarded(max_batches);
        } catch (const std::bad_alloc&) {
            return nlohmann::json({{"error", kOutOfMemory}, {"finished", true}}).dump();
        }
    }
    std::string step_unguarded(int max_batches) {
        aer::TrainProgress p;
        aer::Status s = trainer_.step(max_batches < 1 ? 1 : max_batches, p);
        nlohmann::json j = {{"epoch", p.epoch}, {"batch", p.batch}, {"batches_per_epoch", p.batches},
                            {"epochs", p.epochs}, {"loss", p.loss}, {"acc", p.acc}, {"finished", p.finished},
                            {"epoch_done", nullptr}};
        if (!s.ok()) {
            j["error"] = s.message;
            j["finished"] = true;
        }
        if (p.epoch_done) {
            const aer::EpochMetrics& m = trainer_.history().back();
            auto num = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
            j["epoch_done"] = {{"epoch", m.epoch}, {"loss", num(m.loss)}, {"acc", num(m.acc)},
                               {"val_loss", num(m.val_loss)}, {"val_acc", num(m.val_acc)}, {"seconds", m.seconds}};
            info_.training["epochs_done"] = trainer_.state().epochs_done;
        }
        return j.dump();
    }

    /// Keeps the weights of the last finished epoch.
    void stop() { trainer_.restore_last_epoch(); }

    std::string evaluate() {
        if (test_y_.empty())
            return nlohmann::json({{"n", 0}, {"labels", info_.labels}}).dump();
        std::vector<int> pred;
        aer::Status s = aer::predict_classes(model_, test_x_.data(), int(test_y_.size()), pred);
        if (!s.ok())
            return nlohmann::json({{"error", s.message}}).dump();
        nlohmann::json m = aer::compute_metrics(test_y_, pred, info_.labels).to_json();
        info_.training["test_accuracy"] = m["accuracy"];
        return m.dump();
    }

    std::string model_json() {
        ModelFiles f;
        aer::serialize_model(model_, info_, f.json, f.bin);
        return f.json;
    }
    val model_bin() {
        ModelFiles f;
        aer::serialize_model(model_, info_, f.json, f.bin);
        return bytes_to_js(f.bin);
    }
    /// The model as it stands (the last finished epoch after a step that finished one) and the
    /// training state that goes with it, from one serialisation: {json: string, bin: Uint8Array,
    /// state: Uint8Array}, what resume() takes back.
    val checkpoint() {
        ModelFiles f;
        aer::serialize_model(model_, info_, f.json, f.bin);
        aer::TrainState st = trainer_.state();
        st.weights = aer::weights_digest(f.bin.data(), f.bin.size());
        std::vector<std::uint8_t> state;
        aer::serialize_train_state(st, state);
        val r = val::object();
        r.set("json", f.json);
        r.set("bin", bytes_to_js(f.bin));
        r.set("state", bytes_to_js(state));
        return r;
    }

  private:
    /// The page's settings of this run (what a resume starts from), without the bulky parts.
    nlohmann::json page_config() const {
        nlohmann::json c = config_;
        c.erase("labels");
        c.erase("feature_config");
        return c;
    }

    void gather(const std::vector<std::size_t>& idx, std::vector<float>& x, std::vector<int>& y) {
        const std::size_t size = data_.feature_size();
        x.resize(idx.size() * size);
        y.resize(idx.size());
        for (std::size_t k = 0; k < idx.size(); ++k) {
            aer::prepare_inputs(data_.feature(idx[k]), 1, data_.n_mfcc, data_.frames, info_, model_.orientation(),
                                x.data() + k * size);
            y[k] = data_.examples[idx[k]].label;
        }
    }

    nlohmann::json config_;
    aer::TrainConfig train_;
    aer::ModelInfo info_;
    aer::Dataset data_;
    aer::Split split_;
    aer::Model model_;
    aer::Trainer trainer_;
    std::vector<float> test_x_;
    std::vector<int> test_y_;
    aer::TrainState resume_state_;
    bool resuming_ = false;
};

/// Sets the kernel threads (1 in the single-threaded build); returns the count in effect.
int set_threads(int n) {
    aer::set_backend(aer::Backend::simd);
    aer::set_threads(n < 1 ? 1 : n);
    return aer::current_threads();
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
    return r;
}

} // namespace

EMSCRIPTEN_BINDINGS(aer) {
    emscripten::class_<FeatureExtractor>("FeatureExtractor")
        .constructor<>()
        .function("configure", &FeatureExtractor::configure)
        .function("config_json", &FeatureExtractor::config_json)
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
        .function("save_json", &Classifier::save_json)
        .function("save_bin", &Classifier::save_bin);
    emscripten::class_<Trainer>("Trainer")
        .constructor<>()
        .function("setup", &Trainer::setup)
        .function("add_example", &Trainer::add_example)
        .function("start", &Trainer::start)
        .function("step", &Trainer::step)
        .function("stop", &Trainer::stop)
        .function("evaluate", &Trainer::evaluate)
        .function("model_json", &Trainer::model_json)
        .function("model_bin", &Trainer::model_bin)
        .function("resume", &Trainer::resume)
        .function("checkpoint", &Trainer::checkpoint);
    emscripten::function("runtime_info", &runtime_info);
    emscripten::function("set_threads", &set_threads);
}
