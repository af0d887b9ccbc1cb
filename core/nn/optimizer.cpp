#include "core/nn/optimizer.h"

#include <cmath>
#include <new>

namespace aer {

Status Optimizer::bind(const std::vector<Param<float>>& params, int slots) {
    if (state_.empty()) {
        try {
            state_.resize(params.size() * slots);
            for (std::size_t i = 0; i < params.size(); ++i)
                for (int s = 0; s < slots; ++s)
                    state_[i * slots + s].assign(params[i].grad ? params[i].size : 0, 0.0f);
        } catch (const std::bad_alloc&) {
            state_.clear();
            return Status::error("optimizer: out of memory for its state");
        }
        return Status{};
    }
    if (state_.size() != params.size() * slots)
        return Status::error("optimizer: the parameter list changed since the first step");
    for (std::size_t i = 0; i < params.size(); ++i)
        if (state_[i * slots].size() != (params[i].grad ? params[i].size : 0))
            return Status::error("optimizer: parameter '" + params[i].name + "' changed size");
    return Status{};
}

Status Optimizer::restore(const std::vector<Param<float>>& params, long long iterations,
                          std::vector<std::vector<float>> state) {
    const std::size_t k = std::size_t(slots());
    if (iterations < 0)
        return Status::error("optimizer: a negative step count");
    if (state.empty() && iterations == 0) {
        state_.clear();
        iterations_ = 0;
        return Status{};
    }
    if (state.size() != params.size() * k)
        return Status::error("optimizer: the saved state has " + std::to_string(state.size()) + " vectors, " +
                             std::to_string(params.size() * k) + " expected for " + std::to_string(params.size()) +
                             " parameters");
    for (std::size_t i = 0; i < params.size(); ++i)
        for (std::size_t s = 0; s < k; ++s)
            if (state[i * k + s].size() != (params[i].grad ? params[i].size : 0))
                return Status::error("optimizer: the saved state of '" + params[i].name + "' has " +
                                     std::to_string(state[i * k + s].size()) + " values, expected " +
                                     std::to_string(params[i].grad ? params[i].size : 0));
    state_ = std::move(state);
    iterations_ = iterations;
    return Status{};
}

Status Adam::step(const std::vector<Param<float>>& params) {
    Status s = bind(params, 2);
    if (!s.ok())
        return s;
    ++iterations_;
    const double t = double(iterations_);
    const double lr_t =
        config_.learning_rate * std::sqrt(1.0 - std::pow(config_.beta2, t)) / (1.0 - std::pow(config_.beta1, t));
    const float b1 = float(config_.beta1), b2 = float(config_.beta2);
    const float eps = float(config_.epsilon), lr = float(lr_t);
    for (std::size_t i = 0; i < params.size(); ++i) {
        const Param<float>& p = params[i];
        if (!p.grad || !p.trainable)
            continue;
        float* m = state_[i * 2].data();
        float* v = state_[i * 2 + 1].data();
        for (std::size_t k = 0; k < p.size; ++k) {
            float g = p.grad[k];
            m[k] = b1 * m[k] + (1.0f - b1) * g;
            v[k] = b2 * v[k] + (1.0f - b2) * g * g;
            p.value[k] -= lr * m[k] / (std::sqrt(v[k]) + eps);
        }
    }
    return Status{};
}

Status Sgd::step(const std::vector<Param<float>>& params) {
    const bool use_momentum = config_.momentum != 0.0;
    Status s = bind(params, use_momentum ? 1 : 0);
    if (!s.ok())
        return s;
    ++iterations_;
    const float lr = float(config_.learning_rate), mu = float(config_.momentum);
    for (std::size_t i = 0; i < params.size(); ++i) {
        const Param<float>& p = params[i];
        if (!p.grad || !p.trainable)
            continue;
        if (!use_momentum) {
            for (std::size_t k = 0; k < p.size; ++k)
                p.value[k] -= lr * p.grad[k];
            continue;
        }
        float* v = state_[i].data();
        for (std::size_t k = 0; k < p.size; ++k) {
            v[k] = mu * v[k] - lr * p.grad[k];
            p.value[k] += config_.nesterov ? mu * v[k] - lr * p.grad[k] : v[k];
        }
    }
    return Status{};
}

} // namespace aer
