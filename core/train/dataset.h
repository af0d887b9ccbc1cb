// aer/train/dataset: labelled audio from a folder, and its features.
//
// Contract
// - Two layouts, detected per file:
//   * RAVDESS names (`MM-VV-EE-II-SS-RR-AA.wav`: modality, vocal channel 01 speech / 02 song,
//     emotion, intensity, statement, repetition, actor), anywhere below the folder. Emotions
//     01..08 map to neutral, calm, happy, sad, angry, fearful, disgust, surprised (07 and 08
//     exist in speech only).
//   * A folder per label: DIR/<label>/*.wav (users' own data); actor and channel are unknown.
// - Labels are lowercase names; `labels` fixes their order (the model's order). Without a given
//   order, choose_labels() picks it from the data: the 6 song emotions, the 8 RAVDESS emotions,
//   or a user's own folder names.
// - Every file whose label the run knows is kept; the rest are counted in `notes` with the
//   reason (unknown label, other vocal channel, no label at all, a byte-identical copy).
// - Features (core/dsp/mfcc `features()`, n_mfcc x max_len per file) are computed once: in
//   memory, and natively also on disk in a cache folder, keyed by the file's bytes and the
//   feature config, so a changed file or config is recomputed.
// - A file that cannot be read is reported in `notes` with its reason and left out; the rest go on.
#pragma once

#include "core/dsp/mfcc.h"
#include "core/status.h"

#include <functional>
#include <string>
#include <vector>

namespace aer {

/// The six emotions of RAVDESS song, in the order the models use.
const std::vector<std::string>& emotion_labels();
/// The eight emotions of RAVDESS speech, in class order: the six above, disgust, surprised.
const std::vector<std::string>& ravdess_labels();

/// RAVDESS vocal channel of an example (unknown for a user's folders).
enum class Channel { unknown, speech, song };
/// Which vocal channels a run takes. Files of unknown channel are always kept.
enum class Channels { both, speech, song };

/// "speech", "song" or "" (unknown).
const char* channel_name(Channel c);
/// Parses "speech", "song" or "" (unknown); fails on anything else.
Status parse_channel(const std::string& text, Channel& out);
/// Parses "both", "speech" or "song".
Status parse_channels(const std::string& text, Channels& out);
const char* channels_name(Channels c);
/// Whether a run restricted to `want` takes an example of channel `c`.
bool channel_wanted(Channels want, Channel c);

/// The label order for a run whose examples carry `names` (any order, repeats allowed):
/// - every name one of the 6 song emotions, no speech example: the 6 (emotion_labels());
/// - every name one of the 8 RAVDESS emotions: the 8 (ravdess_labels());
/// - otherwise the sorted distinct names (a user's own labels).
std::vector<std::string> choose_labels(const std::vector<std::string>& names, bool any_speech);

/// What a RAVDESS file name says. Returns false if `file_name` is not a RAVDESS name.
/// emotion: 1..8 as in the name; actor: 1..24; song: vocal channel 02.
bool parse_ravdess_name(const std::string& file_name, int& emotion, int& actor, bool& song);

struct Example {
    std::string path; ///< the WAV file
    int label = -1;   ///< index into Dataset::labels
    int actor = -1;   ///< RAVDESS actor, -1 when unknown
    Channel channel = Channel::unknown;
};

struct Dataset {
    std::vector<std::string> labels;
    std::vector<Example> examples;
    std::vector<std::string> notes; ///< files skipped and why, for the user

    /// Features of every example, in order: examples.size() x (n_mfcc * max_len), row-major.
    std::vector<float> features;
    int n_mfcc = 0;
    int frames = 0;
    std::size_t feature_size() const { return std::size_t(n_mfcc) * std::size_t(frames); }
    const float* feature(std::size_t i) const { return features.data() + i * feature_size(); }
};

/// What scan_dataset() keeps.
struct ScanOptions {
    std::vector<std::string> labels;    ///< the label order; empty: choose_labels() of the data
    Channels channels = Channels::both; ///< RAVDESS files of another channel are skipped
};

/// Lists the labelled WAV files below every folder of `dirs` (each folder's files sorted by
/// path, folders in the order given). Files the options leave out are counted in out.notes by
/// reason. Fails when a folder cannot be listed or no file is left.
Status scan_dataset(const std::vector<std::string>& dirs, const ScanOptions& options, Dataset& out);

/// Progress of feature extraction: files done, files in all.
using FeatureProgress = std::function<void(std::size_t done, std::size_t total)>;

/// Computes the features of every example with `config` (max_len must be > 0), on `threads`
/// threads. `cache_dir`: a folder for the on-disk cache ("" for none). Examples whose file fails
/// are removed and noted; so is a file byte-identical to an earlier one (RAVDESS stores one
/// recording twice; a random split could test on a copy of a training file) unless `keep_copies`
/// (an evaluation counts every file). Fails only if no example is left.
Status compute_features(Dataset& data, const MfccConfig& config, const std::string& cache_dir, int threads,
                        const FeatureProgress& progress = nullptr, bool keep_copies = false);

/// Calls add(features, size, label name, actor, channel) for every example of `data` in order,
/// stopping at the first failure, whose message is returned prefixed with the example's file.
Status for_each_example(
    const Dataset& data,
    const std::function<Status(const float*, std::size_t, const std::string&, int, Channel)>& add);

/// Runs work(i, extractor, init) for every i in [0, n) on `threads` threads (one in the
/// single-threaded wasm build), each thread with its own MfccExtractor made for `config`;
/// `init` is that extractor's init() Status, for the work to report. The order of i is not fixed.
void for_each_clip(std::size_t n, const MfccConfig& config, int threads,
                   const std::function<void(std::size_t, MfccExtractor&, const Status&)>& work);

/// FNV-1a 64-bit hash (the cache key), continuing from `seed`.
std::uint64_t fnv1a64(const void* data, std::size_t size, std::uint64_t seed = 14695981039346656037ULL);

} // namespace aer
