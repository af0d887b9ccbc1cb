// The WAV reader on real RAVDESS files, on every supported format, and on broken input.
#include "core/audio/wav.h"
#include "tests/test_util.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <random>

using namespace aer;

namespace {

std::vector<std::uint8_t> minimal_wav(unsigned tag, int channels, int rate, int bits, std::vector<std::uint8_t> samples) {
    // Hand-built: RIFF header, a 16-byte fmt chunk, a data chunk.
    std::vector<std::uint8_t> b;
    auto put = [&](std::uint32_t v, int n) {
        for (int i = 0; i < n; ++i)
            b.push_back(std::uint8_t(v >> (8 * i)));
    };
    auto tag4 = [&](const char* s) { b.insert(b.end(), s, s + 4); };
    tag4("RIFF");
    put(36 + std::uint32_t(samples.size()), 4);
    tag4("WAVE");
    tag4("fmt ");
    put(16, 4);
    put(tag, 2);
    put(std::uint32_t(channels), 2);
    put(std::uint32_t(rate), 4);
    put(std::uint32_t(rate * channels * bits / 8), 4);
    put(std::uint32_t(channels * bits / 8), 2);
    put(std::uint32_t(bits), 2);
    tag4("data");
    put(std::uint32_t(samples.size()), 4);
    b.insert(b.end(), samples.begin(), samples.end());
    return b;
}

Status read(const std::vector<std::uint8_t>& b, std::vector<float>& y, WavInfo& info) {
    return read_wav(b.data(), b.size(), y, info);
}

std::string error_of(const std::vector<std::uint8_t>& b) {
    std::vector<float> y;
    WavInfo info;
    Status s = read(b, y, info);
    return s.ok() ? std::string("(ok)") : s.message;
}

} // namespace

TEST_CASE("hand-built files decode to hand-computed values", "[audio][wav]") {
    std::vector<float> y;
    WavInfo info;
    // 16-bit stereo: frames (16384, -16384) and (32767, 32767) -> means 0 and 32767/32768.
    REQUIRE(read(minimal_wav(1, 2, 44100, 16, {0x00, 0x40, 0x00, 0xC0, 0xFF, 0x7F, 0xFF, 0x7F}), y, info).ok());
    REQUIRE(y.size() == 2);
    CHECK(y[0] == 0.0f);
    CHECK(y[1] == Approx(32767.0 / 32768.0));
    CHECK(info.channels == 2);
    CHECK(info.sample_rate == 44100);
    CHECK(info.format == "pcm_s16");
    // 8-bit unsigned: 0 -> -1, 128 -> 0, 255 -> 127/128.
    REQUIRE(read(minimal_wav(1, 1, 8000, 8, {0, 128, 255}), y, info).ok());
    CHECK(y == std::vector<float>{-1.0f, 0.0f, 127.0f / 128.0f});
    // 24-bit: 0x800000 -> -1, 0x400000 -> 0.5, 0xFFFFFF -> -1/8388608.
    REQUIRE(read(minimal_wav(1, 1, 48000, 24, {0x00, 0x00, 0x80, 0x00, 0x00, 0x40, 0xFF, 0xFF, 0xFF}), y, info).ok());
    CHECK(y == std::vector<float>{-1.0f, 0.5f, -1.0f / 8388608.0f});
    // 32-bit int: 0x80000000 -> -1, 0x40000000 -> 0.5.
    REQUIRE(read(minimal_wav(1, 1, 48000, 32, {0, 0, 0, 0x80, 0, 0, 0, 0x40}), y, info).ok());
    CHECK(y == std::vector<float>{-1.0f, 0.5f});
    // float32: 0.25 is 0x3E800000.
    REQUIRE(read(minimal_wav(3, 1, 22050, 32, {0, 0, 0x80, 0x3E}), y, info).ok());
    CHECK(y == std::vector<float>{0.25f});
    CHECK(info.format == "float32");
}

