#include "core/dsp/mfcc.h"

#include <algorithm>
#include <cmath>

namespace aer {

Status MfccConfig::validate() const {
    auto bad = [](const std::string& what) { return Status::error("feature config: " + what); };
    if (sample_rate < 1000 || sample_rate > 192000)
        return bad("sample_rate must be within 1000..192000 Hz");
    if (n_fft < 16 || n_fft > 65536 || n_fft % 2 != 0)
        return bad("n_fft must be even and within 16..65536");
    if (hop_length < 1 || hop_length > n_fft)
        return bad("hop_length must be within 1..n_fft");
    if (n_mels < 1 || n_mels > 1024)
        return bad("n_mels must be within 1..1024");
    if (n_mfcc < 1 || n_mfcc > n_mels)
        return bad("n_mfcc must be within 1..n_mels");
    if (max_len < 0 || max_len > 100000)
        return bad("max_len must be within 0..100000");
    if (!(fmin >= 0.0) || !(fmax >= 0.0) || !(fmax_hz() > fmin) || fmax_hz() > sample_rate / 2.0)
        return bad("need 0 <= fmin < fmax <= sample_rate / 2");
    if (!std::isfinite(top_db) || top_db < 0.0)
        return bad("top_db must be a finite number >= 0");
    if (!(amin >= 1e-30) || !(amin <= 1.0))
        return bad("amin must be within 1e-30..1");
    return Status{};
}

nlohmann::json to_json(const MfccConfig& c) {
    return {{"sample_rate", c.sample_rate},
            {"n_fft", c.n_fft},
            {"hop_length", c.hop_length},
            {"n_mels", c.n_mels},
            {"n_mfcc", c.n_mfcc},
            {"max_len", c.max_len},
            {"fmin", c.fmin},
            {"fmax", c.fmax},
            {"top_db", c.top_db},
            {"ref", c.ref_max ? nlohmann::json("max") : nlohmann::json(1.0)},
            {"amin", c.amin}};
}

Status mfcc_config_from_json(const nlohmann::json& j, MfccConfig& c) {
    if (!j.is_object())
        return Status::error("feature config: expected a JSON object");
    c = MfccConfig{};
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& k = it.key();
        const nlohmann::json& v = it.value();
        if (k == "ref") {
            if (v.is_string() && v.get<std::string>() == "max")
                c.ref_max = true;
            else if (v.is_number() && v.get<double>() == 1.0)
                c.ref_max = false;
            else
                return Status::error("feature config: 'ref' must be 1.0 or \"max\"");
            continue;
        }
        bool is_int_key = k == "sample_rate" || k == "n_fft" || k == "hop_length" || k == "n_mels" ||
                          k == "n_mfcc" || k == "max_len";
        bool is_real_key = k == "fmin" || k == "fmax" || k == "top_db" || k == "amin";
        if (!is_int_key && !is_real_key)
            return Status::error("feature config: unknown key '" + k + "'");
        if (is_int_key && !v.is_number_integer())
            return Status::error("feature config: '" + k + "' must be an integer");
        if (is_real_key && !v.is_number())
            return Status::error("feature config: '" + k + "' must be a number");
        if (is_int_key) {
            long long x = v.get<long long>();
            if (x < -1000000000LL || x > 1000000000LL)
                return Status::error("feature config: '" + k + "' is out of range");
            int xi = int(x);
            if (k == "sample_rate")
                c.sample_rate = xi;
            else if (k == "n_fft")
                c.n_fft = xi;
            else if (k == "hop_length")
                c.hop_length = xi;
            else if (k == "n_mels")
                c.n_mels = xi;
            else if (k == "n_mfcc")
                c.n_mfcc = xi;
            else
                c.max_len = xi;
        } else {
            double x = v.get<double>();
            if (k == "fmin")
                c.fmin = x;
            else if (k == "fmax")
                c.fmax = x;
            else if (k == "amin")
                c.amin = x;
            else
                c.top_db = x;
        }
    }
    return c.validate();
}

Status MfccExtractor::init(const MfccConfig& config) {
    Status s = config.validate();
    if (!s.ok())
        return s;
    config_ = config;
    s = stft_.init(config.n_fft, config.hop_length);
    if (!s.ok())
        return s;
    s = mel_.init(config.sample_rate, config.n_fft, config.n_mels, config.fmin, config.fmax_hz());
    if (!s.ok())
        return s;
    // Orthonormal DCT-II: c[q] = s(q) sum_m L[m] cos(pi q (2m + 1) / (2 M)),
    // s(0) = sqrt(1/M), s(q>0) = sqrt(2/M) (scipy.fftpack.dct(type=2, norm='ortho')).
    const int M = config.n_mels;
    const double pi = 3.14159265358979323846;
    dct_.resize(std::size_t(config.n_mfcc) * std::size_t(M));
    power_.assign(std::size_t(stft_.bins()), 0.0);
    bands_.assign(std::size_t(M), 0.0);
    window_power_ = 0.0;
    for (int k = 0; k < config.n_fft; ++k) {
        double w = 0.5 - 0.5 * std::cos(2.0 * pi * k / config.n_fft);
        window_power_ += w * w;
    }
    window_power_ *= config.n_fft;
    for (int q = 0; q < config.n_mfcc; ++q) {
        double scale = std::sqrt((q == 0 ? 1.0 : 2.0) / M);
        for (int m = 0; m < M; ++m)
            dct_[std::size_t(q) * M + m] = scale * std::cos(pi * q * (2.0 * m + 1.0) / (2.0 * M));
    }
    return Status{};
}

