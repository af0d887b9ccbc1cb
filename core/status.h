// aer: the status every fallible call returns.
//
// Contract: a call that can fail returns a Status; on failure its outputs are left in an
// unspecified but valid state and `message` says, for a person, what was wrong. Nothing in
// core/ throws across its public API or aborts on bad input.
#pragma once

#include <string>
#include <utility>

namespace aer {

/// [[nodiscard]]: a call's Status must be looked at (or cast to void with a comment saying why
/// the failure does not matter); the compiler warns about every one that is dropped.
struct [[nodiscard]] Status {
    std::string message; ///< empty when the call succeeded

    bool ok() const { return message.empty(); }

    /// A failed status carrying `why` (must be non-empty).
    static Status error(std::string why) { return Status{std::move(why)}; }
};

} // namespace aer
