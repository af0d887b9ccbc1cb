#include "core/nn/model_io.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <map>

namespace aer {

using nlohmann::json;

namespace {

constexpr const char* kFormat = "aer-model";
constexpr int kVersion = 1;

std::string shape_text(const std::vector<int>& shape) {
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i)
        s += (i ? "," : "") + std::to_string(shape[i]);
    return s + "]";
}

float read_le_f32(const std::uint8_t* p) {
    std::uint32_t u = std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 |
                      std::uint32_t(p[3]) << 24;
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}

void write_le_f32(float f, std::uint8_t* p) {
    std::uint32_t u;
    std::memcpy(&u, &f, 4);
    p[0] = std::uint8_t(u);
    p[1] = std::uint8_t(u >> 8);
    p[2] = std::uint8_t(u >> 16);
    p[3] = std::uint8_t(u >> 24);
}

/// Checks that the features produce the model's input shape.
Status check_features(const MfccConfig& f, const Model& model) {
    if (f.max_len <= 0)
        return Status::error("features: 'max_len' must be positive (the model needs a fixed frame count)");
    const bool coeff_steps = model.orientation() == Orientation::coefficients_as_steps;
    const int want_steps = coeff_steps ? f.n_mfcc : f.max_len;
    const int want_features = coeff_steps ? f.max_len : f.n_mfcc;
    if (model.steps() != want_steps || model.features() != want_features)
        return Status::error("features: n_mfcc " + std::to_string(f.n_mfcc) + " x max_len " +
                             std::to_string(f.max_len) + " arranged " + orientation_name(model.orientation()) +
                             " give " + std::to_string(want_steps) + " x " + std::to_string(want_features) +
                             ", but the architecture's input is " + std::to_string(model.steps()) + " x " +
                             std::to_string(model.features()));
    return Status{};
}

Status check_info(const ModelInfo& info, const Model& model) {
    Status s = info.features.validate();
    if (!s.ok())
        return Status::error("features: " + s.message);
    s = check_features(info.features, model);
    if (!s.ok())
        return s;
    if (int(info.labels.size()) != model.classes())
        return Status::error("labels: " + std::to_string(info.labels.size()) + " labels for " +
                             std::to_string(model.classes()) + " output units");
    std::map<std::string, std::size_t> first; // label -> its index (results are keyed by label)
    for (std::size_t i = 0; i < info.labels.size(); ++i) {
        if (info.labels[i].empty() || info.labels[i].size() > 256)
            return Status::error("labels[" + std::to_string(i) + "]: must be 1..256 characters");
        auto [at, added] = first.emplace(info.labels[i], i);
        if (!added)
            return Status::error("labels[" + std::to_string(i) + "]: '" + info.labels[i] +
                                 "' is also labels[" + std::to_string(at->second) +
                                 "] (labels must be distinct)");
    }
    if (info.norm_mean.empty() != info.norm_std.empty())
        return Status::error("normalization: needs both 'mean' and 'std'");
    if (!info.norm_mean.empty()) {
        const std::size_t n = std::size_t(info.features.n_mfcc);
        if (info.norm_mean.size() != n || info.norm_std.size() != n)
            return Status::error("normalization: 'mean' and 'std' need n_mfcc = " + std::to_string(n) +
                                 " values each");
        for (std::size_t i = 0; i < n; ++i) {
            if (!std::isfinite(info.norm_mean[i]))
                return Status::error("normalization: mean[" + std::to_string(i) + "] is not finite");
            if (!std::isfinite(info.norm_std[i]) || !(info.norm_std[i] > 0.0f))
                return Status::error("normalization: std[" + std::to_string(i) + "] must be finite and > 0");
        }
    }
    if (!info.training.is_object())
        return Status::error("training: must be a JSON object");
    return Status{};
}

Status read_float_array(const json& j, const char* what, std::vector<float>& out) {
    if (!j.is_array() || j.size() > 65536)
        return Status::error(std::string("normalization: '") + what + "' must be an array of numbers");
    out.clear();
    for (const json& v : j) {
        if (!v.is_number())
            return Status::error(std::string("normalization: '") + what + "' must be an array of numbers");
        out.push_back(v.get<float>());
    }
    return Status{};
}

Status load_checked(const std::uint8_t* json_bytes, std::size_t json_size, const std::uint8_t* bin,
                    std::size_t bin_size, Model& model, ModelInfo& info) {
    if (!json_bytes || json_size == 0)
        return Status::error("model: the .json is empty");
    if (json_size > kMaxModelJsonBytes)
        return Status::error("model: the .json is larger than 16 MB");
    json doc = json::parse(json_bytes, json_bytes + json_size, nullptr, false);
    if (doc.is_discarded())
        return Status::error("model: the .json is not valid JSON");
    if (!doc.is_object())
        return Status::error("model: the .json must hold a JSON object");
    static const char* known[] = {"format",        "version",  "architecture", "features",
                                  "labels",        "normalization", "training", "weights"};
    for (auto it = doc.begin(); it != doc.end(); ++it)
        if (std::find_if(std::begin(known), std::end(known), [&](const char* k) { return it.key() == k; }) ==
            std::end(known))
            return Status::error("model: unknown key '" + it.key() + "'");
    auto format = doc.find("format");
    if (format == doc.end() || !format->is_string() || format->get<std::string>() != kFormat)
        return Status::error("model: 'format' must be \"aer-model\" (not an aer model file)");
    auto version = doc.find("version");
    if (version == doc.end() || !version->is_number_integer() || version->get<long long>() != kVersion)
        return Status::error("model: unsupported 'version' (this build reads version 1)");

    // Architecture: validated by Model::build (names the layer and field).
    auto arch = doc.find("architecture");
    if (arch == doc.end())
        return Status::error("model: missing 'architecture'");
    Status s = model.build(*arch, 0, false);
    if (!s.ok())
        return Status::error("model: " + s.message);

    auto features = doc.find("features");
    if (features == doc.end())
        return Status::error("model: missing 'features'");
    s = mfcc_config_from_json(*features, info.features);
    if (!s.ok())
        return Status::error("model: " + s.message);

    auto labels = doc.find("labels");
    if (labels == doc.end() || !labels->is_array())
        return Status::error("model: 'labels' must be an array of strings");
    info.labels.clear();
    for (const json& l : *labels) {
        if (!l.is_string())
            return Status::error("model: 'labels' must be an array of strings");
        info.labels.push_back(l.get<std::string>());
    }

    info.norm_mean.clear();
    info.norm_std.clear();
    auto norm = doc.find("normalization");
    if (norm != doc.end() && !norm->is_null()) {
        if (!norm->is_object() || norm->size() != 2 || !norm->contains("mean") || !norm->contains("std"))
            return Status::error("model: 'normalization' must be null or {\"mean\": [...], \"std\": [...]}");
        s = read_float_array((*norm)["mean"], "mean", info.norm_mean);
        if (s.ok())
            s = read_float_array((*norm)["std"], "std", info.norm_std);
        if (!s.ok())
            return Status::error("model: " + s.message);
    }
    auto training = doc.find("training");
    info.training = training == doc.end() || training->is_null() ? json::object() : *training;
    s = check_info(info, model);
    if (!s.ok())
        return Status::error("model: " + s.message);

    // Weights.
    auto weights = doc.find("weights");
    if (weights == doc.end() || !weights->is_array())
        return Status::error("model: 'weights' must be an array");
    const std::vector<Param<float>>& params = model.parameters();
    if (weights->size() != params.size())
        return Status::error("model: the file lists " + std::to_string(weights->size()) +
                             " weight tensors, the architecture has " + std::to_string(params.size()));
    std::map<std::string, std::size_t> by_name;
    for (std::size_t i = 0; i < params.size(); ++i)
        by_name[params[i].name] = i;
    std::vector<bool> seen(params.size(), false);
    struct Range {
        std::uint64_t begin, end;
        std::size_t entry;
    };
    std::vector<Range> ranges;
    std::vector<std::size_t> target(weights->size());
    for (std::size_t e = 0; e < weights->size(); ++e) {
        const json& w = (*weights)[e];
        std::string where = "model: weights[" + std::to_string(e) + "]";
        if (!w.is_object())
            return Status::error(where + ": expected an object");
        for (auto it = w.begin(); it != w.end(); ++it)
            if (it.key() != "name" && it.key() != "shape" && it.key() != "offset" && it.key() != "dtype")
                return Status::error(where + ": unknown key '" + it.key() + "'");
        auto name = w.find("name");
        if (name == w.end() || !name->is_string())
            return Status::error(where + ": missing 'name'");
        where += " '" + name->get<std::string>() + "'";
        auto found = by_name.find(name->get<std::string>());
        if (found == by_name.end())
            return Status::error(where + ": not a weight of this architecture");
        const Param<float>& p = params[found->second];
        if (seen[found->second])
            return Status::error(where + ": listed twice");
        seen[found->second] = true;
        target[e] = found->second;
        auto dtype = w.find("dtype");
        if (dtype == w.end() || !dtype->is_string() || dtype->get<std::string>() != "float32")
            return Status::error(where + ": 'dtype' must be \"float32\"");
        auto shape = w.find("shape");
        if (shape == w.end() || !shape->is_array() || shape->empty() || shape->size() > 3)
            return Status::error(where + ": 'shape' must be an array of 1 to 3 dimensions");
        std::vector<int> dims;
        for (const json& d : *shape) {
            if (!d.is_number_integer() || d.get<long long>() < 1 || d.get<long long>() > (1LL << 26))
                return Status::error(where + ": 'shape' dimensions must be integers in 1..2^26");
            dims.push_back(int(d.get<long long>()));
        }
        if (dims != p.shape)
            return Status::error(where + ": shape " + shape_text(dims) + " does not match the architecture's " +
                                 shape_text(p.shape));
        auto offset = w.find("offset");
        if (offset == w.end() || !offset->is_number_unsigned())
            return Status::error(where + ": 'offset' must be a non-negative integer (bytes)");
        std::uint64_t begin = offset->get<std::uint64_t>();
        if (begin % 4 != 0)
            return Status::error(where + ": 'offset' must be a multiple of 4");
        std::uint64_t bytes = std::uint64_t(p.size) * 4;
        if (begin > bin_size || bytes > bin_size - begin)
            return Status::error(where + ": bytes " + std::to_string(begin) + ".." + std::to_string(begin + bytes) +
                                 " lie beyond the end of the .bin (" + std::to_string(bin_size) +
                                 " bytes): truncated or mismatched .bin");
        ranges.push_back(Range{begin, begin + bytes, e});
    }
    std::sort(ranges.begin(), ranges.end(), [](const Range& a, const Range& b) { return a.begin < b.begin; });
    std::uint64_t covered = 0;
    for (std::size_t i = 0; i < ranges.size(); ++i) {
        if (i > 0 && ranges[i].begin < ranges[i - 1].end)
            return Status::error("model: weights[" + std::to_string(ranges[i].entry) + "] overlaps weights[" +
                                 std::to_string(ranges[i - 1].entry) + "] in the .bin");
        covered += ranges[i].end - ranges[i].begin;
    }
    if (covered != bin_size)
        return Status::error("model: the .bin has " + std::to_string(bin_size) + " bytes but the weights use " +
                             std::to_string(covered) + ": mismatched .bin");
    for (const Range& r : ranges) {
        const Param<float>& p = params[target[r.entry]];
        const std::uint8_t* src = bin + r.begin;
        for (std::size_t k = 0; k < p.size; ++k) {
            float v = read_le_f32(src + 4 * k);
            if (!std::isfinite(v))
                return Status::error("model: weights[" + std::to_string(r.entry) + "] '" + p.name + "': value " +
                                     std::to_string(k) + " is " + (std::isnan(v) ? "NaN" : "infinite"));
            p.value[k] = v;
        }
    }
    model.after_update();
    return Status{};
}

} // namespace