TEST_CASE("every format round-trips through the encoder", "[audio][wav]") {
    const double pi = 3.14159265358979323846;
    for (const char* fmt : {"pcm_u8", "pcm_s16", "pcm_s24", "pcm_s32", "float32", "float64"}) {
        for (bool ext : {false, true}) {
            for (int ch : {1, 2, 6}) {
                DYNAMIC_SECTION(fmt << (ext ? " extensible" : "") << " x" << ch) {
                    const int rate = 16000;
                    std::vector<float> inter(std::size_t(500 * ch));
                    for (std::size_t f = 0; f < 500; ++f)
                        for (int c = 0; c < ch; ++c)
                            inter[f * std::size_t(ch) + std::size_t(c)] = float(0.8 * std::sin(2 * pi * (c + 1) * f / 50.0));
                    std::vector<float> y;
                    WavInfo info;
                    Status s = read(encode_wav(inter, ch, rate, fmt, ext), y, info);
                    INFO(s.message);
                    REQUIRE(s.ok());
                    REQUIRE(y.size() == 500);
                    CHECK(info.format == fmt);
                    CHECK(info.extensible == ext);
                    CHECK(info.channels == ch);
                    double tol = std::string(fmt) == "pcm_u8" ? 1.0 / 128 : 1e-4;
                    for (std::size_t f = 0; f < 500; ++f) {
                        double mean = 0;
                        for (int c = 0; c < ch; ++c)
                            mean += inter[f * std::size_t(ch) + std::size_t(c)];
                        mean /= ch;
                        REQUIRE(std::fabs(y[f] - mean) <= tol);
                    }
                }
            }
        }
    }
}

TEST_CASE("original RAVDESS WAVs (with FLLR chunks) equal their FLAC-decoded copies", "[audio][wav]") {
    for (const char* name : {"03-02-01-01-01-01-01", "03-02-04-01-01-02-14", "03-02-05-02-02-01-08"}) {
        DYNAMIC_SECTION(name) {
            std::vector<float> a, b;
            WavInfo ia, ib;
            std::string orig = aer_test::shared_data() + "/samples/" + name + ".wav";
            Status s = read_wav_file(orig, a, ia);
            INFO(s.message);
            REQUIRE(s.ok());
            CHECK(ia.sample_rate == 48000);
            CHECK(ia.format == "pcm_s16");
            CHECK_FALSE(ia.truncated);
            REQUIRE(read_wav_file(aer_test::ref_source_wav(name), b, ib).ok()); // decoded by `flac -d`
            CHECK(a == b);
        }
    }
}

TEST_CASE("bad input is refused with a message naming the problem", "[audio][wav]") {
    std::vector<std::uint8_t> good = minimal_wav(1, 1, 16000, 16, {1, 0, 2, 0, 3, 0, 4, 0});
    CHECK(error_of({}) == "empty file");
    CHECK(error_of({'R', 'I', 'F'}).find("too short") != std::string::npos);
    std::string text = "this is not audio, just text saved as .wav";
    CHECK(error_of(std::vector<std::uint8_t>(text.begin(), text.end())).find("not a WAV file") != std::string::npos);
    CHECK(error_of(minimal_wav(2, 1, 16000, 4, {0, 0})).find("ADPCM") != std::string::npos);
    CHECK(error_of(minimal_wav(7, 1, 8000, 8, {0, 0})).find("mu-law") != std::string::npos);
    CHECK(error_of(minimal_wav(6, 1, 8000, 8, {0, 0})).find("A-law") != std::string::npos);
    CHECK(error_of(minimal_wav(0x1234, 1, 8000, 8, {0, 0})).find("0x1234") != std::string::npos);
    CHECK(error_of(minimal_wav(1, 0, 16000, 16, {0, 0})).find("zero channels") != std::string::npos);
    CHECK(error_of(minimal_wav(1, 1, 1000, 16, {0, 0})).find("sample rate 1000") != std::string::npos);
    CHECK(error_of(minimal_wav(1, 1, 400000, 16, {0, 0})).find("sample rate 400000") != std::string::npos);
    CHECK(error_of(minimal_wav(1, 1, 16000, 12, {0, 0})).find("12-bit") != std::string::npos);
    CHECK(error_of(minimal_wav(1, 2, 16000, 16, {0, 0, 0, 0, 0, 0})).find("whole number of frames") != std::string::npos);
    CHECK(error_of(minimal_wav(1, 1, 16000, 16, {})).find("no samples") != std::string::npos);

    std::vector<std::uint8_t> b = good;
    std::memcpy(b.data() + 12, "junk", 4); // fmt chunk renamed: skipped as unknown
    CHECK(error_of(b).find("no fmt chunk") != std::string::npos);
    b = good;
    b.resize(36); // header only
    CHECK(error_of(b).find("no data chunk") != std::string::npos);
    b = good;
    std::memcpy(b.data(), "RIFX", 4);
    CHECK(error_of(b).find("RIFX") != std::string::npos);
    b = good;
    b[32] = 3; // block align 3 for mono 16-bit
    CHECK(error_of(b).find("block align") != std::string::npos);

    // Over the size limit: refused before a byte is read.
    std::vector<float> y;
    WavInfo info;
    Status s = read_wav(good.data(), kMaxWavBytes + 1, y, info);
    CHECK(s.message.find("over the limit") != std::string::npos);

    // Longer than 10 minutes: refused with the limit named (8 kHz 8-bit: 601 s is 4.8 MB).
    std::vector<std::uint8_t> long_audio = minimal_wav(1, 1, 8000, 8, std::vector<std::uint8_t>(8000 * 601, 128));
    CHECK(error_of(long_audio).find("over the limit of 600 s") != std::string::npos);
    std::vector<std::uint8_t> ten_minutes = minimal_wav(1, 1, 8000, 8, std::vector<std::uint8_t>(8000 * 600, 128));
    CHECK(error_of(ten_minutes) == "(ok)");

    Status missing = read_wav_file("/nonexistent/dir/x.wav", y, info);
    CHECK(missing.message.find("/nonexistent/dir/x.wav") == 0);
}

