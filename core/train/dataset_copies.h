// aer/train/dataset_copies: a dataset's files into a training session with augmented copies of
// each training clip (the session's wave_augment), computed on many threads.
//
// Contract: clip i is seeded clip_seed(seed, i), as TrainingSession::add_clip() seeds the i-th
// clip it is given, and the copies are made on `threads` threads; the result does not depend on
// the thread count. Babble noise is made of up to TrainingSession::kMaxBabble training
// clips spread evenly over the dataset (never a held-out actor's).
#pragma once

#include "core/train/dataset.h"
#include "core/train/session.h"

namespace aer {

/// Adds every example of `data` (features computed with the session's feature config) to
/// `session`, each followed by its augmented copies unless its actor is held out. Reads the
/// files again for their audio. `progress` (may be null): clips done, clips in all.
Status add_dataset_with_copies(TrainingSession& session, const Dataset& data, int threads,
                               const FeatureProgress& progress = nullptr);

/// The features of every example of `data` played through `degradation` (core/train/degrade.h)
/// before the features are taken with `config` (max_len > 0): data.features, n_mfcc and frames
/// are replaced. Each file is degraded with the seed fnv1a64 of its file name, so every model
/// hears the same degraded clip; babble is made of up to TrainingSession::kMaxBabble (24) of the
/// data's clips, spread evenly.
/// Fails on the first file that cannot be read, naming it.
Status degraded_features(Dataset& data, const MfccConfig& config, const Degradation& degradation,
                         int threads);

/// degraded_features() for several conditions at once: out[c] is `data` with the features of
/// conditions[c]. Each file is read and resampled once and then played through every condition,
/// with the same seeds and babble as one condition at a time would use.
Status degraded_features(const Dataset& data, const MfccConfig& config,
                         const std::vector<Degradation>& conditions, int threads, std::vector<Dataset>& out);

} // namespace aer
