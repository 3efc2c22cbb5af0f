// Typed errors and the exit-code table of CLI.md, in one place.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace signet {

// Exit codes fixed by CLI.md. Never renumber.
enum class ExitCode : int {
    ok = 0,
    negative_verdict = 1,  // verify found a file invalid; template lint found errors
    bad_input = 2,         // bad usage or bad input; nothing was written
    untrusted = 3,         // verify: intact, but a signer is not trusted
    auth_failed = 4,       // unknown, spent or expired token; wrong code; locked
    not_allowed = 5,       // not this party's turn; envelope not in a state for this
    internal = 70,         // a bug or an unexpected system failure (EX_SOFTWARE)
    temp_failure = 75,     // store busy past the timeout, a hook failed: safe to retry
};

// What went wrong, as the library sees it. The CLI maps it to an exit code
// with exit_code_for() and prints message() and hints().
enum class ErrorKind {
    bad_input,     // the user's input is wrong: a file, a flag, a value
    not_found,     // an envelope, a party or a file named by the user does not exist
    auth_failed,
    not_allowed,
    busy,          // the store stayed locked past the busy timeout
    internal,
};

class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, std::string message, std::vector<std::string> hints = {})
        : std::runtime_error(message), m_kind(kind), m_hints(std::move(hints)) {}

    ErrorKind kind() const { return m_kind; }
    const std::vector<std::string>& hints() const { return m_hints; }

private:
    ErrorKind m_kind;
    std::vector<std::string> m_hints;
};

// Shorthands for the common kinds.
inline Error bad_input(std::string message, std::vector<std::string> hints = {}) {
    return Error(ErrorKind::bad_input, std::move(message), std::move(hints));
}
inline Error not_found(std::string message, std::vector<std::string> hints = {}) {
    return Error(ErrorKind::not_found, std::move(message), std::move(hints));
}
inline Error auth_failed(std::string message, std::vector<std::string> hints = {}) {
    return Error(ErrorKind::auth_failed, std::move(message), std::move(hints));
}
inline Error not_allowed(std::string message, std::vector<std::string> hints = {}) {
    return Error(ErrorKind::not_allowed, std::move(message), std::move(hints));
}
inline Error internal_error(std::string message) {
    return Error(ErrorKind::internal, std::move(message));
}

// The one mapping from error kinds to CLI.md's exit codes.
ExitCode exit_code_for(ErrorKind kind);

}  // namespace signet
