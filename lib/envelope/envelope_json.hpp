// An envelope as JSON, with the keys CLI.md fixes for `status --json`. The
// completion hook and bulk reports use the same shape.
#pragma once

#include "envelope/model.hpp"
#include "util/json.hpp"

namespace signet::envelope {

// Writes the envelope as an object (without the "schema" key, which belongs
// to the document that holds it).
void write_envelope_json(util::JsonWriter& w, const Envelope& e);

// Writes the envelope's keys into an object the caller has opened: the
// stored keys, then "undelivered".
void write_envelope_keys(util::JsonWriter& w, const Envelope& e);

// The keys from "id" to "fields": everything that comes from the rows of
// envelopes, parties, fields and documents, and from nothing else (not the
// clock, not the outbox). `status --json` keeps this part cached per
// envelope (envelope/json_list.hpp), so keep it a function of those rows.
void write_envelope_stored_keys(util::JsonWriter& w, const Envelope& e);

// The "undelivered" key and its list, which comes from the outbox.
void write_undelivered_key(util::JsonWriter& w, const std::vector<PendingMessage>& undelivered);

}  // namespace signet::envelope