TEST_CASE("a truncated download keeps the whole frames present", "[audio][wav]") {
    std::vector<std::uint8_t> b = minimal_wav(1, 2, 16000, 16, {1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0});
    b.resize(b.size() - 3); // cut inside the last frame
    std::vector<float> y;
    WavInfo info;
    REQUIRE(read(b, y, info).ok());
    CHECK(info.truncated);
    CHECK(y.size() == 2);
    CHECK(y[1] == Approx(3.5 / 32768.0));
}

TEST_CASE("odd-sized unknown chunks are skipped with their pad byte", "[audio][wav]") {
    std::vector<std::uint8_t> b = minimal_wav(1, 1, 16000, 16, {0x00, 0x40});
    // Insert "LIST" chunk of 3 bytes + 1 pad byte before fmt.
    std::vector<std::uint8_t> extra = {'L', 'I', 'S', 'T', 3, 0, 0, 0, 'a', 'b', 'c', 0};
    b.insert(b.begin() + 12, extra.begin(), extra.end());
    std::vector<float> y;
    WavInfo info;
    REQUIRE(read(b, y, info).ok());
    CHECK(y == std::vector<float>{0.5f});
}

TEST_CASE("random mutations of a valid WAV never crash the reader", "[audio][wav]") {
    std::vector<float> inter(2000);
    for (std::size_t i = 0; i < inter.size(); ++i)
        inter[i] = float(std::sin(0.01 * double(i)));
    std::vector<std::uint8_t> seed = encode_wav(inter, 2, 44100, "pcm_s24", true);
    std::mt19937 rng(1234);
    int accepted = 0;
    for (int iter = 0; iter < 3000; ++iter) {
        std::vector<std::uint8_t> b = seed;
        int kind = int(rng() % 4);
        if (kind == 0) { // flip bytes, mostly in the header
            int flips = 1 + int(rng() % 8);
            for (int k = 0; k < flips; ++k)
                b[rng() % std::min<std::size_t>(b.size(), 96)] ^= std::uint8_t(1u << (rng() % 8));
        } else if (kind == 1) { // cut
            b.resize(rng() % b.size());
        } else if (kind == 2) { // huge sizes in a size field
            std::size_t at = (rng() % 2) ? 4 : 64 + 4; // RIFF size or data size
            if (at + 4 <= b.size())
                for (int k = 0; k < 4; ++k)
                    b[at + std::size_t(k)] = std::uint8_t(rng() % 2 ? 0xFF : rng());
        } else { // random bytes everywhere
            for (int k = 0; k < 20; ++k)
                b[rng() % b.size()] = std::uint8_t(rng());
        }
        std::vector<float> y;
        WavInfo info;
        Status s = read(b, y, info);
        if (s.ok()) {
            ++accepted;
            REQUIRE(y.size() == info.frames);
            REQUIRE(info.frames * std::size_t(info.channels) * std::size_t(info.bits_per_sample / 8) <= b.size());
        } else {
            REQUIRE(!s.message.empty());
        }
    }
    CHECK(accepted > 0); // some mutations leave a valid file
}
