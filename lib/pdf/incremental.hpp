// Incremental updates: a revision appended to an existing PDF, holding only
// the objects that changed and those that are new, with an xref section that
// points back to the revision before (/Prev). When the update carries a
// signature, the byte ranges are hashed while the file is written and the
// CMS is patched into the reserved /Contents at an offset we know, so a
// 100 MB document is streamed, never held in memory.
#pragma once

#include "pdf/qpdf.hpp"
#include "util/time.hpp"

#include <openssl/types.h>

#include <array>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace signet::pdf {

using Sha256 = std::array<unsigned char, 32>;

// Builds the CMS for the SHA-256 of the signed byte ranges; returns DER.
using CmsSigner = std::function<std::string(const Sha256& digest)>;

// What the signature dictionary says.
struct SignatureRequest {
    std::string field_name;  // an existing, empty signature field to sign
    std::string subfilter = "ETSI.CAdES.detached";
    std::string name;        // /Name: who signs
    std::string reason;      // /Reason
    std::string location;    // /Location
    util::UnixTime signing_time = 0;  // /M
    // Certification (DocMDP) with this permission level: 1 no changes,
    // 2 form filling and signing, 3 also annotations.
    std::optional<int> docmdp;
    // FieldMDP: the fields this signature locks (matches the field's /Lock).
    std::vector<std::string> lock_fields;
    std::size_t contents_bytes = 16384;  // room reserved for the CMS (DER bytes)
};

struct UpdateResult {
    std::string sha256;  // of the whole new file, hex
    std::size_t size = 0;
    std::array<std::size_t, 4> byte_range{};  // [0 a b c] when signed
};

class IncrementalUpdate {
public:
    // Opens the PDF for an update. Throws bad_input for a file qpdf cannot
    // read, or one whose last revision uses a cross-reference stream (signet
    // normalises documents before the first signature).
    explicit IncrementalUpdate(const std::filesystem::path& input);
    ~IncrementalUpdate();
    IncrementalUpdate(const IncrementalUpdate&) = delete;
    IncrementalUpdate& operator=(const IncrementalUpdate&) = delete;

    QPDF& qpdf() { return m_qpdf; }

    // The form field (merged with its widget) named `name` (/T), found
    // through /AcroForm /Fields; throws internal_error when missing.
    QPDFObjectHandle field(const std::string& name);

    // Marks an existing object as changed: its current state is written.
    void touch(QPDFObjectHandle object);

    // Writes the input followed by the update to `output`, a new file (made
    // with mode 0600; an existing one is an error) flushed to disk before
    // this returns and removed if writing fails. Give it a temporary name
    // and rename it into place (Store::adopt_document does) so that no
    // reader ever sees a partial file. New objects reachable from touched
    // objects are written too. With a signature request, the named field gets a
    // signature dictionary and `signer` is called with the digest.
    //
    // Afterwards the object continues from what it wrote: later touches and
    // another write() append the next revision to it, without parsing the
    // file again (the written file may be renamed or moved meanwhile).
    UpdateResult write(const std::filesystem::path& output,
                       const std::optional<SignatureRequest>& signature = std::nullopt,
                       const CmsSigner& signer = {});

private:
    // Adds the new objects that `object` reaches (and `object` itself when
    // it is new and not the root of the walk) to `out`.
    void collect_new(QPDFObjectHandle object, std::set<int>& seen, std::vector<int>& out,
                     bool is_root);

    std::filesystem::path m_input;  // named in messages
    // The input's bytes when it is small (k_in_memory_limit): qpdf then
    // reads objects without a system call each. Declared before m_qpdf,
    // which reads from it until it is destroyed.
    std::string m_bytes;
    // The revisions this object wrote after m_bytes, while in memory.
    std::string m_appended;
    // When not in memory: the document so far (the input, then the last
    // file written), read from offset 0.
    int m_fd = -1;
    QPDF m_qpdf;
    int m_first_new_id = 0;    // objects with ids from here on are new
    std::uintmax_t m_input_size = 0;
    long long m_prev_xref = 0;  // startxref of the last revision
    bool m_ends_with_newline = true;
    std::vector<QPDFObjectHandle> m_touched;
    // SHA-256 state after the m_input_size bytes written last, when this
    // object wrote them: the next revision goes on from it instead of
    // hashing the document again.
    std::shared_ptr<EVP_MD_CTX> m_hashed;
};

// True when the file's last revision ends with a classic cross-reference
// table, the first condition for IncrementalUpdate to take it.
bool ends_with_xref_table(const std::filesystem::path& pdf);

// PDF date string for /M: D:YYYYMMDDHHmmSSZ (UTC).
std::string pdf_date(util::UnixTime t);

}  // namespace signet::pdf
