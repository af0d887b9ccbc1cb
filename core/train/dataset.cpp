#include "core/train/dataset.h"

#include "core/audio/load.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

namespace fs = std::filesystem;

namespace aer {

const std::vector<std::string>& emotion_labels() {
    static const std::vector<std::string> labels = {"neutral", "calm", "happy", "sad", "angry", "fearful"};
    return labels;
}

bool parse_ravdess_name(const std::string& file_name, int& emotion, int& actor, bool& song) {
    // 7 two-digit fields separated by '-', then ".wav": 20 characters + 4.
    std::string stem = file_name;
    std::size_t dot = stem.rfind('.');
    if (dot != std::string::npos)
        stem = stem.substr(0, dot);
    if (stem.size() != 20)
        return false;
    int field[7];
    for (int i = 0; i < 7; ++i) {
        char a = stem[std::size_t(3 * i)], b = stem[std::size_t(3 * i + 1)];
        if (a < '0' || a > '9' || b < '0' || b > '9')
            return false;
        if (i < 6 && stem[std::size_t(3 * i + 2)] != '-')
            return false;
        field[i] = (a - '0') * 10 + (b - '0');
    }
    if (field[0] < 1 || field[0] > 3 || field[1] < 1 || field[1] > 2 || field[2] < 1 || field[2] > 8 ||
        field[6] < 1 || field[6] > 99)
        return false;
    emotion = field[2];
    song = field[1] == 2;
    actor = field[6];
    return true;
}

namespace {

bool is_wav(const fs::path& p) {
    std::string ext = p.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return ext == ".wav";
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

} // namespace

Status scan_dataset(const std::string& dir, const std::vector<std::string>& labels, Dataset& out) {
    out = Dataset{};
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        return Status::error(dir + ": not a folder");
    std::vector<fs::path> files;
    for (fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
         !ec && it != end; it.increment(ec)) {
        if (it->is_regular_file(ec) && is_wav(it->path()))
            files.push_back(it->path());
    }
    if (ec)
        return Status::error(dir + ": cannot list (" + ec.message() + ")");
    std::sort(files.begin(), files.end());

    // Label of each file: RAVDESS emotion, else the parent folder's name.
    struct Found {
        fs::path path;
        std::string label;
        int actor;
    };
    std::vector<Found> found;
    bool any_folder_label = false;
    int skipped_unknown_emotion = 0;
    for (const fs::path& p : files) {
        int emotion = 0, actor = 0;
        bool song = false;
        if (parse_ravdess_name(p.filename().string(), emotion, actor, song)) {
            if (emotion > 6) {
                ++skipped_unknown_emotion;
                continue;
            }
            found.push_back({p, emotion_labels()[std::size_t(emotion - 1)], actor});
        } else {
            std::string folder = lower(p.parent_path().filename().string());
            if (p.parent_path() == fs::path(dir) || folder.empty()) {
                out.notes.push_back(p.string() + ": skipped (neither a RAVDESS name nor inside a label folder)");
                continue;
            }
            found.push_back({p, folder, -1});
            any_folder_label = true;
        }
    }
    if (skipped_unknown_emotion > 0)
        out.notes.push_back(std::to_string(skipped_unknown_emotion) +
                            " RAVDESS speech file(s) with emotions the song models do not know (disgust, "
                            "surprised) skipped");

    if (!labels.empty()) {
        out.labels = labels;
    } else if (!any_folder_label) {
        out.labels = emotion_labels();
    } else {
        std::vector<std::string> names;
        for (const Found& f : found)
            names.push_back(f.label);
        std::sort(names.begin(), names.end());
        names.erase(std::unique(names.begin(), names.end()), names.end());
        // The six emotions keep their canonical order when a user's folders use them.
        bool all_emotions = std::all_of(names.begin(), names.end(), [](const std::string& n) {
            return std::find(emotion_labels().begin(), emotion_labels().end(), n) != emotion_labels().end();
        });
        out.labels = all_emotions ? emotion_labels() : names;
    }
    for (const Found& f : found) {
        auto it = std::find(out.labels.begin(), out.labels.end(), f.label);
        if (it == out.labels.end()) {
            out.notes.push_back(f.path.string() + ": skipped (label '" + f.label + "' is not one of the model's)");
            continue;
        }
        out.examples.push_back({f.path.string(), int(it - out.labels.begin()), f.actor});
    }
    if (out.examples.empty())
        return Status::error(dir + ": no labelled WAV files found (RAVDESS names or DIR/<label>/*.wav)");
    return Status{};
}

std::uint64_t fnv1a64(const void* data, std::size_t size, std::uint64_t seed) {
    const unsigned char* p = static_cast<const unsigned char*>(data);
    std::uint64_t h = seed;
    for (std::size_t i = 0; i < size; ++i) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

namespace {

// One file's features, from the cache when its key matches, else computed (and cached).
Status features_of(const std::string& path, MfccExtractor& ex, const std::string& config_text,
                   const std::string& cache_dir, std::vector<float>& out) {
    std::vector<std::uint8_t> bytes;
    Status s = read_file_bytes(path, bytes, kMaxWavBytes);
    if (!s.ok())
        return s;
    const std::size_t want = std::size_t(ex.config().n_mfcc) * std::size_t(ex.config().max_len);
    std::string cache_file;
    if (!cache_dir.empty()) {
        std::uint64_t key = fnv1a64(bytes.data(), bytes.size());
        key = fnv1a64(config_text.data(), config_text.size(), key);
        char name[32];
        std::snprintf(name, sizeof name, "%016llx.f32", (unsigned long long)key);
        cache_file = cache_dir + "/" + name;
        if (std::FILE* f = std::fopen(cache_file.c_str(), "rb")) {
            out.resize(want);
            bool ok = std::fread(out.data(), sizeof(float), want, f) == want && std::fgetc(f) == EOF;
            std::fclose(f);
            if (ok)
                return Status{};
        }
    }
    std::vector<float> y;
    WavInfo info;
    s = load_audio(bytes.data(), bytes.size(), ex.config().sample_rate, y, info);
    if (!s.ok())
        return Status::error(path + ": " + s.message);
    std::size_t frames = 0;
    s = ex.features(y.data(), y.size(), out, frames);
    if (!s.ok())
        return Status::error(path + ": " + s.message);
    if (!cache_file.empty()) {
        std::string tmp = cache_file + ".tmp" + std::to_string(std::hash<std::thread::id>()(std::this_thread::get_id()));
        if (std::FILE* f = std::fopen(tmp.c_str(), "wb")) {
            bool ok = std::fwrite(out.data(), sizeof(float), out.size(), f) == out.size();
            ok = std::fclose(f) == 0 && ok;
            if (!ok || std::rename(tmp.c_str(), cache_file.c_str()) != 0)
                std::remove(tmp.c_str());
        }
    }
    return Status{};
}

} // namespace

Status compute_features(Dataset& data, const MfccConfig& config, const std::string& cache_dir, int threads,
                        const FeatureProgress& progress) {
    if (config.max_len <= 0)
        return Status::error("features for training need a fixed length (max_len > 0)");
    Status s = config.validate();
    if (!s.ok())
        return s;
    if (!cache_dir.empty()) {
        std::error_code ec;
        fs::create_directories(cache_dir, ec);
    }
    const std::string config_text = to_json(config).dump();
    const std::size_t n = data.examples.size();
    const std::size_t size = std::size_t(config.n_mfcc) * std::size_t(config.max_len);
    std::vector<float> all(n * size);
    std::vector<std::string> errors(n);
    std::atomic<std::size_t> next{0}, done{0};
    std::mutex progress_mutex;
    auto work = [&]() {
        MfccExtractor ex;
        Status init = ex.init(config);
        std::vector<float> f;
        for (std::size_t i = next++; i < n; i = next++) {
            Status r = init.ok() ? features_of(data.examples[i].path, ex, config_text, cache_dir, f) : init;
            if (r.ok())
                std::copy(f.begin(), f.end(), all.begin() + std::ptrdiff_t(i * size));
            else
                errors[i] = r.message;
            std::size_t d = ++done;
            if (progress) {
                std::lock_guard<std::mutex> lock(progress_mutex);
                progress(d, n);
            }
        }
    };
#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
    threads = 1;
#endif
    threads = std::max(1, std::min(threads, 64));
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t)
        pool.emplace_back(work);
    work();
    for (std::thread& t : pool)
        t.join();

    // Keep the examples that worked, in order.
    Dataset kept;
    kept.labels = data.labels;
    kept.notes = data.notes;
    for (std::size_t i = 0; i < n; ++i) {
        if (!errors[i].empty()) {
            kept.notes.push_back(errors[i]);
            continue;
        }
        kept.examples.push_back(data.examples[i]);
        kept.features.insert(kept.features.end(), all.begin() + std::ptrdiff_t(i * size),
                             all.begin() + std::ptrdiff_t((i + 1) * size));
    }
    kept.n_mfcc = config.n_mfcc;
    kept.frames = config.max_len;
    data = std::move(kept);
    if (data.examples.empty())
        return Status::error("no file could be read (first problem: " +
                             (data.notes.empty() ? std::string("none") : data.notes.back()) + ")");
    return Status{};
}

} // namespace aer
