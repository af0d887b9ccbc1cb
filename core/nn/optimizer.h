// aer/nn/optimizer: Keras' optimisers (tf.keras 2.x optimizer_v2 update rules).
//
// - Adam (Kingma & Ba 2015, Keras form): at step t (1-based)
//     lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t)
//     m = beta1 m + (1 - beta1) g,  v = beta2 v + (1 - beta2) g^2,  w -= lr_t m / (sqrt(v) + eps)
//   defaults lr 0.001, beta1 0.9, beta2 0.999, eps 1e-7.
// - SGD with momentum (Keras form): v = momentum v - lr g; w += v (nesterov: w += momentum v - lr g);
//   momentum 0 is plain w -= lr g. Default lr 0.01.
//
// Contract: step() updates every Param with a grad whose `trainable` flag is set (BN moving
// statistics, which have no grad, and frozen parameters are skipped). The state
// (m, v, velocity) is allocated on the first step() to match the parameter list; later calls
// must pass the same list (same count and sizes), else they fail without updating anything.
#pragma once

#include "core/nn/layer.h"
#include "core/status.h"

#include <vector>

namespace aer {

class Optimizer {
  public:
    virtual ~Optimizer() = default;
    /// One update of `params` from their grads.
    virtual Status step(const std::vector<Param<float>>& params) = 0;
    /// Steps taken so far.
    long long iterations() const { return iterations_; }
    /// "adam" or "sgd" (the names TrainConfig uses).
    virtual const char* name() const = 0;
    /// State vectors per parameter: Adam 2 (m, v), SGD 1 with momentum, else 0.
    virtual int slots() const = 0;
    /// The state: slot s of parameter i at [i * slots() + s], each the parameter's size (0 for
    /// a parameter without a grad); empty before the first step().
    const std::vector<std::vector<float>>& state() const { return state_; }
    /// Continues from a saved iterations() and state() of an optimiser of the same kind over the
    /// same `params` (a checkpoint). Fails, changing nothing, when the count or a size differs.
    Status restore(const std::vector<Param<float>>& params, long long iterations,
                   std::vector<std::vector<float>> state);

  protected:
    /// Allocates `slots` state vectors per parameter on the first call, checks sizes afterwards.
    Status bind(const std::vector<Param<float>>& params, int slots);
    std::vector<std::vector<float>> state_; // slot s of param i at [i * slots + s]
    long long iterations_ = 0;
};

struct AdamConfig {
    double learning_rate = 0.001;
    double beta1 = 0.9;
    double beta2 = 0.999;
    double epsilon = 1e-7;
};

class Adam : public Optimizer {
  public:
    explicit Adam(AdamConfig config = AdamConfig{}) : config_(config) {}
    Status step(const std::vector<Param<float>>& params) override;
    const char* name() const override { return "adam"; }
    int slots() const override { return 2; }
    const AdamConfig& config() const { return config_; }

  private:
    AdamConfig config_;
};

struct SgdConfig {
    double learning_rate = 0.01;
    double momentum = 0.0;
    bool nesterov = false;
};

class Sgd : public Optimizer {
  public:
    explicit Sgd(SgdConfig config = SgdConfig{}) : config_(config) {}
    Status step(const std::vector<Param<float>>& params) override;
    const char* name() const override { return "sgd"; }
    int slots() const override { return config_.momentum != 0.0 ? 1 : 0; }
    const SgdConfig& config() const { return config_; }

  private:
    SgdConfig config_;
};

} // namespace aer
