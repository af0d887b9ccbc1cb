// Backends per model and per layer (core/nn/kernels.h WeightGemm and KernelScope, Model's
// set_backend and after_update): a layer's packed weights against the reference loops under every
// backend, packed again exactly when its weights version changes, one model's training step
// leaving another model's packed weights alone, and the shipped models' predictions on the
// bundled example clips agreeing across backends (reference, simd, and xnnpack where the build
// has it) within the tolerance that README.md states.
#include "core/audio/load.h"
#include "core/dsp/mfcc.h"
#include "core/nn/kernels.h"
#include "core/nn/model.h"
#include "core/nn/model_io.h"
#include "core/nn/optimizer.h"
#include "core/train/normalize.h"

#include "tests/test_util.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <random>
#include <string>
#include <vector>

using namespace aer;

namespace {

using aer_test::available_backends;
using aer_test::random_floats;

/// act(A op(B) + bias) in double: the truth a WeightGemm is held to.
std::vector<double> truth(bool tb, int m, int n, int k, const std::vector<float>& a, int lda,
                          const std::vector<float>& b, int ldb, const float* bias, bool relu) {
    std::vector<double> out(std::size_t(m) * n);
    for (int i = 0; i < m; ++i)
        for (int j = 0; j < n; ++j) {
            double s = bias ? bias[j] : 0.0;
            for (int p = 0; p < k; ++p)
                s += double(a[std::size_t(i) * lda + p]) *
                     double(tb ? b[std::size_t(j) * ldb + p] : b[std::size_t(p) * ldb + j]);
            out[std::size_t(i) * n + j] = relu && s < 0.0 ? 0.0 : s;
        }
    return out;
}

/// Largest |got - want| over m x n (C at stride ldc), relative to the largest |want| (at least 1).
double max_rel_error(const std::vector<float>& got, int ldc, const std::vector<double>& want, int m, int n) {
    double scale = 1.0, err = 0.0;
    for (double w : want)
        scale = std::max(scale, std::fabs(w));
    for (int i = 0; i < m; ++i)
        for (int j = 0; j < n; ++j) {
            const double g = got[std::size_t(i) * ldc + j];
            if (!std::isfinite(g))
                return std::numeric_limits<double>::infinity();
            err = std::max(err, std::fabs(g - want[std::size_t(i) * n + j]));
        }
    return err / scale;
}

} // namespace

TEST_CASE("WeightGemm under every backend (xnnpack where built) matches double-precision truth and repacks "
          "on a new version",
          "[nn][kernels][backends]") {
    // Sizes below and above the point where the xnnpack backend hands a product to XNNPACK.
    struct Shape3 {
        int m, n, k;
    };
    for (Backend be : available_backends()) {
        for (Shape3 sh : {Shape3{1, 7, 5}, Shape3{3, 40, 33}, Shape3{1, 1024, 256}, Shape3{37, 128, 160}}) {
            for (bool tb : {false, true}) {
                for (int mode = 0; mode < 3;
                     ++mode) { // 0: run(), beta 0; 1: run(), beta 1; 2: run_bias() + relu
                    INFO("backend " << backend_name(be) << ", m n k " << sh.m << " " << sh.n << " " << sh.k
                                    << ", trans_b " << tb << ", mode " << mode);
                    const int m = sh.m, n = sh.n, k = sh.k, lda = k + 1, ldc = n + 2;
                    const int ldb = (tb ? k : n) + 3;
                    std::vector<float> a = random_floats(std::size_t(m) * lda, 1);
                    std::vector<float> b = random_floats(std::size_t(tb ? n : k) * ldb, 2);
                    std::vector<float> bias = random_floats(std::size_t(n), 3);
                    std::vector<float> c0 = random_floats(std::size_t(m) * ldc, 4);
                    WeightGemm op;
                    std::uint64_t version = new_weights_version();
                    for (int round = 0; round < 3; ++round) {
                        if (round == 2) { // the weights change: a new version must repack them
                            b = random_floats(b.size(), 20);
                            bias = random_floats(bias.size(), 21);
                            version = new_weights_version();
                        }
                        KernelScope scope(be, version);
                        std::vector<float> c = c0;
                        std::vector<double> want;
                        if (mode == 2) {
                            op.run_bias(tb, m, n, k, a.data(), lda, b.data(), ldb, bias.data(), true,
                                        c.data(), ldc);
                            want = truth(tb, m, n, k, a, lda, b, ldb, bias.data(), true);
                        } else {
                            const float beta = mode == 1 ? 1.0f : 0.0f;
                            op.run(false, tb, m, n, k, a.data(), lda, b.data(), ldb, beta, c.data(), ldc);
                            want = truth(tb, m, n, k, a, lda, b, ldb, nullptr, false);
                            if (mode == 1)
                                for (int i = 0; i < m; ++i)
                                    for (int j = 0; j < n; ++j)
                                        want[std::size_t(i) * n + j] += c0[std::size_t(i) * ldc + j];
                        }
                        CHECK(max_rel_error(c, ldc, want, m, n) < 1e-5);
                        // The padding between n and ldc is never written.
                        for (int i = 0; i < m; ++i)
                            for (int j = n; j < ldc; ++j)
                                CHECK(c[std::size_t(i) * ldc + j] == c0[std::size_t(i) * ldc + j]);
                    }
                }
            }
        }
    }
}

