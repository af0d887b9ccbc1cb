// Personalisation that never makes a voice worse on the clips it can check: cross-validation
// over the user's clips decides between the adapted model and the original, the original's
// weights come back bit for bit when it is kept, and too few clips say so.
#include "core/train/personalise.h"

#include "tests/train/synthetic.h"

#include <catch2/catch.hpp>

#include <cmath>

using namespace aer;
using nlohmann::json;

namespace {

const char* const kNames[] = {"happy", "sad", "calm"};

json feature_config() {
    return json::parse(R"({"n_mfcc": 3, "max_len": 4, "n_mels": 8, "n_fft": 256, "hop_length": 64})");
}

// A model trained on 96 separable examples (synthetic.h) of the three labels, through its files.
void base_model(Model& model, ModelInfo& info) {
    json request =
        json::parse(R"({"arch": {"input": {"steps": 4, "features": 3}, "orientation": "frames_as_steps",
                                   "layers": [{"type": "lstm", "units": 8},
                                              {"type": "dense", "units": 6, "activation": "relu"},
                                              {"type": "dense", "units": 3, "activation": "softmax"}]},
                                   "epochs": 20, "batch": 16, "lr": 0.01, "seed": 3, "split": "none",
                                   "normalize": true, "labels": ["happy", "sad", "calm"]})");
    request["feature_config"] = feature_config();
    SessionSettings settings;
    REQUIRE(parse_session_settings(request, settings).ok());
    TrainingSession session;
    session.configure(settings);
    std::vector<float> x;
    std::vector<int> y;
    aer_test::make_separable_data(96, 7, 0.3f, x, y);
    for (int i = 0; i < 96; ++i)
        REQUIRE(session
                    .add_example(x.data() + std::size_t(i) * 12, 12, kNames[y[std::size_t(i)]], 1,
                                 Channel::speech)
                    .ok());
    REQUIRE(session.start().ok());
    REQUIRE(session.run(nullptr, nullptr).ok());
    std::string text;
    std::vector<std::uint8_t> bin;
    REQUIRE(session.serialize(text, bin, nullptr).ok());
    REQUIRE(load_model(reinterpret_cast<const std::uint8_t*>(text.data()), text.size(), bin.data(),
                       bin.size(), model, info)
                .ok());
}

// The .bin bytes of a model as it stands.
std::vector<std::uint8_t> bin_of(const Model& m, const ModelInfo& info) {
    std::string text;
    std::vector<std::uint8_t> bin;
    REQUIRE(serialize_model(m, info, text, bin).ok());
    return bin;
}

// A user's clips: `per_label` of each label, drawn like the base model's data with another seed;
// clip of class k is labelled kNames[(k + relabel) % 3] (relabel 1: a consistent new mapping that
// the original gets wrong every time).
void add_clips(Personalisation& p, int per_label, int relabel) {
    std::vector<float> x;
    std::vector<int> y;
    aer_test::make_separable_data(3 * per_label, 11, 0.3f, x, y);
    for (int i = 0; i < 3 * per_label; ++i)
        REQUIRE(p.add_example(x.data() + std::size_t(i) * 12, 12, kNames[(y[std::size_t(i)] + relabel) % 3],
                              4, Channel::speech)
                    .ok());
}

SessionSettings adapt_settings(json request) {
    request["adapt"] = json::object();
    request["seed"] = 5;
    SessionSettings s;
    Status st = parse_session_settings(request, s);
    INFO(st.message);
    REQUIRE(st.ok());
    return s;
}

} // namespace

