// The signal operations of core/train/degrade.h; the specs, evaluation conditions and the
// augmentation policy are in degrade_spec.cpp.
#include "core/train/degrade.h"

#include "core/audio/resample.h"

#include "kiss_fftr.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace aer {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kDecay60 = 6.907755278982137; // ln(1000): amplitude exp(-kDecay60) is -60 dB

double energy(const std::vector<float>& x) {
    double e = 0.0;
    for (float v : x)
        e += double(v) * double(v);
    return e;
}

void remove_mean(std::vector<double>& x) {
    if (x.empty())
        return;
    double mean = 0.0;
    for (double v : x)
        mean += v;
    mean /= double(x.size());
    for (double& v : x)
        v -= mean;
}

// Gaussian white noise, n samples.
std::vector<double> white_noise(std::size_t n, Rng& rng) {
    std::vector<double> w(n);
    for (std::size_t i = 0; i < n; ++i)
        w[i] = rng.normal();
    return w;
}

// Pink (1/f power) noise: white through P. Kellet's refined pink filter (musicdsp.org, 1999), a sum of
// seven first-order sections within 0.05 dB of -3 dB/octave from 2e-4 sr to Nyquist. The first 4096
// outputs (the slowest section's settling, time constant ~880 samples) are dropped; mean removed.
std::vector<double> pink_noise(std::size_t n, Rng& rng) {
    const std::size_t warm = 4096;
    std::vector<double> p(n);
    double b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0, b6 = 0;
    for (std::size_t i = 0; i < n + warm; ++i) {
        const double w = rng.normal();
        b0 = 0.99886 * b0 + w * 0.0555179;
        b1 = 0.99332 * b1 + w * 0.0750759;
        b2 = 0.96900 * b2 + w * 0.1538520;
        b3 = 0.86650 * b3 + w * 0.3104856;
        b4 = 0.55000 * b4 + w * 0.5329522;
        b5 = -0.7616 * b5 - w * 0.0168980;
        const double v = b0 + b1 + b2 + b3 + b4 + b5 + b6 + w * 0.5362;
        b6 = w * 0.115926;
        if (i >= warm)
            p[i - warm] = v;
    }
    remove_mean(p);
    return p;
}

// Brown (1/f^2 power) noise: white through the leaky integrator x[i] = a x[i-1] + w[i], a = 1 - 2 pi
// 10 / 22050 (its corner at 10 Hz at the feature rate, 4.5e-4 sr), after 4096 settling samples (time
// constant ~350); DC (the clip's mean) removed.
std::vector<double> brown_noise(std::size_t n, Rng& rng) {
    const std::size_t warm = 4096;
    const double a = 1.0 - 2.0 * kPi * 10.0 / 22050.0;
    std::vector<double> b(n);
    double x = 0.0;
    for (std::size_t i = 0; i < n + warm; ++i) {
        x = a * x + rng.normal();
        if (i >= warm)
            b[i - warm] = x;
    }
    remove_mean(b);
    return b;
}

// Babble: 3-6 excerpts of the non-silent pool clips, each from a random start, looped to n samples and
// scaled to unit RMS, summed. Empty when the pool has no usable clip or every excerpt is silent.
std::vector<double> babble_noise(std::size_t n, Rng& rng,
                                 const std::vector<const std::vector<float>*>& pool) {
    std::vector<const std::vector<float>*> usable;
    for (const std::vector<float>* c : pool)
        if (c && !c->empty() && energy(*c) > 0.0)
            usable.push_back(c);
    std::vector<double> sum;
    if (usable.empty())
        return sum;
    sum.assign(n, 0.0);
    const int talkers = 3 + int(rng.uniform() * 4.0);
    std::vector<double> one(n);
    bool any = false;
    for (int t = 0; t < talkers; ++t) {
        const std::vector<float>& c =
            *usable[std::min(usable.size() - 1, std::size_t(rng.uniform() * double(usable.size())))];
        const std::size_t len = c.size();
        std::size_t at = std::min(len - 1, std::size_t(rng.uniform() * double(len)));
        double e = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            one[i] = double(c[at]);
            e += one[i] * one[i];
            if (++at == len)
                at = 0;
        }
        if (e <= 0.0)
            continue;
        const double g = std::sqrt(double(n) / e);
        for (std::size_t i = 0; i < n; ++i)
            sum[i] += g * one[i];
        any = true;
    }
    if (!any)
        sum.clear();
    return sum;
}

