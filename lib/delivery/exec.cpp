#include "delivery/exec.hpp"

#include "signet/error.hpp"
#include "util/text.hpp"
#include "util/time.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <poll.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace signet::delivery {
namespace {

using Clock = std::chrono::steady_clock;

class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : m_fd(fd) {}
    ~Fd() { close(); }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    Fd& operator=(int fd) {
        close();
        m_fd = fd;
        return *this;
    }
    int get() const { return m_fd; }
    bool open() const { return m_fd >= 0; }
    void close() {
        if (m_fd >= 0) {
            ::close(m_fd);
            m_fd = -1;
        }
    }

private:
    int m_fd = -1;
};

void make_pipe(Fd& read_end, Fd& write_end) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        throw internal_error(std::string("cannot make a pipe: ") + std::strerror(errno));
    }
    read_end = fds[0];
    write_end = fds[1];
}

// Writing to a command that stopped reading must give EPIPE, not kill signet.
class IgnoreSigpipe {
public:
    IgnoreSigpipe() {
        struct sigaction ignore {};
        ignore.sa_handler = SIG_IGN;
        sigemptyset(&ignore.sa_mask);
        m_saved = ::sigaction(SIGPIPE, &ignore, &m_old) == 0;
    }
    ~IgnoreSigpipe() {
        if (m_saved) {
            ::sigaction(SIGPIPE, &m_old, nullptr);
        }
    }
    IgnoreSigpipe(const IgnoreSigpipe&) = delete;
    IgnoreSigpipe& operator=(const IgnoreSigpipe&) = delete;

private:
    struct sigaction m_old {};
    bool m_saved = false;
};

// Whole UTF-8 characters only (others become '?'), no control characters
// but line breaks and tabs, no trailing blank lines: stderr goes into the
// database, JSON output and the terminal.
std::string clean_output(const std::string& raw) {
    std::string out;
    std::size_t i = 0;
    while (i < raw.size()) {
        const auto c = static_cast<unsigned char>(raw[i]);
        std::size_t n = 1;
        if (c >= 0xF0) {
            n = 4;
        } else if (c >= 0xE0) {
            n = 3;
        } else if (c >= 0xC0) {
            n = 2;
        }
        if (n > 1) {
            const std::string_view unit(raw.data() + i, std::min(n, raw.size() - i));
            if (unit.size() == n && util::is_valid_utf8(unit)) {
                out += unit;
                i += n;
            } else {
                out += '?';
                ++i;
            }
            continue;
        }
        if (c >= 0x80 || ((c < 0x20 || c == 0x7F) && c != '\n' && c != '\t')) {
            out += c == '\r' ? "" : "?";
        } else {
            out += static_cast<char>(c);
        }
        ++i;
    }
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ' || out.back() == '\t')) {
        out.pop_back();
    }
    return out;
}

}  // namespace

std::string ExecResult::describe(const std::string& program) const {
    std::string text;
    if (!started) {
        return start_error;
    }
    if (timed_out) {
        text = util::quoted(program) + " timed out and was killed";
    } else if (signal != 0) {
        text = util::quoted(program) + " was killed by signal " + std::to_string(signal);
    } else if (exit_code != 0) {
        text = util::quoted(program) + " exited with status " + std::to_string(exit_code);
    } else {
        text = util::quoted(program) + " succeeded";
    }
    if (!stderr_text.empty()) {
        text += ": " + stderr_text;
    }
    return text;
}

