// aer train / eval / predict: datasets in, models and reports out.
#include "cli/commands.h"

#include "core/audio/load.h"
#include "core/nn/kernels.h"
#include "core/nn/model_io.h"
#include "core/train/dataset.h"
#include "core/train/metrics.h"
#include "core/train/normalize.h"
#include "core/train/checkpoint.h"
#include "core/train/split.h"
#include "core/train/trainer.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <thread>
#include <unistd.h>

namespace aer_cli {
namespace {
// Ctrl-C during training: stop between batches, keep the last finished epoch, save and report.
std::atomic<bool> g_stop{false};
extern "C" void on_interrupt(int) { g_stop = true; }
} // namespace

aer::Status load_architecture(const std::string& spec, int classes, nlohmann::json& out);

namespace {

double now_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string default_cache_dir() {
    const char* xdg = std::getenv("XDG_CACHE_HOME");
    const char* home = std::getenv("HOME");
    if (xdg && *xdg)
        return std::string(xdg) + "/aer/features";
    if (home && *home)
        return std::string(home) + "/.cache/aer/features";
    return "/tmp/aer-cache/features";
}

// PREFIX.json -> PREFIX (model files are named by prefix).
std::string model_prefix(std::string path) {
    if (path.size() > 5 && path.compare(path.size() - 5, 5, ".json") == 0)
        path.resize(path.size() - 5);
    return path;
}

// The shipped default model: models/<name in models/DEFAULT>.
std::string default_model_prefix() {
    std::string dir = std::string(AER_SOURCE_DIR_CLI) + "/models/";
    std::ifstream f(dir + "DEFAULT");
    std::string name;
    std::getline(f, name);
    return dir + (name.empty() ? "paper-lstm" : name);
}

// The model of --model PREFIX.json, else the shipped default.
aer::Status load_chosen_model(const Args& args, std::string& prefix, aer::Model& model, aer::ModelInfo& info) {
    prefix = args.has("model") ? model_prefix(args.get("model")) : default_model_prefix();
    return aer::load_model_files(prefix, model, info);
}

aer::Status write_json_file(const std::string& path, const nlohmann::json& j) {
    std::string tmp = path + ".tmp";
    {
        std::ofstream f(tmp);
        if (!f)
            return aer::Status::error(path + ": cannot write");
        f << j.dump(1) << "\n";
        if (!f)
            return aer::Status::error(path + ": write failed");
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0)
        return aer::Status::error(path + ": cannot rename into place");
    return aer::Status{};
}

// Backend and threads from --backend / --threads (defaults: simd, every core).
bool setup_kernels(const Args& args, std::string& error) {
    long long threads = std::max(1u, std::thread::hardware_concurrency());
    if (!args.get_int("threads", 1, 64, threads, error))
        return false;
    aer::Backend backend = aer::Backend::simd;
    aer::Status s = args.has("backend") ? aer::parse_backend(args.get("backend"), backend) : aer::Status{};
    if (s.ok())
        s = aer::set_backend(backend);
    if (s.ok())
        s = aer::set_threads(int(threads));
    error = s.message;
    return s.ok();
}

// Features for a dataset, with a progress line on a terminal.
aer::Status load_features(aer::Dataset& data, const aer::MfccConfig& cfg, const std::string& cache) {
    bool tty = isatty(2);
    aer::Status s = aer::compute_features(data, cfg, cache, std::max(1u, std::thread::hardware_concurrency()),
                                          [&](std::size_t done, std::size_t total) {
                                              if (tty && (done % 8 == 0 || done == total))
                                                  std::fprintf(stderr, "\rfeatures %zu/%zu", done, total);
                                          });
    if (tty)
        std::fprintf(stderr, "\n");
    for (const std::string& note : data.notes)
        std::fprintf(stderr, "note: %s\n", note.c_str());
    return s;
}

// Model inputs of the examples `idx` (normalised and arranged), and their labels.
void gather(const aer::Dataset& data, const std::vector<std::size_t>& idx, const aer::ModelInfo& info,
            aer::Orientation o, std::vector<float>& x, std::vector<int>& y) {
    const std::size_t size = data.feature_size();
    x.resize(idx.size() * size);
    y.resize(idx.size());
    for (std::size_t k = 0; k < idx.size(); ++k) {
        aer::prepare_inputs(data.feature(idx[k]), 1, data.n_mfcc, data.frames, info, o, x.data() + k * size);
        y[k] = data.examples[idx[k]].label;
    }
}

void print_progress(const aer::TrainProgress& p, const aer::Trainer& t, double started, bool tty) {
    const auto& h = t.history();
    if (tty) {
        const int skipped = t.config().first_epoch - 1; // epochs a resumed run does not redo
        double done = double(p.epoch - 1 - skipped) + double(p.batch) / p.batches;
        if (p.finished)
            done = p.epochs - skipped;
        double eta = done > 0 ? (now_s() - started) * (p.epochs - skipped - done) / done : 0;
        int width = 24, fill = int(width * (done + skipped) / p.epochs);
        std::fprintf(stderr, "\repoch %d/%d [%s%s] batch %d/%d loss %.4f acc %.3f ETA %.0fs   ", p.epoch, p.epochs,
                     std::string(std::size_t(fill), '#').c_str(), std::string(std::size_t(width - fill), '.').c_str(),
                     p.batch, p.batches, p.loss, p.acc, eta);
    }
    if (p.epoch_done) {
        const aer::EpochMetrics& m = h.back();
        char val[64] = "";
        if (!std::isnan(m.val_acc))
            std::snprintf(val, sizeof val, " val_loss %.4f val_acc %.4f", m.val_loss, m.val_acc);
        std::fprintf(stderr, "%sepoch %d/%d loss %.4f acc %.4f%s (%.1f s)\n", tty ? "\r" : "", m.epoch, p.epochs,
                     m.loss, m.acc, val, m.seconds);
    }
}

nlohmann::json history_json(const std::vector<aer::EpochMetrics>& h) {
    nlohmann::json out = nlohmann::json::array();
    auto num = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
    for (const aer::EpochMetrics& m : h)
        out.push_back({{"epoch", m.epoch}, {"loss", num(m.loss)}, {"acc", num(m.acc)}, {"val_loss", num(m.val_loss)},
                       {"val_acc", num(m.val_acc)}, {"seconds", m.seconds}});
    return out;
}

// A field of a model's free training metadata, or `fallback` when absent or of another type
// (the metadata of a model from elsewhere may hold anything).
std::string text_field(const nlohmann::json& j, const char* key, const std::string& fallback) {
    return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : fallback;
}
long long int_field(const nlohmann::json& j, const char* key, long long fallback) {
    if (!j.is_object() || !j.contains(key) || !j[key].is_number_integer())
        return fallback;
    long long v = j[key].get<long long>();
    return v >= 0 && v <= 100000 ? v : fallback;
}

} // namespace

int cmd_train(const Args& in) {
    Args args = in;
    std::string error;
    const char* usage = "usage: aer train --data DIR --arch NAME|ARCH.json --split paper|actors:LIST|none --out PREFIX\n"
                        "       [--seed N] [--epochs N] [--batch 32] [--lr 0.001] [--optimizer adam|sgd] [--normalize]\n"
                        "       [--augment shift:N,time:MxW,coef:MxW]\n"
                        "       [--init-from PREFIX.json] [--resume PREFIX.json] [--report R.json] [--threads N] [--backend simd] [--cache DIR|none]";
    if (!args.parse({"data", "arch", "split", "seed", "epochs", "batch", "lr", "optimizer", "init-from", "out", "report",
                     "threads", "backend", "cache", "train-fraction", "resume", "augment"},
                    {"normalize"}, error))
        return fail("train: " + error + "\n" + usage, kUsage);
    if (!args.has("arch") && !args.has("resume"))
        return fail(std::string("train: --arch (or --resume) is required\n") + usage, kUsage);
    for (const char* required : {"data", "out"})
        if (!args.has(required))
            return fail(std::string("train: --") + required + " is required\n" + usage, kUsage);
    // A resumed run continues the checkpoint's own run: its settings unless the command line
    // changes them, its weights and normalisation, and (from PREFIX.state) its optimiser state
    // and dropout streams, so that it ends where the unbroken run would have.
    aer::Model resumed;
    aer::ModelInfo saved;
    aer::TrainState state;
    bool have_state = false;
    if (args.has("resume")) {
        const std::string from = model_prefix(args.get("resume"));
        std::string note;
        aer::Status s = aer::load_checkpoint(from, resumed, saved, state, have_state, note);
        if (!s.ok())
            return fail(s.message);
        const nlohmann::json& t = saved.training;
        auto take = [&](const char* option, const char* key) {
            if (t.contains(key) && (t[key].is_number() || t[key].is_string()))
                args.set_default(option, t[key].is_string() ? t[key].get<std::string>() : t[key].dump());
        };
        take("seed", "seed");
        take("epochs", "epochs");
        take("batch", "batch");
        take("lr", "learning_rate");
        take("optimizer", "optimizer");
        take("split", "split_spec");
        take("train-fraction", "train_fraction");
        take("augment", "augment");
        if (!have_state)
            std::fprintf(stderr, "note: %s\n", note.c_str());
    }
    aer::TrainConfig cfg;
    long long seed = 1, epochs = cfg.epochs, batch = cfg.batch;
    double lr = cfg.learning_rate, fraction = 0.6;
    if (!args.get_int("seed", 0, 4000000000LL, seed, error) || !args.get_int("epochs", 1, 100000, epochs, error) ||
        !args.get_int("batch", 1, 4096, batch, error) || !args.get_double("lr", 1e-9, 1e6, lr, error) ||
        !args.get_double("train-fraction", 0.05, 0.95, fraction, error) || !setup_kernels(args, error))
        return fail("train: " + error, kUsage);
    {
        aer::Status a = aer::parse_augment(args.get("augment", "none"), cfg.augment); // before any file is read
        if (!a.ok())
            return fail("train: " + a.message, kUsage);
    }
    cfg.seed = std::uint32_t(seed);
    cfg.epochs = int(epochs);
    cfg.batch = int(batch);
    cfg.learning_rate = lr;
    cfg.optimizer = args.get("optimizer", "adam");
    const std::string out = model_prefix(args.get("out"));
    const double t_start = now_s();

    aer::Dataset data;
    aer::Status s = aer::scan_dataset(args.get("data"), {}, data);
    if (!s.ok())
        return fail(s.message);
    aer::ModelInfo info;
    info.labels = data.labels;
    std::string cache = args.get("cache", default_cache_dir());
    s = load_features(data, info.features, cache == "none" ? "" : cache);
    if (!s.ok())
        return fail(args.get("data") + ": " + s.message);

    aer::Split split;
    std::string spec = args.get("split", "paper");
    if (spec == "none") {
        for (std::size_t i = 0; i < data.examples.size(); ++i)
            split.train.push_back(i);
        split.description = "none: every file trains";
    } else if (spec == "paper") {
        split = aer::paper_split(data, fraction, cfg.seed);
    } else {
        s = aer::parse_split(spec, data, cfg.seed, split);
        if (!s.ok())
            return fail("train: " + s.message, kUsage);
    }

    aer::Model model;
    if (args.has("resume")) {
        // The checkpoint's architecture, weights and normalisation; the epochs it finished are skipped.
        model = std::move(resumed);
        if (saved.labels != data.labels)
            return fail("train: " + args.get("resume") + " was trained on other labels");
        info.norm_mean = saved.norm_mean;
        info.norm_std = saved.norm_std;
        cfg.first_epoch = int(int_field(saved.training, "epochs_done", 0)) + 1;
        if (cfg.first_epoch > cfg.epochs)
            return fail("train: " + args.get("resume") + " already finished " + std::to_string(cfg.first_epoch - 1) +
                        " epochs (ask for more with --epochs)", kUsage);
        std::fprintf(stderr, "note: resuming from %s at epoch %d%s\n", args.get("resume").c_str(), cfg.first_epoch,
                     have_state ? " (with its optimiser state and dropout streams)"
                                : " (without its .state: the optimiser's moments start afresh)");
    } else {
        nlohmann::json arch;
        s = load_architecture(args.get("arch"), int(data.labels.size()), arch);
        if (s.ok())
            s = model.build(arch, cfg.seed);
        if (!s.ok())
            return fail("train: " + args.get("arch") + ": " + s.message);
    }
    if (model.steps() * model.features() != int(data.feature_size()))
        return fail("train: the architecture's input (" + std::to_string(model.steps()) + " x " +
                    std::to_string(model.features()) + ") does not match the features (" +
                    std::to_string(data.n_mfcc) + " x " + std::to_string(data.frames) + ")");
    int copied = 0;
    if (args.has("init-from")) {
        aer::Model from;
        aer::ModelInfo from_info;
        s = aer::load_model_files(model_prefix(args.get("init-from")), from, from_info);
        if (!s.ok())
            return fail(s.message);
        copied = aer::copy_matching_weights(from, model, "lstm_0/");
        if (copied == 0)
            return fail("train: " + args.get("init-from") + " has no lstm_0 weights of the right shapes");
        std::fprintf(stderr, "note: %d tensors of lstm_0 start from %s\n", copied, args.get("init-from").c_str());
    }
    cfg.augment.time_is_steps = model.orientation() == aer::Orientation::frames_as_steps;
    if (args.has("normalize") && !args.has("resume"))
        aer::fit_normalization(data, split.train, info);

    std::vector<float> tx, vx;
    std::vector<int> ty, vy;
    gather(data, split.train, info, model.orientation(), tx, ty);
    gather(data, split.test, info, model.orientation(), vx, vy);
    std::fprintf(stderr, "train: %zu files, test: %zu files (%s); %lld parameters; %s backend, %d threads\n",
                 split.train.size(), split.test.size(), split.description.c_str(), model.parameter_count(),
                 aer::backend_name(aer::current_backend()), aer::current_threads());

    aer::Trainer trainer;
    s = trainer.init(&model, std::move(tx), std::move(ty), vx, vy, cfg, have_state ? &state : nullptr);
    if (!s.ok())
        return fail("train: " + s.message);
    const std::string arch_name = args.has("resume") ? text_field(saved.training, "arch", args.get("resume")) : args.get("arch");
    info.training = {{"arch", arch_name}, {"split", split.description}, {"seed", cfg.seed},
                     {"epochs", cfg.epochs}, {"batch", cfg.batch}, {"learning_rate", cfg.learning_rate},
                     {"optimizer", cfg.optimizer}, {"normalize", !info.norm_mean.empty()},
                     {"init_from", args.get("init-from")}, {"train_n", split.train.size()},
                     {"test_n", split.test.size()}, {"data", args.get("data")}, {"split_spec", spec},
                     {"train_fraction", fraction}, {"augment", aer::augment_spec(cfg.augment)}};
    const bool tty = isatty(2);
    const double t_train = now_s();
    std::signal(SIGINT, on_interrupt);
    aer::Status save_error;
    s = trainer.run(
        [&](const aer::TrainProgress& p) {
            print_progress(p, trainer, t_train, tty);
            if (p.epoch_done) { // checkpoint: a crash keeps the last finished epoch
                info.training["epochs_done"] = trainer.state().epochs_done;
                aer::Status c = aer::save_checkpoint(out, model, info, trainer.state());
                if (!c.ok())
                    save_error = c;
            }
        },
        &g_stop);
    std::signal(SIGINT, SIG_DFL);
    if (g_stop)
        std::fprintf(stderr, "\nstopped: keeping the %zu finished epoch(s)\n", trainer.history().size());
    if (!s.ok())
        return fail("train: " + s.message + " (" + out + ".json holds the last good epoch)");
    if (!save_error.ok())
        return fail(save_error.message);
    const double train_s = now_s() - t_train;

    nlohmann::json report;
    if (!split.test.empty()) {
        std::vector<int> pred;
        s = aer::predict_classes(model, vx.data(), int(vy.size()), pred);
        if (!s.ok())
            return fail("train: " + s.message);
        report = aer::compute_metrics(vy, pred, data.labels).to_json();
        info.training["test_accuracy"] = report["accuracy"];
    } else {
        report = {{"labels", data.labels}, {"n", 0}};
    }
    info.training["epochs_done"] = trainer.state().epochs_done;
    info.training["train_seconds"] = train_s;
    s = aer::save_checkpoint(out, model, info, trainer.state());
    if (!s.ok())
        return fail(s.message);
    report["history"] = history_json(trainer.history());
    report["train_seconds"] = train_s;
    report["wall_seconds"] = now_s() - t_start;
    report["training"] = info.training;
    report["model"] = out + ".json";
    if (args.has("report")) {
        s = write_json_file(args.get("report"), report);
        if (!s.ok())
            return fail(s.message);
    }
    nlohmann::json line = {{"model", out + ".json"}, {"train_n", split.train.size()}, {"test_n", split.test.size()},
                           {"train_seconds", train_s}, {"wall_seconds", report["wall_seconds"]}};
    if (report.contains("accuracy"))
        line["accuracy"] = report["accuracy"];
    std::printf("%s\n", line.dump().c_str());
    return kOk;
}

int cmd_eval(const Args& in) {
    Args args = in;
    std::string error;
    const char* usage = "usage: aer eval [--model PREFIX.json] --data DIR [--actors LIST] [--report R.json]";
    if (!args.parse({"model", "data", "actors", "report", "threads", "backend", "cache"}, {}, error) ||
        !setup_kernels(args, error))
        return fail("eval: " + error + "\n" + usage, kUsage);
    if (!args.has("data"))
        return fail(std::string("eval: --data is required\n") + usage, kUsage);
    std::string prefix;
    aer::Model model;
    aer::ModelInfo info;
    aer::Status s = load_chosen_model(args, prefix, model, info);
    if (!s.ok())
        return fail(s.message);
    aer::Dataset data;
    s = aer::scan_dataset(args.get("data"), info.labels, data);
    if (!s.ok())
        return fail(s.message);
    if (args.has("actors")) {
        std::vector<int> actors;
        s = aer::parse_actor_list(args.get("actors"), actors);
        if (!s.ok())
            return fail("eval: " + s.message, kUsage);
        std::vector<aer::Example> kept;
        for (const aer::Example& e : data.examples)
            if (std::find(actors.begin(), actors.end(), e.actor) != actors.end())
                kept.push_back(e);
        if (kept.empty())
            return fail("eval: no files of actors " + args.get("actors") + " in " + args.get("data"));
        data.examples = kept;
    }
    std::string cache = args.get("cache", default_cache_dir());
    s = load_features(data, info.features, cache == "none" ? "" : cache);
    if (!s.ok())
        return fail(args.get("data") + ": " + s.message);
    std::vector<std::size_t> all(data.examples.size());
    for (std::size_t i = 0; i < all.size(); ++i)
        all[i] = i;
    std::vector<float> x;
    std::vector<int> y, pred;
    gather(data, all, info, model.orientation(), x, y);
    s = aer::predict_classes(model, x.data(), int(y.size()), pred);
    if (!s.ok())
        return fail("eval: " + s.message);
    nlohmann::json report = aer::compute_metrics(y, pred, info.labels).to_json();
    report["model"] = prefix + ".json";
    report["data"] = args.get("data");
    if (args.has("report")) {
        s = write_json_file(args.get("report"), report);
        if (!s.ok())
            return fail(s.message);
    }
    std::printf("%s\n", nlohmann::json({{"model", report["model"]}, {"n", report["n"]}, {"accuracy", report["accuracy"]},
                                        {"macro_f1", report["macro_f1"]}})
                            .dump()
                            .c_str());
    return kOk;
}

int cmd_predict(const Args& in) {
    Args args = in;
    std::string error;
    if (!args.parse({"model", "threads", "backend"}, {}, error) || !setup_kernels(args, error))
        return fail("predict: " + error + "\nusage: aer predict [--model PREFIX.json] FILE.wav...", kUsage);
    if (args.positional().empty())
        return fail("predict: no input files\nusage: aer predict [--model PREFIX.json] FILE.wav...", kUsage);
    std::string prefix;
    aer::Model model;
    aer::ModelInfo info;
    aer::Status s = load_chosen_model(args, prefix, model, info);
    if (!s.ok())
        return fail(s.message);
    aer::MfccExtractor ex;
    s = ex.init(info.features);
    if (!s.ok())
        return fail(prefix + ".json: " + s.message);
    int failures = 0;
    std::vector<float> y, f, x(std::size_t(model.steps()) * std::size_t(model.features()));
    std::vector<float> probs(std::size_t(model.classes()));
    for (const std::string& file : args.positional()) {
        aer::WavInfo wi;
        std::size_t frames = 0;
        s = aer::load_audio_file(file, info.features.sample_rate, y, wi);
        if (s.ok())
            s = ex.features(y.data(), y.size(), f, frames);
        if (s.ok() && f.size() != x.size())
            s = aer::Status::error("the model's feature config does not give its input size");
        if (s.ok()) {
            aer::prepare_inputs(f.data(), 1, info.features.n_mfcc, int(frames), info, model.orientation(), x.data());
            s = model.predict(x.data(), 1, probs.data());
        }
        if (!s.ok()) {
            std::fprintf(stderr, "error: %s\n", s.message.rfind(file, 0) == 0 ? s.message.c_str() : (file + ": " + s.message).c_str());
            ++failures;
            continue;
        }
        nlohmann::json p = nlohmann::json::object();
        for (int c = 0; c < model.classes(); ++c)
            p[info.labels[std::size_t(c)]] = probs[std::size_t(c)];
        int best = aer::argmax(probs.data(), model.classes());
        std::printf("%s\n", nlohmann::json({{"file", file}, {"label", info.labels[std::size_t(best)]}, {"probabilities", p}})
                                .dump()
                                .c_str());
        std::fflush(stdout);
    }
    return failures ? kFailed : kOk;
}

} // namespace aer_cli