struct Biquad {
    double b0 = 1, b1 = 0, b2 = 0, a1 = 0, a2 = 0; // normalised by a0

    // Direct form I over y in place, from a zero state.
    void run(std::vector<float>& y) const {
        double x1 = 0, x2 = 0, y1 = 0, y2 = 0;
        for (float& v : y) {
            const double x0 = double(v);
            const double y0 = b0 * x0 + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
            x2 = x1;
            x1 = x0;
            y2 = y1;
            y1 = y0;
            v = float(y0);
        }
    }
};

// RBJ cookbook low-pass (high = false) or high-pass at f0 Hz with quality q.
Biquad rbj_pass(int sr, double f0, double q, bool high) {
    const double w0 = 2.0 * kPi * f0 / double(sr);
    const double cw = std::cos(w0), alpha = std::sin(w0) / (2.0 * q);
    const double a0 = 1.0 + alpha;
    Biquad f;
    if (high) {
        f.b0 = (1.0 + cw) / 2.0 / a0;
        f.b1 = -(1.0 + cw) / a0;
    } else {
        f.b0 = (1.0 - cw) / 2.0 / a0;
        f.b1 = (1.0 - cw) / a0;
    }
    f.b2 = f.b0;
    f.a1 = -2.0 * cw / a0;
    f.a2 = (1.0 - alpha) / a0;
    return f;
}

const double kButterworthQ = 0.70710678118654752;

// A real FFT plan (kiss_fftr), freed with its owner.
struct RealFft {
    kiss_fftr_cfg cfg = nullptr;
    RealFft(int nfft, bool inverse) : cfg(kiss_fftr_alloc(nfft, inverse ? 1 : 0, nullptr, nullptr)) {}
    ~RealFft() { kiss_fftr_free(cfg); }
    RealFft(const RealFft&) = delete;
    RealFft& operator=(const RealFft&) = delete;
};

// Time-stretches x to exactly n samples by WSOLA (Verhelst & Roelands 1993): output frames of W samples
// (Hann, hop W/2, so the windows sum to 1) are read from x around their nominal position (the output
// centre times x.size() / n), each shifted within +-D samples to the offset whose W samples correlate
// best with the natural continuation of the previous frame (its input start + W/2).
std::vector<float> wsola(const std::vector<float>& x, std::size_t n, int sr) {
    std::vector<float> out(n, 0.0f);
    if (n == 0 || x.empty())
        return out;
    const long long hop = std::max(8L, std::lround(0.015 * double(sr))), w = 2 * hop;
    const long long d = std::max(1L, std::lround(0.0075 * double(sr)));
    const double alpha = double(x.size()) / double(n);
    // x with `pad` zeros on both sides: nominal starts lie within [-hop, m + hop (alpha - 1)], candidates
    // d further and natural continuations hop + w past a candidate, so every read is in bounds.
    const long long m = (long long)x.size();
    const long long pad = 2 * w + 2 * d + hop * (long long)std::ceil(alpha) + 2;
    std::vector<float> xp(std::size_t(m + 2 * pad), 0.0f);
    std::copy(x.begin(), x.end(), xp.begin() + pad);
    std::vector<float> win(static_cast<std::size_t>(w));
    for (long long i = 0; i < w; ++i)
        win[std::size_t(i)] = float(0.5 - 0.5 * std::cos(2.0 * kPi * double(i) / double(w)));
    std::vector<double> acc(n, 0.0), wsum(n, 0.0);
    long long prev = 0;
    for (long long k = 0;; ++k) {
        const long long o = k * hop - hop; // output start of frame k
        if (o >= (long long)n)
            break;
        const long long nominal = std::llround(double(o + hop) * alpha) - hop;
        long long start = std::max(-pad, std::min(nominal, m + pad - w));
        if (k > 0) {
            const float* nat = xp.data() + pad + std::min(prev + hop, m + pad - w);
            double best = -1e300;
            for (long long s = nominal - d; s <= nominal + d; ++s) {
                if (s < -pad || s > m + pad - w)
                    continue;
                const float* cand = xp.data() + pad + s;
                float c[8] = {0, 0, 0, 0, 0, 0, 0, 0};
                long long i = 0;
                for (; i + 8 <= w; i += 8)
                    for (int l = 0; l < 8; ++l)
                        c[l] += nat[i + l] * cand[i + l];
                double r = 0.0;
                for (; i < w; ++i)
                    r += double(nat[i]) * double(cand[i]);
                for (int l = 0; l < 8; ++l)
                    r += double(c[l]);
                if (r > best) {
                    best = r;
                    start = s;
                }
            }
        }
        prev = start;
        const float* src = xp.data() + pad + start;
        for (long long i = 0; i < w; ++i) {
            const long long t = o + i;
            if (t < 0 || t >= (long long)n)
                continue;
            acc[std::size_t(t)] += double(win[std::size_t(i)]) * double(src[i]);
            wsum[std::size_t(t)] += double(win[std::size_t(i)]);
        }
    }
    for (std::size_t t = 0; t < n; ++t)
        out[t] = wsum[t] > 1e-9 ? float(acc[t] / wsum[t]) : 0.0f;
    return out;
}

} // namespace

