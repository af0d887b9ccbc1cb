#include "core/audio/load.h"

#include "core/audio/resample.h"

namespace aer {

Status load_audio(const std::uint8_t* bytes, std::size_t size, int sample_rate, std::vector<float>& y,
                  WavInfo& info) {
    std::vector<float> mono;
    Status s = read_wav(bytes, size, mono, info);
    if (!s.ok())
        return s;
    return resample(mono, info.sample_rate, sample_rate, y);
}

Status load_audio_file(const std::string& path, int sample_rate, std::vector<float>& y, WavInfo& info) {
    std::vector<std::uint8_t> bytes;
    Status s = read_file_bytes(path, bytes, kMaxWavBytes);
    if (!s.ok())
        return s;
    s = load_audio(bytes.data(), bytes.size(), sample_rate, y, info);
    if (!s.ok())
        return Status::error(path + ": " + s.message);
    return s;
}

} // namespace aer
