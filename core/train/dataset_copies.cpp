#include "core/train/dataset_copies.h"

#include "core/audio/load.h"

#include <algorithm>
#include <atomic>
#include <mutex>

namespace aer {

namespace {

std::string base_name(const std::string& path) {
    const std::size_t slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The audio (at `rate` Hz) of up to `want` of the examples `from` (indices into data), spread
// evenly over them: the clips babble noise is made of.
Status spread_audio(const Dataset& data, const std::vector<std::size_t>& from, std::size_t want, int rate,
                    std::vector<std::vector<float>>& out) {
    want = std::min(want, from.size());
    out.assign(want, {});
    for (std::size_t k = 0; k < want; ++k) {
        WavInfo info;
        Status s = load_audio_file(data.examples[from[k * from.size() / want]].path, rate, out[k], info);
        if (!s.ok())
            return s;
    }
    return Status{};
}

} // namespace

Status add_dataset_with_copies(TrainingSession& session, const Dataset& data, int threads,
                               const FeatureProgress& progress) {
    const SessionSettings& settings = session.settings();
    const MfccConfig& cfg = settings.features;
    if (data.n_mfcc != cfg.n_mfcc || data.frames != cfg.max_len)
        return Status::error("the dataset's features do not match the settings' feature config");
    const std::size_t n = data.examples.size();
    auto trains = [&](const Example& e) { return session.trains_clip(e.actor, e.channel); };

    // Babble: training clips spread evenly over the data.
    std::vector<std::size_t> training;
    for (std::size_t i = 0; i < n; ++i)
        if (trains(data.examples[i]))
            training.push_back(i);
    std::vector<std::vector<float>> spread;
    Status loaded = spread_audio(data, training, TrainingSession::kMaxBabble, cfg.sample_rate, spread);
    if (!loaded.ok())
        return loaded;
    for (const std::vector<float>& y : spread)
        session.add_babble(y.data(), y.size());
    const std::vector<const std::vector<float>*> babble = session.babble();

    // The copies, on threads; clip i is seeded as add_clip() would seed it.
    const int copies = settings.wave_augment.copies;
    const std::size_t size = data.feature_size();
    std::vector<std::vector<float>> made(n);
    std::vector<std::string> errors(n);
    std::atomic<std::size_t> done{0};
    std::mutex progress_mutex;
    for_each_clip(n, cfg, threads, [&](std::size_t i, MfccExtractor& ex, const Status& init) {
        Status r = init;
        std::vector<float> y, f;
        if (r.ok() && trains(data.examples[i]) && copies > 0) {
            WavInfo info;
            r = load_audio_file(data.examples[i].path, cfg.sample_rate, y, info);
            if (r.ok())
                r = clip_features(y.data(), y.size(), settings.wave_augment, copies,
                                  clip_seed(settings.train.seed, i), babble, ex, f);
            if (r.ok())
                made[i].assign(f.begin() + std::ptrdiff_t(size), f.end());
        }
        if (!r.ok())
            errors[i] = data.examples[i].path + ": " + r.message;
        std::size_t d = ++done;
        if (progress) {
            std::lock_guard<std::mutex> lock(progress_mutex);
            progress(d, n);
        }
    });

    for (std::size_t i = 0; i < n; ++i) {
        if (!errors[i].empty())
            return Status::error(errors[i]);
        const Example& e = data.examples[i];
        const std::string& label = data.labels[std::size_t(e.label)];
        Status s = session.add_example(data.feature(i), size, label, e.actor, e.channel);
        for (std::size_t k = 0; s.ok() && k * size < made[i].size(); ++k)
            s = session.add_example(made[i].data() + k * size, size, label, e.actor, e.channel, true);
        if (!s.ok())
            return Status::error(e.path + ": " + s.message);
        made[i].clear();
        made[i].shrink_to_fit();
    }
    for (const std::string& note : data.notes)
        session.add_note(note);
    return Status{};
}

} // namespace aer

namespace aer {

Status degraded_features(const Dataset& data, const MfccConfig& config,
                         const std::vector<Degradation>& conditions, int threads, std::vector<Dataset>& out) {
    if (config.max_len <= 0)
        return Status::error("degraded features need a fixed length (max_len > 0)");
    const std::size_t n = data.examples.size(), m = conditions.size();
    std::vector<std::size_t> every(n);
    for (std::size_t i = 0; i < n; ++i)
        every[i] = i;
    std::vector<std::vector<float>> babble_audio;
    Status loaded = spread_audio(data, every, TrainingSession::kMaxBabble, config.sample_rate, babble_audio);
    if (!loaded.ok())
        return loaded;
    std::vector<const std::vector<float>*> babble;
    for (const std::vector<float>& b : babble_audio)
        babble.push_back(&b);
    const std::size_t size = std::size_t(config.n_mfcc) * std::size_t(config.max_len);
    std::vector<std::vector<float>> all(m, std::vector<float>(n * size));
    std::vector<std::string> errors(n);
    // Each file is read and resampled once, then played through every condition.
    for_each_clip(n, config, threads, [&](std::size_t i, MfccExtractor& ex, const Status& init) {
        const std::string& path = data.examples[i].path;
        const std::string name = base_name(path);
        std::vector<float> y, z, f;
        WavInfo info;
        std::size_t frames = 0;
        Status r = init;
        if (r.ok())
            r = load_audio_file(path, config.sample_rate, y, info);
        for (std::size_t c = 0; r.ok() && c < m; ++c) {
            z = y;
            r = apply_degradation(conditions[c], z, config.sample_rate, fnv1a64(name.data(), name.size()),
                                  babble);
            if (r.ok() && z.empty())
                r = Status::error("no samples left after " + conditions[c].spec);
            if (r.ok())
                r = ex.features(z.data(), z.size(), f, frames);
            if (r.ok())
                std::copy(f.begin(), f.end(), all[c].begin() + std::ptrdiff_t(i * size));
        }
        if (!r.ok())
            errors[i] = path + ": " + r.message;
    });
    for (const std::string& e : errors)
        if (!e.empty())
            return Status::error(e);
    out.assign(m, data);
    for (std::size_t c = 0; c < m; ++c) {
        out[c].features.swap(all[c]);
        out[c].n_mfcc = config.n_mfcc;
        out[c].frames = config.max_len;
    }
    return Status{};
}

Status degraded_features(Dataset& data, const MfccConfig& config, const Degradation& degradation,
                         int threads) {
    std::vector<Dataset> out;
    Status s = degraded_features(data, config, {degradation}, threads, out);
    if (s.ok())
        data = std::move(out[0]);
    return s;
}

} // namespace aer
