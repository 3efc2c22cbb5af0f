// Whose turn it is, and inviting them: used by send (the first turn), sign
// (the next turn) and remind (the same turn again).
#pragma once

#include "audit/audit.hpp"
#include "envelope/model.hpp"
#include "store/store.hpp"

#include <string>
#include <vector>

namespace signet::envelope {

// The parties who act next: among those who act (not `copy`) and have not
// acted yet, the ones with the lowest routing order. Empty when every party
// who acts has acted.
std::vector<const Party*> next_turn(const Envelope& e);

// "company,client": the roles of a turn, for envelopes.waiting_for.
std::string roles_of(const std::vector<const Party*>& parties);

struct Invitation {
    std::string kind = "invitation";  // or "reminder"
    std::string sha256;               // the revision they are asked to sign
    std::string chain_head;           // the audit chain head when invited
};

// Inside a write transaction: gives each party a new invitation nonce (so a
// new token; only its hash is kept), marks it invited, appends an audit
// event per party and enqueues its message. A reminder keeps the party's
// nonce, so the token it repeats is the one already sent. Returns the
// chain head after the events, and appends to `warnings` when a party gets
// the invitation and its one-time code on the same channel.
std::string invite_parties(store::Store& store, const Envelope& e,
                           const std::vector<const Party*>& parties, const Invitation& invitation,
                           const audit::Actor& actor, util::UnixTime now,
                           std::vector<std::string>& warnings);

// The sender as messages name it: "owner (Organisation)".
std::string sender_name(store::Store& store, const Envelope& e);

// An envelope's settings: its own (a template's), else config.yaml's.
// The language of its messages (the "locale" parameter of each message it
// queues), its IANA zone, and the strftime pattern of its dates.
std::string message_locale(const store::Store& store, const Envelope& e);
std::string envelope_zone(const store::Store& store, const Envelope& e);
std::string envelope_date_format(const store::Store& store, const Envelope& e);

// t as the envelope's messages show it: its date format and the time of day
// in its zone, with the zone's abbreviation ("20.12.2026 18:00 CET").
std::string message_time(const store::Store& store, const Envelope& e, util::UnixTime t);

}  // namespace signet::envelope
