// How a party reaches its envelope: the access token its invitation
// carried, then, to sign, a one-time code sent to the contact its `auth`
// names. Tokens and codes are never stored in clear (lib/auth/tokens.hpp).
#pragma once

#include "envelope/model.hpp"
#include "store/store.hpp"
#include "util/time.hpp"

#include <string>

namespace signet::envelope {

// Limits on one-time codes.
inline constexpr int k_code_digits = 6;
inline constexpr util::UnixTime k_code_lifetime_seconds = 10 * 60;
inline constexpr util::UnixTime k_code_resend_seconds = 60;   // at most one a minute
inline constexpr int k_codes_per_hour = 5;                    // and a few an hour
inline constexpr int k_wrong_codes_to_lock = 5;               // against one code
inline constexpr int k_wrong_codes_per_token = 10;            // over the token's life

// A party authenticated by its token, with its envelope as loaded then.
struct PartyAccess {
    Envelope envelope;
    std::string role;

    const Party& party() const;
};

// Checks `token` against the envelope's parties, in constant time per
// party, and that the party may act now. An envelope whose time has run
// out is ended first (expire_due). Throws not_found for an unknown
// envelope; auth_failed for a token that opens no party of the envelope,
// one that was spent (its party signed, approved or declined), one that
// expired with the envelope, or a locked party; not_allowed when the
// envelope has ended or it is not yet this party's turn.
PartyAccess authenticate(store::Store& store, const std::string& envelope_id,
                         const std::string& token, util::UnixTime now);

// The envelope whose party holds `token` (looked up by the token's hash),
// for `sign --batch`, which is given a token and no envelope. Throws
// auth_failed when no party holds it.
std::string envelope_for_token(store::Store& store, const std::string& token);

// Records that the party opened the envelope (status opened, the time, an
// audit event), once.
void record_opened(store::Store& store, const PartyAccess& access, util::UnixTime now);

struct CodeSent {
    std::string channel;  // "mail" or "sms"
    std::string to;       // the contact, partly hidden: "an***@acme.test", "+48 *** *** 789"
    util::UnixTime expires_at = 0;
    bool reused = false;  // a code sent less than a minute ago is still valid: none sent
};

// Sends a new one-time code to the party's `auth` contact: records its
// keyed hash (the code itself is derived again when the message is
// rendered) and the message, then delivers it. Throws not_allowed when a
// code was sent less than a minute ago or five within the hour, saying when
// to try again. With `reuse_recent`, a code sent less than a minute ago and
// not yet used is kept instead (for the prompt that starts by sending one).
CodeSent send_code(store::Store& store, const PartyAccess& access, util::UnixTime now,
                   bool reuse_recent = false);

// Checks a code. A wrong one counts against the code and the token (the
// count is committed even though the call throws auth_failed); five wrong
// tries against one code, or ten over the token's life, lock the party.
// An expired or missing code throws auth_failed too. The code stays valid
// until it expires or the party's action is recorded.
void check_code(store::Store& store, const PartyAccess& access, const std::string& code,
                util::UnixTime now);

// "an***@acme.test", "+48******789": enough to recognise, not to reuse.
std::string masked_contact(const std::string& contact);

}  // namespace signet::envelope
