// send --template FILE --bulk ROWS: one envelope per data row, created and
// sent, idempotent by the template's key.
#pragma once

#include "store/store.hpp"

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace signet::templates {

struct BulkRequest {
    std::filesystem::path template_file;
    std::filesystem::path data_file;  // CSV, YAML or JSON (see read_data_file)
    std::optional<std::string> owner;  // default: the current user
    // Called on the calling thread as rows are done (sent, skipped or
    // failed): how many of how many.
    std::function<void(std::size_t done, std::size_t total)> progress;
};

enum class BulkStatus {
    sent_new,      // sent by this run (created now, or a draft an interrupted run left)
    already_sent,  // sent before: left as it is
    failed,        // this run could not create, send or deliver it (see error)
};

// "new", "already_sent", "failed": the JSON values.
std::string_view to_string(BulkStatus status);

struct BulkRow {
    std::string where;     // "FILE:LINE" of the row
    int line = 0;
    std::string key;       // the row's key as the template renders it
    std::string envelope;  // its envelope's id; "" when none was created
    BulkStatus status = BulkStatus::failed;
    std::string error;     // why it failed
};

struct BulkReport {
    std::string template_name;
    std::vector<BulkRow> rows;  // in file order
    int sent_new = 0;
    int already_sent = 0;
    int failed = 0;
    // Rows whose invitation could not be delivered now (their envelope is
    // sent; the message is kept for `signet deliver`).
    int undelivered = 0;
    // Warnings about the template's parties, each once (not per row).
    std::vector<std::string> warnings;
    // Where the time went, in order: phase name and seconds.
    std::vector<std::pair<std::string, double>> phases;
};

// Checks every row first: the template loads, it has a `key`, each row
// fills it (every placeholder has a value, values fit their fields and
// parties) and no two rows share a key. Any bad row: throws bad_input
// listing every bad row as "FILE:LINE: message" in the hints, and nothing
// is written. Then, for each row, creates its draft under the row's key
// (a draft left by an interrupted run is reused), prepares and certifies
// its document and invites the first parties; rows whose envelope was
// sent before are reported and left alone. The template's PDF is stored
// once for all rows, the organisation's key is decrypted once (only when
// some row needs sending), rows are written in batches, and documents are
// made on worker threads meanwhile. Messages still waiting in the outbox
// (an interrupted run's) are delivered too. Rows fail one by one (a
// delivery that failed, the store busy past its timeout) and are
// reported; a re-run finishes them.
BulkReport bulk_send(store::Store& store, const BulkRequest& request);

}  // namespace signet::templates
