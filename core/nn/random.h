// aer/nn/random: the network's own random numbers, so that a seed gives the same weights and the
// same dropout masks natively and in wasm (std:: distributions differ between libstdc++ and libc++).
//
// Contract: xoshiro256** (Blackman & Vigna, 2018) seeded through splitmix64; uniform() in [0, 1)
// from the top 53 bits; normal() by the Box-Muller transform. Not thread-safe: one Rng per user.
#pragma once

#include <array>
#include <cstdint>

namespace aer {

class Rng {
  public:
    /// Any seed (0 included) gives a valid, distinct stream.
    explicit Rng(std::uint64_t seed = 0) { seed_with(seed); }
    void seed_with(std::uint64_t seed);

    /// 64 random bits.
    std::uint64_t next();
    /// Uniform double in [0, 1).
    double uniform();
    /// Uniform double in [lo, hi).
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    /// Standard normal N(0, 1).
    double normal();

    /// The generator's four state words (a checkpoint saves them; normal()'s cached spare is
    /// not part of it, so save between uniform() draws, as dropout makes them).
    std::array<std::uint64_t, 4> state() const { return {s_[0], s_[1], s_[2], s_[3]}; }
    /// Continues the stream from state(). False (and nothing changed) for the all-zero state,
    /// which xoshiro256** can never leave.
    bool set_state(const std::array<std::uint64_t, 4>& state);

  private:
    std::uint64_t s_[4];
    bool has_spare_ = false;
    double spare_ = 0.0;
};

} // namespace aer
