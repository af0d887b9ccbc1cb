// The specs of core/train/degrade.h: evaluation conditions (Degradation) and the training
// augmentation policy (WaveAugment); the signal operations are in degrade.cpp.
#include "core/train/degrade.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace aer {
namespace {

// A finite decimal number taking all of `s` (no spaces, no hex, no inf/nan).
bool parse_number(const std::string& s, double& out) {
    if (s.empty() || s.size() > 32)
        return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E'))
            return false;
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (end != s.c_str() + s.size() || !std::isfinite(v))
        return false;
    out = v;
    return true;
}

bool parse_in(const std::string& s, double lo, double hi, double& out) {
    double v = 0;
    if (!parse_number(s, v) || v < lo || v > hi)
        return false;
    out = v;
    return true;
}

bool parse_whole(const std::string& s, int lo, int hi, int& out) {
    if (s.empty() || s.size() > 7)
        return false;
    for (char c : s)
        if (c < '0' || c > '9')
            return false;
    const int v = std::atoi(s.c_str());
    if (v < lo || v > hi)
        return false;
    out = v;
    return true;
}

// The shortest form that reads back as exactly v: whole numbers as integers, others by %g.
std::string format_number(double v) {
    char buf[40];
    if (v == std::floor(v) && std::fabs(v) < 1e15) {
        std::snprintf(buf, sizeof buf, "%.0f", v);
        return buf;
    }
    for (int precision = 1; precision <= 17; ++precision) {
        std::snprintf(buf, sizeof buf, "%.*g", precision, v);
        if (std::strtod(buf, nullptr) == v)
            break;
    }
    return buf;
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (;;) {
        const std::size_t end = s.find(sep, start);
        parts.push_back(s.substr(start, end == std::string::npos ? std::string::npos : end - start));
        if (end == std::string::npos)
            return parts;
        start = end + 1;
    }
}

const char* const kNoiseNames[] = {"white", "pink", "brown", "babble"};

const char* const kStepHelp = "noise:KIND:SNR_DB (KIND white|pink|brown|babble, SNR -20..100), room:RT60_S "
                              "(0.1..2), rate:HZ (1000..384000), telephone, gain:DB (-120..60), highpass:HZ "
                              "(0..20000), tilt:DB_PER_OCT (-6..6), speed:F (0.5..2), pitch:F (0.5..2)";

// One step of a condition, or false.
bool parse_step(const std::string& part, DegradeStep& step) {
    using K = DegradeStep::Kind;
    const std::vector<std::string> f = split(part, ':');
    const std::string& key = f[0];
    if (key == "telephone") {
        step.kind = K::telephone;
        return f.size() == 1;
    }
    if (key == "noise") {
        if (f.size() != 3)
            return false;
        step.kind = K::noise;
        for (int k = 0; k < 4; ++k)
            if (f[1] == kNoiseNames[k]) {
                step.noise = NoiseKind(k);
                return parse_in(f[2], -20.0, 100.0, step.value);
            }
        return false;
    }
    if (f.size() != 2)
        return false;
    if (key == "rate") {
        int hz = 0;
        step.kind = K::rate;
        if (!parse_whole(f[1], 1000, 384000, hz))
            return false;
        step.value = hz;
        return true;
    }
    struct Range {
        const char* key;
        K kind;
        double lo, hi;
        bool open_lo; // lo itself excluded
    };
    static const Range ranges[] = {{"room", K::room, 0.1, 2.0, false},
                                   {"gain", K::gain, -120.0, 60.0, false},
                                   {"highpass", K::highpass, 0.0, 20000.0, true},
                                   {"tilt", K::tilt, -6.0, 6.0, false},
                                   {"speed", K::speed, 0.5, 2.0, false},
                                   {"pitch", K::pitch, 0.5, 2.0, false}};
    for (const Range& r : ranges)
        if (key == r.key) {
            step.kind = r.kind;
            return parse_in(f[1], r.lo, r.hi, step.value) && !(r.open_lo && step.value == r.lo);
        }
    return false;
}

std::string step_spec(const DegradeStep& s) {
    using K = DegradeStep::Kind;
    switch (s.kind) {
    case K::noise:
        return std::string("noise:") + kNoiseNames[int(s.noise)] + ":" + format_number(s.value);
    case K::room:
        return "room:" + format_number(s.value);
    case K::rate:
        return "rate:" + format_number(s.value);
    case K::telephone:
        return "telephone";
    case K::gain:
        return "gain:" + format_number(s.value);
    case K::highpass:
        return "highpass:" + format_number(s.value);
    case K::tilt:
        return "tilt:" + format_number(s.value);
    case K::speed:
        return "speed:" + format_number(s.value);
    case K::pitch:
        return "pitch:" + format_number(s.value);
    }
    return "";
}

struct Preset {
    const char* name;
    const char* steps;
};
const Preset kPresets[] = {{"laptop-room", "room:0.4,noise:pink:20,rate:16000,highpass:80,gain:-20"}};

} // namespace