void add_noise(std::vector<float>& y, NoiseKind kind, double snr_db, Rng& rng,
               const std::vector<const std::vector<float>*>& babble_pool) {
    const double ey = energy(y);
    if (y.empty() || !(ey > 0.0) || !std::isfinite(snr_db))
        return;
    const std::size_t n = y.size();
    std::vector<double> noise;
    if (kind == NoiseKind::babble)
        noise = babble_noise(n, rng, babble_pool);
    if (kind == NoiseKind::pink || (kind == NoiseKind::babble && noise.empty()))
        noise = pink_noise(n, rng);
    else if (kind == NoiseKind::white)
        noise = white_noise(n, rng);
    else if (kind == NoiseKind::brown)
        noise = brown_noise(n, rng);
    double en = 0.0;
    for (double v : noise)
        en += v * v;
    if (!(en > 0.0))
        return;
    const double g = std::sqrt(ey / (en * std::pow(10.0, snr_db / 10.0)));
    for (std::size_t i = 0; i < n; ++i)
        y[i] = float(double(y[i]) + g * noise[i]);
}

std::vector<float> room_impulse_response(int sr, double rt60_s, Rng& rng) {
    sr = std::max(sr, 1);
    const double t60 = std::min(2.0, std::max(0.1, std::isfinite(rt60_s) ? rt60_s : 0.1));
    const std::size_t n = std::size_t(std::ceil(1.2 * t60 * double(sr)));
    std::vector<double> h(n, 0.0);
    auto decay = [&](double t) { return std::exp(-kDecay60 * t / t60); };
    h[0] = 1.0;
    // Early reflections (the first few image sources of Allen & Berkley 1979, at random).
    const int reflections = 6 + int(rng.uniform() * 7.0);
    for (int r = 0; r < reflections; ++r) {
        const double t = rng.uniform(0.0025, 0.050);
        const double sign = rng.uniform() < 0.5 ? -1.0 : 1.0;
        const double gain = rng.uniform(0.3, 0.9) * decay(t);
        const std::size_t at = std::size_t(std::lround(t * double(sr)));
        if (at > 0 && at < n)
            h[at] += sign * gain;
    }
    double e_early = 0.0;
    for (double v : h)
        e_early += v * v;
    // The diffuse tail: Gaussian noise under the 60 dB-in-rt60 envelope, its energy set relative to the
    // early part (more reverberant energy for a longer RT60, as Sabine's diffuse field has).
    const double tail_db = rng.uniform(-2.0, 2.0);
    const std::size_t from = std::size_t(std::ceil(0.002 * double(sr)));
    std::vector<double> tail(n, 0.0);
    double e_tail = 0.0;
    for (std::size_t i = from; i < n; ++i) {
        tail[i] = rng.normal() * decay(double(i) / double(sr));
        e_tail += tail[i] * tail[i];
    }
    const double want = e_early * (t60 / 0.25) * std::pow(10.0, tail_db / 10.0);
    const double g = e_tail > 0.0 ? std::sqrt(want / e_tail) : 0.0;
    std::vector<float> out(n);
    for (std::size_t i = 0; i < n; ++i)
        out[i] = float(h[i] + g * tail[i]);
    return out;
}

