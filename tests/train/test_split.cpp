// Splits and dataset scanning on the prepared RAVDESS song files and on made-up folders.
#include "core/audio/wav.h"
#include "core/train/dataset.h"
#include "core/train/split.h"
#include "tests/test_util.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

using namespace aer;

namespace {
Dataset fake_ravdess() {
    // 3 actors x (4 neutral + 8 of each other emotion), as RAVDESS song.
    Dataset d;
    d.labels = emotion_labels();
    for (int actor = 1; actor <= 3; ++actor)
        for (int label = 0; label < 6; ++label)
            for (int k = 0; k < (label == 0 ? 4 : 8); ++k)
                d.examples.push_back({"x", label, actor});
    return d;
}
} // namespace

TEST_CASE("RAVDESS names", "[train]") {
    int e = 0, a = 0;
    bool song = false;
    REQUIRE(parse_ravdess_name("03-02-05-01-02-01-12.wav", e, a, song));
    CHECK(e == 5);
    CHECK(a == 12);
    CHECK(song);
    REQUIRE(parse_ravdess_name("03-01-08-02-02-02-24.wav", e, a, song));
    CHECK(e == 8);
    CHECK_FALSE(song);
    CHECK_FALSE(parse_ravdess_name("my-recording.wav", e, a, song));
    CHECK_FALSE(parse_ravdess_name("03-02-09-01-02-01-12.wav", e, a, song));
    CHECK_FALSE(parse_ravdess_name("03-02-05-01-02-01-1x.wav", e, a, song));
}

TEST_CASE("paper split is stratified, seeded and disjoint", "[train]") {
    Dataset d = fake_ravdess(); // 12 neutral, 24 of each other
    Split s = paper_split(d, 0.6, 7);
    CHECK(s.train.size() == 7 + 5 * 14); // round(0.6 * 12) = 7, round(0.6 * 24) = 14
    CHECK(s.train.size() + s.test.size() == d.examples.size());
    std::set<std::size_t> all(s.train.begin(), s.train.end());
    for (std::size_t i : s.test)
        CHECK(all.insert(i).second);
    Split again = paper_split(d, 0.6, 7);
    CHECK(again.train == s.train);
    Split other = paper_split(d, 0.6, 8);
    CHECK(other.train != s.train);
}

TEST_CASE("actor splits and folds never share an actor", "[train]") {
    Dataset d = fake_ravdess();
    Split s;
    REQUIRE(actor_split(d, {2}, s).ok());
    for (std::size_t i : s.test)
        CHECK(d.examples[i].actor == 2);
    for (std::size_t i : s.train)
        CHECK(d.examples[i].actor != 2);
    CHECK_FALSE(actor_split(d, {9}, s).ok());
    CHECK(actor_split(d, {1, 2, 3}, s).message.find("nothing left to train") != std::string::npos);
    std::vector<Split> folds;
    REQUIRE(actor_folds(d, 3, folds).ok());
    std::size_t tested = 0;
    for (const Split& f : folds)
        tested += f.test.size();
    CHECK(tested == d.examples.size()); // every example tested exactly once
    CHECK_FALSE(actor_folds(d, 4, folds).ok());
    Split p;
    CHECK(parse_split("actors:1,3", d, 0, p).ok());
    CHECK(p.test.size() == 2 * 44);
    CHECK_FALSE(parse_split("actors:1,,3", d, 0, p).ok());
    CHECK(parse_split("random", d, 0, p).message.find("unknown split") != std::string::npos);
}

TEST_CASE("scan the prepared RAVDESS song folder", "[train]") {
    Dataset d;
    Status s = scan_dataset({std::string(AER_SOURCE_DIR) + "/data/ravdess-song"}, {}, d);
    INFO(s.message);
    REQUIRE(s.ok());
    CHECK(d.examples.size() == 836);
    CHECK(d.labels == emotion_labels());
    std::set<int> actors;
    int neutral = 0;
    for (const Example& e : d.examples) {
        actors.insert(e.actor);
        neutral += e.label == 0;
    }
    CHECK(actors.size() == 19); // actor 18 has no song files
    CHECK(neutral == 19 * 4);
}

TEST_CASE("a folder per label; broken files are noted, the rest go on", "[train]") {
    namespace fs = std::filesystem;
    fs::path dir = fs::temp_directory_path() / "aer-test-labels";
    fs::remove_all(dir);
    fs::create_directories(dir / "happy");
    fs::create_directories(dir / "sad");
    std::vector<float> tone(22050);
    for (std::size_t i = 0; i < tone.size(); ++i)
        tone[i] = float(0.3 * std::sin(0.05 * double(i)));
    auto write = [](const fs::path& p, const std::vector<std::uint8_t>& b) {
        std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
    };
    write(dir / "happy" / "a.wav", encode_wav(tone, 1, 22050, "pcm_s16"));
    write(dir / "sad" / "b.WAV", encode_wav(tone, 1, 44100, "float32"));
    write(dir / "sad" / "broken.wav", {'R', 'I', 'F', 'F', 0, 0});
    Dataset d;
    REQUIRE(scan_dataset({dir.string()}, {}, d).ok());
    CHECK(d.labels == emotion_labels()); // folder names within the six keep the canonical order
    REQUIRE(d.examples.size() == 3);
    MfccConfig cfg;
    std::string cache = (dir / "cache").string();
    REQUIRE(compute_features(d, cfg, cache, 2).ok());
    CHECK(d.examples.size() == 2);
    REQUIRE(d.notes.size() == 1);
    CHECK(d.notes[0].find("broken.wav") != std::string::npos);
    CHECK(d.feature_size() == 32 * 256);
    // Second run comes from the cache and gives the same numbers.
    std::vector<float> first = d.features;
    Dataset again;
    REQUIRE(scan_dataset({dir.string()}, {}, again).ok());
    REQUIRE(compute_features(again, cfg, cache, 1).ok());
    CHECK(again.features == first);
    // Labels outside the given order are skipped with a note.
    Dataset only_happy;
    REQUIRE(scan_dataset({dir.string()}, ScanOptions{{"happy"}}, only_happy).ok());
    CHECK(only_happy.examples.size() == 1);
    fs::remove_all(dir);
}
