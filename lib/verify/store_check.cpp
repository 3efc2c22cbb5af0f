#include "verify/store_check.hpp"

#include "audit/trail.hpp"
#include "store/database.hpp"
#include "verify/revisions.hpp"

#include <openssl/evp.h>

#include <memory>
#include <set>

namespace signet::verify {
namespace {

// SHA-256 (hex) of each revision prefix of the file, in one pass.
std::vector<std::string> prefix_hashes(const PdfFile& file, const std::vector<Revision>& revs) {
    std::vector<std::string> out;
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
    std::vector<char> buf(1 << 20);
    std::uint64_t at = 0;
    for (const Revision& r : revs) {
        while (at < r.end) {
            const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), r.end - at));
            const std::size_t got = file.read_at(at, buf.data(), want);
            if (got == 0) {
                break;
            }
            EVP_DigestUpdate(ctx, buf.data(), got);
            at += got;
        }
        EVP_MD_CTX* copy = EVP_MD_CTX_new();
        EVP_MD_CTX_copy_ex(copy, ctx);
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        EVP_DigestFinal_ex(copy, md, &len);
        EVP_MD_CTX_free(copy);
        static const char digits[] = "0123456789abcdef";
        std::string hex;
        for (unsigned int i = 0; i < len; ++i) {
            hex += digits[md[i] >> 4];
            hex += digits[md[i] & 15];
        }
        out.push_back(hex);
    }
    EVP_MD_CTX_free(ctx);
    return out;
}

}  // namespace

StoreCheck check_against_store(const std::filesystem::path& pdf,
                               const std::optional<std::filesystem::path>& store_dir) {
    StoreCheck check;
    if (!store_dir || !std::filesystem::exists(*store_dir / "signet.db")) {
        check.notes.emplace_back("no store found to check against");
        return check;
    }
    try {
        auto file = std::make_shared<const PdfFile>(pdf);
        const RevisionScan scan = scan_revisions(file);
        const std::vector<std::string> hashes = prefix_hashes(*file, scan.revisions);
        store::Database db(*store_dir / "signet.db", false);
        db.read([&] {
            // The envelope: one whose recorded revisions include this file's last one.
            std::optional<std::int64_t> seq;
            for (auto it = hashes.rbegin(); it != hashes.rend() && !seq; ++it) {
                store::Statement q =
                    db.prepare("SELECT envelope_seq FROM revisions WHERE sha256 = ? LIMIT 1");
                q.bind(1, *it);
                if (q.step()) {
                    seq = q.integer(0);
                }
            }
            if (!seq) {
                check.notes.emplace_back("unknown to the store: no envelope has a revision of "
                                         "this file");
                return;
            }
            check.known = true;
            {
                store::Statement q = db.prepare("SELECT id FROM envelopes WHERE seq = ?");
                q.bind(1, *seq);
                if (q.step()) {
                    check.envelope = q.text(0);
                }
            }
            // Every recorded revision is a prefix of this file, in order, and
            // every revision of the file after the first recorded one is recorded.
            std::vector<std::string> recorded;
            {
                store::Statement q = db.prepare(
                    "SELECT sha256 FROM revisions WHERE envelope_seq = ? ORDER BY number");
                q.bind(1, *seq);
                while (q.step()) {
                    recorded.push_back(q.text(0));
                }
            }
            std::size_t at = 0;
            while (at < hashes.size() && hashes[at] != recorded.front()) {
                ++at;
            }
            bool match = at < hashes.size();
            std::size_t k = 0;
            for (; match && k < recorded.size() && at + k < hashes.size(); ++k) {
                match = hashes[at + k] == recorded[k];
            }
            if (match && at + k != hashes.size()) {
                match = false;
                check.notes.push_back("the file has " + std::to_string(hashes.size() - at - k) +
                                      " revision(s) the store never recorded");
            } else if (match) {
                check.notes.push_back("revisions " + std::to_string(at + 1) + " to " +
                                      std::to_string(at + k) +
                                      " match the store's record of envelope " + check.envelope);
                if (k < recorded.size()) {
                    check.notes.push_back("the store records " +
                                          std::to_string(recorded.size() - k) +
                                          " later revision(s): this is an earlier copy");
                }
            } else {
                check.notes.emplace_back("the file's revisions differ from the store's record");
            }
            check.revisions_match = match;

            // The trail's hash chain.
            const audit::ChainCheck chain = audit::check_chain(*seq, audit::load_events(db, *seq));
            check.chain_intact = chain.intact;
            if (chain.intact) {
                check.notes.push_back("the audit trail's hash chain is intact (" +
                                      std::to_string(chain.events) + " events, head " +
                                      chain.head.substr(0, 16) + "...)");
            } else if (chain.broken_at) {
                check.notes.push_back("the audit trail's hash chain breaks at " + chain.problem);
            } else {
                check.notes.push_back("the audit trail's hash chain: " + chain.problem);
            }
        });
    } catch (const std::exception& e) {
        check.notes.push_back(std::string("cannot check against the store: ") + e.what());
    }
    return check;
}

}  // namespace signet::verify
