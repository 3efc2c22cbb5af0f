// Preparing a document for signing (at `send`): one revision appended to
// the PDF creates every field of every party, empty, as a widget on its
// page (values the sender fixed are drawn). Later revisions only fill these
// fields and sign them.
#pragma once

#include "pdf/geometry.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace signet::pdf {

enum class WidgetKind {
    signature,  // /FT /Sig
    text,       // /FT /Tx, one line
    multiline,  // /FT /Tx with the multiline flag
    checkbox,   // /FT /Btn with Yes/Off states
    image,      // /FT /Btn pushbutton whose appearance becomes an image (stamp, initials)
};

struct WidgetSpec {
    std::string name;
    WidgetKind kind = WidgetKind::text;
    int page = 1;             // 1-based
    DisplayedPage shown;      // the page as displayed (from the store's page record)
    Box rect;                 // on the page as displayed (mapped to user space here)
    bool hidden = false;      // an invisible signature (the organisation seal)
    // For signature fields: the fields this signature locks once signed
    // (/Lock with /Action /Include).
    std::vector<std::string> locks;
    // A value fixed by the sender (text kinds): drawn now, the field read-only.
    std::optional<std::string> value;
};

class IncrementalUpdate;

struct PreparedDocument {
    std::string sha256;  // of the prepared file
    std::size_t size = 0;
    // The prepared document, still open: the next revision (the
    // certification) is appended to it without reading the file again.
    std::unique_ptr<IncrementalUpdate> update;
};

// Writes the prepared document to `output` (temporary file, flushed,
// renamed): the original followed by one revision that adds the widgets,
// or, when the original cannot take a revision as it is (a cross-reference
// stream, object streams, anything qpdf had to repair), a normalised copy
// followed by that revision. Throws bad_input when the input cannot be
// read, is encrypted, or already has a field with one of the names.
PreparedDocument prepare_document(const std::filesystem::path& input,
                                  const std::vector<WidgetSpec>& widgets,
                                  const std::filesystem::path& output);

}  // namespace signet::pdf
