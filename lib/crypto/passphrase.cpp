#include "crypto/passphrase.hpp"

#include "signet/error.hpp"

#include <openssl/crypto.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <termios.h>
#include <unistd.h>

namespace signet::crypto {
namespace {

constexpr std::size_t k_max_passphrase = 4096;
constexpr std::array<int, 4> k_fatal_signals = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

// What the signal handler needs to give the terminal its echo back. Only one
// prompt runs at a time (signet is single-threaded where it asks).
volatile std::sig_atomic_t g_tty_fd = -1;
volatile std::sig_atomic_t g_interrupted = 0;
struct termios g_saved_termios {};
std::array<struct sigaction, k_fatal_signals.size()> g_old_actions{};

extern "C" void restore_terminal_and_reraise(int sig) {
    if (g_tty_fd >= 0) {
        ::tcsetattr(g_tty_fd, TCSAFLUSH, &g_saved_termios);
    }
    g_interrupted = 1;
    for (std::size_t i = 0; i < k_fatal_signals.size(); ++i) {
        if (k_fatal_signals[i] == sig) {
            ::sigaction(sig, &g_old_actions[i], nullptr);
        }
    }
    // Delivered with the previous disposition once this handler returns.
    ::raise(sig);
}

Error no_terminal(const PassphraseSource& source) {
    return bad_input("no " + source.what + ": " + source.env_var +
                         " is not set and there is no terminal to ask at",
                     {"set " + source.env_var +
                      " in the environment (a secret is never taken on the command line)"});
}

// The terminal, opened with echo off for as long as this object lives.
class SilentTerminal {
public:
    explicit SilentTerminal(const PassphraseSource& source) : m_what(source.what) {
        m_fd = ::open(source.tty.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (m_fd < 0) {
            throw no_terminal(source);
        }
        struct termios saved {};
        if (::isatty(m_fd) == 0 || ::tcgetattr(m_fd, &saved) != 0) {
            ::close(m_fd);
            throw no_terminal(source);
        }
        g_saved_termios = saved;
        g_interrupted = 0;
        g_tty_fd = m_fd;
        struct sigaction action {};
        action.sa_handler = restore_terminal_and_reraise;
        sigemptyset(&action.sa_mask);
        for (std::size_t i = 0; i < k_fatal_signals.size(); ++i) {
            ::sigaction(k_fatal_signals[i], &action, &g_old_actions[i]);
        }
        struct termios silent = saved;
        silent.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        silent.c_lflag |= static_cast<tcflag_t>(ECHONL | ICANON);
        if (::tcsetattr(m_fd, TCSAFLUSH, &silent) != 0) {
            restore();
            throw bad_input(std::string("cannot turn off echo on the terminal: ") +
                            std::strerror(errno));
        }
    }
    ~SilentTerminal() { restore(); }
    SilentTerminal(const SilentTerminal&) = delete;
    SilentTerminal& operator=(const SilentTerminal&) = delete;

    void write_text(std::string_view text) const {
        while (!text.empty()) {
            const ssize_t n = ::write(m_fd, text.data(), text.size());
            if (n < 0 && errno == EINTR && g_interrupted == 0) {
                continue;
            }
            if (n <= 0) {
                return;  // a prompt that cannot be shown is not fatal
            }
            text.remove_prefix(static_cast<std::size_t>(n));
        }
    }

    // One line, without its line ending.
    std::string read_line() const {
        std::string line;
        for (;;) {
            char c = '\0';
            const ssize_t n = ::read(m_fd, &c, 1);
            if (n < 0 && errno == EINTR && g_interrupted == 0) {
                continue;
            }
            if (n < 0 || g_interrupted != 0) {
                OPENSSL_cleanse(line.data(), line.size());
                throw bad_input("reading the " + m_what + " was interrupted");
            }
            if (n == 0 || c == '\n') {
                break;
            }
            if (line.size() >= k_max_passphrase) {
                OPENSSL_cleanse(line.data(), line.size());
                throw bad_input("the " + m_what + " is too long (more than 4096 bytes)");
            }
            line += c;
        }
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        return line;
    }

private:
    void restore() {
        if (m_fd < 0) {
            return;
        }
        ::tcsetattr(m_fd, TCSAFLUSH, &g_saved_termios);
        for (std::size_t i = 0; i < k_fatal_signals.size(); ++i) {
            ::sigaction(k_fatal_signals[i], &g_old_actions[i], nullptr);
        }
        g_tty_fd = -1;
        ::close(m_fd);
        m_fd = -1;
    }

    int m_fd = -1;
    std::string m_what;
};

// The first line of the file `variable` names.
std::string secret_from_file(const std::string& variable, const char* path,
                             const PassphraseSource& source) {
    std::ifstream in(path, std::ios::binary);
    std::string line;
    if (!in || !std::getline(in, line)) {
        throw bad_input(variable + " names \"" + path + "\", which cannot be read");
    }
    if (!line.empty() && line.back() == '\r') {
        line.pop_back();
    }
    if (line.empty()) {
        throw bad_input("the " + source.what + " in \"" + std::string(path) + "\" is empty");
    }
    return line;
}

}  // namespace

std::string key_passphrase(std::string_view prompt, Confirm confirm,
                           const PassphraseSource& source) {
    if (const char* env = std::getenv(source.env_var.c_str()); env != nullptr) {
        if (*env == '\0') {
            throw bad_input(source.env_var + " is set but empty");
        }
        return env;
    }
    if (!source.file_env_var.empty()) {
        if (const char* file = std::getenv(source.file_env_var.c_str());
            file != nullptr && *file != '\0') {
            return secret_from_file(source.file_env_var, file, source);
        }
    }
    SilentTerminal tty(source);
    tty.write_text(prompt);
    std::string first = tty.read_line();
    if (first.empty()) {
        throw bad_input("the " + source.what + " is empty");
    }
    if (confirm == Confirm::yes) {
        tty.write_text("Repeat the passphrase: ");
        std::string second = tty.read_line();
        const bool same = first == second;
        OPENSSL_cleanse(second.data(), second.size());
        if (!same) {
            OPENSSL_cleanse(first.data(), first.size());
            throw bad_input("the two passphrases differ");
        }
    }
    return first;
}

}  // namespace signet::crypto
