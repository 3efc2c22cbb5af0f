#include "envelope/access.hpp"

#include "audit/audit.hpp"
#include "auth/tokens.hpp"
#include "delivery/outbox.hpp"
#include "envelope/invite.hpp"
#include "envelope/lifecycle.hpp"
#include "envelope/messages.hpp"
#include "envelope/organization.hpp"
#include "envelope/repository.hpp"
#include "signet/error.hpp"
#include "util/json.hpp"

#include <sqlite3.h>

#include <algorithm>

namespace signet::envelope {
namespace {

// What the store keeps about a party's token and code.
struct Credentials {
    std::optional<std::string> token_hash;
    std::optional<std::string> code_hash;
    std::optional<util::UnixTime> code_expires_at;
    int code_failures = 0;
    int token_attempts = 0;
};

Credentials load_credentials(store::Database& db, std::int64_t envelope_seq,
                             const std::string& role) {
    store::Statement q = db.prepare(
        "SELECT token_hash, code_hash, code_expires_at, code_failures, token_attempts"
        " FROM parties WHERE envelope_seq = ? AND role = ?");
    q.bind(1, envelope_seq).bind(2, role);
    Credentials c;
    if (q.step()) {
        c.token_hash = q.optional_text(0);
        c.code_hash = q.optional_text(1);
        c.code_expires_at = q.optional_integer(2);
        c.code_failures = static_cast<int>(q.integer(3));
        c.token_attempts = static_cast<int>(q.integer(4));
    }
    return c;
}

bool has_spent_token(PartyStatus s) {
    return s == PartyStatus::signed_ || s == PartyStatus::approved || s == PartyStatus::declined;
}

std::string party_actor(const std::string& role) { return "party:" + role; }

}  // namespace

const Party& PartyAccess::party() const {
    const Party* p = envelope.find_party(role);
    if (p == nullptr) {
        throw internal_error("party \"" + role + "\" vanished from envelope " + envelope.id);
    }
    return *p;
}

PartyAccess authenticate(store::Store& store, const std::string& envelope_id,
                         const std::string& token, util::UnixTime now) {
    expire_due(store, now);
    PartyAccess access;
    const std::string presented = auth::token_hash(token);
    store.db().read([&] {
        access.envelope = EnvelopeRepository(store.db()).load(envelope_id);
        // Compare with every party's hash, so the time taken does not say
        // which party (if any) the token belongs to.
        const Party* match = nullptr;
        for (const Party& p : access.envelope.parties) {
            const Credentials c = load_credentials(store.db(), access.envelope.seq, p.role);
            const bool equal = auth::constant_time_equal(c.token_hash.value_or(""), presented);
            if (equal && c.token_hash) {
                match = &p;
            }
        }
        if (match == nullptr) {
            throw auth_failed("this token does not open envelope " + envelope_id,
                              {"use the command line from your newest invitation"});
        }
        access.role = match->role;
    });
    const Envelope& e = access.envelope;
    const Party& p = access.party();
    if (has_spent_token(p.status)) {
        throw auth_failed("this token was used already: party \"" + p.role + "\" has " +
                          std::string(to_string(p.status)) + " envelope " + e.id);
    }
    if (p.status == PartyStatus::locked) {
        throw auth_failed("party \"" + p.role + "\" of envelope " + e.id +
                              " is locked after too many wrong codes",
                          {"ask the sender (" + e.owner + ") to send a new invitation"});
    }
    if (e.status == EnvelopeStatus::expired ||
        (!is_final(e.status) && e.expires_at && *e.expires_at <= now)) {
        throw auth_failed("this token expired with envelope " + e.id,
                          {"ask the sender (" + e.owner + ") to send the document again"});
    }
    if (is_final(e.status)) {
        throw not_allowed("envelope " + e.id + " has ended: it is " +
                          std::string(to_string(e.status)));
    }
    if (p.status == PartyStatus::waiting) {
        throw not_allowed("it is not yet the turn of party \"" + p.role + "\" in envelope " + e.id +
                          (e.waiting_for.empty() ? "" : ": waiting for " + e.waiting_for));
    }
    return access;
}

std::string envelope_for_token(store::Store& store, const std::string& token) {
    std::optional<std::string> id;
    store.db().read([&] {
        store::Statement q = store.db().prepare(
            "SELECT e.id FROM parties p JOIN envelopes e ON e.seq = p.envelope_seq"
            " WHERE p.token_hash = ?");
        q.bind(1, auth::token_hash(token));
        if (q.step()) {
            id = q.text(0);
        }
    });
    if (!id) {
        throw auth_failed("this token opens no envelope in this store",
                          {"use the command line from your newest invitation"});
    }
    return *id;
}

void record_opened(store::Store& store, const PartyAccess& access, util::UnixTime now) {
    if (access.party().status != PartyStatus::invited) {
        return;
    }
    store.db().write([&] {
        store::Statement update = store.db().prepare(
            "UPDATE parties SET status = 'opened', opened_at = ?"
            " WHERE envelope_seq = ? AND role = ? AND status = 'invited'");
        update.bind(1, now).bind(2, access.envelope.seq).bind(3, access.role).run();
        if (sqlite3_changes(store.db().handle()) == 0) {
            return;
        }
        audit::Actor actor = audit::current_actor();
        actor.name = party_actor(access.role);
        audit::append_event(store.db(), access.envelope.seq, actor, now,
                            {"opened", util::json_object([&](util::JsonWriter& w) {
                                 w.field("role", access.role);
                             }),
                             std::nullopt, std::nullopt});
    });
}

std::string masked_contact(const std::string& contact) {
    const auto at = contact.find('@');
    if (at != std::string::npos) {
        const std::string local = contact.substr(0, at);
        const std::size_t keep = local.size() > 2 ? 2 : (local.empty() ? 0 : 1);
        return local.substr(0, keep) + "***" + contact.substr(at);
    }
    if (contact.size() <= 6) {
        return std::string(contact.size(), '*');
    }
    return contact.substr(0, 3) + std::string(contact.size() - 6, '*') +
           contact.substr(contact.size() - 3);
}

CodeSent send_code(store::Store& store, const PartyAccess& access, util::UnixTime now,
                   bool reuse_recent) {
    const Party& p = access.party();
    const bool by_sms = p.auth == AuthMethod::sms;
    const std::optional<std::string>& contact = by_sms ? p.phone : p.email;
    if (!contact) {
        throw bad_input("party \"" + p.role + "\" has auth=" + std::string(to_string(p.auth)) +
                        " but no " + (by_sms ? "phone" : "email"));
    }
    CodeSent sent;
    sent.channel = by_sms ? "sms" : "mail";
    sent.to = masked_contact(*contact);
    const auth::TokenKey key = auth::TokenKey::load_or_create(keys_dir(store));
    store.db().write([&] {
        const std::int64_t seq = access.envelope.seq;
        store::Statement recent = store.db().prepare(
            "SELECT COALESCE(MAX(sent_at), 0), COUNT(*) FROM code_sends"
            " WHERE envelope_seq = ? AND role = ? AND sent_at > ?");
        recent.bind(1, seq).bind(2, p.role).bind(3, now - 3600);
        recent.step();
        const util::UnixTime last = recent.integer(0);
        const std::int64_t in_hour = recent.integer(1);
        if (last != 0 && now - last < k_code_resend_seconds) {
            const Credentials c = load_credentials(store.db(), seq, p.role);
            if (reuse_recent && c.code_hash && c.code_expires_at && *c.code_expires_at > now) {
                sent.reused = true;
                sent.expires_at = *c.code_expires_at;
                return;
            }
            throw not_allowed("a code was sent " + std::to_string(now - last) +
                                  " s ago; ask for another in " +
                                  std::to_string(k_code_resend_seconds - (now - last)) + " s",
                              {"enter the code already sent with --code CODE"});
        }
        if (in_hour >= k_codes_per_hour) {
            throw not_allowed(std::to_string(in_hour) + " codes were sent in the last hour; ask "
                              "for another later",
                              {"enter the newest code already sent with --code CODE"});
        }
        const std::string message_id = delivery::make_message_id();
        const std::string code = auth::derive_code(key, message_id);
        sent.expires_at = now + k_code_lifetime_seconds;
        store.db()
            .prepare("UPDATE parties SET code_hash = ?, code_expires_at = ?, code_failures = 0"
                     " WHERE envelope_seq = ? AND role = ?")
            .bind(1, auth::code_hash(key, access.envelope.id, p.role, code))
            .bind(2, sent.expires_at)
            .bind(3, seq)
            .bind(4, p.role)
            .run();
        store.db()
            .prepare("INSERT INTO code_sends (envelope_seq, role, sent_at) VALUES (?, ?, ?)")
            .bind(1, seq)
            .bind(2, p.role)
            .bind(3, now)
            .run();
        audit::Actor actor = audit::current_actor();
        actor.name = party_actor(p.role);
        audit::append_event(store.db(), seq, actor, now,
                            {"code_sent", util::json_object([&](util::JsonWriter& w) {
                                 w.field("role", p.role);
                                 w.field("channel", sent.channel);
                                 w.field("to", *contact);
                             }),
                             std::nullopt, std::nullopt});
        delivery::MessageRecord message;
        message.message_id = message_id;
        message.envelope_seq = seq;
        message.party_role = p.role;
        message.kind = "code";
        message.channel = by_sms ? delivery::Channel::sms : delivery::Channel::mail;
        message.recipient = *contact;
        message.recipient_name = p.name;
        message.params = {{"envelope", access.envelope.id},
                          {"title", access.envelope.title},
                          {"minutes", std::to_string(k_code_lifetime_seconds / 60)},
                          {"locale", message_locale(store, access.envelope)}};
        delivery::enqueue(store.db(), message, now);
    });
    if (!sent.reused) {
        delivery::deliver_pending(store, message_renderer(store), util::now(), 20);
    }
    return sent;
}

void check_code(store::Store& store, const PartyAccess& access, const std::string& code,
                util::UnixTime now) {
    const auth::TokenKey key = auth::TokenKey::load_or_create(keys_dir(store));
    const std::string presented = auth::code_hash(key, access.envelope.id, access.role, code);
    std::optional<Error> failure;
    store.db().write([&] {
        const std::int64_t seq = access.envelope.seq;
        const Credentials c = load_credentials(store.db(), seq, access.role);
        if (!c.code_hash) {
            failure = auth_failed("no one-time code is waiting for party \"" + access.role + "\"",
                                  {"ask for one: signet sign " + access.envelope.id +
                                   " --send-code"});
            return;
        }
        if (c.code_expires_at && *c.code_expires_at <= now) {
            failure = auth_failed("the one-time code has expired",
                                  {"ask for a new one: signet sign " + access.envelope.id +
                                   " --send-code"});
            return;
        }
        if (auth::constant_time_equal(*c.code_hash, presented)) {
            return;
        }
        const int failures = c.code_failures + 1;
        const int attempts = c.token_attempts + 1;
        const bool lock = failures >= k_wrong_codes_to_lock || attempts >= k_wrong_codes_per_token;
        store.db()
            .prepare("UPDATE parties SET code_failures = ?, token_attempts = ?,"
                     " status = CASE WHEN ? THEN 'locked' ELSE status END"
                     " WHERE envelope_seq = ? AND role = ?")
            .bind(1, failures)
            .bind(2, attempts)
            .bind(3, lock)
            .bind(4, seq)
            .bind(5, access.role)
            .run();
        audit::Actor actor = audit::current_actor();
        actor.name = party_actor(access.role);
        audit::append_event(store.db(), seq, actor, now,
                            {lock ? "locked" : "wrong_code",
                             util::json_object([&](util::JsonWriter& w) {
                                 w.field("role", access.role);
                                 w.field("wrong_codes", failures);
                                 w.field("wrong_codes_for_token", attempts);
                             }),
                             std::nullopt, std::nullopt});
        if (lock) {
            failure = auth_failed("wrong code; party \"" + access.role +
                                      "\" is now locked after too many wrong codes",
                                  {"ask the sender (" + access.envelope.owner +
                                   ") to send a new invitation"});
        } else {
            const int left = std::min(k_wrong_codes_to_lock - failures,
                                      k_wrong_codes_per_token - attempts);
            failure = auth_failed("wrong code (" + std::to_string(left) + " tries left)");
        }
    });
    if (failure) {
        throw *failure;
    }
}

}  // namespace signet::envelope
