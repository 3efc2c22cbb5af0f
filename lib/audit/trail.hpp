// Reading and checking an envelope's audit trail: the timeline of its
// events, the hash chain re-computed from the rows, the stored PDF
// revisions, and the chain head sealed into the completed PDF. Used by
// `signet audit` and `signet verify --check-store`; nothing here prints.
#pragma once

#include "store/database.hpp"
#include "store/store.hpp"
#include "util/json.hpp"
#include "util/time.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace signet::audit {

// One value of an event's details (a JSON object), in document order, as
// SQLite's JSON parser reads it: enough to write the details again inside
// another JSON document, or to show them in short.
struct DetailNode {
    int depth = 0;        // 0 for the object itself, 1 for its members, ...
    std::string key;      // the member's name; empty for an array element and the root
    std::string type;     // null true false integer real text array object
    std::string atom;     // a scalar's value (text unescaped, numbers as written)
    std::string json;     // the value as compact JSON (containers included)
};

// One row of the trail, as stored.
struct Event {
    std::int64_t seq = 0;     // the row's id: increases with time across the store
    util::UnixTime at = 0;
    std::string actor;        // an OS user or "party:ROLE"
    std::string os_user;
    std::string host;
    std::string terminal;     // tty, "ssh CLIENT" or "-"
    std::string action;       // "created", "field_added", "sent", "invited", ...
    std::string details;      // the JSON text as stored
    std::optional<std::string> doc_before;  // SHA-256 of the PDF before, when it changed
    std::optional<std::string> doc_after;
    std::string prev_hash;
    std::string hash;
    // `details` parsed; empty when the stored text is not valid JSON.
    std::vector<DetailNode> details_tree;
};

// The hash an event gets in the chain after `prev_hash`: SHA-256 (hex) of
// the length-prefixed fields, exactly as append_event computes it.
std::string event_hash(std::int64_t envelope_seq, const std::string& prev_hash, const Event& event);

// The envelope's events, oldest first, with their details parsed. Call
// inside a transaction (Database::read) for a consistent snapshot.
std::vector<Event> load_events(store::Database& db, std::int64_t envelope_seq);

// The hash chain re-computed from the rows.
struct ChainCheck {
    bool intact = false;      // every link holds and there is at least one event
    std::size_t events = 0;
    // Each event's hash re-computed from the genesis hash and the rows'
    // fields alone (the stored hashes are not used): what the chain would
    // be had nothing been edited. The same length as the events.
    std::vector<std::string> recomputed;
    std::string head;         // the last re-computed hash (the genesis hash when none)
    std::optional<std::size_t> broken_at;  // 1-based: the first event that does not hold
    std::string problem;      // why, naming the event; empty when intact
};

// Checks the chain: the first event's prev_hash is k_genesis_hash, each
// later one's is the previous event's hash, and each hash re-computes from
// the row's fields. A row edited, removed, inserted or moved breaks it at
// the first event that no longer holds. Never throws.
ChainCheck check_chain(std::int64_t envelope_seq, const std::vector<Event>& events);

// The envelope's trail for `signet audit`.
struct Timeline {
    std::string envelope;     // id
    std::string status;       // the envelope's status
    std::string timezone;     // the store's zone (config.yaml), for showing times
    std::vector<Event> events;
    std::optional<std::string> chain_head;  // the last event's stored hash
};

// Reads the envelope's events in one snapshot. Throws not_found for an
// unknown envelope.
Timeline read_timeline(store::Store& store, const std::string& envelope_id);

// The details in short for people: `key: value` for each member, values
// of nested objects and arrays as compact JSON; the stored text itself
// when it is not a JSON object.
std::string details_summary(const Event& event);

// Writes the details as a JSON value (the object itself) to `w`, after a
// key; the stored text as a JSON string when it is not valid JSON.
void write_details(util::JsonWriter& w, const Event& event);

// The signature field that seals a completed envelope's PDF, and the
// /Reason its signature carries: k_completion_reason_prefix followed by
// the sealed chain head (64 lowercase hex digits).
extern const char* const k_completion_field;
extern const char* const k_completion_reason_prefix;

// The /Reason text of a completion signature that seals `head`.
std::string completion_reason(const std::string& head);

// The head a completion /Reason names, or nothing when the text is not
// exactly the prefix followed by 64 lowercase hex digits.
std::optional<std::string> parse_completion_reason(const std::string& reason);

// What a PDF's completion signature says, read with qpdf.
struct SealedHead {
    bool field_found = false;   // /AcroForm /Fields holds a field /T (signet_completion)
    bool signed_field = false;  // ... whose /V is a signature dictionary
    std::string reason;         // its /Reason, UTF-8 ("" when none)
    std::optional<std::string> head;  // parsed from the reason
};

// Reads the completion signature's /Reason from the PDF's last revision.
// Throws bad_input for a file that cannot be read or parsed as a PDF.
SealedHead read_sealed_head(const std::filesystem::path& pdf);

// One line of `signet audit --check`.
struct CheckItem {
    std::string check;   // "chain", "revisions", "seal", "sealed_head"
    bool ok = false;
    std::string detail;  // what was found, in words
};

struct TrailCheck {
    std::string envelope;
    std::string status;
    bool ok = false;     // every check holds
    std::vector<CheckItem> checks;
};

// `signet audit ENVELOPE --check`, in this order:
//   chain        check_chain on the envelope's events;
//   revisions    the original document and every recorded revision (numbered
//                1, 2, ... without gaps) is in documents/ with its SHA-256,
//                and current_sha256 is the newest one;
//   seal         a completed envelope (its status, a "completed" revision or
//                event says so): the final PDF's signet_completion signature
//                is intact, covers the whole file and chains to the store's
//                root CA;
//   sealed_head  the head that signature's /Reason names equals the
//                re-computed hash of the event before the "completed" one
//                (which must also record it as "sealed_chain_head"), so a
//                chain rewritten consistently after sealing is caught.
// An envelope that is not completed passes the last two with a note.
// Problems found are failed checks, never exceptions; throws not_found for
// an unknown envelope.
TrailCheck check_trail(store::Store& store, const std::string& envelope_id);

}  // namespace signet::audit
