// aer/nn/loss: softmax cross-entropy fused with its softmax, numerically stable.
//
// For each row r of logits z (batch x classes) and label y_r:
//   loss_r = log(sum_j exp(z_rj - m_r)) - (z_r,y_r - m_r),  m_r = max_j z_rj  (log-sum-exp)
// The result is the mean over the batch (Keras' sparse_categorical_crossentropy on a softmax
// output, without its probability clipping), and dL/dz = (softmax(z) - onehot(y)) / batch.
#pragma once

#include "core/status.h"

namespace aer {

/// Mean loss over `batch` rows of `classes` logits (row-major). labels[r] must be in
/// [0, classes): the caller checks (Model::backward does). grad_logits (batch x classes, may be
/// nullptr) receives dL/dz. No allocation.
template <typename T>
T softmax_cross_entropy(const T* logits, const int* labels, int batch, int classes, T* grad_logits);

/// Checks that every label is in [0, classes); the message names the first bad one.
Status check_labels(const int* labels, int batch, int classes);

} // namespace aer
