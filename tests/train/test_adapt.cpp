// Fine-tuning an existing model through the training session: only the parameters of the adapt
// rule move, the model's labels, features and normalisation stay, the report compares with the
// starting model on the same clips, and the L2-SP penalty keeps the weights nearer the start.
#include "core/train/session.h"

#include "tests/train/synthetic.h"

#include <catch2/catch.hpp>

using namespace aer;
using nlohmann::json;

namespace {

json feature_config() {
    return json::parse(R"({"n_mfcc": 3, "max_len": 4, "n_mels": 8, "n_fft": 256, "hop_length": 64})");
}

// 96 separable examples of 3 classes; actor 1 or 2; `shift` moves every feature (a new voice).
void add_examples(TrainingSession& session, float shift) {
    std::vector<float> x;
    std::vector<int> y;
    aer_test::make_separable_data(96, 7, 0.3f, x, y);
    const char* names[] = {"happy", "sad", "calm"};
    for (int i = 0; i < 96; ++i) {
        for (int k = 0; k < 12; ++k)
            x[std::size_t(i) * 12 + std::size_t(k)] += shift;
        REQUIRE(session.add_example(x.data() + std::size_t(i) * 12, 12, names[y[std::size_t(i)]], 1 + (i / 6) % 2,
                                    Channel::speech)
                    .ok());
    }
}

// A model trained on the unshifted data, through its files.
void base_model(Model& model, ModelInfo& info) {
    json request = json::parse(R"({"arch": {"input": {"steps": 4, "features": 3}, "orientation": "frames_as_steps",
                                   "layers": [{"type": "lstm", "units": 8},
                                              {"type": "dense", "units": 6, "activation": "relu"},
                                              {"type": "dense", "units": 3, "activation": "softmax"}]},
                                   "epochs": 20, "batch": 16, "lr": 0.01, "seed": 3, "split": "actors:2",
                                   "normalize": true})");
    request["feature_config"] = feature_config();
    SessionSettings settings;
    REQUIRE(parse_session_settings(request, settings).ok());
    TrainingSession session;
    session.configure(settings);
    add_examples(session, 0.0f);
    REQUIRE(session.start().ok());
    REQUIRE(session.run(nullptr, nullptr).ok());
    std::string text;
    std::vector<std::uint8_t> bin;
    REQUIRE(session.serialize(text, bin, nullptr).ok());
    REQUIRE(load_model(reinterpret_cast<const std::uint8_t*>(text.data()), text.size(), bin.data(), bin.size(),
                       model, info)
                .ok());
}

Model copy_of(const Model& m, const ModelInfo& info) {
    std::string text;
    std::vector<std::uint8_t> bin;
    REQUIRE(serialize_model(m, info, text, bin).ok());
    Model out;
    ModelInfo ignored;
    REQUIRE(load_model(reinterpret_cast<const std::uint8_t*>(text.data()), text.size(), bin.data(), bin.size(), out,
                       ignored)
                .ok());
    return out;
}

// Sum of squared differences between the two models' parameters whose names start with prefix.
double distance(const Model& a, const Model& b, const std::string& prefix) {
    double d = 0;
    for (std::size_t i = 0; i < a.parameters().size(); ++i) {
        const Param<float>& p = a.parameters()[i];
        if (p.name.compare(0, prefix.size(), prefix) != 0)
            continue;
        for (std::size_t k = 0; k < p.size; ++k) {
            double e = double(p.value[k]) - double(b.parameters()[i].value[k]);
            d += e * e;
        }
    }
    return d;
}

// Adapts a copy of `base` on the shifted data with `adapt` settings; returns the report.
json adapt_run(const Model& base, const ModelInfo& info, json adapt, Model& out, ModelInfo& out_info) {
    json request = {{"adapt", adapt}, {"split", "actors:2"}, {"lr", 0.01}, {"seed", 5}};
    SessionSettings settings;
    REQUIRE(parse_session_settings(request, settings).ok());
    TrainingSession session;
    session.configure(settings);
    Status s = session.adapt(copy_of(base, info), info); // adopts the model's features
    INFO(s.message);
    REQUIRE(s.ok());
    add_examples(session, 1.5f);
    s = session.start();
    INFO(s.message);
    REQUIRE(s.ok());
    REQUIRE(session.run(nullptr, nullptr).ok());
    json report;
    REQUIRE(session.evaluate(report).ok());
    out = copy_of(session.model(), session.info());
    out_info = session.info();
    return report;
}

} // namespace

