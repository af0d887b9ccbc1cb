#include "core/audio/wav.h"

#include <cmath>
#include <cstdio>
#include <cstring>

namespace aer {
namespace {

std::uint16_t le16(const std::uint8_t* p) { return std::uint16_t(p[0] | (p[1] << 8)); }
std::uint32_t le32(const std::uint8_t* p) {
    return std::uint32_t(p[0]) | (std::uint32_t(p[1]) << 8) | (std::uint32_t(p[2]) << 16) |
           (std::uint32_t(p[3]) << 24);
}

const char* codec_name(unsigned tag) {
    switch (tag) {
    case 0x0002: return "Microsoft ADPCM";
    case 0x0006: return "A-law";
    case 0x0007: return "mu-law";
    case 0x0011: return "IMA ADPCM";
    case 0x0031: return "GSM 6.10";
    case 0x0050: return "MPEG";
    case 0x0055: return "MP3";
    case 0x00FF: return "AAC";
    case 0x2000: return "AC-3";
    default: return nullptr;
    }
}

std::string tag_hex(unsigned tag) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%04X", tag);
    return buf;
}

// One sample of the given format at p, scaled as soundfile does.
float decode_sample(const std::uint8_t* p, bool is_float, int bits) {
    if (is_float) {
        if (bits == 32) {
            float f;
            std::memcpy(&f, p, 4);
            return f;
        }
        double d;
        std::memcpy(&d, p, 8);
        return float(d);
    }
    switch (bits) {
    case 8: return (float(p[0]) - 128.0f) / 128.0f;
    case 16: return float(std::int16_t(le16(p))) / 32768.0f;
    case 24: {
        std::int32_t v = std::int32_t(std::uint32_t(p[0]) << 8 | std::uint32_t(p[1]) << 16 |
                                      std::uint32_t(p[2]) << 24) >> 8;
        return float(v) / 8388608.0f;
    }
    default: return float(double(std::int32_t(le32(p))) / 2147483648.0);
    }
}

} // namespace

