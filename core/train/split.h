// aer/train/split: train/test splits of a dataset.
//
// - `paper`: stratified random split, a fraction per label to training (0.6, as the paper's
//   607/405 of 1012), shuffled with a seeded generator that gives the same split on every
//   platform (mt19937 and a plain Fisher-Yates; std::shuffle's result is implementation-defined).
// - `actors:LIST`: speaker-independent, the listed actors are the test set.
// - k folds by actor: the sorted actors dealt round-robin into k groups; fold f tests group f.
#pragma once

#include "core/status.h"
#include "core/train/dataset.h"

#include <cstdint>
#include <string>
#include <vector>

namespace aer {

struct Split {
    std::vector<std::size_t> train; ///< indices into Dataset::examples
    std::vector<std::size_t> test;
    std::string description;        ///< for reports, e.g. "paper (seed 1)" or "actors 1,2,3,4"
};

/// Stratified random split: round(train_fraction * n_label) examples of each label to train.
Split paper_split(const Dataset& data, double train_fraction, std::uint32_t seed);

/// Examples of `test_actors` to test, the rest to train. Fails if an actor is absent or if
/// either side is empty.
Status actor_split(const Dataset& data, const std::vector<int>& test_actors, Split& out);

/// The k speaker-independent folds. Fails if fewer than k actors are known.
Status actor_folds(const Dataset& data, int k, std::vector<Split>& out);

/// Parses "paper" or "actors:21,22,23,24" (the CLI's --split) into a split of `data`.
Status parse_split(const std::string& spec, const Dataset& data, std::uint32_t seed, Split& out);

/// Parses "1,2,3" into actor numbers (1..99).
Status parse_actor_list(const std::string& text, std::vector<int>& out);

/// Fisher-Yates shuffle of `v` with mt19937(seed); identical on every platform.
void seeded_shuffle(std::vector<std::size_t>& v, std::uint32_t seed);

} // namespace aer
