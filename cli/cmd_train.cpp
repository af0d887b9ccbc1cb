// aer train / eval / predict: datasets in, models and reports out.
#include "cli/commands.h"

#include "core/audio/load.h"
#include "core/infer/stream_session.h"
#include "core/nn/kernels.h"
#include "core/nn/model_io.h"
#include "core/train/checkpoint.h"
#include "core/train/dataset.h"
#include "core/train/dataset_copies.h"
#include "core/train/metrics.h"
#include "core/train/normalize.h"
#include "core/train/personalise.h"
#include "core/train/session.h"
#include "core/train/split.h"
#include "core/train/trainer.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>
#include <unistd.h>

namespace aer_cli {
namespace {
// Ctrl-C during training: stop between batches, keep the last finished epoch, save and report.
std::atomic<bool> g_stop{false};
extern "C" void on_interrupt(int) {
    g_stop = true;
}
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
aer::Status load_chosen_model(const Args& args, std::string& prefix, aer::Model& model,
                              aer::ModelInfo& info) {
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

// Features for a dataset, with a progress line on a terminal. keep_copies: see compute_features().
aer::Status load_features(aer::Dataset& data, const aer::MfccConfig& cfg, const std::string& cache,
                          bool keep_copies = false) {
    bool tty = isatty(2);
    aer::Status s = aer::compute_features(
        data, cfg, cache, int(std::max(1u, std::thread::hardware_concurrency())),
        [&](std::size_t done, std::size_t total) {
            if (tty && (done % 8 == 0 || done == total))
                std::fprintf(stderr, "\rfeatures %zu/%zu", done, total);
        },
        keep_copies);
    if (tty)
        std::fprintf(stderr, "\n");
    for (const std::string& note : data.notes)
        std::fprintf(stderr, "note: %s\n", note.c_str());
    return s;
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
        std::fprintf(stderr, "\repoch %d/%d [%s%s] batch %d/%d loss %.4f acc %.3f ETA %.0fs   ", p.epoch,
                     p.epochs, std::string(std::size_t(fill), '#').c_str(),
                     std::string(std::size_t(width - fill), '.').c_str(), p.batch, p.batches, p.loss, p.acc,
                     eta);
    }
    if (p.epoch_done) {
        const aer::EpochMetrics& m = h.back();
        char val[64] = "";
        if (!std::isnan(m.val_acc))
            std::snprintf(val, sizeof val, " val_loss %.4f val_acc %.4f", m.val_loss, m.val_acc);
        std::fprintf(stderr, "%sepoch %d/%d loss %.4f acc %.4f%s (%.1f s)\n", tty ? "\r" : "", m.epoch,
                     p.epochs, m.loss, m.acc, val, m.seconds);
    }
}

nlohmann::json history_json(const std::vector<aer::EpochMetrics>& h) {
    nlohmann::json out = nlohmann::json::array();
    auto num = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
    for (const aer::EpochMetrics& m : h)
        out.push_back({{"epoch", m.epoch},
                       {"loss", num(m.loss)},
                       {"acc", num(m.acc)},
                       {"val_loss", num(m.val_loss)},
                       {"val_acc", num(m.val_acc)},
                       {"seconds", m.seconds}});
    return out;
}

// The request a checkpoint was trained with: its "config" (models since the training session),
// else what older models' metadata says.
nlohmann::json saved_request(const aer::ModelInfo& saved) {
    const nlohmann::json& t = saved.training;
    nlohmann::json r = nlohmann::json::object();
    if (t.is_object() && t.contains("config") && t["config"].is_object()) {
        r = t["config"];
    } else if (t.is_object()) {
        const std::pair<const char*, const char*> keys[] = {{"seed", "seed"},
                                                            {"epochs", "epochs"},
                                                            {"batch", "batch"},
                                                            {"lr", "learning_rate"},
                                                            {"optimizer", "optimizer"},
                                                            {"split", "split_spec"},
                                                            {"train_fraction", "train_fraction"},
                                                            {"augment", "augment"},
                                                            {"normalize", "normalize"}};
        for (const auto& [key, old] : keys)
            if (t.contains(old))
                r[key] = t[old];
        if (t.contains("arch") && t["arch"].is_string())
            r["arch_name"] = t["arch"];
    }
    r["feature_config"] = aer::to_json(saved.features);
    r["labels"] = saved.labels;
    return r;
}

// --features KEY=VALUE,...: changes to a feature config (JSON keys of core/dsp/mfcc.h's to_json,
// e.g. "ref=max,fmax=8000"); numbers stay numbers, "max" a string. The session validates it.
bool feature_options(const std::string& spec, nlohmann::json& cfg, std::string& error) {
    std::size_t start = 0;
    while (start <= spec.size()) {
        std::size_t end = spec.find(',', start);
        if (end == std::string::npos)
            end = spec.size();
        const std::string part = spec.substr(start, end - start);
        const std::size_t eq = part.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == part.size()) {
            error = "--features: '" + part + "' is not KEY=VALUE";
            return false;
        }
        const std::string key = part.substr(0, eq), value = part.substr(eq + 1);
        char* rest = nullptr;
        const double number = std::strtod(value.c_str(), &rest);
        if (rest && *rest == '\0')
            cfg[key] = number == double((long long)number) && key != "fmin" && key != "fmax" &&
                               key != "top_db" && key != "ref"
                           ? nlohmann::json((long long)number)
                           : nlohmann::json(number);
        else
            cfg[key] = value;
        start = end + 1;
    }
    return true;
}

// The request keys the training options give (--seed, --epochs, --batch, --lr, --train-fraction,
// --dropout, --split, --augment, --optimizer, --channels), each only when given; false (and a
// message in `error`) on a value out of range.
bool request_from_options(const Args& args, nlohmann::json& request, std::string& error) {
    long long seed = 0, epochs = 0, batch = 0;
    double lr = 0, fraction = 0, dropout = 0;
    if (!args.get_int("seed", 0, 4294967295LL, seed, error) ||
        !args.get_int("epochs", 1, 100000, epochs, error) || !args.get_int("batch", 1, 4096, batch, error) ||
        !args.get_double("lr", 1e-9, 1e6, lr, error) ||
        !args.get_double("train-fraction", 0.05, 0.95, fraction, error) ||
        !args.get_double("dropout", 0, 0.95, dropout, error))
        return false;
    if (args.has("seed"))
        request["seed"] = seed;
    if (args.has("epochs"))
        request["epochs"] = epochs;
    if (args.has("batch"))
        request["batch"] = batch;
    if (args.has("lr"))
        request["lr"] = lr;
    if (args.has("train-fraction"))
        request["train_fraction"] = fraction;
    if (args.has("dropout"))
        request["dropout"] = dropout;
    for (const char* key : {"split", "augment", "optimizer", "channels"})
        if (args.has(key))
            request[key] = args.get(key);
    if (args.has("wave-augment"))
        request["wave_augment"] = args.get("wave-augment");
    if (args.has("features")) {
        nlohmann::json cfg =
            request.contains("feature_config") ? request["feature_config"] : aer::to_json(aer::MfccConfig{});
        if (!feature_options(args.get("features"), cfg, error))
            return false;
        request["feature_config"] = cfg;
    }
    return true;
}

// The examples of a run: every file of settings.data whose label is in `labels` (all when empty),
// of the wanted channels, with its features (cached unless --cache none).
aer::Status session_data(const Args& args, const aer::SessionSettings& settings,
                         const std::vector<std::string>& labels, aer::Dataset& data) {
    aer::ScanOptions scan;
    scan.labels = labels;
    scan.channels = settings.channels;
    aer::Status s = aer::scan_dataset(settings.data, scan, data);
    if (!s.ok())
        return s;
    std::string cache = args.get("cache", default_cache_dir());
    return load_features(data, settings.features, cache == "none" ? "" : cache);
}

} // namespace

