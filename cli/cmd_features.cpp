// aer load / aer mfcc: librosa.load and librosa.feature.mfcc from the command line.
#include "cli/commands.h"

#include "core/audio/load.h"
#include "core/dsp/mfcc.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace aer_cli {
namespace {

// Writes float32 little-endian (the host is little-endian: x86-64 and wasm) through a temporary
// file renamed into place, so a failed write never leaves half a file under the final name.
aer::Status write_f32(const std::string& path, const std::vector<float>& v) {
    std::string tmp = path + ".tmp";
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f)
        return aer::Status::error(path + ": cannot write (" + std::strerror(errno) + ")");
    bool ok = std::fwrite(v.data(), sizeof(float), v.size(), f) == v.size();
    ok = (std::fclose(f) == 0) && ok;
    if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::remove(tmp.c_str());
        return aer::Status::error(path + ": write failed");
    }
    return aer::Status{};
}

nlohmann::json describe(const std::string& file, const aer::WavInfo& info, std::size_t samples, int sr) {
    return {{"file", file},
            {"sample_rate", info.sample_rate},
            {"channels", info.channels},
            {"format", info.format},
            {"duration_s", info.duration_s()},
            {"truncated", info.truncated},
            {"output_sample_rate", sr},
            {"samples", samples}};
}

// Parses "FILE --out PATH" plus the command's own options; one input file exactly.
bool parse_one_file(Args& args, const std::vector<std::string>& options, std::string& file, std::string& error) {
    if (!args.parse(options, {}, error))
        return false;
    if (args.positional().size() != 1) {
        error = "expected exactly one input file";
        return false;
    }
    if (!args.has("out")) {
        error = "--out PATH is required";
        return false;
    }
    file = args.positional()[0];
    return true;
}

} // namespace

int cmd_load(const Args& in) {
    Args args = in;
    std::string file, error;
    if (!parse_one_file(args, {"out"}, file, error))
        return fail("load: " + error + "\nusage: aer load FILE.wav --out Y.f32", kUsage);
    aer::MfccConfig cfg;
    std::vector<float> y;
    aer::WavInfo info;
    aer::Status s = aer::load_audio_file(file, cfg.sample_rate, y, info);
    if (!s.ok())
        return fail(s.message);
    s = write_f32(args.get("out"), y);
    if (!s.ok())
        return fail(s.message);
    std::printf("%s\n", describe(file, info, y.size(), cfg.sample_rate).dump().c_str());
    return kOk;
}

int cmd_mfcc(const Args& in) {
    Args args = in;
    std::string file, error;
    if (!parse_one_file(args, {"out", "n-mfcc", "max-len"}, file, error))
        return fail("mfcc: " + error + "\nusage: aer mfcc FILE.wav --out M.f32 [--n-mfcc 32] [--max-len 256]", kUsage);
    aer::MfccConfig cfg;
    long long n_mfcc = cfg.n_mfcc, max_len = 0;
    if (!args.get_int("n-mfcc", 1, cfg.n_mels, n_mfcc, error) || !args.get_int("max-len", 1, 100000, max_len, error))
        return fail("mfcc: " + error, kUsage);
    cfg.n_mfcc = int(n_mfcc);
    cfg.max_len = int(max_len); // 0 (no --max-len): the natural frame count
    aer::MfccExtractor ex;
    aer::Status s = ex.init(cfg);
    if (!s.ok())
        return fail(s.message, kUsage);
    std::vector<float> y, m;
    aer::WavInfo info;
    s = aer::load_audio_file(file, cfg.sample_rate, y, info);
    if (!s.ok())
        return fail(s.message);
    std::size_t frames = 0;
    s = ex.features(y.data(), y.size(), m, frames);
    if (!s.ok())
        return fail(file + ": " + s.message);
    s = write_f32(args.get("out"), m);
    if (!s.ok())
        return fail(s.message);
    nlohmann::json j = describe(file, info, y.size(), cfg.sample_rate);
    j["n_mfcc"] = cfg.n_mfcc;
    j["frames"] = frames;
    j["natural_frames"] = ex.frame_count(y.size());
    std::printf("%s\n", j.dump().c_str());
    return kOk;
}

} // namespace aer_cli