void MfccExtractor::log_mel_frame(const float* y, std::size_t n, std::size_t f, float* log_mel,
                                  float& level_db) {
    stft_.power_frame(y, n, f, power_.data());
    mel_.apply(power_.data(), bands_.data());
    // power_to_db's 10 log10(max(amin, S)), on the float32 mel power as librosa holds it (the
    // reference and the top_db floor come later, over the clip or window).
    for (int m = 0; m < mel_.n_mels(); ++m)
        log_mel[m] = float(10.0 * std::log10(std::max(config_.amin, double(float(bands_[std::size_t(m)])))));
    // Parseval over the one-sided spectrum: sum_k |X_k|^2 over all n_fft bins is twice the
    // one-sided sum less the DC and Nyquist bins, and equals n_fft * sum((x w)^2).
    const int nb = stft_.bins();
    double sum = 0.0;
    for (int b = 0; b < nb; ++b)
        sum += power_[std::size_t(b)];
    double full = 2.0 * sum - power_[0] - power_[std::size_t(nb - 1)];
    level_db = float(10.0 * std::log10(std::max(1e-12, full / window_power_)));
}

void MfccExtractor::mfcc_of_log_mel(const float* log_mel, std::size_t frames, std::vector<float>& out) const {
    const int M = config_.n_mels, Q = config_.n_mfcc;
    const std::size_t total = std::size_t(M) * frames;
    double peak = -1e300;
    for (std::size_t i = 0; i < total; ++i)
        peak = std::max(peak, double(log_mel[i]));
    const float floor_db = config_.top_db > 0.0 ? float(peak - config_.top_db) : -3.0e38f;
    const float ref_db = config_.ref_max ? float(peak) : 0.0f;
    out.assign(std::size_t(Q) * frames, 0.0f);
    std::vector<float> row(static_cast<std::size_t>(M));
    for (std::size_t f = 0; f < frames; ++f) {
        for (int m = 0; m < M; ++m)
            row[std::size_t(m)] =
                std::max(log_mel[f * std::size_t(M) + std::size_t(m)] - ref_db, floor_db - ref_db);
        for (int q = 0; q < Q; ++q) {
            const double* w = dct_.data() + std::size_t(q) * M;
            double acc = 0.0;
            for (int m = 0; m < M; ++m)
                acc += w[m] * row[std::size_t(m)];
            out[std::size_t(q) * frames + f] = float(acc);
        }
    }
}

// The unfloored log-mel of every frame of y, frame-major (frames x n_mels).
Status MfccExtractor::log_mel_frames(const float* y, std::size_t n, std::vector<float>& out,
                                     std::size_t& frames) {
    if (stft_.n_fft() == 0)
        return Status::error("MfccExtractor used before init()");
    if (n == 0)
        return Status::error("no samples");
    frames = stft_.frame_count(n);
    const std::size_t nm = std::size_t(mel_.n_mels());
    out.resize(nm * frames);
    float level = 0.0f;
    for (std::size_t f = 0; f < frames; ++f)
        log_mel_frame(y, n, f, out.data() + f * nm, level);
    return Status{};
}

Status MfccExtractor::log_mel(const float* y, std::size_t n, std::vector<float>& out, std::size_t& frames) {
    std::vector<float> lm;
    Status s = log_mel_frames(y, n, lm, frames);
    if (!s.ok())
        return s;
    // power_to_db's floor at top_db below the peak, band-major as librosa returns it.
    const std::size_t nm = std::size_t(mel_.n_mels());
    float peak = -3.0e38f;
    for (float v : lm)
        peak = std::max(peak, v);
    const float floor_db = config_.top_db > 0.0 ? float(double(peak) - config_.top_db) : -3.0e38f;
    const float ref_db = config_.ref_max ? peak : 0.0f;
    out.assign(nm * frames, 0.0f);
    for (std::size_t f = 0; f < frames; ++f)
        for (std::size_t m = 0; m < nm; ++m)
            out[m * frames + f] = std::max(lm[f * nm + m] - ref_db, floor_db - ref_db);
    return Status{};
}

Status MfccExtractor::mfcc(const float* y, std::size_t n, std::vector<float>& out, std::size_t& frames) {
    std::vector<float> lm;
    Status s = log_mel_frames(y, n, lm, frames);
    if (!s.ok())
        return s;
    mfcc_of_log_mel(lm.data(), frames, out);
    return Status{};
}

Status MfccExtractor::features(const float* y, std::size_t n, std::vector<float>& out, std::size_t& frames) {
    std::vector<float> m;
    Status s = mfcc(y, n, m, frames);
    if (!s.ok())
        return s;
    if (config_.max_len > 0) {
        out = fix_length(m, std::size_t(config_.n_mfcc), frames, std::size_t(config_.max_len));
        frames = std::size_t(config_.max_len);
    } else {
        out.swap(m);
    }
    return Status{};
}

std::vector<float> fix_length(const std::vector<float>& in, std::size_t rows, std::size_t frames,
                              std::size_t len) {
    std::vector<float> out(rows * len, 0.0f);
    std::size_t keep = frames < len ? frames : len;
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t f = 0; f < keep; ++f)
            out[r * len + f] = in[r * frames + f];
    return out;
}

} // namespace aer