TEST_CASE("WeightGemm packs once per weights version, and all_weights_changed() repacks",
          "[nn][kernels][backends]") {
    const int m = 4, n = 64, k = 300; // above XNNPACK's threshold, so both packing backends pack
    std::vector<float> a = random_floats(std::size_t(m) * k, 5), b = random_floats(std::size_t(k) * n, 6);
    std::vector<float> c(std::size_t(m) * n);
    for (Backend be : {Backend::simd, Backend::xnnpack}) {
        if (!backend_available(be))
            continue;
        INFO("backend " << backend_name(be));
        WeightGemm op;
        const std::uint64_t v1 = new_weights_version(), v2 = new_weights_version();
        const std::uint64_t start = weight_pack_count();
        {
            KernelScope scope(be, v1);
            for (int i = 0; i < 3; ++i)
                op.run(false, false, m, n, k, a.data(), k, b.data(), n, 0.0f, c.data(), n);
        }
        CHECK(weight_pack_count() - start == 1);
        {
            KernelScope scope(be, v2);
            op.run(false, false, m, n, k, a.data(), k, b.data(), n, 0.0f, c.data(), n);
            op.run(false, false, m, n, k, a.data(), k, b.data(), n, 0.0f, c.data(), n);
        }
        CHECK(weight_pack_count() - start == 2);
        all_weights_changed();
        {
            KernelScope scope(be, v2);
            op.run(false, false, m, n, k, a.data(), k, b.data(), n, 0.0f, c.data(), n);
        }
        CHECK(weight_pack_count() - start == 3);
    }
}

TEST_CASE(
    "KernelScope picks the backend per thread and nests; Model::set_backend refuses what the build lacks",
    "[nn][kernels][backends]") {
    const Backend outside = effective_backend();
    CHECK(outside == current_backend());
    {
        KernelScope a(Backend::reference, 1);
        CHECK(effective_backend() == Backend::reference);
        {
            KernelScope b(Backend::simd, 2);
            CHECK(effective_backend() == Backend::simd);
        }
        CHECK(effective_backend() == Backend::reference);
    }
    CHECK(effective_backend() == outside);

    Model m;
    REQUIRE(m.build(nlohmann::json::parse(R"({"input": {"steps": 2, "features": 3},
        "layers": [{"type": "flatten"}, {"type": "dense", "units": 2, "activation": "softmax"}]})"),
                    1)
                .ok());
    CHECK(m.backend() == current_backend()); // not set: the process default
    REQUIRE(m.set_backend(Backend::reference).ok());
    CHECK(m.backend() == Backend::reference);
    if (!backend_available(Backend::xnnpack)) {
        Status s = m.set_backend(Backend::xnnpack);
        CHECK(!s.ok());
        CHECK(s.message.find("xnnpack") != std::string::npos);
        CHECK(m.backend() == Backend::reference); // unchanged
    } else {
        CHECK(m.set_backend(Backend::xnnpack).ok());
    }
}

TEST_CASE("a training step of one model repacks its own weights only, whatever the backends",
          "[nn][backends]") {
    const nlohmann::json arch = nlohmann::json::parse(R"({"input": {"steps": 8, "features": 40},
        "layers": [{"type": "conv1d", "filters": 64, "kernel_size": 3, "padding": "same", "activation": "relu"},
                   {"type": "lstm", "units": 64},
                   {"type": "dense", "units": 64, "activation": "relu"},
                   {"type": "dense", "units": 3, "activation": "softmax"}]})");
    const int batch = 16;
    std::vector<float> x = random_floats(std::size_t(batch) * 8 * 40, 9);
    std::vector<int> y(batch);
    for (int i = 0; i < batch; ++i)
        y[std::size_t(i)] = i % 3;
    for (Backend be : available_backends()) {
        if (be == Backend::reference)
            continue; // packs nothing
        INFO("backend " << backend_name(be));
        Model a, b;
        REQUIRE(a.build(arch, 1).ok());
        REQUIRE(b.build(arch, 2).ok());
        REQUIRE(a.set_backend(be).ok());
        REQUIRE(b.set_backend(Backend::simd).ok());
        REQUIRE(a.reshape(batch).ok());
        REQUIRE(b.reshape(batch).ok());
        std::vector<float> pb1(std::size_t(batch) * 3), pb2(pb1.size()), pa(pb1.size());
        REQUIRE(b.predict(x.data(), batch, pb1.data()).ok());
        const std::uint64_t after_b = weight_pack_count();
        REQUIRE(b.predict(x.data(), batch, pb1.data()).ok());
        CHECK(weight_pack_count() == after_b); // b's weights stay packed

        Adam adam(AdamConfig{});
        float loss = 0.0f;
        const std::uint64_t before_a = weight_pack_count();
        REQUIRE(a.train_batch(x.data(), y.data(), adam, loss).ok());
        REQUIRE(a.predict(x.data(), batch, pa.data()).ok());
        CHECK(weight_pack_count() > before_a); // a's new weights were packed
        const std::uint64_t after_a = weight_pack_count();
        REQUIRE(b.predict(x.data(), batch, pb2.data()).ok());
        CHECK(weight_pack_count() == after_a); // and b's were not packed again
        CHECK(pb2 == pb1);

        // a's predictions are those of its new weights: a fresh model with a copy of them agrees bit for bit.
        Model copy;
        REQUIRE(copy.build(arch, 1, false).ok());
        REQUIRE(copy.set_backend(be).ok());
        for (std::size_t i = 0; i < a.parameters().size(); ++i)
            std::copy(a.parameters()[i].value, a.parameters()[i].value + a.parameters()[i].size,
                      copy.parameters()[i].value);
        copy.after_update();
        REQUIRE(copy.reshape(batch).ok());
        std::vector<float> pc(pa.size());
        REQUIRE(copy.predict(x.data(), batch, pc.data()).ok());
        CHECK(pc == pa);
    }
}

