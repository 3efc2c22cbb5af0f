// The envelope's data: parties, fields and the envelope itself, with the
// enumerations the CLI contract names.
#pragma once

#include "delivery/outbox.hpp"
#include "pdf/geometry.hpp"
#include "util/time.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace signet::envelope {

enum class EnvelopeStatus { draft, sent, in_progress, completed, declined, voided, expired };
enum class PartyKind { person, organization };
enum class PartyAction { sign, approve, copy };
enum class AuthMethod { email, sms };
enum class StampRule { none, required };
enum class PartyStatus { waiting, invited, opened, signed_, approved, copied, declined, locked };
enum class FieldType {
    signature, initials, stamp, date_signed, text, multiline, number, checkbox, email, name
};

std::string_view to_string(EnvelopeStatus s);
std::string_view to_string(PartyKind k);
std::string_view to_string(PartyAction a);
std::string_view to_string(AuthMethod a);
std::string_view to_string(StampRule s);
std::string_view to_string(PartyStatus s);
std::string_view to_string(FieldType t);

// Parsers return nullopt for an unknown word; callers name the place.
std::optional<EnvelopeStatus> parse_envelope_status(std::string_view s);
std::optional<PartyKind> parse_party_kind(std::string_view s);
std::optional<PartyAction> parse_party_action(std::string_view s);
std::optional<AuthMethod> parse_auth_method(std::string_view s);
std::optional<StampRule> parse_stamp_rule(std::string_view s);
std::optional<PartyStatus> parse_party_status(std::string_view s);
std::optional<FieldType> parse_field_type(std::string_view s);

// "signature, initials, …": for hints.
std::string field_type_names();

// True for statuses after which nothing more happens.
bool is_final(EnvelopeStatus s);

// An envelope's own expiry (a template's expires_in): how long it stays
// open once sent. Hours are counted exactly; days and weeks are calendar
// days in `zone`, so the envelope ends at the local time it was sent, a
// change of summer time in between or not.
struct Expiry {
    std::int64_t count = 0;
    char unit = 'd';  // 'h', 'd' or 'w'

    bool operator==(const Expiry& other) const;
};

// Reads an expiry as written, "48h", "14d" or "2w": a whole number above
// zero and one unit, at most ten years. nullopt for anything else.
std::optional<Expiry> parse_expiry(std::string_view text);

// "14d", as parse_expiry reads it.
std::string to_string(const Expiry& e);

// The expiry's length in seconds, days counted as 86 400 seconds.
std::int64_t nominal_seconds(const Expiry& e);

// When an envelope with this expiry, sent at `sent`, expires; days and
// weeks are calendar days in `zone` (the envelope's own, else the
// store's). A local time that does not exist on the last day (skipped when
// clocks go forward) moves on by the change.
util::UnixTime expiry_end(const Expiry& e, util::UnixTime sent, const std::string& zone);

struct Party {
    std::string role;
    std::string name;
    std::optional<std::string> email;
    std::optional<std::string> phone;  // E.164
    int order = 1;
    PartyKind kind = PartyKind::person;
    PartyAction action = PartyAction::sign;
    AuthMethod auth = AuthMethod::email;
    StampRule stamp = StampRule::none;
    PartyStatus status = PartyStatus::waiting;
};

struct Field {
    std::string name;
    FieldType type = FieldType::text;
    std::optional<std::string> role;  // empty for a value fixed by the sender
    int page = 1;                     // 1-based, resolved ("last" is stored as a number)
    pdf::Box rect;                    // points, on the page as displayed
    bool required = true;
    std::optional<std::string> label;
    std::optional<std::string> value;
    bool filled = false;
};

struct DocumentRef {
    std::string sha256;          // the original
    std::string current_sha256;  // the newest revision
    int pages = 0;
    int revisions = 1;
};

// A message recorded for delivery that has not been delivered yet.
using PendingMessage = delivery::PendingMessage;

struct Envelope {
    std::int64_t seq = 0;  // the store's row number
    std::string id;        // short, typeable
    std::string title;
    EnvelopeStatus status = EnvelopeStatus::draft;
    std::string owner;
    util::UnixTime created_at = 0;
    std::optional<util::UnixTime> expires_at;  // set when sent
    std::optional<Expiry> expires_in;          // its own; else config.yaml's applies at send
    // Its own zone and date_signed format (a template's); else config.yaml's.
    std::optional<std::string> timezone;
    std::optional<std::string> date_format;
    // The language of its messages (a template's locale); else config.yaml's.
    std::optional<std::string> locale;
    util::UnixTime waiting_since = 0;
    std::string waiting_for;  // roles whose turn it is, comma-separated
    DocumentRef document;
    std::vector<Party> parties;
    std::vector<Field> fields;
    std::vector<PendingMessage> undelivered;

    const Party* find_party(std::string_view role) const;
    const Field* find_field(std::string_view name) const;
};

}  // namespace signet::envelope
