// The revisions of a PDF: the chain of cross-reference sections from the
// last startxref back through /Prev, each revision a prefix of the file that
// ends right after its %%EOF (and end-of-line).
#pragma once

#include "pdf/qpdf.hpp"
#include "verify/source.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace signet::verify {

struct Revision {
    std::uint64_t xref = 0;        // offset of this revision's (newest) xref section
    std::uint64_t eof_end = 0;     // just after "%%EOF"
    std::uint64_t end = 0;         // after "%%EOF" and one end-of-line, if any
    std::vector<std::uint64_t> sections;  // every xref section of this revision
};

struct RevisionScan {
    std::vector<Revision> revisions;    // oldest first
    std::vector<std::string> problems;  // structural faults (each makes the file invalid)
    bool too_many = false;              // more revisions than verify opens one by one
};

// Walks the cross-reference chain. Never throws for a malformed file: what
// is wrong is in `problems` (and `revisions` may be empty).
RevisionScan scan_revisions(const std::shared_ptr<const PdfFile>& file);

// Accounts for every byte a revision adds, from `begin` (the end of the
// revision before) to its xref section: a run of objects, each at the offset
// `doc` (that revision opened on its own) lists for it, then the xref. An
// object the xref does not list at that place is invisible to a reader that
// trusts the xref but found by one that rebuilds it by scanning (an
// incremental-saving variant). Returns what is wrong, in words (empty when
// all is accounted for). Never throws.
std::vector<std::string> unlisted_bytes(const std::shared_ptr<const PdfFile>& file,
                                        const Revision& revision, std::uint64_t begin, QPDF& doc);

}  // namespace signet::verify
