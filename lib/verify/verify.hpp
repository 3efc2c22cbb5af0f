// signet verify: an auditor's verdict on signed PDFs, signet's own or any
// other tool's. Fails closed: whatever cannot be shown intact is invalid.
#pragma once

#include "crypto/openssl.hpp"
#include "util/time.hpp"
#include "verify/diff.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace signet::verify {

struct TrustAnchor {
    std::string subject;
    std::string sha256;  // fingerprint of the DER certificate, hex
    std::string source;  // the --trust file, or "store"
};

struct SignatureReport {
    int index = 0;      // 1-based, in signing order
    std::string field;  // full field name
    std::string signer;        // subject CN
    std::string signer_email;
    std::string signer_subject;
    std::string signer_issuer;
    std::string name;    // /Name
    std::string reason;  // /Reason
    std::optional<util::UnixTime> signed_at;  // /M, claimed
    std::optional<util::UnixTime> timestamp;  // proven by a verified timestamp
    bool time_proven = false;
    std::optional<util::UnixTime> trust_time;  // when the chain was checked
    std::string subfilter;
    std::string digest_algorithm;
    bool certification = false;
    std::optional<int> docmdp;                // P of a certification signature
    std::vector<std::string> locks;           // fields it locks (FieldMDP), "*" for all
    int revision = 0;                         // 1-based revision it signs, 0 if none
    int revisions = 0;                        // revisions in the file
    bool covers_whole_revision = false;
    bool covers_whole_file = false;
    std::vector<std::uint64_t> byte_range;
    bool structure_ok = false;  // ByteRange, gap, revision and dictionary checks passed
    bool digest_ok = false;
    bool signature_ok = false;
    bool trusted = false;
    std::vector<Change> modified_after;
    std::vector<std::string> checks;   // what was checked and passed, in words
    std::vector<std::string> reasons;  // what failed
    std::string verdict;               // valid | untrusted | invalid
};

struct StoreCheck {
    bool known = false;
    std::string envelope;       // id, when known
    bool revisions_match = false;
    bool chain_intact = false;
    std::vector<std::string> notes;
};

struct FileReport {
    std::string file;
    std::string verdict;  // valid | untrusted | invalid | error
    int revisions = 0;
    std::vector<std::string> reasons;  // file-level findings
    std::vector<SignatureReport> signatures;
    std::vector<Change> unsigned_changes;  // changes in revisions before any signature: none
    std::optional<StoreCheck> store;
};

struct VerifyOptions {
    std::vector<std::filesystem::path> files;
    std::vector<std::filesystem::path> trust_files;
    std::optional<std::filesystem::path> store_dir;  // a store found: its CA is trusted
    bool check_store = false;
};

struct VerifyReport {
    std::vector<TrustAnchor> trust_anchors;
    std::vector<FileReport> files;

    // CLI.md: 1 if any file is invalid, else 2 if any could not be read,
    // else 3 if any is untrusted, else 0.
    int exit_code() const;
};

// Verifies each file. Throws bad_input for an unreadable --trust file;
// problems with the PDFs are verdicts, never exceptions.
VerifyReport verify_files(const VerifyOptions& options);

// One file against a trust store (the fuzz target's entry point too).
FileReport verify_file(const std::filesystem::path& path, X509_STORE* trusted);

// A PDF date ("D:20261123090000Z", "D:20261123100000+01'00'") as Unix time.
std::optional<util::UnixTime> parse_pdf_date(const std::string& s);

}  // namespace signet::verify
