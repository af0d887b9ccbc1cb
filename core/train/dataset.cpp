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

const std::vector<std::string>& ravdess_labels() {
    static const std::vector<std::string> labels = {"neutral", "calm",    "happy",   "sad",
                                                    "angry",   "fearful", "disgust", "surprised"};
    return labels;
}

const char* channel_name(Channel c) {
    return c == Channel::speech ? "speech" : c == Channel::song ? "song" : "";
}

Status parse_channel(const std::string& text, Channel& out) {
    if (text == "speech")
        out = Channel::speech;
    else if (text == "song")
        out = Channel::song;
    else if (text.empty())
        out = Channel::unknown;
    else
        return Status::error("channel must be 'speech', 'song' or '' (unknown), not '" + text + "'");
    return Status{};
}

Status parse_channels(const std::string& text, Channels& out) {
    if (text == "both")
        out = Channels::both;
    else if (text == "speech")
        out = Channels::speech;
    else if (text == "song")
        out = Channels::song;
    else
        return Status::error("channels must be speech, song or both, not '" + text + "'");
    return Status{};
}

const char* channels_name(Channels c) {
    return c == Channels::speech ? "speech" : c == Channels::song ? "song" : "both";
}

bool channel_wanted(Channels want, Channel c) {
    if (want == Channels::both || c == Channel::unknown)
        return true;
    return (want == Channels::speech) == (c == Channel::speech);
}

std::vector<std::string> choose_labels(const std::vector<std::string>& names, bool any_speech) {
    auto all_in = [&](const std::vector<std::string>& set) {
        for (const std::string& n : names)
            if (std::find(set.begin(), set.end(), n) == set.end())
                return false;
        return true;
    };
    if (!any_speech && all_in(emotion_labels()))
        return emotion_labels();
    if (all_in(ravdess_labels()))
        return ravdess_labels();
    std::vector<std::string> sorted = names;
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    return sorted;
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
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return ext == ".wav";
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

} // namespace

