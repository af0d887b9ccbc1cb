#include "core/train/checkpoint.h"

#include "core/nn/model.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <cstring>

namespace aer {
namespace {

constexpr char kMagic[8] = {'A', 'E', 'R', 'S', 'T', 'A', 'T', 'E'};
constexpr std::uint32_t kVersion = 1;
constexpr int kMaxSlots = 2;
// The largest state file: magic, version and header length, the header, two slots of the largest model.
constexpr std::size_t kMaxStateBytes =
    16 + kMaxStateHeaderBytes + std::size_t(kMaxParameters) * 4 * kMaxSlots;

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i)
        out.push_back(std::uint8_t(v >> (8 * i)));
}

std::uint32_t get_u32(const std::uint8_t* p) {
    return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 |
           std::uint32_t(p[3]) << 24;
}

std::string hex64(std::uint64_t v) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", (unsigned long long)v);
    return buf;
}

bool parse_hex64(const nlohmann::json& j, std::uint64_t& out) {
    if (!j.is_string())
        return false;
    const std::string& s = j.get_ref<const std::string&>();
    if (s.size() != 16)
        return false;
    out = 0;
    for (char c : s) {
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0)
            return false;
        out = out << 4 | std::uint64_t(d);
    }
    return true;
}

Status bad(const std::string& why) {
    return Status::error("training state: " + why);
}

// Reads and parses the state file at `path`; the message names it.
Status load_state_path(const std::string& path, TrainState& state) {
    std::vector<std::uint8_t> bytes;
    if (!read_file(path, bytes, kMaxStateBytes))
        return Status::error("cannot read " + path + " (missing, unreadable or too large)");
    Status s = parse_train_state(bytes.data(), bytes.size(), state);
    if (!s.ok())
        return Status::error(path + ": " + s.message);
    return Status{};
}

} // namespace

void serialize_train_state(const TrainState& state, std::vector<std::uint8_t>& out) {
    nlohmann::json sizes = nlohmann::json::array(), rngs = nlohmann::json::array();
    const std::size_t k = std::size_t(state.slots);
    const std::size_t params = k ? state.values.size() / k : 0;
    for (std::size_t i = 0; i < params; ++i)
        sizes.push_back(state.values[i * k].size());
    for (const auto& r : state.rngs)
        rngs.push_back({hex64(r[0]), hex64(r[1]), hex64(r[2]), hex64(r[3])});
    const std::string header = nlohmann::json({{"epochs_done", state.epochs_done},
                                               {"optimizer", state.optimizer},
                                               {"iterations", state.iterations},
                                               {"slots", state.slots},
                                               {"sizes", sizes},
                                               {"rngs", rngs},
                                               {"weights", hex64(state.weights)}})
                                   .dump();
    out.assign(kMagic, kMagic + 8);
    put_u32(out, kVersion);
    put_u32(out, std::uint32_t(header.size()));
    out.insert(out.end(), header.begin(), header.end());
    for (const std::vector<float>& v : state.values)
        for (float x : v) {
            std::uint32_t bits;
            std::memcpy(&bits, &x, 4);
            put_u32(out, bits);
        }
}

Status parse_train_state(const std::uint8_t* bytes, std::size_t size, TrainState& state) {
    state = TrainState{};
    if (!bytes || size < 16 || std::memcmp(bytes, kMagic, 8) != 0)
        return bad("not an aer training state (no AERSTATE header)");
    if (get_u32(bytes + 8) != kVersion)
        return bad("version " + std::to_string(get_u32(bytes + 8)) + " is not supported (only 1)");
    const std::size_t header_size = get_u32(bytes + 12);
    if (header_size > kMaxStateHeaderBytes || header_size > size - 16)
        return bad("the header length runs past the end of the file");
    nlohmann::json h = nlohmann::json::parse(bytes + 16, bytes + 16 + header_size, nullptr, false);
    if (h.is_discarded() || !h.is_object())
        return bad("the header is not a JSON object");
    for (const char* key : {"epochs_done", "optimizer", "iterations", "slots", "sizes", "rngs", "weights"})
        if (!h.contains(key))
            return bad(std::string("the header has no '") + key + "'");
    if (!h["epochs_done"].is_number_integer() || h["epochs_done"].get<long long>() < 1 ||
        h["epochs_done"].get<long long>() > 100000)
        return bad("epochs_done must be an integer within 1..100000");
    if (!h["optimizer"].is_string() || (h["optimizer"] != "adam" && h["optimizer"] != "sgd"))
        return bad("optimizer must be \"adam\" or \"sgd\"");
    if (!h["iterations"].is_number_integer() || h["iterations"].get<long long>() < 0 ||
        h["iterations"].get<long long>() > (1LL << 40))
        return bad("iterations must be a non-negative integer");
    if (!h["slots"].is_number_integer() || h["slots"].get<long long>() < 0 ||
        h["slots"].get<long long>() > kMaxSlots)
        return bad("slots must be within 0..2");
    if (!h["sizes"].is_array() || !h["rngs"].is_array())
        return bad("sizes and rngs must be arrays");
    if (h["sizes"].size() > 100000 || h["rngs"].size() > 100000)
        return bad("too many parameters or random streams");
    if (!parse_hex64(h["weights"], state.weights))
        return bad("weights must be 16 lowercase hex digits");
    state.epochs_done = h["epochs_done"].get<int>();
    state.optimizer = h["optimizer"].get<std::string>();
    state.iterations = h["iterations"].get<long long>();
    state.slots = h["slots"].get<int>();

    const std::size_t data_size = size - 16 - header_size;
    std::size_t total = 0;
    std::vector<std::size_t> sizes;
    for (const nlohmann::json& s : h["sizes"]) {
        if (!s.is_number_unsigned() || s.get<unsigned long long>() > (unsigned long long)kMaxParameters)
            return bad("a parameter size is not an integer within 0..kMaxParameters");
        sizes.push_back(std::size_t(s.get<unsigned long long>()));
        total += sizes.back();
        if (total > std::size_t(kMaxParameters))
            return bad("more state than the largest model has parameters");
    }
    if (total * std::size_t(state.slots) * 4 != data_size)
        return bad("the file holds " + std::to_string(data_size) + " bytes of values, the header describes " +
                   std::to_string(total * std::size_t(state.slots) * 4) + " (truncated or padded)");
    const std::uint8_t* p = bytes + 16 + header_size;
    state.values.resize(sizes.size() * std::size_t(state.slots));
    for (std::size_t i = 0; i < sizes.size(); ++i)
        for (int s = 0; s < state.slots; ++s) {
            std::vector<float>& v = state.values[i * std::size_t(state.slots) + std::size_t(s)];
            v.resize(sizes[i]);
            for (std::size_t k = 0; k < sizes[i]; ++k, p += 4) {
                std::uint32_t bits = get_u32(p);
                std::memcpy(&v[k], &bits, 4);
                if (!std::isfinite(v[k]))
                    return bad("a value of parameter " + std::to_string(i) + " is not finite");
            }
        }
    for (const nlohmann::json& r : h["rngs"]) {
        std::array<std::uint64_t, 4> words{};
        if (!r.is_array() || r.size() != 4)
            return bad("a random stream is not 4 hex words");
        for (std::size_t w = 0; w < 4; ++w)
            if (!parse_hex64(r[w], words[w]))
                return bad("a random stream word is not 16 lowercase hex digits");
        if ((words[0] | words[1] | words[2] | words[3]) == 0)
            return bad("a random stream is all zero");
        state.rngs.push_back(words);
    }
    return Status{};
}

