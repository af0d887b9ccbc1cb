// The training session that `aer train` and the page both run: request checking, labels chosen
// from the examples and carried through model files, channels, per-channel reports, and runs
// rebuilt from the request a model keeps.
#include "core/train/session.h"

#include "tests/train/synthetic.h"

#include <catch2/catch.hpp>

#include <limits>

using namespace aer;
using nlohmann::json;

namespace {

// Features of 3 coefficients x 4 frames: the synthetic problem's 12 floats per example.
json small_request() {
    return json::parse(R"({"arch": {"input": {"steps": 4, "features": 3}, "orientation": "frames_as_steps",
                                    "layers": [{"type": "lstm", "units": 8},
                                               {"type": "dense", "units": 2, "activation": "softmax"}]},
                           "epochs": 30, "batch": 16, "lr": 0.01, "seed": 3, "split": "actors:2",
                           "feature_config": {"n_mfcc": 3, "max_len": 4, "n_mels": 8, "n_fft": 256, "hop_length": 64}})");
}

std::string parse_error(json request) {
    SessionSettings s;
    return parse_session_settings(request, s).message;
}

// 96 separable examples in 3 classes named by `names`; actor 1 or 2 (every other example);
// channels alternate speech / song.
void add_examples(TrainingSession& session, const std::vector<std::string>& names) {
    std::vector<float> x;
    std::vector<int> y;
    aer_test::make_separable_data(96, 7, 0.3f, x, y);
    for (int i = 0; i < 96; ++i) {
        Channel c = (i / 3) % 2 ? Channel::song : Channel::speech;
        REQUIRE(session
                    .add_example(x.data() + std::size_t(i) * 12, 12, names[std::size_t(y[std::size_t(i)])],
                                 1 + (i / 6) % 2, c)
                    .ok());
    }
}

} // namespace

TEST_CASE("session requests: every field checked, errors name the field", "[train]") {
    SessionSettings s;
    REQUIRE(parse_session_settings(small_request(), s).ok());
    CHECK(s.train.epochs == 30);
    CHECK(s.train.seed == 3);
    CHECK(s.arch_name == "custom");
    CHECK(s.features.n_mfcc == 3);

    json r = small_request();
    r["epochs"] = 1e300; // a huge number: refused before any cast
    CHECK(parse_error(r).find("'epochs' must be an integer") != std::string::npos);
    r = small_request();
    r["seed"] = -1;
    CHECK(parse_error(r).find("'seed'") != std::string::npos);
    r["seed"] = 4294967295.0; // an integral float within range is taken
    CHECK(parse_error(r).empty());
    r = small_request();
    r["labels"] = json::array({"a", 3});
    CHECK(parse_error(r).find("'labels' must be an array of strings") != std::string::npos);
    r["labels"] = json::array({"a", "a"});
    CHECK(parse_error(r).find("appears twice") != std::string::npos);
    r = small_request();
    r["lr"] = std::numeric_limits<double>::quiet_NaN();
    CHECK(parse_error(r).find("'lr'") != std::string::npos);
    r = small_request();
    r["split"] = "random";
    CHECK(parse_error(r).find("'split'") != std::string::npos);
    r = small_request();
    r["channels"] = "choir";
    CHECK(parse_error(r).find("channels must be") != std::string::npos);
    r = small_request();
    r["arch"] = "transformer";
    CHECK(parse_error(r).find("unknown preset") != std::string::npos);
    r = small_request();
    r["epoch"] = 3; // a typo is not silently ignored
    CHECK(parse_error(r).find("unknown key 'epoch'") != std::string::npos);
    CHECK(parse_error(json::array()).find("not a JSON object") != std::string::npos);
    r = small_request();
    r["feature_config"]["max_len"] = 0;
    CHECK(parse_error(r).find("fixed length") != std::string::npos);
}

