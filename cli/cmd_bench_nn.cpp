// aer bench-nn: training and inference speed of a model on random inputs, for one kernel
// backend and thread count. Prints one JSON object (medians over repetitions, min and max).
#include "cli/commands.h"

#include "core/nn/kernels.h"
#include "core/nn/model.h"
#include "core/nn/optimizer.h"
#include "core/train/trainer.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>

namespace aer_cli {
namespace {

double now_ms() {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

nlohmann::json stats(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return {{"median", v[v.size() / 2]}, {"min", v.front()}, {"max", v.back()}, {"n", v.size()}};
}

// Multiply-adds x 2 of one example's forward pass: every kernel-like matrix (kernel,
// recurrent_kernel) applied once per step its layer runs over.
double forward_flops(const aer::Model& m) {
    double flops = 0;
    for (int i = 0; i < m.layer_count(); ++i) {
        const aer::Layer<float>& l = m.layer(i);
        int steps = std::string(l.type()) == "lstm" ? l.input_shape().steps : std::max(1, l.output_shape().steps);
        for (const aer::Param<float>& p : const_cast<aer::Layer<float>&>(l).params()) {
            std::string w = p.name.substr(p.name.find('/') + 1);
            if (w == "kernel" || w == "recurrent_kernel")
                flops += 2.0 * double(steps) * double(p.size);
        }
    }
    return flops;
}

} // namespace

/// Resolves --arch NAME|FILE.json into an architecture.
aer::Status load_architecture(const std::string& spec, int classes, nlohmann::json& out) {
    if (spec.size() > 5 && spec.compare(spec.size() - 5, 5, ".json") == 0) {
        std::ifstream f(spec);
        if (!f)
            return aer::Status::error(spec + ": cannot open");
        out = nlohmann::json::parse(f, nullptr, false);
        if (out.is_discarded())
            return aer::Status::error(spec + ": not valid JSON");
        return aer::Status{};
    }
    return aer::preset_architecture(spec, out, classes);
}

int cmd_bench_nn(const Args& in) {
    Args args = in;
    std::string error;
    if (!args.parse({"model", "backend", "threads", "train-samples", "infer-batch", "reps"}, {"json"}, error))
        return fail("bench-nn: " + error, kUsage);
    long long threads = 1, n_train = 607, infer_batch = 405, reps = 5;
    if (!args.get_int("threads", 1, 64, threads, error) || !args.get_int("train-samples", 1, 100000, n_train, error) ||
        !args.get_int("infer-batch", 1, 100000, infer_batch, error) || !args.get_int("reps", 1, 1000, reps, error))
        return fail("bench-nn: " + error, kUsage);
    aer::Backend backend = aer::Backend::simd;
    if (args.has("backend")) {
        aer::Status s = aer::parse_backend(args.get("backend"), backend);
        if (!s.ok())
            return fail("bench-nn: " + s.message, kUsage);
    }
    aer::Status s = aer::set_backend(backend);
    if (s.ok())
        s = aer::set_threads(int(threads));
    if (!s.ok())
        return fail("bench-nn: " + s.message);
    nlohmann::json arch;
    s = load_architecture(args.get("model", "paper-lstm"), 6, arch);
    aer::Model model;
    if (s.ok())
        s = model.build(arch, 1);
    if (!s.ok())
        return fail("bench-nn: " + s.message);

    const std::size_t per = std::size_t(model.steps()) * std::size_t(model.features());
    std::mt19937 rng(1);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<float> x(std::size_t(std::max(n_train, infer_batch)) * per);
    for (float& v : x)
        v = normal(rng);
    std::vector<int> y(static_cast<std::size_t>(n_train));
    for (std::size_t i = 0; i < y.size(); ++i)
        y[i] = int(i % std::size_t(model.classes()));

    // One training epoch (batch 32, Adam), repeated.
    std::vector<double> epoch_ms;
    for (long long r = 0; r <= reps; ++r) {
        aer::Trainer t;
        aer::TrainConfig cfg;
        cfg.epochs = 1;
        cfg.batch = 32;
        std::vector<float> tx(x.begin(), x.begin() + std::ptrdiff_t(std::size_t(n_train) * per));
        s = t.init(&model, tx, y, {}, {}, cfg);
        if (!s.ok())
            return fail("bench-nn: " + s.message);
        double t0 = now_ms();
        s = t.run(nullptr, nullptr);
        double t1 = now_ms();
        if (!s.ok())
            return fail("bench-nn: " + s.message);
        if (r > 0) // the first run warms up (allocations, packing)
            epoch_ms.push_back(t1 - t0);
    }
    std::vector<float> probs(std::size_t(infer_batch) * std::size_t(model.classes()));
    std::vector<double> b1_ms, bn_ms;
    s = model.reshape(1);
    for (long long r = 0; r < 20 * reps + 1 && s.ok(); ++r) {
        double t0 = now_ms();
        s = model.predict(x.data(), 1, probs.data());
        if (r > 0)
            b1_ms.push_back(now_ms() - t0);
    }
    if (s.ok())
        s = model.reshape(int(infer_batch));
    for (long long r = 0; r <= reps && s.ok(); ++r) {
        double t0 = now_ms();
        s = model.predict(x.data(), int(infer_batch), probs.data());
        if (r > 0)
            bn_ms.push_back(now_ms() - t0);
    }
    if (!s.ok())
        return fail("bench-nn: " + s.message);

    const double fwd = forward_flops(model);
    nlohmann::json epoch = stats(epoch_ms), b1 = stats(b1_ms), bn = stats(bn_ms);
    const double train_flops = 3.0 * fwd * double(n_train); // forward + backward (about 2x forward)
    nlohmann::json out = {
        {"model", args.get("model", "paper-lstm")},
        {"backend", aer::backend_name(aer::current_backend())},
        {"threads", aer::current_threads()},
#ifdef __EMSCRIPTEN__
        {"where", "wasm"},
#else
        {"where", "native"},
#endif
        {"parameters", model.parameter_count()},
        {"forward_mflop_per_example", fwd / 1e6},
        {"train_samples", n_train},
        {"train_epoch_ms", epoch["median"]},
        {"train_epoch", epoch},
        {"infer_b1_ms", b1["median"]},
        {"infer_b1", b1},
        {"infer_batch", infer_batch},
        {"infer_b405_ms", bn["median"]},
        {"infer_bn", bn},
        {"gflops", {{"train", train_flops / (epoch["median"].get<double>() * 1e6)},
                    {"infer_b1", fwd / (b1["median"].get<double>() * 1e6)},
                    {"infer_bn", fwd * double(infer_batch) / (bn["median"].get<double>() * 1e6)}}},
    };
    std::printf("%s\n", out.dump(args.has("json") ? -1 : 2).c_str());
    return kOk;
}

} // namespace aer_cli