TEST_CASE("personalise: an adaptation that does worse on held-back clips keeps the original, bit for bit",
          "[train][personalise]") {
    Model base;
    ModelInfo info;
    base_model(base, info);
    const std::vector<std::uint8_t> before = bin_of(base, info);
    // The clips are the original's own kind (it gets them right); an absurd learning rate wrecks
    // whatever adapts on them.
    Personalisation p;
    REQUIRE(p.configure(adapt_settings({{"lr", 3.0}, {"epochs", 30}}), base, info).ok());
    add_clips(p, 6, 0);
    REQUIRE(p.start().ok());
    int fold_runs = 0;
    Status s = p.run([&](const PersonaliseProgress& g) { fold_runs = std::max(fold_runs, g.run); }, nullptr);
    INFO(s.message);
    REQUIRE(s.ok());
    REQUIRE(p.finished());
    const PersonaliseResult& r = p.result();
    INFO(r.reason);
    CHECK(r.kept == "original");
    CHECK(r.folds == 4);        // 6 clips of every label: 4 folds at most
    CHECK(fold_runs == 4);      // no final run
    CHECK(r.held_back_n == 18); // every clip held back once
    CHECK(r.original_right >= 17);
    CHECK(r.adapted_right < r.original_right);
    CHECK(r.reason.rfind("kept the original: on held-back clips the adapted model classified " +
                             std::to_string(r.adapted_right) + "/18 right, the original " +
                             std::to_string(r.original_right) + "/18 (cross-validation over 4 folds)",
                         0) == 0);
    // The model written is the original's: the same weights bit for bit, the decision in its metadata.
    std::string text;
    std::vector<std::uint8_t> bin;
    REQUIRE(p.serialize(text, bin).ok());
    CHECK(bin == before);
    Model loaded;
    ModelInfo loaded_info;
    REQUIRE(load_model(reinterpret_cast<const std::uint8_t*>(text.data()), text.size(), bin.data(),
                       bin.size(), loaded, loaded_info)
                .ok());
    CHECK(loaded_info.training["personalisation"]["kept"] == "original");
    CHECK(loaded_info.training["personalisation"]["reason"] == r.reason);
    CHECK(loaded_info.labels == info.labels);
    CHECK(bin_of(base, info) == before); // the caller's model was never touched
    CHECK(p.adapted_model() == nullptr); // no final run for a model not kept

    // Asked for the model adapted on all the clips too (for comparisons): the same decision and
    // the same original written; the adapted one is there apart.
    Personalisation q;
    REQUIRE(q.configure(adapt_settings({{"lr", 3.0}, {"epochs", 30}}), base, info).ok());
    q.always_final_run(true);
    add_clips(q, 6, 0);
    REQUIRE(q.start().ok());
    PersonaliseProgress last;
    REQUIRE(q.run([&](const PersonaliseProgress& g) { last = g; }, nullptr).ok());
    CHECK(last.runs == 5);
    CHECK(q.result().to_json() == r.to_json());
    REQUIRE(q.serialize(text, bin).ok());
    CHECK(bin == before);
    REQUIRE(q.adapted_model() != nullptr);
    CHECK(bin_of(*q.adapted_model(), info) != before);
    CHECK(q.adapted_info().training["personalisation"]["kept"] == "original");
    CHECK(q.adapted_info().training["train_n"] == 18);
}

TEST_CASE("personalise: an adaptation that does better on held-back clips is kept, trained on all the clips",
          "[train][personalise]") {
    Model base;
    ModelInfo info;
    base_model(base, info);
    const std::vector<std::uint8_t> before = bin_of(base, info);
    // A consistent new mapping the original gets wrong every time; a sensible learning rate.
    Personalisation p;
    REQUIRE(p.configure(adapt_settings({{"lr", 0.01}}), base, info).ok());
    add_clips(p, 3, 1);
    REQUIRE(p.start().ok());
    PersonaliseProgress last;
    int runs = 0;
    REQUIRE(p.run(
                 [&](const PersonaliseProgress& g) {
                     last = g;
                     runs = std::max(runs, g.run);
                 },
                 nullptr)
                .ok());
    const PersonaliseResult& r = p.result();
    INFO(r.reason);
    CHECK(r.kept == "adapted");
    CHECK(r.folds == 3);
    CHECK(runs == 4); // 3 folds and the final run
    CHECK(last.runs == 4);
    CHECK(last.finished);
    CHECK(r.held_back_n == 9);
    CHECK(r.original_right == 0);
    CHECK(r.adapted_right > r.original_right);
    CHECK(r.adapted_log_likelihood > r.original_log_likelihood);
    CHECK(r.adapt_n == 9);
    CHECK(r.per_fold.size() == 3);
    CHECK(r.per_fold[0]["train_n"] == 6);
    CHECK(r.reason.find("kept the adapted model: on held-back clips it classified") == 0);
    CHECK(r.reason.find("then adapted on all 9 clips") != std::string::npos);
    std::string text;
    std::vector<std::uint8_t> bin;
    REQUIRE(p.serialize(text, bin).ok());
    CHECK(bin != before);
    Model kept;
    ModelInfo kept_info;
    REQUIRE(load_model(reinterpret_cast<const std::uint8_t*>(text.data()), text.size(), bin.data(),
                       bin.size(), kept, kept_info)
                .ok());
    const json& meta = kept_info.training["personalisation"];
    CHECK(meta["kept"] == "adapted");
    CHECK(meta["adapted_accuracy"].get<double>() > meta["original_accuracy"].get<double>());
    CHECK(kept_info.training["train_n"] == 9); // the final run took every clip
    CHECK(kept_info.training.contains("adapted_from"));
    CHECK(kept_info.norm_mean == info.norm_mean);
}

