// Preparing a document for signing (at `send`): the PDF is rewritten once,
// normalised (classic cross-reference table, no object streams), with every
// field of every party created empty as a widget on its page. Later
// revisions only fill these fields and sign them.
#pragma once

#include "pdf/geometry.hpp"

#include <filesystem>
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

struct PrepareResult {
    std::string sha256;  // of the prepared file
    std::size_t size = 0;
};

// Writes the prepared document to `output` (temporary file, flushed,
// renamed). Throws bad_input when the input cannot be read or already has a
// field with one of the names.
PrepareResult prepare_document(const std::filesystem::path& input,
                               const std::vector<WidgetSpec>& widgets,
                               const std::filesystem::path& output);

}  // namespace signet::pdf
