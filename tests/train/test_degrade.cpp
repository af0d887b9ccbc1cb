// Waveform degradations (core/train/degrade): each checked against a truth computed here, not by
// the code under test: SNR from the added samples, noise colour and band limits from averaged
// periodograms, RT60 against a hand-made exponential decay, filter responses from a direct DFT of
// the impulse response, frequencies from zero crossings. Signals are 1-2 s so every case is fast.
#include "core/train/degrade.h"

#include "kiss_fftr.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

using namespace aer;

namespace {

const int kSr = 22050;
const double kPi = 3.14159265358979323846;

std::vector<float> sine(double hz, double seconds, double amplitude = 0.5) {
    std::vector<float> y(std::size_t(seconds * kSr));
    for (std::size_t i = 0; i < y.size(); ++i)
        y[i] = float(amplitude * std::sin(2.0 * kPi * hz * double(i) / kSr));
    return y;
}

std::vector<float> gaussian(double seconds, std::uint64_t seed, double sd = 0.1) {
    Rng rng(seed);
    std::vector<float> y(std::size_t(seconds * kSr));
    for (float& v : y)
        v = float(sd * rng.normal());
    return y;
}

// A talker-like clip: a harmonic voice (12 partials, 1/k) with a wandering f0 around `f0`, syllables
// at ~4 Hz and pauses.
std::vector<float> talker(double f0, double seconds, std::uint64_t seed) {
    Rng rng(seed);
    const double rate = rng.uniform(3.0, 5.0), wander = rng.uniform(0.5, 1.5);
    std::vector<float> y(std::size_t(seconds * kSr));
    double phase = 0.0;
    for (std::size_t i = 0; i < y.size(); ++i) {
        const double t = double(i) / kSr;
        phase += 2.0 * kPi * f0 * (1.0 + 0.15 * std::sin(2.0 * kPi * wander * t)) / kSr;
        const double env = std::max(0.0, std::sin(2.0 * kPi * rate * t));
        double v = 0.0;
        for (int k = 1; k <= 12; ++k)
            v += std::sin(double(k) * phase) / k;
        y[i] = float(0.2 * env * v);
    }
    return y;
}

double energy(const std::vector<float>& y) {
    double e = 0.0;
    for (float v : y)
        e += double(v) * double(v);
    return e;
}

// The added signal out - in, in double.
std::vector<float> difference(const std::vector<float>& out, const std::vector<float>& in) {
    std::vector<float> d(in.size());
    for (std::size_t i = 0; i < in.size(); ++i)
        d[i] = float(double(out[i]) - double(in[i]));
    return d;
}

// Welch's averaged periodogram: 2048-point Hann frames, hop 1024; power per bin (bin k at k sr/2048).
std::vector<double> psd(const std::vector<float>& y) {
    const int nfft = 2048, hop = 1024;
    kiss_fftr_cfg cfg = kiss_fftr_alloc(nfft, 0, nullptr, nullptr);
    std::vector<double> frame(nfft), p(nfft / 2 + 1, 0.0);
    std::vector<kiss_fft_cpx> spec(nfft / 2 + 1);
    for (std::size_t start = 0; start + nfft <= y.size(); start += hop) {
        for (int i = 0; i < nfft; ++i)
            frame[i] = double(y[start + i]) * (0.5 - 0.5 * std::cos(2.0 * kPi * i / nfft));
        kiss_fftr(cfg, frame.data(), spec.data());
        for (int k = 0; k <= nfft / 2; ++k)
            p[k] += spec[k].r * spec[k].r + spec[k].i * spec[k].i;
    }
    kiss_fftr_free(cfg);
    return p;
}

// Mean power of the bins within [lo, hi) Hz.
double band(const std::vector<double>& p, double lo, double hi) {
    const double df = double(kSr) / double(2 * (p.size() - 1));
    double s = 0.0;
    int count = 0;
    for (std::size_t k = 0; k < p.size(); ++k)
        if (double(k) * df >= lo && double(k) * df < hi) {
            s += p[k];
            ++count;
        }
    return count ? s / count : 0.0;
}

// Output/input power in [lo, hi) Hz, dB.
double gain_db(const std::vector<double>& out, const std::vector<double>& in, double lo, double hi) {
    return 10.0 * std::log10(band(out, lo, hi) / band(in, lo, hi));
}

// The least-squares slope of 10 log10(power) against log2(f) over third-octave bands from 100 Hz to
// 5 kHz, dB per octave.
double spectral_slope(const std::vector<float>& noise) {
    const std::vector<double> p = psd(noise);
    double sx = 0, sy = 0, sxx = 0, sxy = 0, n = 0;
    for (double f = 100.0; f * std::pow(2.0, 1.0 / 3.0) <= 5000.0 * 1.0001; f *= std::pow(2.0, 1.0 / 3.0)) {
        const double x = std::log2(f * std::pow(2.0, 1.0 / 6.0));
        const double y = 10.0 * std::log10(band(p, f, f * std::pow(2.0, 1.0 / 3.0)));
        sx += x;
        sy += y;
        sxx += x * x;
        sxy += x * y;
        n += 1;
    }
    return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

// The frequency of a tone from its zero crossings between 10 % and 90 % of its length.
double tone_hz(const std::vector<float>& y) {
    const std::size_t a = y.size() / 10, b = y.size() * 9 / 10;
    std::size_t first = 0, last = 0;
    int crossings = 0;
    for (std::size_t i = a; i + 1 < b; ++i)
        if ((y[i] < 0.0f) != (y[i + 1] < 0.0f)) {
            if (crossings == 0)
                first = i;
            last = i;
            ++crossings;
        }
    return crossings > 1 ? double(crossings - 1) / 2.0 / (double(last - first) / kSr) : 0.0;
}

// |H(f)| in dB of an impulse response, by a direct DFT at f.
double response_db(const std::vector<float>& h, double f) {
    double re = 0.0, im = 0.0;
    for (std::size_t i = 0; i < h.size(); ++i) {
        re += double(h[i]) * std::cos(2.0 * kPi * f * double(i) / kSr);
        im -= double(h[i]) * std::sin(2.0 * kPi * f * double(i) / kSr);
    }
    return 10.0 * std::log10(re * re + im * im);
}

std::vector<float> impulse(std::size_t n = 16384) {
    std::vector<float> h(n, 0.0f);
    h[0] = 1.0f;
    return h;
}

} // namespace

TEST_CASE("degrade: noise is added at the asked SNR for every kind", "[degrade]") {
    const std::vector<float> a = talker(150, 1.3, 1), b = talker(210, 0.9, 2), c = talker(110, 1.7, 3);
    const std::vector<const std::vector<float>*> pool = {&a, &b, &c};
    const std::vector<float> y = talker(180, 1.0, 4);
    double worst = 0.0;
    for (NoiseKind kind : {NoiseKind::white, NoiseKind::pink, NoiseKind::brown, NoiseKind::babble})
        for (double snr : {0.0, 10.0, 30.0}) {
            std::vector<float> out = y;
            Rng rng(7);
            add_noise(out, kind, snr, rng, pool);
            REQUIRE(out.size() == y.size());
            const double measured = 10.0 * std::log10(energy(y) / energy(difference(out, y)));
            CAPTURE(int(kind), snr, measured);
            CHECK(std::fabs(measured - snr) < 0.01);
            worst = std::max(worst, std::fabs(measured - snr));
        }
    CHECK(worst < 0.01);

    // A silent clip stays silent.
    std::vector<float> silent(1000, 0.0f);
    Rng rng(1);
    add_noise(silent, NoiseKind::white, 10.0, rng);
    CHECK(energy(silent) == 0.0);
}

TEST_CASE("degrade: babble is made of the pool's clips; an empty pool gives pink", "[degrade]") {
    const std::vector<float> a = talker(150, 1.3, 1), b = talker(210, 0.9, 2);
    const std::vector<const std::vector<float>*> pool = {&a, &b};
    const std::vector<float> y = sine(300, 1.0);
    std::vector<float> babble = y, pink = y, fallback = y;
    Rng r1(5), r2(5), r3(5);
    add_noise(babble, NoiseKind::babble, 5.0, r1, pool);
    add_noise(pink, NoiseKind::pink, 5.0, r2);
    add_noise(fallback, NoiseKind::babble, 5.0, r3, {});
    CHECK(fallback == pink);
    CHECK(babble != pink);
    // Talkers are harmonic around 110..250 Hz: most of the babble's power is below 3 kHz, far more
    // than pink's share there.
    const std::vector<double> pb = psd(difference(babble, y)), pp = psd(difference(pink, y));
    const double babble_low = band(pb, 50, 3000) / band(pb, 3000, 10000);
    const double pink_low = band(pp, 50, 3000) / band(pp, 3000, 10000);
    CHECK(babble_low > 10.0 * pink_low);
}

TEST_CASE("degrade: noise colours have their spectral slopes", "[degrade]") {
    const std::vector<float> y = sine(1000, 2.0, 0.3);
    const std::pair<NoiseKind, double> kinds[] = {
        {NoiseKind::white, 0.0}, {NoiseKind::pink, -3.01}, {NoiseKind::brown, -6.02}};
    for (const auto& k : kinds) {
        std::vector<float> out = y;
        Rng rng(11);
        add_noise(out, k.first, 0.0, rng);
        const double slope = spectral_slope(difference(out, y));
        CAPTURE(int(k.first), slope);
        CHECK(std::fabs(slope - k.second) < 1.0);
    }
}

TEST_CASE("degrade: estimate_rt60 finds the RT60 of an exact exponential decay", "[degrade]") {
    for (double t60 : {0.25, 0.5, 1.5}) {
        std::vector<float> h(std::size_t(1.5 * t60 * kSr));
        for (std::size_t i = 0; i < h.size(); ++i)
            h[i] = float((i % 2 ? -1.0 : 1.0) * std::exp(-6.907755 * double(i) / (kSr * t60)));
        const double est = estimate_rt60(h, kSr);
        CAPTURE(t60, est);
        CHECK(std::fabs(est - t60) / t60 < 0.01);
    }
    CHECK(estimate_rt60({}, kSr) == 0.0);
    CHECK(estimate_rt60(std::vector<float>(100, 0.0f), kSr) == 0.0);
}

TEST_CASE("degrade: room impulse responses have the asked RT60", "[degrade]") {
    for (double t60 : {0.3, 0.6, 1.0})
        for (std::uint64_t seed = 1; seed <= 3; ++seed) {
            Rng rng(seed);
            const std::vector<float> h = room_impulse_response(kSr, t60, rng);
            REQUIRE(h.size() == std::size_t(std::ceil(1.2 * t60 * kSr)));
            CHECK(h[0] == 1.0f);
            const double est = estimate_rt60(h, kSr);
            CAPTURE(t60, seed, est);
            CHECK(std::fabs(est - t60) / t60 < 0.15);
            // Early reflections: gains below the direct path's.
            for (std::size_t i = 1; i < h.size(); ++i)
                REQUIRE(std::fabs(h[i]) < 1.0f);
        }
}

TEST_CASE("degrade: apply_room keeps length and peak, and reverberates", "[degrade]") {
    // A 2 ms burst at 0.1 s in 1.2 s of silence.
    std::vector<float> y(std::size_t(1.2 * kSr), 0.0f);
    const std::size_t at = std::size_t(0.1 * kSr), len = std::size_t(0.002 * kSr);
    for (std::size_t i = 0; i < len; ++i)
        y[at + i] = (i % 2 ? -0.8f : 0.8f);
    std::vector<float> out = y;
    Rng rng(3);
    apply_room(out, kSr, 0.5, rng);
    REQUIRE(out.size() == y.size());
    float peak = 0.0f;
    for (float v : out)
        peak = std::max(peak, std::fabs(v));
    CHECK(peak == Approx(0.8f).epsilon(1e-6));
    for (std::size_t i = 0; i < at; ++i)
        REQUIRE(out[i] == Approx(0.0f).margin(1e-6)); // causal: nothing before the burst
    auto window = [&](double from_s, double to_s) {
        double e = 0.0;
        for (std::size_t i = at + len + std::size_t(from_s * kSr); i < at + len + std::size_t(to_s * kSr);
             ++i)
            e += double(out[i]) * double(out[i]);
        return e;
    };
    const double early = window(0.06, 0.16), late = window(0.30, 0.40);
    CHECK(late > 0.0);
    // 60 dB per 0.5 s: the window 240 ms later is ~29 dB down.
    const double drop = 10.0 * std::log10(early / late);
    CAPTURE(drop);
    CHECK(drop > 20.0);
    CHECK(drop < 38.0);
}

TEST_CASE("degrade: band limits and the telephone channel cut where they should", "[degrade]") {
    const std::vector<float> y = gaussian(2.0, 21);
    const std::vector<double> in = psd(y);
    std::vector<float> b16 = y, b8 = y, tel = y, same = y;
    REQUIRE(band_limit(b16, kSr, 16000).ok());
    REQUIRE(band_limit(b8, kSr, 8000).ok());
    REQUIRE(telephone(tel, kSr).ok());
    REQUIRE(band_limit(same, kSr, 22050).ok());
    CHECK(same == y);
    REQUIRE(b16.size() == y.size());
    REQUIRE(b8.size() == y.size());
    REQUIRE(tel.size() == y.size());
    const std::vector<double> p16 = psd(b16), p8 = psd(b8), pt = psd(tel);
    CHECK(gain_db(p16, in, 8200, 11025) < -40.0);
    CHECK(std::fabs(gain_db(p16, in, 50, 7000)) < 0.3);
    CHECK(gain_db(p8, in, 4100, 11025) < -40.0);
    CHECK(std::fabs(gain_db(p8, in, 50, 3300)) < 0.3);
    CHECK(gain_db(pt, in, 20, 200) < -10.0);
    CHECK(gain_db(pt, in, 3600, 11025) < -20.0);
    CHECK(std::fabs(gain_db(pt, in, 500, 3000)) < 1.5);
    CHECK_FALSE(band_limit(b8, kSr, 0).ok());
}

TEST_CASE("degrade: high-pass and tilt have their responses", "[degrade]") {
    std::vector<float> h = impulse();
    high_pass(h, kSr, 80.0);
    CHECK(response_db(h, 80.0) == Approx(-3.01).margin(0.05));
    CHECK(response_db(h, 8.0) == Approx(-40.0).margin(0.5)); // 12 dB/octave
    CHECK(std::fabs(response_db(h, 1000.0)) < 0.05);
    for (double s : {3.0, -3.0, 6.0}) {
        std::vector<float> t = impulse();
        eq_tilt(t, kSr, s);
        const double step = std::pow(2.0, 0.05); // slope over 1/10 octave centred on 1 kHz
        const double slope = (response_db(t, 1000.0 * step) - response_db(t, 1000.0 / step)) / 0.1;
        CAPTURE(s, slope);
        CHECK(slope == Approx(s).margin(0.05));
        CHECK(std::fabs(response_db(t, 1000.0)) < 0.01);
        // The tilt holds (less steeply) an octave away each side.
        CHECK((response_db(t, 2000.0) - response_db(t, 500.0)) / 2.0 ==
              Approx(s).margin(0.35 * std::fabs(s)));
    }
}

TEST_CASE("degrade: gain scales exactly and clips", "[degrade]") {
    const std::vector<float> y = gaussian(1.0, 5);
    std::vector<float> quiet = y;
    apply_gain(quiet, -20.0);
    CHECK(std::sqrt(energy(quiet) / energy(y)) == Approx(0.1).epsilon(1e-6));
    std::vector<float> loud = sine(440, 1.0, 1.0);
    apply_gain(loud, 6.0);
    float peak = 0.0f;
    int at_one = 0;
    for (float v : loud) {
        peak = std::max(peak, std::fabs(v));
        at_one += std::fabs(v) == 1.0f;
    }
    CHECK(peak == 1.0f);
    CHECK(at_one > int(loud.size()) / 4); // |1.995 sin| >= 1 a third of the time
    std::vector<float> unclipped = sine(440, 0.1, 1.0);
    apply_gain(unclipped, 6.0, false);
    float top = 0.0f;
    for (float v : unclipped)
        top = std::max(top, v);
    CHECK(top > 1.9f);
}

TEST_CASE("degrade: speed and pitch perturbation", "[degrade]") {
    const std::vector<float> y = sine(440, 1.5);
    const double n = double(y.size());
    CHECK(tone_hz(y) == Approx(440).epsilon(0.002));

    std::vector<float> fast = y;
    REQUIRE(change_speed(fast, kSr, 1.1).ok());
    CHECK(std::fabs(double(fast.size()) - n / 1.1) <= 1.0);
    CHECK(tone_hz(fast) == Approx(484).epsilon(0.01));

    // A factor whose rate is prime to 22050 Hz: the rate taken is within 0.05 %.
    std::vector<float> slow = y;
    REQUIRE(change_speed(slow, kSr, 0.95).ok());
    CHECK(std::fabs(double(slow.size()) - n / 0.95) <= 0.0005 * n / 0.95 + 1.0);
    CHECK(tone_hz(slow) == Approx(440 * 0.95).epsilon(0.002));

    for (double f : {1.1, 0.9}) {
        std::vector<float> shifted = y;
        REQUIRE(shift_pitch(shifted, kSr, f).ok());
        REQUIRE(shifted.size() == y.size());
        CAPTURE(f, tone_hz(shifted));
        CHECK(tone_hz(shifted) == Approx(440 * f).epsilon(0.02));
        // No dropouts: the level of every 50 ms stays near the tone's.
        for (std::size_t s = std::size_t(0.05 * kSr); s + 1102 < shifted.size() - 2205; s += 1102) {
            double e = 0.0;
            for (std::size_t i = s; i < s + 1102; ++i)
                e += double(shifted[i]) * double(shifted[i]);
            REQUIRE(std::sqrt(e / 1102) > 0.5 * 0.5 / std::sqrt(2.0));
        }
    }
    CHECK_FALSE(change_speed(fast, kSr, 3.0).ok());
    CHECK_FALSE(shift_pitch(fast, kSr, 0.4).ok());
}

TEST_CASE("degrade: conditions parse, round-trip and refuse bad parts", "[degrade]") {
    Degradation d;
    REQUIRE(parse_degradation("laptop-room", d).ok());
    CHECK(d.spec == "laptop-room");
    CHECK(degradation_steps_spec(d) == "room:0.4,noise:pink:20,rate:16000,highpass:80,gain:-20");
    REQUIRE(parse_degradation("clean", d).ok());
    CHECK(d.clean());
    const std::string all =
        "noise:babble:-5,room:1.5,rate:8000,telephone,gain:3.5,highpass:120,tilt:-2,speed:1.1,"
        "pitch:0.95";
    REQUIRE(parse_degradation(all, d).ok());
    CHECK(degradation_steps_spec(d) == all);
    for (const char* bad : {"noise:pink", "room:-1", "bogus:1", "noise:grey:10", "rate:16k", "speed:3",
                            "gain:nan", "room:0.4,", "telephone:1", ""}) {
        Degradation keep;
        REQUIRE(parse_degradation("telephone", keep).ok());
        const Status s = parse_degradation(bad, keep);
        CAPTURE(bad, s.message);
        CHECK_FALSE(s.ok());
        CHECK(keep.spec == "telephone");
    }
    const Status s = parse_degradation("room:0.4,room:-1", d);
    CHECK(s.message.find("'room:-1'") != std::string::npos);
    std::vector<float> y = sine(440, 0.2);
    REQUIRE(parse_degradation("highpass:12000", d).ok());
    CHECK_FALSE(apply_degradation(d, y, kSr, 1).ok());
}

TEST_CASE("degrade: augmentation specs parse, round-trip and refuse bad parts", "[degrade]") {
    const std::string spec = "copies:4,noise:0.6,room:0.4,gain:0.5,band:0.4,tilt:0.3,speed:0.3,pitch:0.3";
    WaveAugment a;
    REQUIRE(parse_wave_augment(spec, a).ok());
    CHECK(a.copies == 4);
    CHECK(a.noise == 0.6);
    CHECK(a.pitch == 0.3);
    CHECK(wave_augment_spec(a) == spec);
    WaveAugment odd;
    odd.copies = 16;
    odd.room = 0.1 + 0.2; // not a short decimal
    odd.gain = 1.0;
    WaveAugment back;
    REQUIRE(parse_wave_augment(wave_augment_spec(odd), back).ok());
    CHECK(back.room == odd.room);
    CHECK(back.copies == 16);
    CHECK(back.gain == 1.0);
    REQUIRE(parse_wave_augment("none", back).ok());
    CHECK_FALSE(back.active());
    CHECK(wave_augment_spec(back) == "none");
    for (const char* bad : {"copies:99", "bogus:1", "noise:pink", "copies:2,noise:1.5", "noise:0.5",
                            "copies:2,copies:3", "copies:-1", "copies:2,"}) {
        WaveAugment keep;
        keep.copies = 7;
        const Status s = parse_wave_augment(bad, keep);
        CAPTURE(bad, s.message);
        CHECK_FALSE(s.ok());
        CHECK(keep.copies == 7);
    }
    WaveAugment tmp;
    CHECK(parse_wave_augment("copies:99", tmp).message.find("'copies:99'") != std::string::npos);
    CHECK(parse_wave_augment("copies:1,bogus:1", tmp).message.find("'bogus:1'") != std::string::npos);
}

TEST_CASE("degrade: the same seed gives the same samples, another seed others", "[degrade]") {
    const std::vector<float> a = talker(150, 1.3, 1), b = talker(210, 0.9, 2);
    const std::vector<const std::vector<float>*> pool = {&a, &b};
    const std::vector<float> y = talker(180, 1.5, 9);
    Degradation d;
    REQUIRE(parse_degradation("room:0.6,noise:babble:10,tilt:2,pitch:1.05", d).ok());
    std::vector<float> y1 = y, y2 = y, y3 = y;
    REQUIRE(apply_degradation(d, y1, kSr, 42, pool).ok());
    REQUIRE(apply_degradation(d, y2, kSr, 42, pool).ok());
    REQUIRE(apply_degradation(d, y3, kSr, 43, pool).ok());
    CHECK(y1 == y2);
    CHECK(y1 != y3);
    CHECK(y1 != y);

    WaveAugment w;
    REQUIRE(
        parse_wave_augment("copies:2,noise:1,room:0.5,gain:0.5,band:0.5,tilt:0.5,speed:1,pitch:0.5", w).ok());
    std::vector<float> o1, o2, o3;
    Rng r1(8), r2(8), r3(9);
    REQUIRE(augment_waveform(y, kSr, w, r1, pool, o1).ok());
    REQUIRE(augment_waveform(y, kSr, w, r2, pool, o2).ok());
    REQUIRE(augment_waveform(y, kSr, w, r3, pool, o3).ok());
    CHECK(o1 == o2);
    CHECK(o1 != o3);
    CHECK(std::fabs(double(o1.size()) - double(y.size())) <= 0.1 * double(y.size()) + 1.0); // speed 0.9..1.1
    CHECK(o1.size() != y.size());
    // The next draw continues the stream: a second copy differs from the first.
    std::vector<float> o4;
    REQUIRE(augment_waveform(y, kSr, w, r1, pool, o4).ok());
    CHECK(o4 != o1);
    // An inactive policy copies.
    std::vector<float> same;
    Rng r5(1);
    REQUIRE(augment_waveform(y, kSr, WaveAugment{}, r5, pool, same).ok());
    CHECK(same == y);
}
