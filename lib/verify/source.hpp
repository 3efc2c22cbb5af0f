// Reading a PDF file for verification without loading it: positioned reads
// through one descriptor, and qpdf input sources that see only a prefix of
// the file (a revision: the document as it was when that revision ended).
#pragma once

#include "pdf/qpdf.hpp"

#include <qpdf/InputSource.hh>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace signet::verify {

// An open file, read with pread(): shareable between input sources.
class PdfFile {
public:
    // Throws bad_input when the file cannot be opened or is not a regular file.
    explicit PdfFile(const std::filesystem::path& path);
    ~PdfFile();
    PdfFile(const PdfFile&) = delete;
    PdfFile& operator=(const PdfFile&) = delete;

    const std::string& name() const { return m_name; }
    std::uint64_t size() const { return m_size; }

    // Reads up to n bytes at `offset`; returns how many (fewer only at the
    // end of the file). Throws bad_input on a read error.
    std::size_t read_at(std::uint64_t offset, char* out, std::size_t n) const;
    // Up to n bytes at `offset` as a string.
    std::string read_string(std::uint64_t offset, std::size_t n) const;

private:
    std::string m_name;
    int m_fd = -1;
    std::uint64_t m_size = 0;
};

// A qpdf InputSource over the first `limit` bytes of a file: qpdf opening it
// sees the document as it was at the end of the revision ending there.
class PrefixSource : public InputSource {
public:
    PrefixSource(std::shared_ptr<const PdfFile> file, std::uint64_t limit);

    qpdf_offset_t findAndSkipNextEOL() override;
    std::string const& getName() const override { return m_name; }
    qpdf_offset_t tell() override { return m_pos; }
    void seek(qpdf_offset_t offset, int whence) override;
    void rewind() override { m_pos = 0; }
    size_t read(char* out, size_t length) override;
    void unreadCh(char ch) override;

    std::uint64_t limit() const { return static_cast<std::uint64_t>(m_limit); }

private:
    std::shared_ptr<const PdfFile> m_file;
    qpdf_offset_t m_limit = 0;
    qpdf_offset_t m_pos = 0;
    std::string m_name;
    std::vector<char> m_cache;
    qpdf_offset_t m_cache_start = 0;
    std::size_t m_cache_len = 0;
};

}  // namespace signet::verify
