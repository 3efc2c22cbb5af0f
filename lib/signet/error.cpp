#include "signet/error.hpp"

namespace signet {

ExitCode exit_code_for(ErrorKind kind) {
    switch (kind) {
    case ErrorKind::bad_input:
    case ErrorKind::not_found:
        return ExitCode::bad_input;
    case ErrorKind::auth_failed:
        return ExitCode::auth_failed;
    case ErrorKind::not_allowed:
        return ExitCode::not_allowed;
    case ErrorKind::busy:
        return ExitCode::temp_failure;
    case ErrorKind::internal:
        return ExitCode::internal;
    }
    return ExitCode::internal;
}

}  // namespace signet
