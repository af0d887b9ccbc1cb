#include "core/nn/loss.h"

#include <cmath>
#include <string>

namespace aer {

template <typename T>
T softmax_cross_entropy(const T* logits, const int* labels, int batch, int classes, T* grad_logits) {
    double total = 0.0;
    for (int r = 0; r < batch; ++r) {
        const T* z = logits + std::size_t(r) * classes;
        T m = z[0];
        for (int j = 1; j < classes; ++j)
            m = z[j] > m ? z[j] : m;
        T sum = 0;
        for (int j = 0; j < classes; ++j)
            sum += std::exp(z[j] - m);
        T log_sum = std::log(sum);
        total += double(log_sum - (z[labels[r]] - m));
        if (grad_logits) {
            T* g = grad_logits + std::size_t(r) * classes;
            for (int j = 0; j < classes; ++j)
                g[j] = (std::exp(z[j] - m - log_sum) - (j == labels[r] ? T(1) : T(0))) / T(batch);
        }
    }
    return T(total / batch);
}

Status check_labels(const int* labels, int batch, int classes) {
    for (int r = 0; r < batch; ++r)
        if (labels[r] < 0 || labels[r] >= classes)
            return Status::error("label " + std::to_string(labels[r]) + " at row " + std::to_string(r) +
                                 " is outside 0.." + std::to_string(classes - 1));
    return Status{};
}

template float softmax_cross_entropy<float>(const float*, const int*, int, int, float*);
template double softmax_cross_entropy<double>(const double*, const int*, int, int, double*);

} // namespace aer