double estimate_rt60(const std::vector<float>& ir, int sr) {
    if (ir.empty() || sr <= 0)
        return 0.0;
    // Schroeder 1965: the energy decay curve is the backward integral of h^2.
    std::vector<double> edc(ir.size());
    double run = 0.0;
    for (std::size_t i = ir.size(); i-- > 0;) {
        run += double(ir[i]) * double(ir[i]);
        edc[i] = run;
    }
    if (!(run > 0.0))
        return 0.0;
    const double total = edc[0];
    // Least squares over the samples between -5 and -25 dB.
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    std::size_t count = 0;
    bool reached = false;
    for (std::size_t i = 0; i < edc.size(); ++i) {
        if (!(edc[i] > 0.0))
            break;
        const double level = 10.0 * std::log10(edc[i] / total);
        if (level < -25.0) {
            reached = true;
            break;
        }
        if (level > -5.0)
            continue;
        const double t = double(i) / double(sr);
        sx += t;
        sy += level;
        sxx += t * t;
        sxy += t * level;
        ++count;
    }
    if (!reached || count < 2)
        return 0.0;
    const double c = double(count);
    const double den = c * sxx - sx * sx;
    if (!(den > 0.0))
        return 0.0;
    const double slope = (c * sxy - sx * sy) / den; // dB per second
    return slope < 0.0 ? -60.0 / slope : 0.0;
}

void apply_room(std::vector<float>& y, int sr, double rt60_s, Rng& rng) {
    const std::vector<float> h = room_impulse_response(sr, rt60_s, rng);
    float peak_in = 0.0f;
    for (float v : y)
        peak_in = std::max(peak_in, std::fabs(v));
    if (y.empty() || !(peak_in > 0.0f))
        return;
    // One real FFT of the whole linear convolution (the tail past y's end is then cut).
    const std::size_t len = y.size() + h.size() - 1;
    const int nfft = kiss_fftr_next_fast_size_real(int(len));
    std::vector<double> a(std::size_t(nfft), 0.0), b(std::size_t(nfft), 0.0);
    std::copy(y.begin(), y.end(), a.begin());
    std::copy(h.begin(), h.end(), b.begin());
    std::vector<kiss_fft_cpx> fa(std::size_t(nfft / 2 + 1)), fb(std::size_t(nfft / 2 + 1));
    {
        RealFft fwd(nfft, false);
        kiss_fftr(fwd.cfg, a.data(), fa.data());
        kiss_fftr(fwd.cfg, b.data(), fb.data());
    }
    for (std::size_t k = 0; k < fa.size(); ++k) {
        const double re = fa[k].r * fb[k].r - fa[k].i * fb[k].i;
        const double im = fa[k].r * fb[k].i + fa[k].i * fb[k].r;
        fa[k].r = re;
        fa[k].i = im;
    }
    {
        RealFft inv(nfft, true);
        kiss_fftri(inv.cfg, fa.data(), a.data());
    }
    double peak_out = 0.0;
    for (std::size_t i = 0; i < y.size(); ++i)
        peak_out = std::max(peak_out, std::fabs(a[i]));
    if (!(peak_out > 0.0))
        return;
    const double g = double(peak_in) / peak_out; // also undoes kiss_fftri's factor nfft
    for (std::size_t i = 0; i < y.size(); ++i)
        y[i] = float(a[i] * g);
}

void apply_gain(std::vector<float>& y, double gain_db, bool clip) {
    const double g = std::pow(10.0, gain_db / 20.0);
    for (float& v : y) {
        double s = double(v) * g;
        if (clip)
            s = std::min(1.0, std::max(-1.0, s));
        v = float(s);
    }
}

Status band_limit(std::vector<float>& y, int sr, int rate) {
    if (sr <= 0 || rate <= 0)
        return Status::error("band_limit: rates must be positive (got " + std::to_string(sr) +
                             " Hz through " + std::to_string(rate) + " Hz)");
    if (rate >= sr || y.empty())
        return Status{};
    std::vector<float> low, back;
    Status s = resample(y, sr, rate, low);
    if (s.ok())
        s = resample(low, rate, sr, back);
    if (!s.ok())
        return s;
    back.resize(y.size(), 0.0f);
    y.swap(back);
    return Status{};
}