Status scan_dataset(const std::vector<std::string>& dirs, const ScanOptions& options, Dataset& out) {
    out = Dataset{};
    if (dirs.empty())
        return Status::error("no data folder given");
    // Label of each file: RAVDESS emotion, else the parent folder's name.
    struct Found {
        fs::path path;
        std::string label;
        int actor;
        Channel channel;
    };
    std::vector<Found> found;
    std::vector<std::string> unlabelled;
    int other_channel = 0;
    for (const std::string& dir : dirs) {
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
        for (const fs::path& p : files) {
            int emotion = 0, actor = 0;
            bool song = false;
            Found f{p, "", -1, Channel::unknown};
            if (parse_ravdess_name(p.filename().string(), emotion, actor, song)) {
                f.label = ravdess_labels()[std::size_t(emotion - 1)];
                f.actor = actor;
                f.channel = song ? Channel::song : Channel::speech;
            } else {
                std::string folder = lower(p.parent_path().filename().string());
                if (p.parent_path() == fs::path(dir) || folder.empty()) {
                    unlabelled.push_back(p.string());
                    continue;
                }
                f.label = folder;
            }
            if (!channel_wanted(options.channels, f.channel)) {
                ++other_channel;
                continue;
            }
            found.push_back(f);
        }
    }
    if (!unlabelled.empty())
        out.notes.push_back(std::to_string(unlabelled.size()) +
                            " file(s) skipped: neither a RAVDESS name nor inside a label folder (first: " +
                            unlabelled.front() + ")");
    if (other_channel > 0)
        out.notes.push_back(std::to_string(other_channel) +
                            " RAVDESS file(s) of the other vocal channel skipped (channels: " +
                            channels_name(options.channels) + ")");

    if (!options.labels.empty()) {
        out.labels = options.labels;
    } else {
        std::vector<std::string> names;
        bool any_speech = false;
        for (const Found& f : found) {
            names.push_back(f.label);
            any_speech = any_speech || f.channel == Channel::speech;
        }
        out.labels = choose_labels(names, any_speech);
    }
    std::map<std::string, int> unknown; // label -> files skipped
    for (const Found& f : found) {
        auto it = std::find(out.labels.begin(), out.labels.end(), f.label);
        if (it == out.labels.end()) {
            ++unknown[f.label];
            continue;
        }
        out.examples.push_back({f.path.string(), int(it - out.labels.begin()), f.actor, f.channel});
    }
    for (const auto& [label, n] : unknown)
        out.notes.push_back(std::to_string(n) + " file(s) labelled '" + label +
                            "' skipped: not one of the model's labels");
    if (out.examples.empty()) {
        std::string where;
        for (const std::string& d : dirs)
            where += (where.empty() ? "" : ", ") + d;
        return Status::error(where + ": no labelled WAV files found (RAVDESS names or DIR/<label>/*.wav)" +
                             (out.notes.empty() ? std::string() : "; " + out.notes.back()));
    }
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
// `content` receives a hash of the file's bytes (to find copies).
Status features_of(const std::string& path, MfccExtractor& ex, const std::string& config_text,
                   const std::string& cache_dir, std::vector<float>& out, std::uint64_t& content) {
    std::vector<std::uint8_t> bytes;
    Status s = read_file_bytes(path, bytes, kMaxWavBytes);
    if (!s.ok())
        return s;
    content = fnv1a64(bytes.data(), bytes.size());
    const std::size_t want = std::size_t(ex.config().n_mfcc) * std::size_t(ex.config().max_len);
    std::string cache_file;
    if (!cache_dir.empty()) {
        std::uint64_t key = fnv1a64(config_text.data(), config_text.size(), content);
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
        std::string tmp =
            cache_file + ".tmp" + std::to_string(std::hash<std::thread::id>()(std::this_thread::get_id()));
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

Status for_each_example(
    const Dataset& data,
    const std::function<Status(const float*, std::size_t, const std::string&, int, Channel)>& add) {
    for (std::size_t i = 0; i < data.examples.size(); ++i) {
        const Example& e = data.examples[i];
        Status s =
            add(data.feature(i), data.feature_size(), data.labels[std::size_t(e.label)], e.actor, e.channel);
        if (!s.ok())
            return Status::error(e.path + ": " + s.message);
    }
    return Status{};
}

void for_each_clip(std::size_t n, const MfccConfig& config, int threads,
                   const std::function<void(std::size_t, MfccExtractor&, const Status&)>& work) {
    std::atomic<std::size_t> next{0};
    auto run = [&]() {
        MfccExtractor ex;
        const Status init = ex.init(config);
        for (std::size_t i = next++; i < n; i = next++)
            work(i, ex, init);
    };
#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
    threads = 1;
#endif
    threads = std::max(1, std::min(threads, 64));
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t)
        pool.emplace_back(run);
    run();
    for (std::thread& t : pool)
        t.join();
}

Status compute_features(Dataset& data, const MfccConfig& config, const std::string& cache_dir, int threads,
                        const FeatureProgress& progress, bool keep_copies) {
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
    std::vector<std::uint64_t> content(n, 0);
    std::atomic<std::size_t> done{0};
    std::mutex progress_mutex;
    for_each_clip(n, config, threads, [&](std::size_t i, MfccExtractor& ex, const Status& init) {
        std::vector<float> f;
        Status r =
            init.ok() ? features_of(data.examples[i].path, ex, config_text, cache_dir, f, content[i]) : init;
        if (r.ok())
            std::copy(f.begin(), f.end(), all.begin() + std::ptrdiff_t(i * size));
        else
            errors[i] = r.message;
        std::size_t d = ++done;
        if (progress) {
            std::lock_guard<std::mutex> lock(progress_mutex);
            progress(d, n);
        }
    });

    // Keep the examples that worked, in order, and the first of byte-identical files.
    Dataset kept;
    kept.labels = data.labels;
    kept.notes = data.notes;
    std::map<std::uint64_t, std::size_t> first_of; // content hash -> first example with it
    for (std::size_t i = 0; i < n; ++i) {
        if (!errors[i].empty()) {
            kept.notes.push_back(errors[i]);
            continue;
        }
        auto [it, inserted] = first_of.emplace(content[i], i);
        if (!inserted && !keep_copies) {
            kept.notes.push_back(data.examples[i].path + ": skipped (the same bytes as " +
                                 data.examples[it->second].path + ")");
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