TEST_CASE("personalise: the rule: more held-back clips right, or as many and a higher likelihood",
          "[train][personalise]") {
    CHECK(adaptation_wins(7, 5, -2.0, -1.0));       // more right wins, whatever the likelihood
    CHECK_FALSE(adaptation_wins(4, 5, -0.1, -3.0)); // fewer right never wins
    CHECK(adaptation_wins(5, 5, -0.5, -0.9));       // a tie: the likelihood decides
    CHECK_FALSE(adaptation_wins(5, 5, -0.9, -0.5));
    CHECK_FALSE(adaptation_wins(5, 5, -0.5, -0.5)); // a full tie keeps the original
    CHECK_FALSE(adaptation_wins(5, 5, std::nan(""), -0.5));
}

TEST_CASE("personalise: too few clips to hold any back keep the original and say so",
          "[train][personalise]") {
    Model base;
    ModelInfo info;
    base_model(base, info);
    std::vector<float> x;
    std::vector<int> y;
    aer_test::make_separable_data(6, 13, 0.3f, x, y);
    Personalisation p;
    REQUIRE(p.configure(adapt_settings(json::object()), base, info).ok());
    // happy 3, sad 1, calm 1: only one label could be held back; one clip of a label the model
    // does not know is skipped.
    const char* labels[] = {"happy", "sad", "calm", "happy", "happy", "angry"};
    for (int i = 0; i < 6; ++i)
        REQUIRE(p.add_example(x.data() + std::size_t(i) * 12, 12, labels[i], -1, Channel::unknown).ok());
    REQUIRE(p.start().ok());
    CHECK(p.finished()); // decided at once: nothing was trained
    const PersonaliseResult& r = p.result();
    CHECK(r.kept == "original");
    CHECK(r.folds == 0);
    CHECK(r.reason ==
          "kept the original: too few clips to hold any back (a comparison needs 2 or more clips of at "
          "least 2 labels; there are happy 3, sad 1, calm 1)");
    CHECK(r.to_json()["original_accuracy"].is_null());
    CHECK(p.notes().at(0) == "1 clip(s) labelled 'angry' skipped: not one of the model's labels");
    std::string text;
    std::vector<std::uint8_t> bin;
    REQUIRE(p.serialize(text, bin).ok());
    CHECK(bin == bin_of(base, info));

    // A wrong size is an error naming the sizes; no clip at all is an error.
    Personalisation q;
    REQUIRE(q.configure(adapt_settings(json::object()), base, info).ok());
    CHECK(q.add_example(x.data(), 11, "happy", -1, Channel::unknown).message.find("has 11 values") !=
          std::string::npos);
    CHECK(q.start().message.find("needs labelled clips") != std::string::npos);
    // Without 'adapt' the request is refused.
    SessionSettings plain;
    REQUIRE(parse_session_settings(json::object(), plain).ok());
    CHECK(q.configure(plain, base, info).message.find("no 'adapt'") != std::string::npos);
}

TEST_CASE("personalise: a label's single clip always adapts; a stop keeps the original",
          "[train][personalise]") {
    Model base;
    ModelInfo info;
    base_model(base, info);
    std::vector<float> x;
    std::vector<int> y;
    aer_test::make_separable_data(9, 17, 0.3f, x, y);
    // happy 4, sad 4, calm 1: 4 folds over happy and sad; calm's clip is never scored.
    auto add = [&](Personalisation& p) {
        for (int i = 0; i < 9; ++i) {
            const char* label = i < 4 ? "happy" : i < 8 ? "sad" : "calm";
            REQUIRE(p.add_example(x.data() + std::size_t(i) * 12, 12, label, -1, Channel::unknown).ok());
        }
    };
    Personalisation p;
    REQUIRE(p.configure(adapt_settings({{"epochs", 3}}), base, info).ok());
    add(p);
    REQUIRE(p.start().ok());
    REQUIRE(p.run(nullptr, nullptr).ok());
    CHECK(p.result().folds == 4);
    CHECK(p.result().held_back_n == 8);
    for (const json& f : p.result().per_fold) {
        CHECK(f["held_back_n"] == 2); // one happy and one sad per fold
        CHECK(f["train_n"] == 7);
    }

    // Stop in the middle: the original, and why.
    Personalisation stopped;
    REQUIRE(stopped.configure(adapt_settings(json::object()), base, info).ok());
    add(stopped);
    CHECK(stopped.stop().message.find("no personalisation") != std::string::npos);
    REQUIRE(stopped.start().ok());
    PersonaliseProgress g;
    REQUIRE(stopped.step(1, g).ok());
    CHECK(g.fold == 1);
    CHECK(g.folds == 4);
    REQUIRE(stopped.stop().ok());
    CHECK(stopped.finished());
    CHECK(stopped.result().kept == "original");
    CHECK(stopped.result().reason.find("stopped before the comparison") != std::string::npos);
}
