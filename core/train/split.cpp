#include "core/train/split.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

namespace aer {

void seeded_shuffle(std::vector<std::size_t>& v, std::uint32_t seed) {
    std::mt19937 rng(seed);
    for (std::size_t i = v.size(); i > 1; --i) {
        std::size_t j = std::size_t(rng() % i); // modulo bias < 1e-6 for datasets of this size
        std::swap(v[i - 1], v[j]);
    }
}

Split paper_split(const Dataset& data, double train_fraction, std::uint32_t seed) {
    Split s;
    for (std::size_t label = 0; label < data.labels.size(); ++label) {
        std::vector<std::size_t> idx;
        for (std::size_t i = 0; i < data.examples.size(); ++i)
            if (data.examples[i].label == int(label))
                idx.push_back(i);
        seeded_shuffle(idx, seed + std::uint32_t(label) * 7919u);
        std::size_t n_train = std::size_t(std::lround(train_fraction * double(idx.size())));
        s.train.insert(s.train.end(), idx.begin(), idx.begin() + std::ptrdiff_t(n_train));
        s.test.insert(s.test.end(), idx.begin() + std::ptrdiff_t(n_train), idx.end());
    }
    std::sort(s.train.begin(), s.train.end());
    std::sort(s.test.begin(), s.test.end());
    s.description = "paper: stratified random " + std::to_string(int(std::lround(train_fraction * 100))) + "/" +
                    std::to_string(100 - int(std::lround(train_fraction * 100))) + " (seed " + std::to_string(seed) + ")";
    return s;
}

Status actor_split(const Dataset& data, const std::vector<int>& test_actors, Split& out) {
    out = Split{};
    std::set<int> present;
    for (const Example& e : data.examples)
        present.insert(e.actor);
    std::string list;
    for (int a : test_actors) {
        if (!present.count(a))
            return Status::error("actor " + std::to_string(a) + " has no files in this dataset");
        list += (list.empty() ? "" : ",") + std::to_string(a);
    }
    for (std::size_t i = 0; i < data.examples.size(); ++i) {
        bool test = std::find(test_actors.begin(), test_actors.end(), data.examples[i].actor) != test_actors.end();
        (test ? out.test : out.train).push_back(i);
    }
    if (out.train.empty())
        return Status::error("actors " + list + " are every actor: nothing left to train on");
    if (out.test.empty())
        return Status::error("no test files for actors " + list);
    out.description = "actors " + list + " held out";
    return Status{};
}

Status actor_folds(const Dataset& data, int k, std::vector<Split>& out) {
    out.clear();
    std::set<int> actors;
    for (const Example& e : data.examples)
        if (e.actor >= 0)
            actors.insert(e.actor);
    if (k < 2 || int(actors.size()) < k)
        return Status::error("need at least " + std::to_string(std::max(k, 2)) + " known actors for " +
                             std::to_string(k) + " folds (found " + std::to_string(actors.size()) + ")");
    std::vector<std::vector<int>> groups(static_cast<std::size_t>(k));
    int i = 0;
    for (int a : actors)
        groups[std::size_t(i++ % k)].push_back(a);
    for (const std::vector<int>& g : groups) {
        Split s;
        Status st = actor_split(data, g, s);
        if (!st.ok())
            return st;
        out.push_back(s);
    }
    return Status{};
}

Status parse_actor_list(const std::string& text, std::vector<int>& out) {
    out.clear();
    std::size_t pos = 0;
    while (pos <= text.size()) {
        std::size_t comma = text.find(',', pos);
        std::string item = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        if (item.empty() || item.size() > 2 || !std::all_of(item.begin(), item.end(), ::isdigit))
            return Status::error("actor list '" + text + "': expected numbers like 21,22,23,24");
        int a = std::stoi(item);
        if (a < 1)
            return Status::error("actor list '" + text + "': actors are numbered from 1");
        out.push_back(a);
        if (comma == std::string::npos)
            break;
        pos = comma + 1;
    }
    return Status{};
}

Status parse_split(const std::string& spec, const Dataset& data, std::uint32_t seed, Split& out) {
    if (spec == "paper") {
        out = paper_split(data, 0.6, seed);
        return Status{};
    }
    if (spec.rfind("actors:", 0) == 0) {
        std::vector<int> actors;
        Status s = parse_actor_list(spec.substr(7), actors);
        if (!s.ok())
            return s;
        return actor_split(data, actors, out);
    }
    return Status::error("unknown split '" + spec + "' (paper, or actors:LIST such as actors:1,2,3,4)");
}

} // namespace aer
