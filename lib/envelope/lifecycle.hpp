// The rest of an envelope's life after `send`: a party declines, the owner
// voids, the parties whose turn it is are reminded, and an envelope whose
// time has run out expires. Each ends (or nudges) an envelope in one
// transaction that also records the audit event, the notices to the parties
// and the hooks.<event> run; messages are delivered after commit.
#pragma once

#include "store/store.hpp"
#include "util/time.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace signet::envelope {

// The longest reason text accepted, in bytes (UTF-8).
inline constexpr std::size_t k_max_reason_bytes = 500;

// Checks a --reason text: one line of valid UTF-8 without control
// characters, not blank, at most k_max_reason_bytes. Returns it trimmed;
// throws bad_input saying what is wrong.
std::string check_reason(std::string_view reason);

// Parses a DURATION such as "45s", "30m", "12h", "3d" or "2w" (a whole
// number and one unit) into seconds. Throws bad_input naming `what` (e.g.
// "--older-than") for anything else, a missing unit included, or a value
// over ten years.
std::int64_t parse_duration(std::string_view text, std::string_view what = "--older-than");

// A party that a notice went to (or is queued for).
struct Notified {
    std::string role;
    std::string channel;  // "mail" or "sms"
    std::string to;       // the address or number
};

struct DeclineRequest {
    std::string envelope_id;
    std::string token;   // the access token of the party's invitation
    std::string reason;  // why, told to every party
};

struct DeclineResult {
    std::string id;
    std::string role;                 // the party that declined
    std::string status = "declined";  // the envelope's status after the call
    std::vector<Notified> notified;   // every party with a contact
    int undelivered = 0;              // messages whose delivery failed now (kept for retry)
};

// A party declines with its token: the party becomes `declined` (its token
// is spent), the envelope ends as `declined`, every party is told who
// declined and why, and hooks.declined runs with the envelope's JSON. An
// overdue envelope is ended first (expire_due). Throws bad_input for a bad
// reason (before anything else), not_found for an unknown envelope, and
// what authenticate() throws: auth_failed for an unknown, spent (declining
// twice) or expired token or a locked party, not_allowed for an envelope
// that has ended or a party whose turn has not come.
DeclineResult decline_envelope(store::Store& store, const DeclineRequest& request);

struct VoidRequest {
    std::string envelope_id;
    std::string reason;  // why, told to the invited parties
    // The OS user acting (default: the one running this process); only the
    // envelope's owner may void it.
    std::optional<std::string> user;
};

struct VoidResult {
    std::string id;
    std::string previous_status;     // draft, sent or in_progress
    std::string status = "voided";
    std::vector<Notified> notified;  // the parties that were invited
    int undelivered = 0;
};

// The owner voids an envelope that has not ended (a draft included): status
// `voided`, every party that was invited is told why, hooks.voided runs.
// Throws bad_input for a bad reason, not_found for an unknown envelope,
// not_allowed when the user is not the owner or the envelope has ended
// (completed, declined, voided, expired).
VoidResult void_envelope(store::Store& store, const VoidRequest& request);

struct RemindRequest {
    // The envelopes to remind; empty: every waiting (sent or in_progress)
    // envelope.
    std::vector<std::string> envelope_ids;
    // Only parties invited longer ago than this many seconds.
    std::optional<std::int64_t> older_than;
};

struct Reminded {
    std::string id;
    std::vector<std::string> roles;  // parties reminded now (may be empty for a named envelope)
};

struct RemindReport {
    // Named envelopes in the order given; without names, the envelopes in
    // which someone was reminded, oldest first.
    std::vector<Reminded> envelopes;
    int reminded = 0;     // parties reminded in all
    int expired = 0;      // envelopes that expired first (expire_due)
    int undelivered = 0;  // messages whose delivery failed now
};

// Re-invites the parties whose turn it is (invited or opened, not locked),
// repeating the token of their invitation: the message says the same, an
// audit event "reminded" per party. Ends overdue envelopes first. Named
// envelopes are all checked before any is reminded: not_found for an
// unknown one, not_allowed for a draft or an envelope that has ended.
RemindReport remind(store::Store& store, const RemindRequest& request);

// Ends every envelope still sent or in progress whose expires_at is at or
// before `now`: status `expired`, an audit event "expired", a notice to each
// party that was invited, hooks.expired with the envelope's JSON; then
// delivers (a few) of those messages. Returns how many envelopes expired.
// When none is due it costs one indexed query and takes no write lock.
// Call it outside any transaction.
int expire_due(store::Store& store, util::UnixTime now);

}  // namespace signet::envelope
