// An envelope as JSON, with the keys CLI.md fixes for `status --json`. The
// completion hook and bulk reports use the same shape.
#pragma once

#include "envelope/model.hpp"
#include "util/json.hpp"

namespace signet::envelope {

// Writes the envelope as an object (without the "schema" key, which belongs
// to the document that holds it).
void write_envelope_json(util::JsonWriter& w, const Envelope& e);

// Writes the envelope's keys into an object the caller has opened.
void write_envelope_keys(util::JsonWriter& w, const Envelope& e);

}  // namespace signet::envelope
