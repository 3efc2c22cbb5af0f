#include "pdf/incremental.hpp"

#include "signet/error.hpp"
#include "util/crypto_hash.hpp"
#include "util/fs.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <sys/stat.h>
#include <fstream>
#include <memory>
#include <unistd.h>

namespace signet::pdf {
namespace {

using DigestCtx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

DigestCtx new_sha256() {
    DigestCtx ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
        throw internal_error("SHA-256 init failed");
    }
    return ctx;
}

void update(EVP_MD_CTX* ctx, std::string_view data) {
    if (EVP_DigestUpdate(ctx, data.data(), data.size()) != 1) {
        throw internal_error("SHA-256 update failed");
    }
}

Sha256 finish(EVP_MD_CTX* ctx) {
    Sha256 out{};
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(ctx, out.data(), &len) != 1 || len != out.size()) {
        throw internal_error("SHA-256 final failed");
    }
    return out;
}

// Inputs up to this size are read into memory whole: a document signet
// prepared from a typical contract or invoice is tens of kilobytes, and
// qpdf resolves every object of it once (to number the new ones), each
// with a seek and a read on a file. Larger ones stay on disk, so memory
// stays small for a 100 MB scan.
constexpr std::uintmax_t k_in_memory_limit = 16u << 20;

// `length` bytes at `offset`, from memory when the input is there (fd < 0).
std::string read_at(int fd, const std::string& bytes, std::uintmax_t offset, std::size_t length) {
    if (fd < 0) {
        return offset < bytes.size() ? bytes.substr(static_cast<std::size_t>(offset), length)
                                     : std::string();
    }
    std::string buf(length, '\0');
    const ssize_t n = ::pread(fd, buf.data(), length, static_cast<off_t>(offset));
    buf.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    return buf;
}

// The offset after the last "startxref" in the file's tail.
long long read_startxref(const std::filesystem::path& path, int fd, const std::string& bytes,
                         std::uintmax_t size) {
    const std::uintmax_t tail = std::min<std::uintmax_t>(size, 2048);
    const std::string buf = read_at(fd, bytes, size - tail, static_cast<std::size_t>(tail));
    const auto at = buf.rfind("startxref");
    if (at == std::string::npos) {
        throw bad_input("\"" + path.string() + "\": no startxref at the end of the PDF");
    }
    return std::atoll(buf.c_str() + at + 9);
}

void write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw internal_error(std::string("cannot write the PDF: ") + std::strerror(errno));
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
}

// Copies the first `size` bytes of `in_fd` to `out_fd` through one small
// buffer, hashing them on the way (unless `hash` is null). Write-back of
// what was written starts as it goes (sync_file_range), so the final fsync
// finds little left to do.
void copy_and_hash(const std::filesystem::path& input, int in_fd, std::uintmax_t size, int out_fd,
                   EVP_MD_CTX* hash) {
    ::posix_fadvise(in_fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    constexpr std::size_t k_chunk = 1 << 20;
    constexpr off_t k_writeback_every = 8 << 20;
    std::unique_ptr<char[]> chunk(new char[k_chunk]);
    std::uintmax_t left = size;
    off_t written = 0;
    off_t flushed = 0;
    while (left > 0) {
        const auto want = static_cast<std::size_t>(std::min<std::uintmax_t>(left, k_chunk));
        const ssize_t n = ::pread(in_fd, chunk.get(), want, written);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            throw internal_error("cannot read \"" + input.string() + "\": " +
                                 (n < 0 ? std::strerror(errno) : "it became shorter"));
        }
        const std::string_view piece(chunk.get(), static_cast<std::size_t>(n));
        if (hash != nullptr) {
            update(hash, piece);
        }
        write_all(out_fd, piece);
        left -= static_cast<std::uintmax_t>(n);
        written += n;
        if (written - flushed >= k_writeback_every) {
            ::sync_file_range(out_fd, flushed, written - flushed, SYNC_FILE_RANGE_WRITE);
            flushed = written;
        }
    }
}