Status read_wav(const std::uint8_t* bytes, std::size_t size, std::vector<float>& mono, WavInfo& info) {
    info = WavInfo{};
    mono.clear();
    if (size == 0)
        return Status::error("empty file");
    if (size > kMaxWavBytes)
        return Status::error("file is " + std::to_string(size) + " bytes, over the limit of " +
                             std::to_string(kMaxWavBytes) + " bytes (1 GiB)");
    if (size < 12)
        return Status::error("not a WAV file: " + std::to_string(size) + " bytes is too short for a RIFF header");
    if (std::memcmp(bytes, "RIFX", 4) == 0)
        return Status::error("big-endian WAV (RIFX) is not supported");
    if (std::memcmp(bytes, "RF64", 4) == 0)
        return Status::error("RF64 WAV is not supported");
    if (std::memcmp(bytes, "RIFF", 4) != 0 || std::memcmp(bytes + 8, "WAVE", 4) != 0)
        return Status::error("not a WAV file (no RIFF/WAVE header)");

    // Walk the chunks. The RIFF size field is often wrong in the wild: trust the buffer.
    const std::uint8_t* fmt = nullptr;
    std::size_t fmt_size = 0;
    const std::uint8_t* data = nullptr;
    std::uint64_t data_declared = 0;
    std::size_t pos = 12;
    while (pos + 8 <= size) {
        const std::uint8_t* id = bytes + pos;
        std::uint64_t chunk = le32(bytes + pos + 4);
        std::size_t body = pos + 8;
        std::size_t available = size - body;
        if (std::memcmp(id, "fmt ", 4) == 0) {
            if (chunk > available)
                return Status::error("fmt chunk runs past the end of the file");
            fmt = bytes + body;
            fmt_size = std::size_t(chunk);
        } else if (std::memcmp(id, "data", 4) == 0) {
            data = bytes + body;
            data_declared = chunk;
            break; // samples follow; anything after them does not matter
        }
        std::uint64_t next = std::uint64_t(body) + chunk + (chunk & 1);
        if (next > size)
            break;
        pos = std::size_t(next);
    }
    if (!fmt)
        return Status::error("no fmt chunk (the header describing the samples)");
    if (!data)
        return Status::error("no data chunk (no samples)");
    if (fmt_size < 16)
        return Status::error("fmt chunk is " + std::to_string(fmt_size) + " bytes, too short (16 needed)");

    unsigned tag = le16(fmt);
    int channels = le16(fmt + 2);
    std::uint32_t rate = le32(fmt + 4);
    int block_align = le16(fmt + 12);
    int bits = le16(fmt + 14);
    if (tag == 0xFFFE) {
        if (fmt_size < 40)
            return Status::error("WAVE_FORMAT_EXTENSIBLE fmt chunk is " + std::to_string(fmt_size) +
                                 " bytes, too short (40 needed)");
        info.extensible = true;
        tag = le16(fmt + 24); // the sub-format GUID starts with the format tag
    }
    bool is_float = false;
    if (tag == 3) {
        is_float = true;
    } else if (tag != 1) {
        const char* name = codec_name(tag);
        return Status::error(std::string("unsupported codec ") + (name ? name : "format") + " (format tag " +
                             tag_hex(tag) + "): only PCM and IEEE float WAV can be read");
    }
    if (channels == 0)
        return Status::error("zero channels");
    if (channels > kMaxChannels)
        return Status::error(std::to_string(channels) + " channels, over the limit of " +
                             std::to_string(kMaxChannels));
    if (rate < std::uint32_t(kMinSampleRate) || rate > std::uint32_t(kMaxSampleRate))
        return Status::error("sample rate " + std::to_string(rate) + " Hz is outside " +
                             std::to_string(kMinSampleRate) + ".." + std::to_string(kMaxSampleRate) + " Hz");
    bool bits_ok = is_float ? (bits == 32 || bits == 64) : (bits == 8 || bits == 16 || bits == 24 || bits == 32);
    if (!bits_ok)
        return Status::error(std::to_string(bits) + "-bit " + (is_float ? "float" : "PCM") +
                             " samples are not supported");
    int bytes_per_sample = bits / 8;
    if (block_align != channels * bytes_per_sample)
        return Status::error("block align " + std::to_string(block_align) + " does not match " +
                             std::to_string(channels) + " channels of " + std::to_string(bits) + " bits");

    std::size_t available = size - std::size_t(data - bytes);
    std::uint64_t used = data_declared;
    if (data_declared > available) {
        info.truncated = true;
        used = available - available % std::size_t(block_align);
    } else if (data_declared % std::uint64_t(block_align) != 0) {
        return Status::error("data chunk of " + std::to_string(data_declared) +
                             " bytes is not a whole number of frames of " + std::to_string(block_align) +
                             " bytes");
    }
    std::size_t frames = std::size_t(used / std::uint64_t(block_align));
    if (frames == 0)
        return Status::error(info.truncated ? "data chunk is cut off before its first sample" : "no samples (empty data chunk)");

    if (double(frames) > kMaxDurationSeconds * double(rate))
        return Status::error("audio is " + std::to_string(int(double(frames) / rate)) + " s long, over the limit of " +
                             std::to_string(int(kMaxDurationSeconds)) + " s (cut it into shorter files)");
    info.sample_rate = int(rate);
    info.channels = channels;
    info.bits_per_sample = bits;
    info.format = is_float ? (bits == 32 ? "float32" : "float64")
                           : (bits == 8 ? "pcm_u8" : "pcm_s" + std::to_string(bits));
    info.frames = frames;

    mono.resize(frames);
    const std::uint8_t* p = data;
    for (std::size_t f = 0; f < frames; ++f) {
        if (channels == 1) {
            mono[f] = decode_sample(p, is_float, bits);
            p += bytes_per_sample;
            continue;
        }
        // soundfile gives float32 samples; librosa's to_mono averages them in float32.
        float sum = 0.0f;
        for (int c = 0; c < channels; ++c) {
            sum += decode_sample(p, is_float, bits);
            p += bytes_per_sample;
        }
        mono[f] = sum / float(channels);
    }
    return Status{};
}

