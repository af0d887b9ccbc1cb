#include "core/nn/tensor.h"

#include <cstdlib>
#include <cstring>
#include <utility>

namespace aer {

namespace {
constexpr std::size_t kAlignment = 64;
}

template <typename T>
TensorT<T>::~TensorT() {
    std::free(data_);
}

template <typename T>
TensorT<T>::TensorT(TensorT&& other) noexcept {
    *this = std::move(other);
}

template <typename T>
TensorT<T>& TensorT<T>::operator=(TensorT&& other) noexcept {
    if (this != &other) {
        std::free(data_);
        data_ = other.data_;
        size_ = other.size_;
        capacity_ = other.capacity_;
        rank_ = other.rank_;
        for (int i = 0; i < 3; ++i)
            dims_[i] = other.dims_[i];
        other.data_ = nullptr;
        other.size_ = other.capacity_ = 0;
        other.rank_ = 0;
    }
    return *this;
}

template <typename T>
void TensorT<T>::clear() {
    std::free(data_);
    data_ = nullptr;
    size_ = capacity_ = 0;
    rank_ = 0;
    dims_[0] = dims_[1] = dims_[2] = 0;
}

template <typename T>
Status TensorT<T>::resize(int d0, int d1, int d2) {
    int d[3] = {d0, d1, d2};
    int rank = 0;
    long long n = 1;
    for (int i = 0; i < 3; ++i) {
        if (d[i] < 0)
            return Status::error("tensor: negative dimension");
        if (d[i] == 0)
            break;
        n *= d[i];
        if (n > 0x7fffffffLL) {
            clear();
            return Status::error("tensor: more than 2^31 - 1 elements requested");
        }
        ++rank;
    }
    if (rank == 0)
        return Status::error("tensor: the first dimension must be at least 1");
    std::size_t count = std::size_t(n);
    if (count > capacity_) {
        std::free(data_);
        data_ = nullptr;
        capacity_ = size_ = 0;
        rank_ = 0;
        // aligned_alloc wants a size that is a multiple of the alignment.
        std::size_t bytes = (count * sizeof(T) + kAlignment - 1) / kAlignment * kAlignment;
        data_ = static_cast<T*>(std::aligned_alloc(kAlignment, bytes));
        if (!data_)
            return Status::error("tensor: out of memory allocating " + std::to_string(bytes) + " bytes");
        capacity_ = count;
    }
    rank_ = rank;
    for (int i = 0; i < 3; ++i)
        dims_[i] = i < rank ? d[i] : 0;
    size_ = count;
    std::memset(data_, 0, count * sizeof(T));
    return Status{};
}

template <typename T>
void TensorT<T>::fill(T v) {
    for (std::size_t i = 0; i < size_; ++i)
        data_[i] = v;
}

template class TensorT<float>;
template class TensorT<double>;

} // namespace aer