std::string sig_reference(const SignatureRequest& r) {
    std::string refs;
    if (r.docmdp) {
        refs += "<< /Type /SigRef /TransformMethod /DocMDP /TransformParams << /Type "
                "/TransformParams /P " +
                std::to_string(*r.docmdp) + " /V /1.2 >> >>";
    }
    if (!r.lock_fields.empty()) {
        QPDFObjectHandle fields = QPDFObjectHandle::newArray();
        for (const std::string& name : r.lock_fields) {
            fields.appendItem(QPDFObjectHandle::newUnicodeString(name));
        }
        refs += "<< /Type /SigRef /TransformMethod /FieldMDP /TransformParams << /Type "
                "/TransformParams /Action /Include /Fields " +
                fields.unparse() + " /V /1.2 >> >>";
    }
    return refs.empty() ? std::string() : " /Reference [" + refs + "]";
}

constexpr std::size_t k_byte_range_width = 32;  // "a b c" padded with spaces

}  // namespace

namespace {

bool xref_table_at(int fd, const std::string& bytes, long long offset) {
    return offset >= 0 && read_at(fd, bytes, static_cast<std::uintmax_t>(offset), 4) == "xref";
}

}  // namespace

bool ends_with_xref_table(const std::filesystem::path& pdf) {
    const int fd = ::open(pdf.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return false;
    }
    struct stat st {};
    bool table = false;
    try {
        table = ::fstat(fd, &st) == 0 && st.st_size > 0 &&
                xref_table_at(fd, {}, read_startxref(pdf, fd, {}, static_cast<std::uintmax_t>(st.st_size)));
    } catch (const Error&) {
        table = false;  // no startxref
    }
    ::close(fd);
    return table;
}

std::string pdf_date(util::UnixTime t) { return util::format_utc(t, "D:%Y%m%d%H%M%SZ"); }

IncrementalUpdate::IncrementalUpdate(const std::filesystem::path& input) : m_input(input) {
    std::error_code ec;
    m_input_size = std::filesystem::file_size(input, ec);
    if (ec) {
        throw bad_input("cannot read \"" + input.string() + "\": " + ec.message());
    }
    if (m_input_size <= k_in_memory_limit) {
        m_bytes = util::read_file(input);
        m_input_size = m_bytes.size();
    } else {
        m_fd = ::open(input.c_str(), O_RDONLY | O_CLOEXEC);
        if (m_fd < 0) {
            throw bad_input("cannot read \"" + input.string() + "\": " + std::strerror(errno));
        }
    }
    m_prev_xref = read_startxref(input, m_fd, m_bytes, m_input_size);
    if (!xref_table_at(m_fd, m_bytes, m_prev_xref)) {
        throw bad_input("\"" + input.string() +
                        "\": the last revision has a cross-reference stream; signet updates "
                        "only documents it prepared");
    }
    if (m_input_size > 0) {
        const std::string last = read_at(m_fd, m_bytes, m_input_size - 1, 1);
        m_ends_with_newline = last == "\n" || last == "\r";
    }
    m_qpdf.setSuppressWarnings(true);
    try {
        if (m_fd >= 0) {
            m_qpdf.processFile(input.c_str());
        } else {
            m_qpdf.processMemoryFile(input.c_str(), m_bytes.data(), m_bytes.size());
        }
    } catch (const std::exception& e) {
        throw bad_input("\"" + input.string() + "\": " + e.what());
    }
    if (m_qpdf.isEncrypted()) {
        throw bad_input("\"" + input.string() + "\": encrypted PDFs are not supported");
    }
    int max_id = 0;
    for (const auto& [og, entry] : m_qpdf.getXRefTable()) {
        max_id = std::max(max_id, og.getObj());
    }
    QPDFObjectHandle size = m_qpdf.getTrailer().getKey("/Size");
    if (size.isInteger()) {
        max_id = std::max(max_id, size.getIntValueAsInt() - 1);
    }
    m_first_new_id = max_id + 1;
}

