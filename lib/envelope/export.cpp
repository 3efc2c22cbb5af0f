#include "envelope/export.hpp"

#include "envelope/certificate.hpp"
#include "signet/error.hpp"
#include "util/crypto_hash.hpp"
#include "util/fs.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace signet::envelope {
namespace {

namespace fs = std::filesystem;

fs::path absolute_path(const fs::path& p) {
    std::error_code ec;
    fs::path a = fs::absolute(p, ec);
    return ec ? p : a.lexically_normal();
}

// True when `path` is `dir` or lies under it (after resolving symlinks of
// what exists).
bool is_inside(const fs::path& path, const fs::path& dir) {
    std::error_code ec;
    const fs::path p = fs::weakly_canonical(path, ec);
    const fs::path d = fs::weakly_canonical(dir, ec);
    if (ec) {
        return false;
    }
    auto pi = p.begin();
    for (auto di = d.begin(); di != d.end(); ++di, ++pi) {
        if (di->empty()) {
            continue;  // a trailing separator
        }
        if (pi == p.end() || *pi != *di) {
            return false;
        }
    }
    return true;
}

void check_output(const fs::path& path, const char* what, bool force, const fs::path& store_dir) {
    std::error_code ec;
    const fs::path parent = path.has_parent_path() ? path.parent_path() : fs::path(".");
    if (!fs::is_directory(parent, ec)) {
        throw bad_input("cannot write the " + std::string(what) + " \"" + path.string() +
                            "\": the directory \"" + parent.string() + "\" does not exist",
                        {"create it first, or give another path"});
    }
    if (fs::is_directory(path, ec)) {
        throw bad_input("the " + std::string(what) + " \"" + path.string() +
                            "\" is a directory; give a file name",
                        {"for example: " + (path / "signed.pdf").string()});
    }
    if (is_inside(path, store_dir)) {
        throw bad_input("refusing to write the " + std::string(what) + " \"" + path.string() +
                            "\" inside the store \"" + store_dir.string() + "\"",
                        {"write it somewhere outside the store"});
    }
    if (!force && fs::symlink_status(path, ec).type() != fs::file_type::not_found && !ec) {
        throw bad_input("\"" + path.string() + "\" exists; refusing to replace it",
                        {"give another path, or add --force to replace it"});
    }
}

std::string errno_text() { return std::strerror(errno); }

void sync_dir(const fs::path& path) {
    const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

// A file prepared beside its destination, put in place by commit() and
// removed if it never is.
class PendingFile {
public:
    explicit PendingFile(fs::path destination)
        : m_path(std::move(destination)), m_tmp(util::temporary_path_beside(m_path)) {}
    ~PendingFile() {
        if (!m_tmp.empty()) {
            std::error_code ec;
            fs::remove(m_tmp, ec);
        }
    }
    PendingFile(const PendingFile&) = delete;
    PendingFile& operator=(const PendingFile&) = delete;

    const fs::path& tmp() const { return m_tmp; }

    // Puts the file in place: over what is there with `force`, else only if
    // nothing is (link(2) refuses to replace, so a file created meanwhile
    // is safe too).
    void commit(bool force) {
        if (force) {
            util::commit_file(m_tmp, m_path, 0600);
        } else {
            const int fd = ::open(m_tmp.c_str(), O_RDONLY);
            if (fd < 0 || ::fchmod(fd, 0600) != 0 || ::fsync(fd) != 0) {
                const std::string why = errno_text();
                if (fd >= 0) {
                    ::close(fd);
                }
                throw internal_error("cannot write \"" + m_tmp.string() + "\": " + why);
            }
            ::close(fd);
            if (::link(m_tmp.c_str(), m_path.c_str()) != 0) {
                if (errno == EEXIST) {
                    throw bad_input("\"" + m_path.string() + "\" exists; refusing to replace it",
                                    {"give another path, or add --force to replace it"});
                }
                throw internal_error("cannot write \"" + m_path.string() + "\": " + errno_text());
            }
            m_created = true;
            ::unlink(m_tmp.c_str());
            sync_dir(m_path);
        }
        m_tmp.clear();
    }

    // Removes the file commit() created (not one it replaced).
    void undo() {
        if (m_created) {
            ::unlink(m_path.c_str());
            m_created = false;
        }
    }

private:
    fs::path m_path;
    fs::path m_tmp;
    bool m_created = false;
};

}  // namespace

ExportResult export_envelope(store::Store& store, const ExportRequest& request) {
    ExportResult result;
    result.document.path = absolute_path(request.out);
    if (request.certificate) {
        result.certificate = ExportedFile{absolute_path(*request.certificate), "", 0};
        std::error_code ec;
        if (result.certificate->path == result.document.path ||
            fs::equivalent(request.out, *request.certificate, ec)) {
            throw bad_input("--out and --certificate name the same file \"" +
                                request.out.string() + "\"",
                            {"give the certificate a name of its own, e.g. certificate.pdf"});
        }
    }

    std::string current_sha;
    std::string certificate_pdf;
    store.db().read([&] {
        store::Statement q = store.db().prepare(
            "SELECT id, status, current_sha256, revisions FROM envelopes WHERE id = ?");
        q.bind(1, request.envelope_id);
        if (!q.step()) {
            throw not_found("no envelope \"" + request.envelope_id + "\" in the store \"" +
                                store.dir().string() + "\"",
                            {"list the envelopes with: signet status"});
        }
        result.id = q.text(0);
        result.status = q.text(1);
        current_sha = q.text(2);
        result.revisions = static_cast<int>(q.integer(3));
        if (result.status == "draft") {
            throw not_allowed("envelope " + result.id + " is a draft: nothing is signed yet",
                              {"send it first with: signet send " + result.id});
        }
        check_output(request.out, "PDF", request.force, store.dir());
        if (request.certificate) {
            check_output(*request.certificate, "certificate", request.force, store.dir());
            // From the same snapshot as the document's hash.
            certificate_pdf = completion_certificate_pdf(store, result.id);
        }
    });

    const fs::path stored = store.document_path(current_sha);
    const std::vector<std::string> audit_hint = {
        "check the store with: signet audit " + result.id + " --check"};
    std::error_code ec;
    if (!fs::is_regular_file(stored, ec)) {
        throw Error(ErrorKind::internal,
                    "the current PDF of envelope " + result.id + " is missing from the store: \"" +
                        stored.string() + "\"",
                    audit_hint);
    }

    PendingFile document(request.out);
    fs::copy_file(stored, document.tmp(), ec);
    if (ec) {
        throw internal_error("cannot copy \"" + stored.string() + "\" to \"" +
                             document.tmp().string() + "\": " + ec.message());
    }
    // The copy is what the user gets: check it, not the original.
    result.document.sha256 = util::sha256_file_hex(document.tmp());
    if (result.document.sha256 != current_sha) {
        throw Error(ErrorKind::internal,
                    "the current PDF of envelope " + result.id + " in the store (\"" +
                        stored.string() + "\") does not match its recorded SHA-256 " +
                        current_sha + ": it was changed or damaged; nothing was written",
                    audit_hint);
    }
    result.document.size = fs::file_size(document.tmp());

    std::optional<PendingFile> certificate;
    if (request.certificate) {
        certificate.emplace(*request.certificate);
        util::write_file_atomic(certificate->tmp(), certificate_pdf, 0600);
        result.certificate->sha256 = util::sha256_hex(certificate_pdf);
        result.certificate->size = certificate_pdf.size();
    }

    document.commit(request.force);
    if (certificate) {
        try {
            certificate->commit(request.force);
        } catch (...) {
            document.undo();
            throw;
        }
    }
    return result;
}

}  // namespace signet::envelope