Status telephone(std::vector<float>& y, int sr) {
    Status s = band_limit(y, sr, 8000);
    if (!s.ok())
        return s;
    high_pass(y, sr, 300.0);
    rbj_pass(sr, std::min(3400.0, 0.45 * double(sr)), kButterworthQ, false).run(y);
    return Status{};
}

void high_pass(std::vector<float>& y, int sr, double hz) {
    if (!(hz > 0.0) || sr <= 0)
        return;
    rbj_pass(sr, std::min(hz, 0.45 * double(sr)), kButterworthQ, true).run(y);
}

void eq_tilt(std::vector<float>& y, int sr, double db_per_octave) {
    if (sr <= 0 || !std::isfinite(db_per_octave) || db_per_octave == 0.0)
        return;
    const double s = std::min(6.0, std::max(-6.0, db_per_octave));
    // Analog shelf H(s) = (s + a) / (s + b), a = wc / sqrt(r), b = wc sqrt(r): its slope at wc is
    // 20 log10(2) (r - 1) / (r + 1) dB/octave. The bilinear transform (s = (1 - 1/z) / (1 + 1/z),
    // wc = tan(pi fc / sr)) steepens log-frequency slopes at fc by 2x / sin(2x), x = pi fc / sr.
    const double fc = std::min(1000.0, 0.25 * double(sr));
    const double x = kPi * fc / double(sr);
    const double k = 20.0 * std::log10(2.0);
    const double sa = std::min(0.999 * k, std::max(-0.999 * k, s * std::sin(2.0 * x) / (2.0 * x)));
    const double r = (1.0 + sa / k) / (1.0 - sa / k);
    const double wc = std::tan(x), a = wc / std::sqrt(r), b = wc * std::sqrt(r);
    const double norm = std::sqrt(r); // unit gain at fc: |H(j wc)| = 1 / sqrt(r)
    const double b0 = norm * (1.0 + a) / (1.0 + b), b1 = norm * (a - 1.0) / (1.0 + b),
                 a1 = (b - 1.0) / (1.0 + b);
    double x1 = 0.0, y1 = 0.0;
    for (float& v : y) {
        const double x0 = double(v);
        const double y0 = b0 * x0 + b1 * x1 - a1 * y1;
        x1 = x0;
        y1 = y0;
        v = float(y0);
    }
}

Status change_speed(std::vector<float>& y, int sr, double factor) {
    if (sr <= 0)
        return Status::error("speed: the sample rate must be positive (got " + std::to_string(sr) + ")");
    if (!(factor >= 0.5 && factor <= 2.0))
        return Status::error("speed: the factor must be within 0.5..2 (got " + std::to_string(factor) + ")");
    const double target = double(sr) * factor;
    long long as_if = std::llround(target), period = sr / std::gcd(as_if, (long long)sr);
    for (long long r = (long long)std::ceil(target * (1.0 - 5e-4));
         r <= (long long)std::floor(target * (1.0 + 5e-4)); ++r) {
        const long long p = sr / std::gcd(r, (long long)sr);
        if (p < period ||
            (p == period && std::fabs(double(r) - target) < std::fabs(double(as_if) - target))) {
            as_if = r;
            period = p;
        }
    }
    if (as_if == sr || y.empty())
        return Status{};
    std::vector<float> out;
    Status s = resample(y, int(as_if), sr, out);
    if (!s.ok())
        return s;
    y.swap(out);
    return Status{};
}

Status shift_pitch(std::vector<float>& y, int sr, double factor) {
    if (!(factor >= 0.5 && factor <= 2.0))
        return Status::error("pitch: the factor must be within 0.5..2 (got " + std::to_string(factor) + ")");
    const std::size_t n = y.size();
    std::vector<float> fast = y;
    Status s = change_speed(fast, sr, factor);
    if (!s.ok())
        return s;
    if (fast == y)
        return Status{}; // factor within half a sample per second of 1
    y = wsola(fast, n, sr);
    return Status{};
}

} // namespace aer
