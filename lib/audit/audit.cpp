#include "audit/audit.hpp"

#include "audit/trail.hpp"
#include "util/fs.hpp"

#include <cstdlib>
#include <unistd.h>

namespace signet::audit {

const char* const k_genesis_hash =
    "0000000000000000000000000000000000000000000000000000000000000000";

Actor current_actor() {
    Actor actor;
    actor.os_user = util::current_user();
    actor.name = actor.os_user;
    actor.host = util::host_name();
    // The same for the whole process; looked up once (a bulk send records
    // an event per envelope).
    static const std::string terminal = [] {
        if (const char* ssh = std::getenv("SSH_CLIENT"); ssh != nullptr && *ssh != '\0') {
            const std::string client(ssh);
            return "ssh " + client.substr(0, client.find(' '));
        }
        const char* tty = ::ttyname(STDIN_FILENO);
        return tty != nullptr ? std::string(tty) : std::string("-");
    }();
    actor.terminal = terminal;
    return actor;
}

std::string chain_head(store::Database& db, std::int64_t envelope_seq) {
    store::Statement q =
        db.prepare("SELECT hash FROM events WHERE envelope_seq = ? ORDER BY seq DESC LIMIT 1");
    q.bind(1, envelope_seq);
    return q.step() ? q.text(0) : std::string(k_genesis_hash);
}

std::string append_event(store::Database& db, std::int64_t envelope_seq, const Actor& actor,
                         util::UnixTime at, const EventInput& event) {
    const std::string prev = chain_head(db, envelope_seq);
    Event row;
    row.at = at;
    row.actor = actor.name;
    row.os_user = actor.os_user;
    row.host = actor.host;
    row.terminal = actor.terminal;
    row.action = event.action;
    row.details = event.details;
    row.doc_before = event.doc_before;
    row.doc_after = event.doc_after;
    const std::string hash = event_hash(envelope_seq, prev, row);
    db.prepare(
          "INSERT INTO events (envelope_seq, at, actor, os_user, host, terminal, action, details,"
          " doc_before, doc_after, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")
        .bind(1, envelope_seq)
        .bind(2, at)
        .bind(3, actor.name)
        .bind(4, actor.os_user)
        .bind(5, actor.host)
        .bind(6, actor.terminal)
        .bind(7, event.action)
        .bind(8, event.details)
        .bind(9, event.doc_before)
        .bind(10, event.doc_after)
        .bind(11, prev)
        .bind(12, hash)
        .run();
    return hash;
}

}  // namespace signet::audit
