// The audit trail: append-only events per envelope, each carrying the hash
// of the one before it, so that editing or removing a row breaks the chain.
#pragma once

#include "store/database.hpp"
#include "util/time.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace signet::audit {

// Who acts, as the operating system sees it.
struct Actor {
    std::string name;      // the signet-level actor: an OS user or "party:ROLE"
    std::string os_user;
    std::string host;
    std::string terminal;  // tty, or "ssh CLIENT" for a remote signer, or "-"
};

// The actor for this process: the OS user, host, and terminal or SSH client.
Actor current_actor();

struct EventInput {
    std::string action;   // "created", "field_added", ...
    std::string details;  // a JSON object
    std::optional<std::string> doc_before;
    std::optional<std::string> doc_after;
};

// The hash of the envelope's newest event (its chain head), or
// k_genesis_hash when it has none.
std::string chain_head(store::Database& db, std::int64_t envelope_seq);

// Appends an event for the envelope at `at`; call inside a write
// transaction. Returns the new event's hash (the chain head).
std::string append_event(store::Database& db, std::int64_t envelope_seq, const Actor& actor,
                         util::UnixTime at, const EventInput& event);

// The hash that starts every envelope's chain.
extern const char* const k_genesis_hash;

}  // namespace signet::audit
