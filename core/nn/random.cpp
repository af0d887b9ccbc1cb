#include "core/nn/random.h"

#include <cmath>

namespace aer {

namespace {
std::uint64_t splitmix64(std::uint64_t& x) {
    std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
} // namespace

void Rng::seed_with(std::uint64_t seed) {
    std::uint64_t x = seed;
    for (int i = 0; i < 4; ++i)
        s_[i] = splitmix64(x);
    has_spare_ = false;
}

bool Rng::set_state(const std::array<std::uint64_t, 4>& state) {
    if ((state[0] | state[1] | state[2] | state[3]) == 0)
        return false;
    for (int i = 0; i < 4; ++i)
        s_[i] = state[std::size_t(i)];
    has_spare_ = false;
    return true;
}

std::uint64_t Rng::next() {
    std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
}

double Rng::uniform() { return double(next() >> 11) * (1.0 / 9007199254740992.0); }

double Rng::normal() {
    if (has_spare_) {
        has_spare_ = false;
        return spare_;
    }
    double u1 = 0.0;
    while (u1 <= 0.0)
        u1 = uniform();
    double u2 = uniform();
    double r = std::sqrt(-2.0 * std::log(u1));
    const double two_pi = 6.283185307179586;
    spare_ = r * std::sin(two_pi * u2);
    has_spare_ = true;
    return r * std::cos(two_pi * u2);
}

} // namespace aer
