#include "cli/commands.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace aer_cli {

bool Args::parse(const std::vector<std::string>& options, const std::vector<std::string>& flags,
                 std::string& error) {
    for (std::size_t i = 0; i < argv_.size(); ++i) {
        const std::string& a = argv_[i];
        if (a.size() > 2 && a.compare(0, 2, "--") == 0) {
            std::string name = a.substr(2);
            if (std::find(flags.begin(), flags.end(), name) != flags.end()) {
                values_[name] = "1";
                continue;
            }
            if (std::find(options.begin(), options.end(), name) == options.end()) {
                error = "unknown option --" + name;
                return false;
            }
            if (i + 1 >= argv_.size()) {
                error = "option --" + name + " needs a value";
                return false;
            }
            values_[name] = argv_[++i];
            all_[name].push_back(values_[name]);
        } else {
            positional_.push_back(a);
        }
    }
    return true;
}

std::string Args::get(const std::string& name, const std::string& fallback) const {
    auto it = values_.find(name);
    return it == values_.end() ? fallback : it->second;
}

std::vector<std::string> Args::get_all(const std::string& name) const {
    auto it = all_.find(name);
    if (it != all_.end())
        return it->second;
    return has(name) ? std::vector<std::string>{get(name)} : std::vector<std::string>{};
}

bool Args::get_int(const std::string& name, long long lo, long long hi, long long& out,
                   std::string& error) const {
    if (!has(name))
        return true;
    const std::string& v = values_.at(name);
    char* end = nullptr;
    errno = 0;
    long long x = std::strtoll(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || errno != 0 || x < lo || x > hi) {
        error = "--" + name + " must be an integer within " + std::to_string(lo) + ".." + std::to_string(hi) +
                " (got '" + v + "')";
        return false;
    }
    out = x;
    return true;
}

bool Args::get_double(const std::string& name, double lo, double hi, double& out, std::string& error) const {
    if (!has(name))
        return true;
    const std::string& v = values_.at(name);
    char* end = nullptr;
    double x = std::strtod(v.c_str(), &end);
    if (v.empty() || *end != '\0' || !std::isfinite(x) || x < lo || x > hi) {
        error = "--" + name + " must be a number within " + std::to_string(lo) + ".." + std::to_string(hi) +
                " (got '" + v + "')";
        return false;
    }
    out = x;
    return true;
}

int fail(const std::string& message, int code) {
    std::fprintf(stderr, "error: %s\n", message.c_str());
    return code;
}

} // namespace aer_cli
