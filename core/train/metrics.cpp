#include "core/train/metrics.h"

namespace aer {

Metrics compute_metrics(const std::vector<int>& truth, const std::vector<int>& predicted,
                        const std::vector<std::string>& labels) {
    Metrics m;
    const std::size_t k = labels.size();
    m.labels = labels;
    m.confusion.assign(k, std::vector<long>(k, 0));
    long correct = 0;
    for (std::size_t i = 0; i < truth.size() && i < predicted.size(); ++i) {
        if (truth[i] < 0 || std::size_t(truth[i]) >= k || predicted[i] < 0 || std::size_t(predicted[i]) >= k)
            continue;
        ++m.confusion[std::size_t(truth[i])][std::size_t(predicted[i])];
        ++m.n;
        correct += truth[i] == predicted[i];
    }
    m.accuracy = m.n ? double(correct) / double(m.n) : 0.0;
    m.per_class_accuracy.assign(k, 0.0);
    double f1_sum = 0.0;
    int f1_count = 0;
    for (std::size_t c = 0; c < k; ++c) {
        long row = 0, col = 0;
        for (std::size_t j = 0; j < k; ++j) {
            row += m.confusion[c][j];
            col += m.confusion[j][c];
        }
        long tp = m.confusion[c][c];
        if (row > 0)
            m.per_class_accuracy[c] = double(tp) / double(row);
        if (row == 0 && col == 0)
            continue;
        double precision = col ? double(tp) / double(col) : 0.0;
        double recall = row ? double(tp) / double(row) : 0.0;
        f1_sum += precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0.0;
        ++f1_count;
    }
    m.macro_f1 = f1_count ? f1_sum / f1_count : 0.0;
    return m;
}

std::vector<std::vector<double>> Metrics::normalized() const {
    std::vector<std::vector<double>> out(confusion.size());
    for (std::size_t i = 0; i < confusion.size(); ++i) {
        long row = 0;
        for (long v : confusion[i])
            row += v;
        out[i].assign(confusion[i].size(), 0.0);
        for (std::size_t j = 0; j < confusion[i].size(); ++j)
            out[i][j] = row ? double(confusion[i][j]) / double(row) : 0.0;
    }
    return out;
}

nlohmann::json Metrics::to_json() const {
    return {{"accuracy", accuracy},
            {"labels", labels},
            {"confusion", confusion},
            {"confusion_normalized", normalized()},
            {"per_class_accuracy", per_class_accuracy},
            {"macro_f1", macro_f1},
            {"n", n}};
}

} // namespace aer
