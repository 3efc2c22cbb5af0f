// Running a configured command (a delivery or completion hook) without a
// shell: fork and execvp of an argv list, input on stdin, variables added to
// the environment, stderr kept, a timeout that kills the process group.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace signet::delivery {

struct ExecRequest {
    std::vector<std::string> argv;  // argv[0] is looked up in PATH when it has no '/'
    std::string input;              // written to the command's stdin, then closed
    // Added to the inherited environment (replacing a variable of the same name).
    std::vector<std::pair<std::string, std::string>> env;
    std::chrono::milliseconds timeout{30000};
    std::size_t stderr_limit = 4096;  // bytes of stderr kept; the rest is dropped
    // Keep stdout (raw bytes, at most stdout_limit) instead of sending it to
    // /dev/null: for commands that answer, such as a timestamp client.
    bool capture_stdout = false;
    std::size_t stdout_limit = 1 << 20;
};

struct ExecResult {
    bool started = false;     // false: the program could not be run (see start_error)
    std::string start_error;  // e.g. "cannot run \"msmtp\": No such file or directory"
    bool timed_out = false;   // the timeout ran out and the process group was killed
    int exit_code = -1;       // the exit status when the command exited
    int signal = 0;           // the signal that ended it, else 0
    std::string stderr_text;  // what it wrote on stderr, at most stderr_limit bytes, UTF-8
    std::string stdout_bytes;      // with capture_stdout: what it wrote on stdout, as is
    bool stdout_truncated = false;  // it wrote more than stdout_limit bytes

    // Exit status 0: delivered.
    bool ok() const { return started && !timed_out && signal == 0 && exit_code == 0; }

    // One text for a person and for messages.last_error: what happened, then
    // stderr ("msmtp exited with status 69: msmtp: cannot connect ...").
    std::string describe(const std::string& program) const;
};

// Runs the command and waits for it (at most request.timeout; then SIGKILL
// to its process group). stdout goes to /dev/null unless captured. Never throws for the
// command's failures: they are in the result. Throws internal_error only
// when the system cannot make a pipe or a process.
ExecResult run_command(const ExecRequest& request);

}  // namespace signet::delivery