int cmd_train(const Args& in) {
    Args args = in;
    std::string error;
    const char* usage =
        "usage: aer train --data DIR [--data DIR...] --arch NAME|ARCH.json --split paper|actors:LIST|none "
        "--out PREFIX\n"
        "       [--channels both|speech|song] [--seed N] [--epochs N] [--batch 32] [--lr 0.001]\n"
        "       [--optimizer adam|sgd] [--normalize] [--dropout R] [--augment shift:N,time:MxW,coef:MxW]\n"
        "       [--wave-augment copies:K,noise:P,room:P,gain:P,band:P,tilt:P,speed:P,pitch:P]\n"
        "       [--features ref=max,fmax=8000,...] [--init-from PREFIX.json] [--resume PREFIX.json]\n"
        "       [--report R.json] [--threads N] [--backend simd] [--cache DIR|none]";
    if (!args.parse({"data",    "arch",         "split",          "seed",   "epochs",  "batch",
                     "lr",      "optimizer",    "init-from",      "out",    "report",  "threads",
                     "backend", "cache",        "train-fraction", "resume", "augment", "channels",
                     "dropout", "wave-augment", "features"},
                    {"normalize"}, error))
        return fail("train: " + error + "\n" + usage, kUsage);
    if (!args.has("arch") && !args.has("resume"))
        return fail(std::string("train: --arch (or --resume) is required\n") + usage, kUsage);
    for (const char* required : {"data", "out"})
        if (!args.has(required))
            return fail(std::string("train: --") + required + " is required\n" + usage, kUsage);

    // The request: a resumed run starts from the checkpoint's own (its settings, weights,
    // normalisation and, from PREFIX.state, its optimiser state and dropout streams, so that it
    // ends where the unbroken run would have); the command line overrides what it gives.
    aer::Model resumed;
    aer::ModelInfo saved;
    aer::TrainState state;
    bool have_state = false;
    nlohmann::json request = nlohmann::json::object();
    if (args.has("resume")) {
        std::string note;
        aer::Status s =
            aer::load_checkpoint(model_prefix(args.get("resume")), resumed, saved, state, have_state, note);
        if (!s.ok())
            return fail(s.message);
        request = saved_request(saved);
        if (!have_state)
            std::fprintf(stderr, "note: %s\n", note.c_str());
    }
    if (!request_from_options(args, request, error) || !setup_kernels(args, error))
        return fail("train: " + error, kUsage);
    if (args.has("normalize"))
        request["normalize"] = true;
    if (args.has("arch") && !args.has("resume")) {
        const std::string spec = args.get("arch");
        nlohmann::json arch;
        aer::Status s = spec.size() > 5 && spec.compare(spec.size() - 5, 5, ".json") == 0
                            ? load_architecture(spec, 2, arch)
                            : aer::Status{};
        if (!s.ok())
            return fail("train: " + s.message);
        request["arch"] = arch.is_object() ? arch : nlohmann::json(spec);
        request["arch_name"] = spec;
    }
    request["data"] = args.get_all("data");
    request["init_from"] = args.get("init-from");
    request["where"] = "cli";
    aer::SessionSettings settings;
    aer::Status s = aer::parse_session_settings(request, settings);
    if (!s.ok())
        return fail("train: " + s.message, kUsage);
    if (args.has("resume")) {
        const int done = have_state ? state.epochs_done : aer::epochs_done_of(saved.training);
        if (done >= settings.train.epochs)
            return fail("train: " + args.get("resume") + " already finished " + std::to_string(done) +
                            " epochs (ask for more with --epochs)",
                        kUsage);
    }
    const std::string out = model_prefix(args.get("out"));
    const double t_start = now_s();

    // The data: every file whose label the run knows, of the wanted channels.
    aer::Dataset data;
    s = session_data(args, settings, settings.labels, data);
    if (!s.ok())
        return fail("train: " + s.message);

    aer::TrainingSession session;
    session.configure(settings);
    if (settings.wave_augment.active()) {
        const bool tty = isatty(2);
        const double t_copies = now_s();
        s = aer::add_dataset_with_copies(
            session, data, int(std::max(1u, std::thread::hardware_concurrency())),
            [&](std::size_t done, std::size_t total) {
                if (tty && (done % 8 == 0 || done == total))
                    std::fprintf(stderr, "\raugmented copies %zu/%zu", done, total);
            });
        std::fprintf(stderr, "%snote: augmented copies (%s) made in %.1f s\n", tty ? "\n" : "",
                     aer::wave_augment_spec(settings.wave_augment).c_str(), now_s() - t_copies);
    } else {
        s = session.add_dataset(data);
    }
    if (s.ok() && args.has("resume")) {
        s = session.resume(std::move(resumed), saved, have_state ? &state : nullptr, nullptr);
        if (s.ok())
            std::fprintf(stderr, "note: resuming from %s%s\n", args.get("resume").c_str(),
                         have_state ? " (with its optimiser state and dropout streams)"
                                    : " (without its .state: the optimiser's moments start afresh)");
    }
    if (s.ok() && args.has("init-from")) {
        aer::Model from;
        aer::ModelInfo from_info;
        s = aer::load_model_files(model_prefix(args.get("init-from")), from, from_info);
        session.init_from(std::move(from));
    }
    if (s.ok())
        s = session.start();
    if (!s.ok())
        return fail("train: " + s.message);
    for (const std::string& note : session.notes())
        if (note.find("skipped") == std::string::npos) // the scan's notes were printed already
            std::fprintf(stderr, "note: %s\n", note.c_str());
    const aer::Trainer& trainer = session.trainer();
    if (trainer.config().first_epoch > 1)
        std::fprintf(stderr, "note: starting at epoch %d of %d\n", trainer.config().first_epoch,
                     trainer.config().epochs);
    std::string labels;
    for (const std::string& l : session.labels())
        labels += (labels.empty() ? "" : ",") + l;
    std::fprintf(
        stderr,
        "train: %zu files, test: %zu files (%s); %zu labels (%s); %lld parameters; %s backend, %d threads\n",
        session.split().train.size(), session.split().test.size(), session.split().description.c_str(),
        session.labels().size(), labels.c_str(), session.model().parameter_count(),
        aer::backend_name(aer::current_backend()), aer::current_threads());

    const bool tty = isatty(2);
    const double t_train = now_s();
    std::signal(SIGINT, on_interrupt);
    aer::Status save_error;
    s = session.run(
        [&](const aer::TrainProgress& p) {
            print_progress(p, trainer, t_train, tty);
            if (p.epoch_done && save_error.ok()) // checkpoint: a crash keeps the last finished epoch
                save_error = aer::save_checkpoint(out, session.model(), session.info(), trainer.state());
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
    s = session.evaluate(report);
    if (!s.ok())
        return fail("train: " + s.message);
    session.info().training["train_seconds"] = train_s;
    s = aer::save_checkpoint(out, session.model(), session.info(), trainer.state());
    if (!s.ok())
        return fail(s.message);
    report["history"] = history_json(trainer.history());
    report["train_seconds"] = train_s;
    report["wall_seconds"] = now_s() - t_start;
    report["training"] = session.info().training;
    report["model"] = out + ".json";
    report["notes"] = session.notes();
    if (args.has("report")) {
        s = write_json_file(args.get("report"), report);
        if (!s.ok())
            return fail(s.message);
    }
    nlohmann::json line = {{"model", out + ".json"},
                           {"train_n", session.split().train.size()},
                           {"test_n", session.split().test.size()},
                           {"labels", session.labels()},
                           {"train_seconds", train_s},
                           {"wall_seconds", report["wall_seconds"]}};
    if (report.contains("accuracy"))
        line["accuracy"] = report["accuracy"];
    if (report.contains("by_channel"))
        line["by_channel"] = report["by_channel"];
    std::printf("%s\n", line.dump().c_str());
    return kOk;
}

int cmd_adapt(const Args& in) {
    Args args = in;
    std::string error;
    const char* usage =
        "usage: aer adapt [--model PREFIX.json] --data DIR [--data DIR...] --out PREFIX [--epochs N] [--lr "
        "X]\n"
        "       [--train head|last|all] [--penalty X] [--batch N] [--seed N] [--channels both|speech|song]\n"
        "       [--augment SPEC] [--report R.json] [--also-adapted PREFIX] [--threads N] [--backend simd]\n"
        "       [--cache DIR|none] [--degrade SPEC]\n"
        "The clips are cross-validated: the adapted model is kept only when it classifies more held-back\n"
        "clips right than the original (core/train/personalise.h); --out gets the model kept.\n"
        "--also-adapted writes the model adapted on all the clips too, kept or not (for comparisons).\n"
        "--degrade plays every clip through a condition first (core/train/degrade.h; as aer eval --degrade).";
    if (!args.parse({"model", "data", "out", "epochs", "lr", "batch", "seed", "train", "penalty", "channels",
                     "augment", "report", "threads", "backend", "cache", "also-adapted", "degrade"},
                    {}, error) ||
        !setup_kernels(args, error))
        return fail("adapt: " + error + "\n" + usage, kUsage);
    for (const char* required : {"data", "out"})
        if (!args.has(required))
            return fail(std::string("adapt: --") + required + " is required\n" + usage, kUsage);
    double penalty = 0;
    if (!args.get_double("penalty", 0, 1000, penalty, error))
        return fail("adapt: " + error + "\n" + usage, kUsage);
    aer::Degradation degradation; // clean unless --degrade
    if (args.has("degrade")) {
        aer::Status d = aer::parse_degradation(args.get("degrade"), degradation);
        if (!d.ok())
            return fail("adapt: --degrade " + args.get("degrade") + ": " + d.message, kUsage);
    }

    std::string prefix;
    aer::Model model;
    aer::ModelInfo info;
    aer::Status s = load_chosen_model(args, prefix, model, info);
    if (!s.ok())
        return fail(s.message);
    // The original files are never written: --out (and --also-adapted) must name other files.
    const std::string out = model_prefix(args.get("out"));
    const std::string also = args.has("also-adapted") ? model_prefix(args.get("also-adapted")) : "";
    for (const auto& [option, target] :
         {std::pair<std::string, std::string>{"--out", out}, {"--also-adapted", also}})
        for (const char* ext : {".json", ".bin"}) {
            std::error_code ec;
            if (!target.empty() &&
                (target + ext == prefix + ext || std::filesystem::equivalent(target + ext, prefix + ext, ec)))
                return fail("adapt: " + option + " " + target +
                                " is the model being adapted; choose another prefix",
                            kUsage);
        }

    // The request: the model's features and labels, fine-tuning's defaults for what is not given.
    nlohmann::json adapt = nlohmann::json::object();
    if (args.has("train"))
        adapt["train"] = args.get("train");
    if (args.has("penalty"))
        adapt["penalty"] = penalty;
    nlohmann::json request = {{"adapt", adapt},
                              {"feature_config", aer::to_json(info.features)},
                              {"labels", info.labels},
                              {"data", args.get_all("data")},
                              {"where", "cli"}};
    if (!request_from_options(args, request, error))
        return fail("adapt: " + error + "\n" + usage, kUsage);
    aer::SessionSettings settings;
    s = aer::parse_session_settings(request, settings);
    if (!s.ok())
        return fail("adapt: " + s.message, kUsage);

    aer::Dataset data;
    s = session_data(args, settings, info.labels, data);
    if (s.ok() && !degradation.clean()) // e.g. a voice in another room: its clips played through it
        s = aer::degraded_features(data, settings.features, degradation,
                                   int(std::max(1u, std::thread::hardware_concurrency())));
    if (!s.ok())
        return fail("adapt: " + s.message);
    // Cross-validated adaptation (core/train/personalise.h): the same code as the page's Personalise.
    aer::Personalisation personalisation;
    s = personalisation.configure(settings, model, info);
    personalisation.always_final_run(!also.empty());
    if (s.ok())
        s = personalisation.add_dataset(data);
    if (s.ok())
        s = personalisation.start();
    if (!s.ok())
        return fail("adapt: " + s.message);
    for (const std::string& note : personalisation.notes())
        if (note.find("skipped") == std::string::npos) // the scan's notes were printed already
            std::fprintf(stderr, "note: %s\n", note.c_str());
    const double t_train = now_s();
    const bool tty = isatty(2);
    int run = 0;
    s = personalisation.run(
        [&](const aer::PersonaliseProgress& p) {
            if (tty)
                std::fprintf(stderr, "%s%s epoch %d/%d loss %.4f   ", run && p.run != run ? "\n" : "\r",
                             p.fold > 0
                                 ? ("fold " + std::to_string(p.fold) + "/" + std::to_string(p.folds)).c_str()
                                 : "all clips",
                             p.train.epoch, p.train.epochs, p.train.loss);
            run = p.run;
        },
        nullptr);
    if (tty && run)
        std::fprintf(stderr, "\n");
    if (!s.ok())
        return fail("adapt: " + s.message);
    const double train_s = now_s() - t_train;
    const aer::PersonaliseResult& result = personalisation.result();
    for (const nlohmann::json& f : result.per_fold)
        std::fprintf(stderr, "fold %d: adapted on %d clip(s); held back %d: adapted %d right, original %d\n",
                     f["fold"].get<int>(), f["train_n"].get<int>(), f["held_back_n"].get<int>(),
                     f["adapted_right"].get<int>(), f["original_right"].get<int>());
    s = aer::save_model_files(out, personalisation.kept_model(), personalisation.kept_info());
    if (!s.ok())
        return fail(s.message);
    std::fprintf(stderr, "adapt: %s; wrote %s.json\n", result.reason.c_str(), out.c_str());
    if (!also.empty() && personalisation.adapted_model()) {
        s = aer::save_model_files(also, *personalisation.adapted_model(), personalisation.adapted_info());
        if (!s.ok())
            return fail(s.message);
    } else if (!also.empty()) {
        std::fprintf(stderr, "adapt: no model adapted on all the clips to write to %s.json (%s)\n",
                     also.c_str(), result.folds ? "that run did not finish" : "no comparison was made");
    }
    nlohmann::json report = result.to_json();
    report["history"] = history_json(personalisation.history());
    report["training"] = personalisation.kept_info().training;
    report["notes"] = personalisation.notes();
    report["train_seconds"] = train_s;
    if (args.has("report")) {
        s = write_json_file(args.get("report"), report);
        if (!s.ok())
            return fail(s.message);
    }
    nlohmann::json line = {
        {"model", prefix + ".json"},
        {"out", out + ".json"},
        {"also_adapted", personalisation.adapted_model() && !also.empty() ? also + ".json" : ""},
        {"clips", personalisation.clip_count()},
        {"labels", personalisation.labels()},
        {"train", settings.adapt.train},
        {"penalty", settings.adapt.penalty},
        {"epochs", settings.train.epochs},
        {"lr", settings.train.learning_rate},
        {"parameters", personalisation.kept_model().parameter_count()},
        {"train_seconds", train_s}};
    for (const char* k :
         {"kept", "reason", "folds", "held_back_n", "adapted_accuracy", "original_accuracy", "adapt_n"})
        line[k] = report[k];
    std::printf("%s\n", line.dump().c_str());
    return kOk;
}

int cmd_eval(const Args& in) {
    Args args = in;
    std::string error;
    const char* usage =
        "usage: aer eval [--model PREFIX.json] --data DIR [--data DIR...] [--channels both|speech|song]\n"
        "       [--actors LIST] [--degrade SPEC]... [--report R.json]\n"
        "  --degrade: play every file through a condition first (core/train/degrade.h), e.g. clean,\n"
        "  noise:pink:10, room:0.6, rate:16000, telephone, gain:-30, laptop-room; repeat for a table";
    if (!args.parse(
            {"model", "data", "actors", "report", "threads", "backend", "cache", "channels", "degrade"}, {},
            error) ||
        !setup_kernels(args, error))
        return fail("eval: " + error + "\n" + usage, kUsage);
    if (!args.has("data"))
        return fail(std::string("eval: --data is required\n") + usage, kUsage);
    aer::ScanOptions scan;
    aer::Status s = aer::parse_channels(args.get("channels", "both"), scan.channels);
    if (!s.ok())
        return fail("eval: " + s.message, kUsage);
    std::vector<int> actors;
    if (args.has("actors")) {
        s = aer::parse_actor_list(args.get("actors"), actors);
        if (!s.ok())
            return fail("eval: " + s.message, kUsage);
    }
    std::vector<aer::Degradation> conditions;
    for (const std::string& spec : args.get_all("degrade")) {
        conditions.emplace_back();
        s = aer::parse_degradation(spec, conditions.back());
        if (!s.ok())
            return fail("eval: --degrade " + spec + ": " + s.message, kUsage);
    }
    std::string prefix;
    aer::Model model;
    aer::ModelInfo info;
    s = load_chosen_model(args, prefix, model, info);
    if (!s.ok())
        return fail(s.message);
    // Labels from the model: files of labels it does not know are counted in the notes.
    aer::Dataset data;
    scan.labels = info.labels;
    s = aer::scan_dataset(args.get_all("data"), scan, data);
    if (!s.ok())
        return fail(s.message);
    if (!actors.empty()) {
        std::vector<aer::Example> kept;
        for (const aer::Example& e : data.examples)
            if (std::find(actors.begin(), actors.end(), e.actor) != actors.end())
                kept.push_back(e);
        if (kept.empty())
            return fail("eval: no files of actors " + args.get("actors") + " in " + args.get("data"));
        data.examples = kept;
    }
    std::string cache = args.get("cache", default_cache_dir());
    s = load_features(data, info.features, cache == "none" ? "" : cache, /*keep_copies=*/true);
    if (!s.ok())
        return fail("eval: " + s.message);
    // The scores of the model on `d`'s features.
    auto score = [&](const aer::Dataset& d, nlohmann::json& out) {
        const std::size_t n = d.examples.size(), size = d.feature_size();
        std::vector<float> x(n * size);
        std::vector<int> y(n), pred;
        std::vector<aer::Channel> channels(n);
        for (std::size_t i = 0; i < n; ++i) {
            aer::prepare_inputs(d.feature(i), 1, d.n_mfcc, d.frames, info, model.orientation(),
                                x.data() + i * size);
            y[i] = d.examples[i].label;
            channels[i] = d.examples[i].channel;
        }
        aer::Status r = aer::predict_classes(model, x.data(), int(n), pred);
        if (!r.ok())
            return r;
        out = aer::compute_metrics(y, pred, info.labels).to_json();
        out["by_channel"] = aer::accuracy_by_channel(channels, y, pred);
        return aer::Status{};
    };
    nlohmann::json report;
    s = score(data, report);
    if (!s.ok())
        return fail("eval: " + s.message);
    report["model"] = prefix + ".json";
    report["data"] = args.get_all("data");
    report["notes"] = data.notes;
    if (!conditions.empty()) {
        nlohmann::json by_condition = nlohmann::json::object();
        const int threads = int(std::max(1u, std::thread::hardware_concurrency()));
        std::vector<aer::Dataset> degraded;
        s = aer::degraded_features(data, info.features, conditions, threads, degraded);
        if (!s.ok())
            return fail("eval: --degrade: " + s.message);
        for (std::size_t c = 0; c < conditions.size(); ++c) {
            const aer::Degradation& d = conditions[c];
            nlohmann::json r;
            s = score(degraded[c], r);
            if (!s.ok())
                return fail("eval: --degrade " + d.spec + ": " + s.message);
            by_condition[d.spec] = {{"accuracy", r["accuracy"]},
                                    {"macro_f1", r["macro_f1"]},
                                    {"by_channel", r["by_channel"]},
                                    {"n", r["n"]}};
        }
        report["conditions"] = by_condition;
    }
    if (args.has("report")) {
        s = write_json_file(args.get("report"), report);
        if (!s.ok())
            return fail(s.message);
    }
    std::printf("%s\n", nlohmann::json({{"model", report["model"]},
                                        {"n", report["n"]},
                                        {"labels", info.labels},
                                        {"accuracy", report["accuracy"]},
                                        {"macro_f1", report["macro_f1"]},
                                        {"by_channel", report["by_channel"]},
                                        {"conditions", report.value("conditions", nlohmann::json::object())}})
                            .dump()
                            .c_str());
    return kOk;
}

int cmd_predict(const Args& in) {
    Args args = in;
    std::string error;
    const char* usage = "usage: aer predict [--model PREFIX.json] [--timeline [--hop S]] FILE.wav...";
    if (!args.parse({"model", "threads", "backend", "hop"}, {"timeline"}, error) ||
        !setup_kernels(args, error))
        return fail("predict: " + error + "\n" + usage, kUsage);
    if (args.positional().empty())
        return fail(std::string("predict: no input files\n") + usage, kUsage);
    const bool timeline = args.has("timeline");
    aer::StreamOptions options;
    if (args.has("hop")) {
        if (!timeline)
            return fail(std::string("predict: --hop goes with --timeline\n") + usage, kUsage);
        if (!args.get_double("hop", 0.05, 60.0, options.hop_s, error))
            return fail("predict: " + error + "\n" + usage, kUsage);
    }
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
        nlohmann::json line;
        s = aer::load_audio_file(file, info.features.sample_rate, y, wi);
        if (s.ok() && timeline) {
            // Windows of the model's length every --hop seconds, gated and cut as training clips
            // (core/infer/stream_session.h).
            aer::Timeline t;
            s = aer::predict_timeline(model, info, y.data(), y.size(), info.features.sample_rate, options, t);
            if (s.ok())
                line = aer::timeline_json(t, info.labels);
        } else if (s.ok()) {
            s = ex.features(y.data(), y.size(), f, frames);
            if (s.ok() && f.size() != x.size())
                s = aer::Status::error("the model's feature config does not give its input size");
            if (s.ok()) {
                aer::prepare_inputs(f.data(), 1, info.features.n_mfcc, int(frames), info, model.orientation(),
                                    x.data());
                s = model.predict(x.data(), 1, probs.data());
            }
            if (s.ok()) {
                nlohmann::json p = nlohmann::json::object();
                for (int c = 0; c < model.classes(); ++c)
                    p[info.labels[std::size_t(c)]] = probs[std::size_t(c)];
                line = {{"label", info.labels[std::size_t(aer::argmax(probs.data(), model.classes()))]},
                        {"probabilities", p}};
            }
        }
        if (!s.ok()) {
            std::fprintf(stderr, "error: %s\n",
                         s.message.rfind(file, 0) == 0 ? s.message.c_str()
                                                       : (file + ": " + s.message).c_str());
            ++failures;
            continue;
        }
        nlohmann::json out = {{"file", file}};
        out.update(line);
        std::printf("%s\n", out.dump().c_str());
        std::fflush(stdout);
    }
    return failures ? kFailed : kOk;
}

} // namespace aer_cli
