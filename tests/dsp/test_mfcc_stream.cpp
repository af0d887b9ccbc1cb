// The streaming extractor against the whole-clip pipeline and against librosa: the same audio
// pushed in blocks gives the same frames, and a window taken from a stream is the clip a user
// would have cut there.
#include "core/audio/load.h"
#include "core/dsp/mfcc_stream.h"
#include "tests/test_util.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>

using namespace aer;

namespace {

/// Pushes y in blocks of pseudo-random sizes (1..max_block samples) and finishes.
void push_in_blocks(MfccStream& s, const std::vector<float>& y, std::uint32_t seed, std::size_t max_block) {
    std::size_t at = 0;
    while (at < y.size()) {
        seed = seed * 1664525u + 1013904223u;
        std::size_t block = std::min<std::size_t>(1 + (seed >> 8) % max_block, y.size() - at);
        s.push(y.data() + at, block);
        at += block;
    }
    s.finish();
}

} // namespace

TEST_CASE("streamed MFCC equals the whole-clip MFCC and librosa's on every reference", "[dsp][parity][stream]") {
    MfccConfig cfg;
    cfg.max_len = 0;
    MfccExtractor whole;
    REQUIRE(whole.init(cfg).ok());
    for (const std::string& name : aer_test::librosa_ref_names()) {
        DYNAMIC_SECTION(name) {
            std::vector<float> y;
            WavInfo info;
            REQUIRE(load_audio_file(aer_test::ref_source_wav(name), 22050, y, info).ok());
            std::vector<float> expect, got;
            std::size_t frames = 0;
            REQUIRE(whole.mfcc(y.data(), y.size(), expect, frames).ok());

            MfccStream stream;
            REQUIRE(stream.init(cfg, frames).ok());
            push_in_blocks(stream, y, 7, 3000);
            REQUIRE(stream.frames() == frames);
            REQUIRE(stream.mfcc(0, frames, got).ok());
            REQUIRE(got.size() == expect.size());
            std::size_t differ = 0;
            for (std::size_t i = 0; i < got.size(); ++i)
                differ += got[i] != expect[i];
            CHECK(differ == 0); // the same arithmetic in the same order

            // librosa's own MFCC of this file, within the bounds of the whole-clip test.
            std::vector<float> ref = aer_test::read_f32(aer_test::librosa_ref(name + ".mfcc.f32"));
            REQUIRE(ref.size() == got.size());
            aer_test::Diff d = aer_test::diff(got.data(), ref.data(), got.size());
            INFO("streamed mfcc vs librosa: max " << d.max_abs << " mean " << d.mean_abs);
            CHECK(d.max_abs <= 0.02);
            CHECK(d.mean_abs <= 1e-3);

            // Pushing sample by sample for the first second changes nothing.
            MfccStream tiny;
            REQUIRE(tiny.init(cfg, frames).ok());
            std::size_t first = std::min<std::size_t>(22050, y.size());
            for (std::size_t i = 0; i < first; ++i)
                tiny.push(&y[i], 1);
            tiny.push(y.data() + first, y.size() - first);
            tiny.finish();
            REQUIRE(tiny.mfcc(0, frames, got).ok());
            differ = 0;
            for (std::size_t i = 0; i < got.size(); ++i)
                differ += got[i] != expect[i];
            CHECK(differ == 0);
        }
    }
}

TEST_CASE("a window of a stream is the clip cut at that place", "[dsp][stream]") {
    // Two RAVDESS clips end to end make a stream; 128 frames from the middle of the first are
    // compared with the whole-clip MFCC of exactly those samples. Only the two frames at each
    // end may differ (the clip pads them with zeros, the stream has the real neighbours), and the
    // floor rule (top_db below the window's own peak) makes the rest agree.
    MfccConfig cfg;
    cfg.max_len = 0;
    std::vector<float> a, b;
    WavInfo info;
    REQUIRE(load_audio_file(aer_test::ref_source_wav("03-02-05-01-02-02-17"), 22050, a, info).ok());
    REQUIRE(load_audio_file(aer_test::ref_source_wav("03-02-04-01-01-01-20"), 22050, b, info).ok());
    std::vector<float> y = a;
    y.insert(y.end(), b.begin(), b.end());
    MfccStream stream;
    REQUIRE(stream.init(cfg, 1000).ok());
    push_in_blocks(stream, y, 3, 4096);
    const std::size_t first = 40, count = 128;
    REQUIRE(stream.first_kept() <= first);
    std::vector<float> got, expect;
    REQUIRE(stream.mfcc(first, count, got).ok());
    // The clip whose centred frames are stream frames first..first+count-1: samples from
    // first * hop to (first + count - 1) * hop (inclusive), so that it has exactly `count` frames.
    const std::size_t hop = std::size_t(cfg.hop_length);
    std::vector<float> clip(y.begin() + std::ptrdiff_t(first * hop), y.begin() + std::ptrdiff_t((first + count - 1) * hop + 1));
    MfccExtractor whole;
    REQUIRE(whole.init(cfg).ok());
    std::size_t frames = 0;
    REQUIRE(whole.mfcc(clip.data(), clip.size(), expect, frames).ok());
    REQUIRE(frames == count);
    const int edge = cfg.n_fft / 2 / cfg.hop_length; // frames that see past the clip's ends
    double max_abs = 0.0;
    for (int q = 0; q < cfg.n_mfcc; ++q)
        for (std::size_t f = std::size_t(edge); f + std::size_t(edge) < count; ++f)
            max_abs = std::max(max_abs, double(std::fabs(got[q * count + f] - expect[q * count + f])));
    INFO("max |diff| away from the edges: " << max_abs);
    CHECK(max_abs <= 1e-3);
    // The edges do differ (the check above would pass trivially if the stream padded with zeros too).
    double edge_diff = 0.0;
    for (int q = 0; q < cfg.n_mfcc; ++q)
        edge_diff = std::max(edge_diff, double(std::fabs(got[q * count] - expect[q * count])));
    CHECK(edge_diff > 1e-2);
}

TEST_CASE("mfcc stream: ranges it does not hold are refused", "[dsp][stream]") {
    MfccConfig cfg;
    MfccStream s;
    REQUIRE(s.init(cfg, 10).ok());
    std::vector<float> y(22050, 0.1f), out;
    s.push(y.data(), y.size());
    CHECK(s.frames() == (22050 - 1024) / 512 + 1);
    CHECK(!s.mfcc(0, 5, out).ok()); // dropped from the 10-frame history
    CHECK(!s.mfcc(s.frames() - 2, 5, out).ok()); // not computed yet
    CHECK(!s.mfcc(s.frames() - 1, 0, out).ok());
    CHECK(s.mfcc(s.frames() - 5, 5, out).ok());
    CHECK(!s.init(cfg, 0).ok());
}
