// aer/train/dataset: labelled audio from a folder, and its features.
//
// Contract
// - Two layouts, detected per file:
//   * RAVDESS names (`MM-VV-EE-II-SS-RR-AA.wav`: modality, vocal channel 01 speech / 02 song,
//     emotion, intensity, statement, repetition, actor), anywhere below the folder. Emotions
//     01..06 map to neutral, calm, happy, sad, angry, fearful; 07 disgust and 08 surprised (speech
//     only) are unknown to the song models and are skipped with a note.
//   * A folder per label: DIR/<label>/*.wav (users' own data); the actor is unknown (-1).
// - Labels are lowercase names; `labels` fixes their order (the model's order).
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

/// What a RAVDESS file name says. Returns false if `file_name` is not a RAVDESS name.
/// emotion: 1..8 as in the name; actor: 1..24; song: vocal channel 02.
bool parse_ravdess_name(const std::string& file_name, int& emotion, int& actor, bool& song);

struct Example {
    std::string path; ///< the WAV file
    int label = -1;   ///< index into Dataset::labels
    int actor = -1;   ///< RAVDESS actor, -1 when unknown
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

/// Lists the labelled WAV files below `dir` (sorted by path). `labels`: the label order; empty
/// means emotion_labels() for RAVDESS files, or the sorted folder names otherwise. Files whose
/// label is not in `labels` are skipped with a note.
Status scan_dataset(const std::string& dir, const std::vector<std::string>& labels, Dataset& out);

/// Progress of feature extraction: files done, files in all.
using FeatureProgress = std::function<void(std::size_t done, std::size_t total)>;

/// Computes the features of every example with `config` (max_len must be > 0), on `threads`
/// threads. `cache_dir`: a folder for the on-disk cache ("" for none). Examples whose file fails
/// are removed and noted. Fails only if no example is left.
Status compute_features(Dataset& data, const MfccConfig& config, const std::string& cache_dir, int threads,
                        const FeatureProgress& progress = nullptr);

/// FNV-1a 64-bit hash (the cache key), continuing from `seed`.
std::uint64_t fnv1a64(const void* data, std::size_t size, std::uint64_t seed = 14695981039346656037ULL);

} // namespace aer
