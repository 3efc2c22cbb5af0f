// `status --json` without an envelope: every envelope matching a filter as
// one JSON document, {"schema": 1, "envelopes": [...]}, streamed in chunks.
//
// Compact output comes from a cache: the table envelope_json holds each
// envelope's compact JSON from "id" to "fields" (write_envelope_stored_keys),
// and the "undelivered" list, which depends on the outbox, is spliced in as
// the list is written. Triggers on envelopes, parties, fields and documents
// (store migration 4) mark an envelope's row stale (NULL) whenever anything
// its JSON is made of changes, through signet or not; a stale envelope is
// written from its rows, and the listing fills the stale rows back in
// afterwards when it can take the write lock at once. The output is byte for
// byte what writing every envelope from its rows gives.
//
// Indented output (a terminal) is always written from the rows.
#pragma once

#include "envelope/model.hpp"
#include "envelope/repository.hpp"
#include "store/database.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace signet::envelope {

struct JsonListOptions {
    ListFilter filter;
    bool pretty = true;     // indented; else compact, one line
    bool use_cache = true;  // compact output only; false: from the rows
};

// What writing a list did, for tests and the benchmark.
struct JsonListReport {
    std::int64_t envelopes = 0;   // written
    std::int64_t from_cache = 0;  // of them, from the cache
    bool cache_used = false;      // false: every envelope written from its rows
    // The cache has stale rows, or none in this build's format: worth a
    // refresh_json_cache(db, stale) once the list is out.
    bool refresh_wanted = false;
    // Envelopes the list wrote from their rows for want of a cached JSON.
    std::vector<std::int64_t> stale;
};

// Writes the list, passing the output to `write` in pieces of about 1 MB.
JsonListReport write_envelope_list(store::Database& db, const JsonListOptions& options,
                                   const std::function<void(std::string_view)>& write);

// An envelope's cached JSON: the compact object from "{" to the end of
// "fields", not closed.
std::string stored_json(const Envelope& e);

// Appends an envelope's compact JSON to out: its stored JSON, then its
// "undelivered" list and the closing brace.
void append_envelope_json(std::string& out, std::string_view stored,
                          const std::vector<PendingMessage>& undelivered);

// The format of the cached JSON: changes whenever this build writes an
// envelope differently, so that a cache made by another build is not used.
const std::string& json_cache_format();

// Fills every stale row of the cache (and rebuilds the whole cache when its
// format is not this build's), inside one write transaction; `also` names
// envelopes to add to the cache if missing. Returns the rows filled. Throws
// the store's errors (busy when the lock is not free within the timeout).
std::int64_t refresh_json_cache(store::Database& db, const std::vector<std::int64_t>& also = {});

// refresh_json_cache if the write lock is free at once; nothing (and no
// error) when it is not or the store cannot be written.
std::optional<std::int64_t> try_refresh_json_cache(store::Database& db,
                                                   const std::vector<std::int64_t>& also = {});

}  // namespace signet::envelope
