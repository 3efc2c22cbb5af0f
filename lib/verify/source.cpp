#include "verify/source.hpp"

#include "signet/error.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace signet::verify {

PdfFile::PdfFile(const std::filesystem::path& path) : m_name(path.string()) {
    m_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (m_fd < 0) {
        throw bad_input("cannot open \"" + m_name + "\": " + std::strerror(errno));
    }
    struct stat st {};
    if (::fstat(m_fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(m_fd);
        m_fd = -1;
        throw bad_input("\"" + m_name + "\" is not a regular file");
    }
    m_size = static_cast<std::uint64_t>(st.st_size);
    // Hashing reads the file front to back once: let the kernel read ahead.
    (void)::posix_fadvise(m_fd, 0, 0, POSIX_FADV_SEQUENTIAL);
}

PdfFile::~PdfFile() {
    if (m_fd >= 0) {
        ::close(m_fd);
    }
}

std::size_t PdfFile::read_at(std::uint64_t offset, char* out, std::size_t n) const {
    std::size_t done = 0;
    while (done < n && offset + done < m_size) {
        const ssize_t got =
            ::pread(m_fd, out + done, n - done, static_cast<off_t>(offset + done));
        if (got < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw bad_input("cannot read \"" + m_name + "\": " + std::strerror(errno));
        }
        if (got == 0) {
            break;
        }
        done += static_cast<std::size_t>(got);
    }
    return done;
}

std::string PdfFile::read_string(std::uint64_t offset, std::size_t n) const {
    if (offset >= m_size) {
        return {};
    }
    n = static_cast<std::size_t>(std::min<std::uint64_t>(n, m_size - offset));
    std::string out(n, '\0');
    out.resize(read_at(offset, out.data(), n));
    return out;
}

namespace {
constexpr std::size_t k_cache_size = 64 * 1024;
}

PrefixSource::PrefixSource(std::shared_ptr<const PdfFile> file, std::uint64_t limit)
    : m_file(std::move(file)),
      m_limit(static_cast<qpdf_offset_t>(std::min(limit, m_file->size()))),
      m_name(m_file->name()),
      m_cache(k_cache_size) {}

void PrefixSource::seek(qpdf_offset_t offset, int whence) {
    qpdf_offset_t to = offset;
    if (whence == SEEK_CUR) {
        to = m_pos + offset;
    } else if (whence == SEEK_END) {
        to = m_limit + offset;
    }
    if (to < 0) {
        throw std::runtime_error(m_name + ": seek before the start of the file");
    }
    m_pos = to;
}

size_t PrefixSource::read(char* out, size_t length) {
    last_offset = m_pos;
    if (m_pos >= m_limit || length == 0) {
        return 0;
    }
    const auto available = static_cast<std::size_t>(m_limit - m_pos);
    length = std::min(length, available);
    std::size_t done = 0;
    while (done < length) {
        const qpdf_offset_t at = m_pos + static_cast<qpdf_offset_t>(done);
        if (at >= m_cache_start && at < m_cache_start + static_cast<qpdf_offset_t>(m_cache_len)) {
            const auto from = static_cast<std::size_t>(at - m_cache_start);
            const std::size_t n = std::min(length - done, m_cache_len - from);
            std::memcpy(out + done, m_cache.data() + from, n);
            done += n;
            continue;
        }
        if (length - done >= k_cache_size) {
            const std::size_t n =
                m_file->read_at(static_cast<std::uint64_t>(at), out + done, length - done);
            done += n;
            if (n == 0) {
                break;
            }
            continue;
        }
        m_cache_start = at;
        m_cache_len = m_file->read_at(static_cast<std::uint64_t>(at), m_cache.data(), k_cache_size);
        if (m_cache_len == 0) {
            break;
        }
    }
    m_pos += static_cast<qpdf_offset_t>(done);
    return done;
}

void PrefixSource::unreadCh(char) {
    if (m_pos > 0) {
        --m_pos;
    }
}

qpdf_offset_t PrefixSource::findAndSkipNextEOL() {
    qpdf_offset_t result = 0;
    bool found = false;
    char buf[1024];
    while (true) {
        const qpdf_offset_t start = m_pos;
        const std::size_t n = read(buf, sizeof buf);
        if (n == 0) {
            return found ? result : m_pos;
        }
        for (std::size_t i = 0; i < n; ++i) {
            const char c = buf[i];
            if (!found) {
                if (c == '\r' || c == '\n') {
                    found = true;
                    result = start + static_cast<qpdf_offset_t>(i);
                }
            } else if (c != '\r' && c != '\n') {
                m_pos = start + static_cast<qpdf_offset_t>(i);
                return result;
            }
        }
    }
}

}  // namespace signet::verify