Status write_file(const std::string& path, const void* data, std::size_t size) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f)
        return Status::error("cannot create " + path);
    bool ok = size == 0 || std::fwrite(data, 1, size, f) == size;
    ok = std::fflush(f) == 0 && ok;
    ok = std::fclose(f) == 0 && ok;
    if (!ok) {
        std::remove(path.c_str());
        return Status::error("cannot write " + path);
    }
    return Status{};
}

bool read_file(const std::string& path, std::vector<std::uint8_t>& out, std::size_t cap) {
    out.clear();
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f)
        return false;
    std::uint8_t buf[65536];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) {
        if (out.size() + n > cap) {
            std::fclose(f);
            return false;
        }
        out.insert(out.end(), buf, buf + n);
    }
    bool ok = !std::ferror(f);
    std::fclose(f);
    return ok;
}

std::vector<std::string> default_labels() { return {"neutral", "calm", "happy", "sad", "angry", "fearful"}; }

Status load_model(const std::uint8_t* json_bytes, std::size_t json_size, const std::uint8_t* bin,
                  std::size_t bin_size, Model& model, ModelInfo& info) {
    Status s;
    try {
        s = load_checked(json_bytes, json_size, bin, bin_size, model, info);
    } catch (const std::exception& e) {
        // Every field is type-checked above; this is a safety net, not a code path.
        s = Status::error(std::string("model: invalid file (") + e.what() + ")");
    }
    if (!s.ok())
        model = Model();
    return s;
}

