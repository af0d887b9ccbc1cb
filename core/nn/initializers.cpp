#include "core/nn/initializers.h"

#include <cmath>
#include <vector>

namespace aer {

template <typename T>
void glorot_uniform(Rng& rng, int fan_in, int fan_out, T* out, int n) {
    double limit = std::sqrt(6.0 / double(fan_in + fan_out));
    for (int i = 0; i < n; ++i)
        out[i] = T(rng.uniform(-limit, limit));
}

template <typename T>
void orthogonal(Rng& rng, int rows, int cols, T* out) {
    // Orthonormalise the `small` vectors of length `big` (the columns of a big x small normal
    // matrix, Keras' flat shape), then lay them out as rows or columns of the result.
    int big = rows > cols ? rows : cols;
    int small = rows > cols ? cols : rows;
    std::vector<double> q(std::size_t(small) * big); // vector v at q[v * big ...]
    for (std::size_t i = 0; i < q.size(); ++i)
        q[i] = rng.normal();
    for (int v = 0; v < small; ++v) {
        double* qv = &q[std::size_t(v) * big];
        for (int u = 0; u < v; ++u) {
            const double* qu = &q[std::size_t(u) * big];
            double dot = 0.0;
            for (int i = 0; i < big; ++i)
                dot += qu[i] * qv[i];
            for (int i = 0; i < big; ++i)
                qv[i] -= dot * qu[i];
        }
        double norm = 0.0;
        for (int i = 0; i < big; ++i)
            norm += qv[i] * qv[i];
        norm = std::sqrt(norm);
        for (int i = 0; i < big; ++i)
            qv[i] = norm > 0.0 ? qv[i] / norm : 0.0;
    }
    for (int r = 0; r < rows; ++r) {
        for (int c = 0; c < cols; ++c) {
            // rows <= cols: row r is vector r; rows > cols: column c is vector c.
            out[std::size_t(r) * cols + c] =
                T(rows <= cols ? q[std::size_t(r) * big + c] : q[std::size_t(c) * big + r]);
        }
    }
}

template void glorot_uniform<float>(Rng&, int, int, float*, int);
template void glorot_uniform<double>(Rng&, int, int, double*, int);
template void orthogonal<float>(Rng&, int, int, float*);
template void orthogonal<double>(Rng&, int, int, double*);

} // namespace aer
