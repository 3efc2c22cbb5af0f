#include "util/fs.hpp"

#include "signet/error.hpp"
#include "util/crypto_hash.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <pwd.h>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace signet::util {
namespace {

std::string errno_text() { return std::strerror(errno); }

void write_all(int fd, std::string_view data, const fs::path& path) {
    const char* p = data.data();
    std::size_t left = data.size();
    while (left > 0) {
        const ssize_t n = ::write(fd, p, left);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw internal_error("cannot write \"" + path.string() + "\": " + errno_text());
        }
        p += n;
        left -= static_cast<std::size_t>(n);
    }
}

}  // namespace

std::string read_file(const fs::path& path) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
        throw bad_input("\"" + path.string() + "\": is a directory, not a file");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw bad_input("cannot read \"" + path.string() + "\": " + errno_text());
    }
    std::ostringstream buf;
    buf << in.rdbuf();
    return std::move(buf).str();
}

void make_private_dir(const fs::path& dir) {
    // Already there and private: one stat (this runs for every document).
    struct stat st {};
    if (::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0700) {
        return;
    }
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) {
        throw bad_input("cannot create directory \"" + dir.string() + "\": " + ec.message());
    }
    if (::chmod(dir.c_str(), 0700) != 0) {
        throw bad_input("cannot make \"" + dir.string() + "\" private: " + errno_text());
    }
}

void write_file_atomic(const fs::path& path, std::string_view data, unsigned mode,
                       DirSync dir_sync) {
    const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
    std::string tmpl = (dir / ("." + path.filename().string() + ".XXXXXX")).string();
    const int fd = ::mkstemp(tmpl.data());
    if (fd < 0) {
        throw internal_error("cannot create a file in \"" + dir.string() + "\": " + errno_text());
    }
    try {
        write_all(fd, data, path);
        if (::fchmod(fd, static_cast<mode_t>(mode)) != 0 || ::fsync(fd) != 0) {
            throw internal_error("cannot write \"" + path.string() + "\": " + errno_text());
        }
    } catch (...) {
        ::close(fd);
        ::unlink(tmpl.c_str());
        throw;
    }
    ::close(fd);
    if (::rename(tmpl.c_str(), path.c_str()) != 0) {
        const std::string why = errno_text();
        ::unlink(tmpl.c_str());
        throw internal_error("cannot rename into \"" + path.string() + "\": " + why);
    }
    if (dir_sync == DirSync::now) {
        sync_dir(dir);
    }
}

void sync_dir(const fs::path& dir) {
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
}

fs::path temporary_path_beside(const fs::path& path) {
    const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
    return dir / ("." + path.filename().string() + "." + to_hex(random_bytes(6)) + ".tmp");
}

void commit_file(const fs::path& tmp, const fs::path& path, unsigned mode) {
    const int fd = ::open(tmp.c_str(), O_RDONLY);
    if (fd < 0 || ::fchmod(fd, static_cast<mode_t>(mode)) != 0 || ::fsync(fd) != 0) {
        const std::string why = errno_text();
        if (fd >= 0) {
            ::close(fd);
        }
        throw internal_error("cannot write \"" + path.string() + "\": " + why);
    }
    ::close(fd);
    publish_synced_file(tmp, path);
}

void publish_synced_file(const fs::path& tmp, const fs::path& path) {
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        throw internal_error("cannot rename into \"" + path.string() + "\": " + errno_text());
    }
    sync_dir(path.has_parent_path() ? path.parent_path() : fs::path("."));
}

fs::path home_dir() {
    if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
        return home;
    }
    if (const passwd* pw = ::getpwuid(::geteuid()); pw != nullptr && pw->pw_dir != nullptr) {
        return pw->pw_dir;
    }
    throw internal_error("cannot find the home directory: set HOME or use --store");
}

const std::string& host_name() {
    // Read once: every message id and audit event names the host.
    static const std::string host = [] {
        char buf[256] = {};
        return ::gethostname(buf, sizeof buf - 1) == 0 ? std::string(buf) : std::string();
    }();
    return host;
}

std::string current_user() {
    // Looked up once: getpwuid reads /etc/passwd each time, and the audit
    // trail asks for every event.
    static const std::string user = [] {
        if (const passwd* pw = ::getpwuid(::geteuid()); pw != nullptr && pw->pw_name != nullptr) {
            return std::string(pw->pw_name);
        }
        if (const char* name = std::getenv("USER"); name != nullptr && *name != '\0') {
            return std::string(name);
        }
        return "uid" + std::to_string(::geteuid());
    }();
    return user;
}

}  // namespace signet::util