Status serialize_model(const Model& model, const ModelInfo& info, std::string& json_text,
                       std::vector<std::uint8_t>& bin) {
    if (!model.built())
        return Status::error("model: not built");
    Status s = check_info(info, model);
    if (!s.ok())
        return Status::error("model: " + s.message);
    try {
        json weights = json::array();
        std::size_t offset = 0;
        for (const Param<float>& p : model.parameters()) {
            weights.push_back({{"name", p.name}, {"shape", p.shape}, {"offset", offset}, {"dtype", "float32"}});
            offset += p.size * 4;
        }
        bin.assign(offset, 0);
        offset = 0;
        for (const Param<float>& p : model.parameters()) {
            for (std::size_t k = 0; k < p.size; ++k) {
                if (!std::isfinite(p.value[k]))
                    return Status::error("model: '" + p.name + "' holds NaN or Inf: not saved");
                write_le_f32(p.value[k], &bin[offset + 4 * k]);
            }
            offset += p.size * 4;
        }
        json norm = nullptr;
        if (!info.norm_mean.empty())
            norm = {{"mean", info.norm_mean}, {"std", info.norm_std}};
        json doc = {{"format", kFormat},
                    {"version", kVersion},
                    {"architecture", model.architecture()},
                    {"features", to_json(info.features)},
                    {"labels", info.labels},
                    {"normalization", norm},
                    {"training", info.training},
                    {"weights", weights}};
        json_text = doc.dump(1);
    } catch (const std::exception& e) {
        return Status::error(std::string("model: cannot serialise (") + e.what() + ")");
    }
    return Status{};
}

