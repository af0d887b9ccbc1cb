// aer/nn/initializers: Keras' default weight initialisers, so that a fresh model starts like the
// Keras one (same distributions, not the same numbers: the random streams differ).
//
// Contract: each fills `out` (row-major, the Keras weight shape) from `rng`; nothing allocates
// except orthogonal(), which uses a scratch matrix of its own size.
#pragma once

#include "core/nn/random.h"

namespace aer {

/// Glorot & Bengio (2010) uniform: U(-l, l), l = sqrt(6 / (fan_in + fan_out)); n values.
template <typename T>
void glorot_uniform(Rng& rng, int fan_in, int fan_out, T* out, int n);

/// Saxe et al. (2014) orthogonal, as keras.initializers.Orthogonal(gain=1): a (rows x cols)
/// matrix whose rows (rows <= cols) or columns (rows > cols) are orthonormal, made by QR of a
/// standard normal matrix with the sign of diag(R) folded in (here: modified Gram-Schmidt, whose
/// R has a positive diagonal).
template <typename T>
void orthogonal(Rng& rng, int rows, int cols, T* out);

} // namespace aer
