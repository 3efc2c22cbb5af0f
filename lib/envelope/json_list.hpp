// `status --json` without an envelope: every envelope matching a filter as
// one JSON document, {"schema": 1, "envelopes": [...]}, streamed in chunks.
//
// Compact output comes from a cache beside the database, cache/status.db
// (a SQLite file with 64 KiB pages: reading it costs a fraction of reading
// the same bytes from the store's 4 KiB pages). It holds each envelope's
// compact JSON from "id" to "fields" (write_envelope_stored_keys) with the
// envelope's version it was made from. The store's triggers (migration 5)
// draw a new random version whenever a row the JSON is made of changes,
// through signet or not, so a cached JSON is used only while its version is
// the envelope's; any other envelope is written from its rows and its JSON
// is cached for the next listing (when no other listing is writing the
// cache: this one never waits). The "undelivered" list, which depends on
// the outbox, is spliced in as the list is written. The output is byte for
// byte what writing every envelope from its rows gives. The cache is never
// needed: a missing, unreadable or foreign one is rebuilt or done without.
//
// Indented output (a terminal) is always written from the rows.
#pragma once

#include "envelope/model.hpp"
#include "envelope/repository.hpp"
#include "store/store.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
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
    std::int64_t cached = 0;      // of them, written from the rows and cached now
    bool cache_used = false;      // the cache was open (in this build's format)
};

// Writes the list, passing the output to `write` in pieces of about 1 MB.
JsonListReport write_envelope_list(store::Store& store, const JsonListOptions& options,
                                   const std::function<void(std::string_view)>& write);

// The cache file of a store.
std::filesystem::path json_cache_file(const store::Store& store);

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

}  // namespace signet::envelope