Status save_model_files(const std::string& prefix, const Model& model, const ModelInfo& info) {
    std::string text;
    std::vector<std::uint8_t> bin;
    Status s = serialize_model(model, info, text, bin);
    if (!s.ok())
        return s;
    const std::string json_path = prefix + ".json", bin_path = prefix + ".bin";
    s = write_file(bin_path + ".tmp", bin.data(), bin.size());
    if (s.ok())
        s = write_file(json_path + ".tmp", text.data(), text.size());
    if (!s.ok()) {
        std::remove((bin_path + ".tmp").c_str());
        return s;
    }
    if (std::rename((bin_path + ".tmp").c_str(), bin_path.c_str()) != 0 ||
        std::rename((json_path + ".tmp").c_str(), json_path.c_str()) != 0) {
        std::remove((bin_path + ".tmp").c_str());
        std::remove((json_path + ".tmp").c_str());
        return Status::error("cannot rename the saved files into " + prefix + ".json/.bin");
    }
    return Status{};
}

Status load_model_files(const std::string& prefix, Model& model, ModelInfo& info, std::vector<std::uint8_t>* bin_bytes) {
    std::vector<std::uint8_t> text, bin;
    if (!read_file(prefix + ".json", text, kMaxModelJsonBytes))
        return Status::error("cannot read " + prefix + ".json (missing, unreadable or larger than 16 MB)");
    if (!read_file(prefix + ".bin", bin, std::size_t(kMaxParameters) * 4))
        return Status::error("cannot read " + prefix + ".bin (missing, unreadable or too large)");
    Status s = load_model(text.data(), text.size(), bin.data(), bin.size(), model, info);
    if (!s.ok())
        return Status::error(prefix + ".json: " + s.message);
    if (bin_bytes)
        bin_bytes->swap(bin);
    return Status{};
}

void apply_normalization(const ModelInfo& info, float* features, int n_mfcc, int frames) {
    if (info.norm_mean.empty() || int(info.norm_mean.size()) != n_mfcc)
        return;
    for (int c = 0; c < n_mfcc; ++c)
        for (int t = 0; t < frames; ++t) {
            float& x = features[std::size_t(c) * frames + t];
            x = (x - info.norm_mean[c]) / info.norm_std[c];
        }
}

} // namespace aer