IncrementalUpdate::~IncrementalUpdate() {
    if (m_fd >= 0) {
        ::close(m_fd);
    }
}

QPDFObjectHandle IncrementalUpdate::field(const std::string& name) {
    QPDFObjectHandle fields = m_qpdf.getRoot().getKey("/AcroForm").getKey("/Fields");
    if (fields.isArray()) {
        for (QPDFObjectHandle f : fields.aitems()) {
            if (f.isDictionary() && f.getKey("/T").isString() &&
                f.getKey("/T").getUTF8Value() == name) {
                return f;
            }
        }
    }
    throw internal_error("the prepared PDF has no field \"" + name + "\"");
}

void IncrementalUpdate::touch(QPDFObjectHandle object) {
    if (!object.isIndirect()) {
        throw internal_error("only indirect objects can be updated");
    }
    for (const QPDFObjectHandle& t : m_touched) {
        if (t.getObjGen() == object.getObjGen()) {
            return;
        }
    }
    m_touched.push_back(object);
}

void IncrementalUpdate::collect_new(QPDFObjectHandle object, std::set<int>& seen,
                                    std::vector<int>& out, bool is_root) {
    if (object.isIndirect() && !is_root) {
        const int id = object.getObjectID();
        if (id < m_first_new_id || !seen.insert(id).second) {
            return;  // an object of an earlier revision, or one already taken
        }
        out.push_back(id);
    }
    // One copy of a dictionary's entries and indexed array access: qpdf's
    // item ranges copy the keys again for begin() and end(), which made this
    // walk a tenth of a bulk send.
    if (object.isStream()) {
        collect_new(object.getDict(), seen, out, false);
    } else if (object.isDictionary()) {
        for (auto& [key, value] : object.getDictAsMap()) {
            if (value.isIndirect() || value.isDictionary() || value.isArray()) {
                collect_new(value, seen, out, false);
            }
        }
    } else if (object.isArray()) {
        const int n = object.getArrayNItems();
        for (int i = 0; i < n; ++i) {
            QPDFObjectHandle item = object.getArrayItem(i);
            if (item.isIndirect() || item.isDictionary() || item.isArray()) {
                collect_new(item, seen, out, false);
            }
        }
    }
}