Status parse_degradation(const std::string& spec, Degradation& out) {
    Degradation d;
    d.spec = spec;
    if (spec == "clean") {
        out = d;
        return Status{};
    }
    std::string steps = spec;
    for (const Preset& p : kPresets)
        if (spec == p.name)
            steps = p.steps;
    if (steps.empty())
        return Status::error(
            "degrade: empty condition (use clean, laptop-room or steps such as room:0.4,noise:pink:20)");
    for (const std::string& part : split(steps, ',')) {
        DegradeStep step;
        if (!parse_step(part, step))
            return Status::error("degrade: '" + part + "' in '" + spec + "' is not a step; steps are " +
                                 kStepHelp + "; or one of clean, laptop-room");
        d.steps.push_back(step);
    }
    out = d;
    return Status{};
}

std::string degradation_steps_spec(const Degradation& d) {
    if (d.steps.empty())
        return "clean";
    std::string s;
    for (const DegradeStep& step : d.steps)
        s += (s.empty() ? "" : ",") + step_spec(step);
    return s;
}

Status apply_degradation(const Degradation& d, std::vector<float>& y, int sr, std::uint64_t seed,
                         const std::vector<const std::vector<float>*>& babble_pool) {
    using K = DegradeStep::Kind;
    if (sr <= 0)
        return Status::error("degrade: the sample rate must be positive (got " + std::to_string(sr) + ")");
    Rng streams(seed);
    for (const DegradeStep& step : d.steps) {
        Rng rng(streams.next());
        Status s;
        switch (step.kind) {
        case K::noise:
            add_noise(y, step.noise, step.value, rng, babble_pool);
            break;
        case K::room:
            apply_room(y, sr, step.value, rng);
            break;
        case K::rate:
            s = band_limit(y, sr, int(step.value));
            break;
        case K::telephone:
            s = telephone(y, sr);
            break;
        case K::gain:
            apply_gain(y, step.value, true);
            break;
        case K::highpass:
            if (step.value >= 0.5 * double(sr))
                return Status::error("degrade: '" + step_spec(step) +
                                     "' is at or above half the sample rate (" + std::to_string(sr) + " Hz)");
            high_pass(y, sr, step.value);
            break;
        case K::tilt:
            eq_tilt(y, sr, step.value);
            break;
        case K::speed:
            s = change_speed(y, sr, step.value);
            break;
        case K::pitch:
            s = shift_pitch(y, sr, step.value);
            break;
        }
        if (!s.ok())
            return Status::error("degrade: '" + step_spec(step) + "': " + s.message);
    }
    return Status{};
}