namespace {

/// Model inputs of the bundled example clips (web/examples) for the model at `prefix`.
void example_inputs(const std::string& prefix, Model& model, ModelInfo& info, std::vector<float>& inputs,
                    int& count) {
    REQUIRE(load_model_files(prefix, model, info).ok());
    MfccExtractor ex;
    REQUIRE(ex.init(info.features).ok());
    const std::string dir = std::string(AER_SOURCE_DIR) + "/web/examples/";
    // The clips scripts/make-examples.mjs chose (web/examples/examples.json lists them).
    const nlohmann::json listed = aer_test::read_json(dir + "examples.json");
    REQUIRE(listed["files"].size() == 14);
    std::vector<std::string> clips;
    for (const nlohmann::json& name : listed["files"])
        clips.push_back(name.get<std::string>());
    const std::size_t per = std::size_t(model.steps()) * std::size_t(model.features());
    count = 0;
    inputs.clear();
    for (const std::string& clip : clips) {
        std::vector<float> y, f;
        WavInfo wi;
        std::size_t frames = 0;
        REQUIRE(load_audio_file(dir + clip, info.features.sample_rate, y, wi).ok());
        REQUIRE(ex.features(y.data(), y.size(), f, frames).ok());
        REQUIRE(f.size() == per);
        inputs.resize(per * std::size_t(count + 1));
        prepare_inputs(f.data(), 1, info.features.n_mfcc, int(frames), info, model.orientation(),
                       inputs.data() + per * std::size_t(count));
        ++count;
    }
}

} // namespace

// The tolerance README.md states for predictions across backends: every probability within
// 1e-5 of the reference loops' (measured natively: at most 6e-7), and the same label wherever
// the reference's top two probabilities are more than 2e-5 apart.
TEST_CASE("backends agree on the shipped models' predictions of the example clips (xnnpack where built)",
          "[nn][backends]") {
    const double tolerance = 1e-5;
    for (const char* name : {"conv1d-speech-song", "conv1d-norm-aug", "paper-lstm", "tiny"}) {
        const std::string prefix = std::string(AER_SOURCE_DIR) + "/models/" + name;
        Model model;
        ModelInfo info;
        std::vector<float> inputs;
        int count = 0;
        example_inputs(prefix, model, info, inputs, count);
        const int classes = model.classes();
        std::vector<float> ref(std::size_t(count) * classes);
        REQUIRE(model.set_backend(Backend::reference).ok());
        REQUIRE(model.predict(inputs.data(), count, ref.data()).ok());
        for (Backend be : available_backends()) {
            if (be == Backend::reference)
                continue;
            INFO("model " << name << ", backend " << backend_name(be));
            REQUIRE(model.set_backend(be).ok());
            for (int batch : {1, count}) { // batch 1 takes other kernels (one-row, XNNPACK's m = 1)
                REQUIRE(model.reshape(batch).ok());
                std::vector<float> got(ref.size());
                REQUIRE(model.predict(inputs.data(), count, got.data()).ok());
                double worst = 0.0;
                for (std::size_t i = 0; i < got.size(); ++i)
                    worst = std::max(worst, std::fabs(double(got[i]) - double(ref[i])));
                std::printf("backends: %s %s batch %d: max |dp| vs reference %.3g\n", name, backend_name(be),
                            batch, worst);
                CHECK(worst <= tolerance);
                for (int e = 0; e < count; ++e) {
                    const float* r = ref.data() + std::size_t(e) * classes;
                    std::vector<float> sorted(r, r + classes);
                    std::sort(sorted.rbegin(), sorted.rend());
                    if (sorted[0] - sorted[1] > 2 * tolerance)
                        CHECK(argmax(got.data() + std::size_t(e) * classes, classes) == argmax(r, classes));
                }
            }
        }
    }
}