ExecResult run_command(const ExecRequest& request) {
    ExecResult result;
    if (request.argv.empty() || request.argv.front().empty()) {
        result.start_error = "no command to run";
        return result;
    }

    // Everything the child needs is made before fork: between fork and exec
    // it calls only async-signal-safe functions.
    std::vector<std::string> env_strings;
    std::unique_lock<std::mutex> environment(util::environment_mutex());  // $TZ switches
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
        const std::string_view text(*entry);
        const std::string_view name = text.substr(0, text.find('='));
        bool replaced = false;
        for (const auto& [key, value] : request.env) {
            replaced = replaced || name == key;
        }
        if (!replaced) {
            env_strings.emplace_back(text);
        }
    }
    environment.unlock();
    for (const auto& [key, value] : request.env) {
        env_strings.push_back(key + "=" + value);
    }
    std::vector<char*> envp;
    for (auto& s : env_strings) {
        envp.push_back(s.data());
    }
    envp.push_back(nullptr);
    std::vector<std::string> argv_strings = request.argv;
    std::vector<char*> argv;
    for (auto& s : argv_strings) {
        argv.push_back(s.data());
    }
    argv.push_back(nullptr);

    Fd stdin_read, stdin_write, stderr_read, stderr_write, status_read, status_write;
    make_pipe(stdin_read, stdin_write);
    make_pipe(stderr_read, stderr_write);
    make_pipe(status_read, status_write);  // carries errno when exec fails
    Fd stdout_read, stdout_write;
    if (request.capture_stdout) {
        make_pipe(stdout_read, stdout_write);
    }
    Fd dev_null(::open("/dev/null", O_WRONLY | O_CLOEXEC));
    if (!dev_null.open()) {
        throw internal_error(std::string("cannot open /dev/null: ") + std::strerror(errno));
    }

    const pid_t pid = ::fork();
    if (pid < 0) {
        throw internal_error(std::string("cannot start a process: ") + std::strerror(errno));
    }
    if (pid == 0) {
        // The child: its own process group, so that a timeout kills whatever
        // it started too; default signal handling; the pipes on 0 and 2.
        ::setpgid(0, 0);
        ::signal(SIGPIPE, SIG_DFL);
        if (::dup2(stdin_read.get(), STDIN_FILENO) < 0 ||
            ::dup2(request.capture_stdout ? stdout_write.get() : dev_null.get(), STDOUT_FILENO) <
                0 ||
            ::dup2(stderr_write.get(), STDERR_FILENO) < 0) {
            const int err = errno;
            [[maybe_unused]] const ssize_t n = ::write(status_write.get(), &err, sizeof err);
            ::_exit(127);
        }
        ::execvpe(argv[0], argv.data(), envp.data());
        const int err = errno;
        [[maybe_unused]] const ssize_t n = ::write(status_write.get(), &err, sizeof err);
        ::_exit(127);
    }

    ::setpgid(pid, pid);  // also here: no race with the child's own call
    stdin_read.close();
    stderr_write.close();
    status_write.close();
    stdout_write.close();
    dev_null.close();
    IgnoreSigpipe ignore_sigpipe;

    // exec closes the status pipe (close-on-exec): EOF means it started.
    int exec_errno = 0;
    ssize_t got = 0;
    do {
        got = ::read(status_read.get(), &exec_errno, sizeof exec_errno);
    } while (got < 0 && errno == EINTR);
    if (got == static_cast<ssize_t>(sizeof exec_errno)) {
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        result.start_error = "cannot run " + util::quoted(request.argv.front()) + ": " +
                             std::strerror(exec_errno);
        return result;
    }
    result.started = true;

    ::fcntl(stdin_write.get(), F_SETFL, ::fcntl(stdin_write.get(), F_GETFL) | O_NONBLOCK);
    ::fcntl(stderr_read.get(), F_SETFL, ::fcntl(stderr_read.get(), F_GETFL) | O_NONBLOCK);
    if (stdout_read.open()) {
        ::fcntl(stdout_read.get(), F_SETFL, ::fcntl(stdout_read.get(), F_GETFL) | O_NONBLOCK);
    }
    std::size_t written = 0;
    if (request.input.empty()) {
        stdin_write.close();
    }
    std::string err_bytes;
    bool err_truncated = false;
    auto read_stderr = [&]() {
        char buf[4096];
        for (;;) {
            const ssize_t n = ::read(stderr_read.get(), buf, sizeof buf);
            if (n > 0) {
                const auto count = static_cast<std::size_t>(n);
                const std::size_t room =
                    request.stderr_limit > err_bytes.size() ? request.stderr_limit - err_bytes.size()
                                                            : 0;
                err_bytes.append(buf, std::min(room, count));
                err_truncated = err_truncated || count > room;
                continue;
            }
            if (n == 0) {
                stderr_read.close();
            } else if (errno == EINTR) {
                continue;
            }
            return;  // EAGAIN: nothing more now
        }
    };

    auto read_stdout = [&]() {
        char buf[16384];
        for (;;) {
            const ssize_t n = ::read(stdout_read.get(), buf, sizeof buf);
            if (n > 0) {
                const auto count = static_cast<std::size_t>(n);
                const std::size_t have = result.stdout_bytes.size();
                const std::size_t room = request.stdout_limit > have ? request.stdout_limit - have : 0;
                result.stdout_bytes.append(buf, std::min(room, count));
                result.stdout_truncated = result.stdout_truncated || count > room;
                continue;
            }
            if (n == 0) {
                stdout_read.close();
            } else if (errno == EINTR) {
                continue;
            }
            return;  // EAGAIN: nothing more now
        }
    };

    const Clock::time_point deadline = Clock::now() + request.timeout;
    int status = 0;
    bool reaped = false;
    while (!reaped) {
        const pid_t w = ::waitpid(pid, &status, WNOHANG);
        if (w == pid) {
            reaped = true;
            break;
        }
        const auto now = Clock::now();
        if (now >= deadline) {
            ::kill(-pid, SIGKILL);
            while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
            }
            result.timed_out = true;
            reaped = true;
            break;
        }
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
        // Short waits: a command that exits while something it started keeps
        // stderr open must not be waited for until the timeout.
        const int wait_ms = static_cast<int>(std::min<long long>(std::max<long long>(left, 1), 50));
        pollfd fds[3] = {};
        nfds_t count = 0;
        if (stdin_write.open()) {
            fds[count++] = {stdin_write.get(), POLLOUT, 0};
        }
        if (stderr_read.open()) {
            fds[count++] = {stderr_read.get(), POLLIN, 0};
        }
        if (stdout_read.open()) {
            fds[count++] = {stdout_read.get(), POLLIN, 0};
        }
        if (count == 0) {
            ::poll(nullptr, 0, wait_ms);
            continue;
        }
        if (::poll(fds, count, wait_ms) < 0 && errno != EINTR) {
            break;
        }
        for (nfds_t i = 0; i < count; ++i) {
            if (fds[i].revents == 0) {
                continue;
            }
            if (fds[i].fd == stdin_write.get()) {
                const ssize_t n = ::write(stdin_write.get(), request.input.data() + written,
                                          request.input.size() - written);
                if (n > 0) {
                    written += static_cast<std::size_t>(n);
                    if (written == request.input.size()) {
                        stdin_write.close();
                    }
                } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
                    stdin_write.close();  // EPIPE: it does not read its input
                }
            } else if (fds[i].fd == stderr_read.get()) {
                read_stderr();
            } else if (fds[i].fd == stdout_read.get()) {
                read_stdout();
            }
        }
    }
    if (stderr_read.open()) {
        read_stderr();  // what is already there; never wait for it
    }
    if (stdout_read.open()) {
        read_stdout();  // the same
    }
    if (!reaped) {
        ::kill(-pid, SIGKILL);
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
    }
    if (!result.timed_out) {
        if (WIFEXITED(status)) {
            result.exit_code = WEXITSTATUS(status);
        } else if (WIFSIGNALED(status)) {
            result.signal = WTERMSIG(status);
        }
    }
    result.stderr_text = clean_output(err_bytes);
    if (err_truncated) {
        result.stderr_text += " […]";
    }
    return result;
}

}  // namespace signet::delivery