Status parse_wave_augment(const std::string& spec, WaveAugment& out) {
    WaveAugment a;
    if (spec == "none" || spec.empty()) {
        out = a;
        return Status{};
    }
    bool have_copies = false, have_probability = false;
    std::string seen = ",";
    for (const std::string& part : split(spec, ',')) {
        const std::size_t colon = part.find(':');
        const std::string key = part.substr(0, colon);
        const std::string value = colon == std::string::npos ? "" : part.substr(colon + 1);
        double* p = key == "noise"   ? &a.noise
                    : key == "room"  ? &a.room
                    : key == "gain"  ? &a.gain
                    : key == "band"  ? &a.band
                    : key == "tilt"  ? &a.tilt
                    : key == "speed" ? &a.speed
                    : key == "pitch" ? &a.pitch
                                     : nullptr;
        bool ok = false;
        if (key == "copies") {
            ok = parse_whole(value, 0, 16, a.copies);
            have_copies = true;
        } else if (p) {
            ok = parse_in(value, 0.0, 1.0, *p);
            have_probability = true;
        }
        if (!ok)
            return Status::error(
                "wave augment: '" + part +
                "' is not copies:K (0..16) or noise|room|gain|band|tilt|speed|pitch:P (P in 0..1), "
                "e.g. copies:4,noise:0.6,room:0.4,gain:0.5");
        if (seen.find("," + key + ",") != std::string::npos)
            return Status::error("wave augment: '" + key + "' is given twice in '" + spec + "'");
        seen += key + ",";
    }
    if (have_probability && !have_copies)
        return Status::error("wave augment: '" + spec +
                             "' has no copies:K (how many augmented copies per clip)");
    out = a.copies > 0 ? a : WaveAugment{};
    return Status{};
}

std::string wave_augment_spec(const WaveAugment& a) {
    if (!a.active())
        return "none";
    std::string s = "copies:" + std::to_string(a.copies);
    const std::pair<const char*, double> parts[] = {{"noise", a.noise}, {"room", a.room}, {"gain", a.gain},
                                                    {"band", a.band},   {"tilt", a.tilt}, {"speed", a.speed},
                                                    {"pitch", a.pitch}};
    for (const auto& p : parts)
        if (p.second != 0.0)
            s += std::string(",") + p.first + ":" + format_number(p.second);
    return s;
}

Status augment_waveform(const std::vector<float>& y, int sr, const WaveAugment& a, Rng& rng,
                        const std::vector<const std::vector<float>*>& babble_pool, std::vector<float>& out) {
    if (sr <= 0)
        return Status::error("wave augment: the sample rate must be positive (got " + std::to_string(sr) +
                             ")");
    out = y;
    Status s;
    // Each operation draws its decision, its parameters and a seed for its own signal draws, applied
    // or not, so the stream does not depend on the probabilities.
    double u = rng.uniform();
    const double speed = rng.uniform(0.9, 1.1);
    if (u < a.speed)
        s = change_speed(out, sr, speed);
    u = rng.uniform();
    const double pitch = rng.uniform(0.9, 1.1);
    if (s.ok() && u < a.pitch)
        s = shift_pitch(out, sr, pitch);
    if (!s.ok())
        return s;

    u = rng.uniform();
    const double rt60 = rng.uniform(0.2, 1.0);
    Rng room_rng(rng.next());
    if (u < a.room)
        apply_room(out, sr, rt60, room_rng);

    u = rng.uniform();
    const double tilt = rng.uniform(-3.0, 3.0);
    if (u < a.tilt)
        eq_tilt(out, sr, tilt);

    u = rng.uniform();
    const int rates[] = {8000, 16000, sr};
    const int rate = rates[std::min(2, int(rng.uniform() * 3.0))];
    const bool hp = rng.uniform() < 0.5;
    const double hp_hz = rng.uniform(80.0, 300.0);
    if (u < a.band) {
        s = band_limit(out, sr, rate);
        if (!s.ok())
            return s;
        if (hp)
            high_pass(out, sr, hp_hz);
    }

    u = rng.uniform();
    const NoiseKind kind = NoiseKind(std::min(3, int(rng.uniform() * 4.0)));
    const double snr = rng.uniform(0.0, 30.0);
    Rng noise_rng(rng.next());
    if (u < a.noise)
        add_noise(out, kind, snr, noise_rng, babble_pool);

    u = rng.uniform();
    const double gain = rng.uniform(-40.0, 6.0);
    if (u < a.gain)
        apply_gain(out, gain, true);
    return Status{};
}

} // namespace aer