UpdateResult IncrementalUpdate::write(const std::filesystem::path& output,
                                      const std::optional<SignatureRequest>& signature,
                                      const CmsSigner& signer) {
    QPDFObjectHandle sig_dict;
    if (signature) {
        QPDFObjectHandle f = field(signature->field_name);
        if (!f.getKey("/FT").isNameAndEquals("/Sig")) {
            throw internal_error("\"" + signature->field_name + "\" is not a signature field");
        }
        if (f.hasKey("/V")) {
            throw internal_error("the field \"" + signature->field_name + "\" is already signed");
        }
        sig_dict = m_qpdf.makeIndirectObject(QPDFObjectHandle::newDictionary());
        f.replaceKey("/V", sig_dict);
        touch(f);
        if (signature->docmdp) {
            QPDFObjectHandle root = m_qpdf.getRoot();
            QPDFObjectHandle perms = QPDFObjectHandle::newDictionary();
            perms.replaceKey("/DocMDP", sig_dict);
            root.replaceKey("/Perms", perms);
            touch(root);
        }
    }

    // The objects to write: touched ones and every new object they reach.
    std::vector<int> new_ids;
    std::set<int> seen;
    for (const QPDFObjectHandle& t : m_touched) {
        collect_new(t, seen, new_ids, /*is_root=*/true);
    }
    std::sort(new_ids.begin(), new_ids.end());

    std::string u;  // the update
    if (!m_ends_with_newline) {
        u += '\n';  // %%EOF stays on a line of its own
    }
    const auto base = static_cast<std::size_t>(m_input_size);
    std::vector<std::pair<int, std::size_t>> offsets;  // id -> file offset
    std::size_t byte_range_at = 0;
    std::size_t gap_start = 0;
    std::size_t gap_end = 0;

    auto write_object = [&](QPDFObjectHandle object) {
        const int id = object.getObjectID();
        offsets.emplace_back(id, base + u.size());
        u += std::to_string(id) + " " + std::to_string(object.getGeneration()) + " obj\n";
        if (signature && id == sig_dict.getObjectID()) {
            u += "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /" + signature->subfilter;
            u += " /M " + QPDFObjectHandle::newString(pdf_date(signature->signing_time)).unparse();
            if (!signature->name.empty()) {
                u += " /Name " + QPDFObjectHandle::newUnicodeString(signature->name).unparse();
            }
            if (!signature->reason.empty()) {
                u += " /Reason " + QPDFObjectHandle::newUnicodeString(signature->reason).unparse();
            }
            if (!signature->location.empty()) {
                u += " /Location " +
                     QPDFObjectHandle::newUnicodeString(signature->location).unparse();
            }
            u += sig_reference(*signature);
            u += " /ByteRange [0 ";
            byte_range_at = u.size();
            u += std::string(k_byte_range_width, ' ') + "] /Contents ";
            gap_start = base + u.size();
            u += '<';
            u.append(signature->contents_bytes * 2, '0');
            u += '>';
            gap_end = base + u.size();
            u += " >>";
        } else if (object.isStream()) {
            std::shared_ptr<Buffer> data = object.getRawStreamData();
            const auto length = static_cast<long long>(data->getSize());
            QPDFObjectHandle dict = object.getDict();
            // A copy only when /Length is not the data's already (qpdf sets
            // it for the streams made here).
            QPDFObjectHandle length_now = dict.getKey("/Length");
            if (!length_now.isInteger() || length_now.isIndirect() ||
                length_now.getIntValue() != length) {
                dict = dict.shallowCopy();
                dict.replaceKey("/Length", QPDFObjectHandle::newInteger(length));
            }
            u += dict.unparse() + "\nstream\n";
            u.append(reinterpret_cast<const char*>(data->getBuffer()), data->getSize());
            u += "\nendstream";
        } else {
            u += object.unparseResolved();  // the value, not "N G R"
        }
        u += "\nendobj\n";
    };
    for (const QPDFObjectHandle& t : m_touched) {
        write_object(t);
    }
    for (const int id : new_ids) {
        write_object(m_qpdf.getObjectByID(id, 0));
    }

    std::sort(offsets.begin(), offsets.end());
    const std::size_t xref_at = base + u.size();
    u += "xref\n";
    for (std::size_t i = 0; i < offsets.size();) {
        std::size_t j = i;
        while (j + 1 < offsets.size() && offsets[j + 1].first == offsets[j].first + 1) {
            ++j;
        }
        u += std::to_string(offsets[i].first) + " " + std::to_string(j - i + 1) + "\n";
        for (std::size_t k = i; k <= j; ++k) {
            char entry[32];
            std::snprintf(entry, sizeof entry, "%010zu 00000 n \n", offsets[k].second);
            u += entry;
        }
        i = j + 1;
    }
    int size = m_first_new_id;
    for (const auto& [id, offset] : offsets) {
        size = std::max(size, id + 1);
    }
    QPDFObjectHandle trailer = m_qpdf.getTrailer();
    u += "trailer\n<< /Size " + std::to_string(size) + " /Root " + trailer.getKey("/Root").unparse();
    if (trailer.hasKey("/Info")) {
        u += " /Info " + trailer.getKey("/Info").unparse();
    }
    if (trailer.hasKey("/ID")) {
        u += " /ID " + trailer.getKey("/ID").unparse();
    }
    u += " /Prev " + std::to_string(m_prev_xref) + " >>\nstartxref\n" + std::to_string(xref_at) +
         "\n%%EOF\n";

    UpdateResult result;
    result.size = base + u.size();
    if (signature) {
        const std::size_t total = result.size;
        const std::string numbers = std::to_string(gap_start) + " " + std::to_string(gap_end) +
                                    " " + std::to_string(total - gap_end);
        u.replace(byte_range_at, numbers.size(), numbers);
        result.byte_range = {0, gap_start, gap_end, total - gap_end};
    }

    // Copy the input while hashing it, then the update.
    // Kept open after (read back for the next revision); no hook inherits it.
    const int fd = ::open(output.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        throw internal_error("cannot create \"" + output.string() + "\": " + std::strerror(errno));
    }
    std::shared_ptr<EVP_MD_CTX> hashed;  // the whole new file's, not finished
    try {
        // One SHA-256 pass over the input: the signed ranges and the whole
        // file share it as a prefix, so the state is copied where they part.
        DigestCtx signed_hash = new_sha256();
        if (m_hashed && EVP_MD_CTX_copy_ex(signed_hash.get(), m_hashed.get()) != 1) {
            throw internal_error("SHA-256 copy failed");
        }
        EVP_MD_CTX* prefix_hash = m_hashed ? nullptr : signed_hash.get();
        if (m_fd >= 0) {
            copy_and_hash(m_input, m_fd, m_input_size, fd, prefix_hash);
        } else {
            for (const std::string* piece : {&m_bytes, &m_appended}) {
                if (prefix_hash != nullptr) {
                    update(prefix_hash, *piece);
                }
                write_all(fd, *piece);
            }
        }
        DigestCtx file_hash = new_sha256();
        if (EVP_MD_CTX_copy_ex(file_hash.get(), signed_hash.get()) != 1) {
            throw internal_error("SHA-256 copy failed");
        }
        if (signature) {
            update(signed_hash.get(), std::string_view(u).substr(0, gap_start - base));
            update(signed_hash.get(), std::string_view(u).substr(gap_end - base));
            const std::string der = signer(finish(signed_hash.get()));
            if (der.size() > signature->contents_bytes) {
                throw internal_error("the signature (" + std::to_string(der.size()) +
                                     " bytes) is larger than the room reserved for it");
            }
            std::string hex = util::to_hex(der);
            std::transform(hex.begin(), hex.end(), hex.begin(),
                           [](char c) { return static_cast<char>(std::toupper(c)); });
            u.replace(gap_start - base + 1, hex.size(), hex);
        }
        update(file_hash.get(), u);
        write_all(fd, u);
        if (::fsync(fd) != 0) {
            throw internal_error(std::string("cannot write the PDF: ") + std::strerror(errno));
        }
        hashed.reset(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
        if (!hashed || EVP_MD_CTX_copy_ex(hashed.get(), file_hash.get()) != 1) {
            throw internal_error("SHA-256 copy failed");
        }
        const Sha256 digest = finish(file_hash.get());
        result.sha256 =
            util::to_hex(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
    } catch (...) {
        ::close(fd);
        ::unlink(output.c_str());
        throw;
    }

    // Continue from what was written: in memory while it stays small, else
    // from the written file (its descriptor, whatever it is renamed to).
    if (m_fd < 0 && result.size <= k_in_memory_limit) {
        m_appended += u;
        ::close(fd);
    } else {
        if (m_fd >= 0) {
            ::close(m_fd);
        }
        m_fd = fd;
    }
    m_input = output;
    m_input_size = result.size;
    m_prev_xref = static_cast<long long>(xref_at);
    m_first_new_id = size;
    m_touched.clear();
    m_ends_with_newline = true;
    m_hashed = std::move(hashed);
    return result;
}

}  // namespace signet::pdf