TEST_CASE("adapt: the rule's layers train, the rest and the model's labels, features and normalisation stay",
          "[train][adapt]") {
    Model base;
    ModelInfo info;
    base_model(base, info);
    Model adapted;
    ModelInfo adapted_info;
    json report = adapt_run(base, info, {{"train", "head"}}, adapted, adapted_info);
    // head: the layers after the last lstm/conv1d, here dense_1 and dense_2; lstm_0 is frozen.
    CHECK(distance(adapted, base, "lstm_0/") == 0.0);
    CHECK(distance(adapted, base, "dense_1/") > 0.0);
    CHECK(distance(adapted, base, "dense_2/") > 0.0);
    CHECK(adapted_info.labels == info.labels);
    CHECK(adapted_info.norm_mean == info.norm_mean);
    CHECK(adapted_info.norm_std == info.norm_std);
    CHECK(to_json(adapted_info.features) == to_json(info.features));
    CHECK(adapted_info.training["adapt"]["train"] == "head");
    CHECK(adapted_info.training["epochs"] == kAdaptEpochs); // the request left it out
    // The starting model judged on the same held-back clips (actor 2 of the shifted data): the
    // shift hurts it, adapting repairs it.
    REQUIRE(report.contains("original_accuracy"));
    CHECK(report["original_accuracy"].get<double>() < report["accuracy"].get<double>());

    Model last;
    ModelInfo last_info;
    adapt_run(base, info, {{"train", "last"}}, last, last_info);
    CHECK(distance(last, base, "lstm_0/") == 0.0);
    CHECK(distance(last, base, "dense_1/") == 0.0);
    CHECK(distance(last, base, "dense_2/") > 0.0);
}

TEST_CASE("adapt: the L2-SP penalty keeps the weights nearer the starting model", "[train][adapt]") {
    Model base;
    ModelInfo info;
    base_model(base, info);
    Model free, anchored;
    ModelInfo ignored;
    adapt_run(base, info, {{"train", "all"}, {"penalty", 0.0}}, free, ignored);
    adapt_run(base, info, {{"train", "all"}, {"penalty", 50.0}}, anchored, ignored);
    const double d_free = distance(free, base, ""), d_anchored = distance(anchored, base, "");
    INFO("squared distance from the start: free " << d_free << ", anchored " << d_anchored);
    CHECK(d_free > 0.0);
    CHECK(d_anchored < 0.5 * d_free);
}

TEST_CASE("adapt: requests and misuse are refused with a reason", "[train][adapt]") {
    SessionSettings s;
    CHECK(parse_session_settings({{"adapt", {{"train", "everything"}}}}, s).message.find("adapt.train") !=
          std::string::npos);
    CHECK(parse_session_settings({{"adapt", {{"penalty", -1}}}}, s).message.find("adapt.penalty") !=
          std::string::npos);
    CHECK(parse_session_settings({{"adapt", {{"rate", 1}}}}, s).message.find("unknown key 'adapt.rate'") !=
          std::string::npos);
    CHECK(parse_session_settings({{"adapt", 3}}, s).message.find("'adapt' must be an object") != std::string::npos);
    REQUIRE(parse_session_settings({{"adapt", json::object()}, {"epochs", 7}}, s).ok());
    CHECK(s.train.epochs == 7);
    CHECK(s.train.learning_rate == kAdaptLearningRate);
    CHECK(s.split == "none");
    CHECK(session_settings_json(s)["adapt"]["train"] == "all");

    Model base;
    ModelInfo info;
    base_model(base, info);
    TrainingSession session;
    REQUIRE(parse_session_settings(json::object(), s).ok());
    session.configure(s);
    CHECK(session.adapt(copy_of(base, info), info).message.find("no 'adapt'") != std::string::npos);
}
