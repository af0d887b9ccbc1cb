// Datasets: which files a run keeps and which it skips (and says why), the label order chosen
// from the data, vocal channels, and byte-identical copies.
#include "core/train/dataset.h"

#include "core/audio/wav.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>

using namespace aer;
namespace fs = std::filesystem;

namespace {

// A one-second tone at 22050 Hz as 16-bit WAV bytes; `pitch` makes the bytes differ.
std::vector<std::uint8_t> tone_wav(double pitch) {
    std::vector<float> tone(22050);
    for (std::size_t i = 0; i < tone.size(); ++i)
        tone[i] = float(0.3 * std::sin(pitch * double(i)));
    return encode_wav(tone, 1, 22050, "pcm_s16");
}

void write(const fs::path& p, const std::vector<std::uint8_t>& b) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary)
        .write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
}

bool any_note(const Dataset& d, const std::string& part) {
    for (const std::string& n : d.notes)
        if (n.find(part) != std::string::npos)
            return true;
    return false;
}

// A small RAVDESS-like tree: speech of actor 1 (emotions 1, 3, 7, 8), song of actor 2 (1, 3).
fs::path make_ravdess_tree() {
    fs::path dir = fs::temp_directory_path() / "aer-test-dataset";
    fs::remove_all(dir);
    double pitch = 0.01;
    for (const char* name : {"03-01-01-01-01-01-01.wav", "03-01-03-01-01-01-01.wav",
                             "03-01-07-01-01-01-01.wav", "03-01-08-01-01-01-01.wav"})
        write(dir / "speech" / "Actor_01" / name, tone_wav(pitch += 0.01));
    for (const char* name : {"03-02-01-01-01-01-02.wav", "03-02-03-01-01-01-02.wav"})
        write(dir / "song" / "Actor_02" / name, tone_wav(pitch += 0.01));
    write(dir / "song" / "notes.wav", tone_wav(0.9)); // no RAVDESS name, not in a label folder
    return dir;
}

} // namespace

TEST_CASE("choose_labels: six song emotions, eight RAVDESS emotions, or a user's own", "[train]") {
    CHECK(choose_labels({"sad", "happy"}, false) == emotion_labels());
    // Speech makes it the eight, in RAVDESS order, even without disgust or surprised.
    CHECK(choose_labels({"sad", "happy"}, true) == ravdess_labels());
    CHECK(choose_labels({"surprised", "neutral"}, false) == ravdess_labels());
    REQUIRE(ravdess_labels().size() == 8);
    CHECK(ravdess_labels()[6] == "disgust");
    CHECK(ravdess_labels()[7] == "surprised");
    CHECK(choose_labels({"yes", "no", "yes", "happy"}, false) ==
          std::vector<std::string>{"happy", "no", "yes"});
}

TEST_CASE("channels: parse, and which examples a run keeps", "[train]") {
    Channels c = Channels::both;
    REQUIRE(parse_channels("speech", c).ok());
    CHECK(c == Channels::speech);
    CHECK(parse_channels("Speech", c).message.find("speech, song or both") != std::string::npos);
    CHECK(channel_wanted(Channels::speech, Channel::speech));
    CHECK_FALSE(channel_wanted(Channels::speech, Channel::song));
    CHECK(channel_wanted(Channels::song, Channel::unknown)); // a user's folders are kept
    Channel one = Channel::unknown;
    CHECK_FALSE(parse_channel("choir", one).ok());
}

TEST_CASE("scan keeps every file whose label the run knows and counts the rest", "[train]") {
    fs::path dir = make_ravdess_tree();
    const std::vector<std::string> both = {(dir / "speech").string(), (dir / "song").string()};

    Dataset all;
    REQUIRE(scan_dataset(both, {}, all).ok());
    CHECK(all.labels == ravdess_labels()); // speech is present: eight classes
    REQUIRE(all.examples.size() == 6);
    CHECK(all.examples[2].label == 6); // disgust
    CHECK(all.examples[2].channel == Channel::speech);
    CHECK(all.examples[4].channel == Channel::song);
    CHECK(all.examples[4].actor == 2);
    CHECK(any_note(all, "1 file(s) skipped: neither a RAVDESS name nor inside a label folder"));

    Dataset song;
    ScanOptions only_song;
    only_song.channels = Channels::song;
    REQUIRE(scan_dataset(both, only_song, song).ok());
    CHECK(song.labels == emotion_labels()); // song alone: the six
    CHECK(song.examples.size() == 2);
    CHECK(any_note(song, "4 RAVDESS file(s) of the other vocal channel skipped"));

    // A six-label model: the speech-only emotions are counted, not silently lost.
    Dataset six;
    ScanOptions model_labels;
    model_labels.labels = emotion_labels();
    REQUIRE(scan_dataset(both, model_labels, six).ok());
    CHECK(six.examples.size() == 4);
    CHECK(any_note(six, "1 file(s) labelled 'disgust' skipped"));
    CHECK(any_note(six, "1 file(s) labelled 'surprised' skipped"));

    Dataset none;
    CHECK(scan_dataset({(dir / "missing").string()}, {}, none).message.find("not a folder") !=
          std::string::npos);
    fs::remove_all(dir);
}

TEST_CASE("a byte-identical copy is skipped for training, kept for evaluation", "[train]") {
    fs::path dir = fs::temp_directory_path() / "aer-test-copies";
    fs::remove_all(dir);
    write(dir / "Actor_07" / "03-01-03-01-02-01-07.wav", tone_wav(0.02));
    write(dir / "Actor_07" / "03-01-03-01-02-02-07.wav", tone_wav(0.02)); // the same bytes
    write(dir / "Actor_07" / "03-01-04-01-02-02-07.wav", tone_wav(0.03));
    Dataset d;
    REQUIRE(scan_dataset({dir.string()}, {}, d).ok());
    MfccConfig cfg;
    Dataset kept = d;
    REQUIRE(compute_features(kept, cfg, "", 1).ok());
    CHECK(kept.examples.size() == 2);
    CHECK(any_note(kept, "03-01-03-01-02-02-07.wav: skipped (the same bytes as"));
    REQUIRE(compute_features(d, cfg, "", 1, nullptr, /*keep_copies=*/true).ok());
    CHECK(d.examples.size() == 3);
    fs::remove_all(dir);
}

TEST_CASE("scan the prepared RAVDESS speech folder: eight emotions, every file", "[train]") {
    Dataset d;
    Status s = scan_dataset({std::string(AER_SOURCE_DIR) + "/data/ravdess-speech"}, {}, d);
    INFO(s.message);
    REQUIRE(s.ok());
    CHECK(d.examples.size() == 1200);
    CHECK(d.labels == ravdess_labels());
    std::vector<int> per_label(8, 0);
    for (const Example& e : d.examples) {
        ++per_label[std::size_t(e.label)];
        CHECK(e.channel == Channel::speech);
    }
    CHECK(per_label[0] == 20 * 4); // neutral: normal intensity only
    for (int k = 1; k < 8; ++k)
        CHECK(per_label[std::size_t(k)] == 20 * 8);
}
