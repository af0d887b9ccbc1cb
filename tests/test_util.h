// Helpers shared by the tests: where the shared data is, reading reference arrays.
#pragma once

#include "core/nn/kernels.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

namespace aer_test {

/// ../shared/data (set at configure time; the wasm tests reach it through NODERAWFS).
inline std::string shared_data() { return AER_SHARED_DATA; }
inline std::string librosa_ref(const std::string& name) { return shared_data() + "/librosa-ref/" + name; }

/// A scratch path in /tmp for `name`, distinct for the native and the wasm suites (both may run at once).
inline std::string temp_prefix(const std::string& name) {
#ifdef __EMSCRIPTEN__
    return "/tmp/aer_test_wasm_" + name;
#else
    return "/tmp/aer_test_native_" + name;
#endif
}

inline std::vector<std::uint8_t> read_bytes(const std::string& path) {
    std::vector<std::uint8_t> out;
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f)
        return out;
    std::uint8_t buf[65536];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0)
        out.insert(out.end(), buf, buf + n);
    std::fclose(f);
    return out;
}

/// A little-endian float32 file as a vector (empty if missing).
inline std::vector<float> read_f32(const std::string& path) {
    std::vector<std::uint8_t> b = read_bytes(path);
    std::vector<float> out(b.size() / 4);
    for (std::size_t i = 0; i < out.size(); ++i) {
        std::uint32_t u = std::uint32_t(b[4 * i]) | std::uint32_t(b[4 * i + 1]) << 8 |
                          std::uint32_t(b[4 * i + 2]) << 16 | std::uint32_t(b[4 * i + 3]) << 24;
        float f;
        static_assert(sizeof f == 4, "float32");
        __builtin_memcpy(&f, &u, 4);
        out[i] = f;
    }
    return out;
}

inline nlohmann::json read_json(const std::string& path) {
    std::vector<std::uint8_t> b = read_bytes(path);
    return nlohmann::json::parse(b.begin(), b.end());
}

/// The names NAME of every NAME.meta.json in librosa-ref (fixed list: the folder is read-only).
inline std::vector<std::string> librosa_ref_names() {
    return {"03-02-01-01-01-01-01", "03-02-02-02-02-02-03", "03-02-03-01-01-02-06", "03-02-04-01-01-01-20",
            "03-02-04-02-02-01-09", "03-02-05-01-02-02-17", "03-02-05-02-01-01-12", "03-02-06-01-02-02-15",
            "synth-chirp-22050-f32", "synth-tone-silence-22050-s16"};
}

/// Where the source WAV of a reference lives: synthetic/, samples/, or the prepared RAVDESS copy
/// (scripts/prepare-data decodes the FLAC files into data/ravdess-song/).
inline std::string ref_source_wav(const std::string& name) {
    if (name.rfind("synth-", 0) == 0)
        return shared_data() + "/synthetic/" + name + ".wav";
    std::string actor = name.substr(name.size() - 2);
    return std::string(AER_SOURCE_DIR) + "/data/ravdess-song/Actor_" + actor + "/" + name + ".wav";
}

struct Diff {
    double max_abs = 0.0;
    double mean_abs = 0.0;
};

inline Diff diff(const float* a, const float* b, std::size_t n) {
    Diff d;
    for (std::size_t i = 0; i < n; ++i) {
        double e = std::fabs(double(a[i]) - double(b[i]));
        if (e > d.max_abs)
            d.max_abs = e;
        d.mean_abs += e;
    }
    if (n)
        d.mean_abs /= double(n);
    return d;
}

/// The kernel backends this build has (reference and simd always; xnnpack natively with Debian's).
inline std::vector<aer::Backend> available_backends() {
    std::vector<aer::Backend> out;
    for (aer::Backend b : {aer::Backend::reference, aer::Backend::simd, aer::Backend::xnnpack})
        if (aer::backend_available(b))
            out.push_back(b);
    return out;
}

/// n floats uniform in [-1, 1) from a seeded mt19937 (the same on every platform).
inline std::vector<float> random_floats(std::size_t n, std::uint32_t seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    std::vector<float> v(n);
    for (float& x : v)
        x = u(rng);
    return v;
}

} // namespace aer_test