TEST_CASE("session: labels from the examples, through the model files, with per-channel figures", "[train]") {
    SessionSettings settings;
    REQUIRE(parse_session_settings(small_request(), settings).ok());
    TrainingSession session;
    session.configure(settings);
    add_examples(session, {"happy", "disgust", "calm"});
    CHECK(session.stop().message.find("no training run") !=
          std::string::npos); // before start: an error, no crash
    Status s = session.start();
    INFO(s.message);
    REQUIRE(s.ok());
    // disgust is a speech-only RAVDESS emotion: the eight, in RAVDESS order, and 8 outputs.
    CHECK(session.labels() == ravdess_labels());
    CHECK(session.model().classes() == 8);
    CHECK(session.split().test.size() == 48); // actor 2
    REQUIRE(session.run(nullptr, nullptr).ok());
    json report;
    REQUIRE(session.evaluate(report).ok());
    CHECK(report["labels"] == ravdess_labels());
    CHECK(report["confusion"].size() == 8);
    CHECK(report["accuracy"].get<double>() >= 0.9);
    // Actor 2's examples: 24 speech and 24 song, each judged on its own.
    REQUIRE(report["by_channel"].contains("speech"));
    CHECK(report["by_channel"]["speech"]["n"] == 24);
    CHECK(report["by_channel"]["song"]["n"] == 24);
    const double speech = report["by_channel"]["speech"]["accuracy"],
                 song = report["by_channel"]["song"]["accuracy"];
    CHECK(report["accuracy"].get<double>() == Approx((speech + song) / 2));

    // The labels and the request survive the model files.
    std::string text;
    std::vector<std::uint8_t> bin;
    REQUIRE(session.serialize(text, bin, nullptr).ok());
    Model loaded;
    ModelInfo info;
    REQUIRE(load_model(reinterpret_cast<const std::uint8_t*>(text.data()), text.size(), bin.data(),
                       bin.size(), loaded, info)
                .ok());
    CHECK(info.labels == ravdess_labels());
    CHECK(info.training["test_by_channel"] == report["by_channel"]);
    SessionSettings again;
    REQUIRE(parse_session_settings(info.training["config"], again).ok());
    CHECK(session_settings_json(again) == session_settings_json(settings));
}

TEST_CASE("session: a run rebuilt from a model's kept request gives the same weights", "[train]") {
    // What the page and the CLI share: the request, parsed by the same code, run by the same
    // session. A second session built from the first model's "config" ends bit for bit equal.
    std::vector<std::vector<float>> weights;
    json request = small_request();
    for (int run = 0; run < 2; ++run) {
        SessionSettings settings;
        REQUIRE(parse_session_settings(request, settings).ok());
        TrainingSession session;
        session.configure(settings);
        add_examples(session, {"yes", "no", "maybe"});
        REQUIRE(session.start().ok());
        CHECK(session.labels() == std::vector<std::string>{"maybe", "no", "yes"}); // a user's own, sorted
        REQUIRE(session.run(nullptr, nullptr).ok());
        weights.push_back(aer_test::weights_of(session.model()));
        request = session.info().training["config"];
    }
    CHECK(weights[0] == weights[1]);
}

TEST_CASE("session: channels filter, fixed labels skip the others with a count", "[train]") {
    json r = small_request();
    r["channels"] = "song";
    r["labels"] = {"happy", "calm"};
    r["split"] = "none";
    SessionSettings settings;
    REQUIRE(parse_session_settings(r, settings).ok());
    TrainingSession session;
    session.configure(settings);
    add_examples(session, {"happy", "disgust", "calm"});
    REQUIRE(session.start().ok());
    CHECK(session.labels() == std::vector<std::string>{"happy", "calm"});
    CHECK(session.model().classes() == 2);
    CHECK(session.split().train.size() == 32); // song only (48), less the 16 disgust
    const std::vector<std::string>& notes = session.notes();
    REQUIRE(notes.size() == 2);
    CHECK(notes[0] == "48 example(s) of the other vocal channel skipped (channels: song)");
    CHECK(notes[1] == "16 example(s) labelled 'disgust' skipped: not one of the labels");
    // A wrong-sized example is refused with the sizes.
    TrainingSession other;
    other.configure(settings);
    std::vector<float> f(11, 0.0f);
    CHECK(other.add_example(f.data(), f.size(), "happy", 1, Channel::song).message.find("12") !=
          std::string::npos);
}