std::uint64_t weights_digest(const std::uint8_t* bin, std::size_t size) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (std::size_t i = 0; i < size; ++i) {
        h ^= bin[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

Status save_checkpoint(const std::string& prefix, const Model& model, const ModelInfo& info,
                       TrainState state) {
    std::string json_text;
    std::vector<std::uint8_t> bin, state_bytes;
    Status s = serialize_model(model, info, json_text, bin);
    if (!s.ok())
        return s;
    state.weights = weights_digest(bin.data(), bin.size());
    serialize_train_state(state, state_bytes);
    const std::string json_path = prefix + ".json", bin_path = prefix + ".bin",
                      state_path = prefix + ".state";
    auto fail = [&](Status why) { // leaves no temporary file behind
        for (const std::string& p : {state_path, bin_path, json_path, state_path + ".prev"})
            std::remove((p + ".tmp").c_str());
        return why;
    };
    s = write_file(state_path + ".tmp", state_bytes.data(), state_bytes.size());
    if (s.ok())
        s = write_file(bin_path + ".tmp", bin.data(), bin.size());
    if (s.ok())
        s = write_file(json_path + ".tmp", json_text.data(), json_text.size());
    if (!s.ok())
        return fail(s);
    // The old state is copied to .prev (copy + rename, so that .state itself never goes missing):
    // until the new .bin is renamed in, .prev is the state that matches the weights on disk.
    std::vector<std::uint8_t> old_state;
    if (read_file(state_path, old_state, kMaxStateBytes)) {
        s = write_file(state_path + ".prev.tmp", old_state.data(), old_state.size());
        if (!s.ok())
            return fail(s);
        if (std::rename((state_path + ".prev.tmp").c_str(), (state_path + ".prev").c_str()) != 0)
            return fail(Status::error("cannot rename the previous state into " + state_path + ".prev"));
    }
    if (std::rename((state_path + ".tmp").c_str(), state_path.c_str()) != 0 ||
        std::rename((bin_path + ".tmp").c_str(), bin_path.c_str()) != 0 ||
        std::rename((json_path + ".tmp").c_str(), json_path.c_str()) != 0)
        return fail(Status::error("cannot rename the saved files into " + prefix + ".json/.bin/.state"));
    return Status{};
}

Status load_checkpoint(const std::string& prefix, Model& model, ModelInfo& info, TrainState& state,
                       bool& have_state, std::string& note) {
    have_state = false;
    note.clear();
    std::vector<std::uint8_t> bin;
    Status s = load_model_files(prefix, model, info, &bin);
    if (!s.ok())
        return s;
    const std::uint64_t digest = weights_digest(bin.data(), bin.size());
    for (const std::string& path : {prefix + ".state", prefix + ".state.prev"}) {
        TrainState st;
        Status r = load_state_path(path, st);
        if (r.ok() && st.weights == digest) {
            state = std::move(st);
            have_state = true;
            info.training["epochs_done"] = state.epochs_done;
            return Status{};
        }
        if (note.empty())
            note = r.ok() ? path + " belongs to other weights than " + prefix + ".bin" : r.message;
    }
    return Status{};
}

} // namespace aer
