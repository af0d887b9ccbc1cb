// aer CLI: argument parsing shared by the subcommands, and the subcommands themselves.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace aer_cli {

/// Exit statuses.
constexpr int kOk = 0;
constexpr int kFailed = 1;
constexpr int kUsage = 2;

/// `--name value` options and positional arguments. Flags without a value are listed in
/// `flags` by the caller; every other `--name` takes the next argument.
class Args {
  public:
    Args(int argc, char** argv) : argv_(argv, argv + argc) {}

    /// Parses against the allowed options; false (and a message in `error`) on an unknown
    /// option or a missing value.
    bool parse(const std::vector<std::string>& options, const std::vector<std::string>& flags,
               std::string& error);

    bool has(const std::string& name) const { return values_.count(name) > 0; }
    std::string get(const std::string& name, const std::string& fallback = "") const;
    /// Every value of an option given more than once (e.g. --data A --data B), in order.
    std::vector<std::string> get_all(const std::string& name) const;
    /// An integer option within [lo, hi]; false with a message otherwise.
    bool get_int(const std::string& name, long long lo, long long hi, long long& out,
                 std::string& error) const;
    bool get_double(const std::string& name, double lo, double hi, double& out, std::string& error) const;
    const std::vector<std::string>& positional() const { return positional_; }
    /// Sets option `name` to `value` unless the command line gave it.
    void set_default(const std::string& name, const std::string& value) { values_.emplace(name, value); }

  private:
    std::vector<std::string> argv_;
    std::map<std::string, std::string> values_;           ///< the last value of each option
    std::map<std::string, std::vector<std::string>> all_; ///< every value of each option
    std::vector<std::string> positional_;
};

/// Prints "error: MESSAGE" on stderr and returns `code`.
int fail(const std::string& message, int code = kFailed);

int cmd_load(const Args& args);
int cmd_mfcc(const Args& args);
int cmd_bench_nn(const Args& args);
int cmd_train(const Args& args);
int cmd_eval(const Args& args);
int cmd_adapt(const Args& args);
int cmd_predict(const Args& args);

} // namespace aer_cli
