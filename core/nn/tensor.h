// aer/nn/tensor: the one buffer type of the network: contiguous row-major values with up to three
// dimensions (batch, time, features), on 64-byte aligned storage.
//
// Contract
// - A tensor owns its storage. resize() is the only call that allocates; it keeps the storage when
//   the new shape fits the capacity, so a layer that is reshaped to a smaller batch does not
//   reallocate. Values after resize() are zero.
// - Following XNNPACK's phases, layers resize their tensors in reshape() and never in forward() or
//   backward(): the hot path touches only existing buffers.
// - Templated on the scalar: float in production, double for the gradient-check tests.
#pragma once

#include "core/status.h"

#include <cstddef>

namespace aer {

template <typename T>
class TensorT {
  public:
    TensorT() = default;
    ~TensorT();
    TensorT(const TensorT&) = delete;
    TensorT& operator=(const TensorT&) = delete;
    TensorT(TensorT&& other) noexcept;
    TensorT& operator=(TensorT&& other) noexcept;

    /// Sets the shape to (d0), (d0, d1) or (d0, d1, d2): a dimension of 0 ends the shape (d0 >= 1
    /// required; at most 3 dimensions). Zero-fills. Fails (leaving the tensor empty) when the
    /// element count exceeds 2^31 - 1 or the allocation fails.
    Status resize(int d0, int d1 = 0, int d2 = 0);
    /// Frees the storage; the tensor becomes empty (rank 0).
    void clear();
    /// Sets every element to v.
    void fill(T v);

    int rank() const { return rank_; }
    /// Dimension i (0 <= i < rank()), 1 past the rank.
    int dim(int i) const { return i < rank_ ? dims_[i] : 1; }
    std::size_t size() const { return size_; }
    T* data() { return data_; }
    const T* data() const { return data_; }
    T& operator[](std::size_t i) { return data_[i]; }
    const T& operator[](std::size_t i) const { return data_[i]; }

  private:
    T* data_ = nullptr;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
    int dims_[3] = {0, 0, 0};
    int rank_ = 0;
};

using Tensor = TensorT<float>;

} // namespace aer
