// signet export: the envelope's current PDF and its certificate of
// completion, written where the user asks.
#pragma once

#include "store/store.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace signet::envelope {

struct ExportRequest {
    std::string envelope_id;
    std::filesystem::path out;                         // the signed PDF
    std::optional<std::filesystem::path> certificate;  // the certificate of completion
    bool force = false;                                // replace files that exist
};

struct ExportedFile {
    std::filesystem::path path;  // absolute
    std::string sha256;
    std::uintmax_t size = 0;
};

struct ExportResult {
    std::string id;
    std::string status;  // the envelope's status
    int revisions = 0;
    ExportedFile document;
    std::optional<ExportedFile> certificate;
};

// Writes the envelope's current revision (envelopes.current_sha256, checked
// against its recorded SHA-256 before anything is written) to `out`, and the
// certificate of completion to `certificate` when asked. Files get mode
// 0600 and appear whole or not at all (a temporary file, flushed, then put
// in place). Without `force` an existing file is never replaced, even one
// created meanwhile.
//
// Throws not_found for an unknown envelope; not_allowed for a draft (nothing
// is signed yet); bad_input for an output that exists (without force), is a
// directory, lies in a directory that does not exist or inside the store, or
// names the same file twice; internal with a hint to `signet audit --check`
// when the stored document is missing or does not match its hash.
ExportResult export_envelope(store::Store& store, const ExportRequest& request);

}  // namespace signet::envelope
