// Feature benchmark: ms per clip for load (read WAV + resample to 22050 Hz) and for MFCC alone,
// over the prepared RAVDESS song WAVs. Prints one JSON object (medians, min, max over clips).
//   build/native/bench_features [DIR] [--limit N]
//   node build/wasm-st/bench_features.js [DIR] [--limit N]
#include "core/audio/load.h"
#include "core/dsp/mfcc.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <string>
#include <vector>

namespace {

double now_ms() {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// Every *.wav below dir (one level of Actor_XX folders), sorted.
std::vector<std::string> list_wavs(const std::string& dir) {
    std::vector<std::string> out;
    std::vector<std::string> stack = {dir};
    while (!stack.empty()) {
        std::string d = stack.back();
        stack.pop_back();
        DIR* h = opendir(d.c_str());
        if (!h)
            continue;
        while (dirent* e = readdir(h)) {
            std::string name = e->d_name;
            if (name == "." || name == "..")
                continue;
            std::string path = d + "/" + name;
            if (name.size() > 4 && name.compare(name.size() - 4, 4, ".wav") == 0)
                out.push_back(path);
            else if (e->d_type == DT_DIR)
                stack.push_back(path);
        }
        closedir(h);
    }
    std::sort(out.begin(), out.end());
    return out;
}

nlohmann::json stats(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    double median = v.empty() ? 0 : (v[v.size() / 2] + v[(v.size() - 1) / 2]) / 2;
    return {
        {"median_ms", median}, {"min_ms", v.empty() ? 0 : v.front()}, {"max_ms", v.empty() ? 0 : v.back()}};
}

} // namespace

int main(int argc, char** argv) {
    std::string dir = std::string(AER_SOURCE_DIR_BENCH) + "/data/ravdess-song";
    std::size_t limit = 0;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--limit") && i + 1 < argc)
            limit = std::size_t(std::atol(argv[++i]));
        else
            dir = argv[i];
    }
    std::vector<std::string> files = list_wavs(dir);
    if (limit && files.size() > limit)
        files.resize(limit);
    if (files.empty()) {
        std::fprintf(stderr, "error: no .wav files under %s (run scripts/prepare-data)\n", dir.c_str());
        return 1;
    }
    aer::MfccExtractor ex;
    if (!ex.init(aer::MfccConfig{}).ok())
        return 1;
    std::vector<double> load_ms, mfcc_ms;
    std::vector<float> y, m;
    aer::WavInfo info;
    // Warm-up: builds the resampler's filter table once (it is shared for the process).
    if (aer::Status s = aer::load_audio_file(files[0], 22050, y, info); !s.ok()) {
        std::fprintf(stderr, "error: %s: %s\n", files[0].c_str(), s.message.c_str());
        return 1;
    }
    for (const std::string& f : files) {
        std::vector<std::uint8_t> bytes;
        if (!aer::read_file_bytes(f, bytes, aer::kMaxWavBytes).ok())
            continue;
        double t0 = now_ms();
        aer::Status s = aer::load_audio(bytes.data(), bytes.size(), 22050, y, info);
        double t1 = now_ms();
        std::size_t frames = 0;
        if (s.ok())
            s = ex.features(y.data(), y.size(), m, frames);
        double t2 = now_ms();
        if (!s.ok()) {
            std::fprintf(stderr, "error: %s: %s\n", f.c_str(), s.message.c_str());
            return 1;
        }
        load_ms.push_back(t1 - t0);
        mfcc_ms.push_back(t2 - t1);
    }
#ifdef __EMSCRIPTEN__
    const char* where = "wasm-node";
#else
    const char* where = "native";
#endif
    nlohmann::json out = {{"bench", "features"},
                          {"where", where},
                          {"clips", load_ms.size()},
                          {"load_resample", stats(load_ms)},
                          {"mfcc", stats(mfcc_ms)}};
    std::printf("%s\n", out.dump().c_str());
    return 0;
}