Status read_file_bytes(const std::string& path, std::vector<std::uint8_t>& out, std::size_t max_bytes) {
    out.clear();
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f)
        return Status::error(path + ": cannot open (" + std::strerror(errno) + ")");
    std::uint8_t buf[1 << 16];
    for (;;) {
        std::size_t n = std::fread(buf, 1, sizeof buf, f);
        if (n == 0)
            break;
        if (out.size() + n > max_bytes) {
            std::fclose(f);
            out.clear();
            return Status::error(path + ": file is over the limit of " + std::to_string(max_bytes) + " bytes");
        }
        out.insert(out.end(), buf, buf + n);
    }
    bool failed = std::ferror(f) != 0;
    std::fclose(f);
    if (failed)
        return Status::error(path + ": read error");
    return Status{};
}

Status read_wav_file(const std::string& path, std::vector<float>& mono, WavInfo& info) {
    std::vector<std::uint8_t> bytes;
    Status s = read_file_bytes(path, bytes, kMaxWavBytes);
    if (!s.ok())
        return s;
    s = read_wav(bytes.data(), bytes.size(), mono, info);
    if (!s.ok())
        return Status::error(path + ": " + s.message);
    return s;
}

std::vector<std::uint8_t> encode_wav(const std::vector<float>& interleaved, int channels, int sample_rate,
                                     const std::string& format, bool extensible) {
    bool is_float = format == "float32" || format == "float64";
    int bits = format == "pcm_u8" ? 8 : format == "pcm_s16" ? 16 : format == "pcm_s24" ? 24 : format == "float64" ? 64 : 32;
    int bps = bits / 8;
    std::uint32_t data_size = std::uint32_t(interleaved.size() * bps);
    std::uint32_t fmt_size = extensible ? 40 : 16;
    std::vector<std::uint8_t> out;
    auto put = [&](std::uint64_t v, int n) {
        for (int i = 0; i < n; ++i)
            out.push_back(std::uint8_t(v >> (8 * i)));
    };
    auto tag = [&](const char* s) { out.insert(out.end(), s, s + 4); };
    tag("RIFF");
    put(4 + 8 + fmt_size + 8 + data_size + (data_size & 1), 4);
    tag("WAVE");
    tag("fmt ");
    put(fmt_size, 4);
    put(extensible ? 0xFFFE : (is_float ? 3 : 1), 2);
    put(channels, 2);
    put(sample_rate, 4);
    put(std::uint64_t(sample_rate) * channels * bps, 4);
    put(channels * bps, 2);
    put(bits, 2);
    if (extensible) {
        put(22, 2);           // cbSize
        put(bits, 2);         // valid bits
        put(0, 4);            // channel mask
        put(is_float ? 3 : 1, 2); // sub-format GUID: tag then the fixed tail
        const std::uint8_t tail[14] = {0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00,
                                       0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71};
        out.insert(out.end(), tail, tail + 14);
    }
    tag("data");
    put(data_size, 4);
    for (float x : interleaved) {
        if (format == "float32") {
            std::uint32_t u;
            std::memcpy(&u, &x, 4);
            put(u, 4);
        } else if (format == "float64") {
            double d = x;
            std::uint64_t u;
            std::memcpy(&u, &d, 8);
            put(u, 8);
        } else {
            double scale = std::ldexp(1.0, bits - 1);
            double v = std::round(double(x) * scale);
            v = std::fmax(-scale, std::fmin(scale - 1, v));
            if (bits == 8)
                put(std::uint64_t(std::int64_t(v) + 128), 1);
            else
                put(std::uint64_t(std::int64_t(v)), bps);
        }
    }
    if (data_size & 1)
        out.push_back(0);
    return out;
}

} // namespace aer
