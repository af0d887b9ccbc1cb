// aer/train/metrics: classification metrics from true and predicted labels.
// Macro-F1 is the unweighted mean over classes of F1 = 2PR/(P+R) (a class with no true and no
// predicted examples is left out of the mean).
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace aer {

struct Metrics {
    std::vector<std::string> labels;
    std::vector<std::vector<long>> confusion; ///< [true][predicted] counts
    long n = 0;
    double accuracy = 0.0;
    std::vector<double> per_class_accuracy; ///< recall per true class (0 when the class is absent)
    double macro_f1 = 0.0;

    /// Rows divided by their sums (rows of an absent class stay 0).
    std::vector<std::vector<double>> normalized() const;
    /// {accuracy, labels, confusion, confusion_normalized, per_class_accuracy, macro_f1, n}.
    nlohmann::json to_json() const;
};

/// Metrics of `predicted` against `truth` (same length, values in 0..labels.size()-1).
Metrics compute_metrics(const std::vector<int>& truth, const std::vector<int>& predicted,
                        const std::vector<std::string>& labels);

} // namespace aer
