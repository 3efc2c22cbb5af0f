#include "envelope/lifecycle.hpp"

#include "audit/audit.hpp"
#include "delivery/outbox.hpp"
#include "envelope/access.hpp"
#include "envelope/envelope_json.hpp"
#include "envelope/invite.hpp"
#include "envelope/messages.hpp"
#include "envelope/model.hpp"
#include "envelope/repository.hpp"
#include "signet/error.hpp"
#include "util/fs.hpp"
#include "util/json.hpp"
#include "util/text.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <utility>

namespace signet::envelope {
namespace {

// Messages delivered by the command that queued them; the rest wait for
// `signet deliver` or the next command.
constexpr std::size_t k_deliver_now = 100;
// Overdue envelopes ended per write transaction: short enough that other
// writers wait little, long enough that a backlog is not one fsync each.
constexpr std::size_t k_expire_batch = 200;

// How an envelope ends, and what each party is told.
struct Ending {
    EnvelopeStatus status = EnvelopeStatus::expired;
    std::string event;    // the audit action, message kind and hook: declined, voided, expired
    std::string details;  // the audit event's JSON object
    std::optional<std::string> reason;
    std::string ended_by;  // "party:ROLE", the owner, or "expiry"
    std::function<bool(const Party&)> tell;
    // What the notice's text needs besides the envelope, sender, reason and
    // chain head (messages.cpp writes it from the catalogue): who declined,
    // when it expired.
    std::map<std::string, std::string> params;
};

std::string hook_json(const Envelope& e, const Ending& ending) {
    return util::json_object([&](util::JsonWriter& w) {
        w.field("schema", 1);
        write_envelope_keys(w, e);
        w.field("event", ending.event);
        w.key("reason").value_or_null(ending.reason);
        w.field("ended_by", ending.ended_by);
    });
}

// Inside a write transaction: ends `e` (as loaded in this transaction, with
// any party change already applied to it), appends the event, queues a
// notice to each party `ending.tell` picks and the hook. Returns who is told.
std::vector<Notified> end_envelope(store::Store& store, Envelope& e, const Ending& ending,
                                   const audit::Actor& actor, util::UnixTime now) {
    store::Database& db = store.db();
    // waiting_for '' and waiting_since = the end: the board's ended column
    // shows the most recently ended first.
    db.prepare("UPDATE envelopes SET status = ?, waiting_for = '', waiting_since = ?,"
               " updated_at = ? WHERE seq = ?")
        .bind(1, to_string(ending.status))
        .bind(2, now)
        .bind(3, now)
        .bind(4, e.seq)
        .run();
    e.status = ending.status;
    e.waiting_for.clear();
    e.waiting_since = now;
    const std::string head =
        audit::append_event(db, e.seq, actor, now, {ending.event, ending.details, std::nullopt,
                                                    std::nullopt});
    std::vector<Notified> notified;
    const std::string sender = sender_name(store, e);
    const std::string locale = message_locale(store, e);
    for (const Party& p : e.parties) {
        if (!ending.tell(p) || (!p.email && !p.phone)) {
            continue;
        }
        const bool by_mail = p.email.has_value();
        delivery::MessageRecord message;
        message.envelope_seq = e.seq;
        message.party_role = p.role;
        message.kind = ending.event;
        message.channel = by_mail ? delivery::Channel::mail : delivery::Channel::sms;
        message.recipient = by_mail ? *p.email : *p.phone;
        message.recipient_name = p.name;
        message.params = ending.params;
        message.params.insert({{"envelope", e.id},
                               {"title", e.title},
                               {"sender", sender},
                               {"ended_by", ending.ended_by},
                               {"chain_head", head},
                               {"locale", locale}});
        if (ending.reason) {
            message.params["reason"] = *ending.reason;
        }
        delivery::enqueue(db, message, now);
        notified.push_back({p.role, std::string(delivery::channel_name(message.channel)),
                            message.recipient});
    }
    if (store.config().delivery.hooks.count(ending.event) != 0) {
        delivery::enqueue_hook(db, store.config(), ending.event, e.seq, e.id,
                               hook_json(e, ending), now);
    }
    return notified;
}

bool was_invited(const Party& p) { return p.status != PartyStatus::waiting; }

int deliver_now(store::Store& store) {
    return delivery::deliver_pending(store, message_renderer(store), util::now(), k_deliver_now)
        .failed;
}

// The current turn's parties that a reminder can reach: invited or opened
// (not locked, not yet acted), invited before `invited_before`.
std::vector<const Party*> due_for_reminder(store::Database& db, const Envelope& e,
                                           util::UnixTime invited_before) {
    store::Statement invited =
        db.prepare("SELECT invited_at FROM parties WHERE envelope_seq = ? AND role = ?");
    std::vector<const Party*> due;
    for (const Party* p : next_turn(e)) {
        if (p->status != PartyStatus::invited && p->status != PartyStatus::opened) {
            continue;
        }
        invited.bind(1, e.seq).bind(2, p->role);
        const bool found = invited.step();
        const std::optional<std::int64_t> at = found ? invited.optional_integer(0) : std::nullopt;
        invited.reset();
        if (at && *at < invited_before) {
            due.push_back(p);
        }
    }
    return due;
}

}  // namespace

std::string check_reason(std::string_view reason) {
    util::require_clean_line(reason, "--reason");
    std::string text = util::trim(reason);
    if (text.size() > k_max_reason_bytes) {
        throw bad_input("--reason is " + std::to_string(text.size()) + " bytes long; at most " +
                            std::to_string(k_max_reason_bytes) + " are allowed",
                        {"say why in a sentence or two"});
    }
    return text;
}

std::int64_t parse_duration(std::string_view text, std::string_view what) {
    const std::string name(what);
    const std::vector<std::string> hints = {"a whole number and a unit: 45s, 30m, 12h, 3d, 2w"};
    std::size_t digits = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') {
        ++digits;
    }
    if (digits == 0 || digits + 1 != text.size()) {
        throw bad_input(name + ": " + util::quoted(text) + " is not a duration", hints);
    }
    std::int64_t unit = 0;
    switch (text.back()) {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    case 'w': unit = 7 * 86400; break;
    default: throw bad_input(name + ": " + util::quoted(text) + " has no known unit", hints);
    }
    constexpr std::int64_t k_max_seconds = 10LL * 366 * 86400;
    std::int64_t value = 0;
    for (std::size_t i = 0; i < digits; ++i) {
        value = value * 10 + (text[i] - '0');
        if (value * unit > k_max_seconds) {
            throw bad_input(name + ": " + util::quoted(text) + " is longer than ten years", hints);
        }
    }
    return value * unit;
}

int expire_due(store::Store& store, util::UnixTime now) {
    store::Database& db = store.db();
    std::vector<std::int64_t> due;
    {
        // The envelopes_expiring index (migration 6), named: the planner
        // would rather take (status, ...) and read every waiting envelope.
        // Nothing due is one seek.
        store::Statement q = db.prepare(
            "SELECT seq FROM envelopes INDEXED BY envelopes_expiring"
            " WHERE status IN ('sent', 'in_progress') AND expires_at <= ?"
            " ORDER BY expires_at, seq");
        q.bind(1, now);
        while (q.step()) {
            due.push_back(q.integer(0));
        }
    }
    if (due.empty()) {
        return 0;
    }
    audit::Actor actor = audit::current_actor();
    actor.name = "signet";  // the clock ended it, noticed by this process's command
    int expired = 0;
    for (std::size_t start = 0; start < due.size(); start += k_expire_batch) {
        int in_batch = 0;
        db.write([&] {
            in_batch = 0;
            EnvelopeLoader loader(db);
            Envelope e;
            const std::size_t end = std::min(due.size(), start + k_expire_batch);
            for (std::size_t i = start; i < end; ++i) {
                // Another process may have ended or expired it meanwhile.
                if (!loader.load(due[i], e) ||
                    (e.status != EnvelopeStatus::sent && e.status != EnvelopeStatus::in_progress) ||
                    !e.expires_at || *e.expires_at > now) {
                    continue;
                }
                const util::UnixTime expires_at = *e.expires_at;
                Ending ending;
                ending.status = EnvelopeStatus::expired;
                ending.event = "expired";
                ending.details = util::json_object([&](util::JsonWriter& w) {
                    w.field("expires_at", util::rfc3339_utc(expires_at));
                    w.field("waiting_for", e.waiting_for);
                });
                ending.ended_by = "expiry";
                ending.tell = was_invited;
                ending.params = {{"expires_at", message_time(store, e, expires_at)}};
                end_envelope(store, e, ending, actor, now);
                ++in_batch;
            }
        });
        expired += in_batch;
    }
    delivery::deliver_pending(store, message_renderer(store), now, k_deliver_now);
    return expired;
}

DeclineResult decline_envelope(store::Store& store, const DeclineRequest& request) {
    const std::string reason = check_reason(request.reason);
    const util::UnixTime now = util::now();
    // Ends overdue envelopes first; throws for a token that cannot act.
    const PartyAccess access = authenticate(store, request.envelope_id, request.token, now);
    DeclineResult result;
    result.id = access.envelope.id;
    result.role = access.role;
    store.db().write([&] {
        Envelope e = EnvelopeRepository(store.db()).load(access.envelope.id);
        Party* party = nullptr;
        for (Party& p : e.parties) {
            if (p.role == access.role) {
                party = &p;
            }
        }
        if (party == nullptr) {
            throw internal_error("party \"" + access.role + "\" vanished from envelope " + e.id);
        }
        // Checked again under the lock: another process may have acted since.
        if (party->status == PartyStatus::signed_ || party->status == PartyStatus::approved ||
            party->status == PartyStatus::declined) {
            throw auth_failed("this token was used already: party \"" + party->role + "\" has " +
                              std::string(to_string(party->status)) + " envelope " + e.id);
        }
        if (party->status == PartyStatus::locked) {
            throw auth_failed("party \"" + party->role + "\" of envelope " + e.id + " is locked");
        }
        if (is_final(e.status)) {
            throw not_allowed("envelope " + e.id + " has ended: it is " +
                              std::string(to_string(e.status)));
        }
        store.db()
            .prepare("UPDATE parties SET status = 'declined', acted_at = ?, code_hash = NULL,"
                     " code_expires_at = NULL WHERE envelope_seq = ? AND role = ?")
            .bind(1, now)
            .bind(2, e.seq)
            .bind(3, party->role)
            .run();
        party->status = PartyStatus::declined;
        const Party decliner = *party;

        audit::Actor actor = audit::current_actor();
        actor.name = "party:" + decliner.role;
        Ending ending;
        ending.status = EnvelopeStatus::declined;
        ending.event = "declined";
        ending.details = util::json_object([&](util::JsonWriter& w) {
            w.field("role", decliner.role);
            w.field("reason", reason);
        });
        ending.reason = reason;
        ending.ended_by = actor.name;
        ending.tell = [](const Party&) { return true; };
        ending.params = {{"by", decliner.name}, {"by_role", decliner.role}};
        result.notified = end_envelope(store, e, ending, actor, now);
    });
    result.undelivered = deliver_now(store);
    return result;
}

VoidResult void_envelope(store::Store& store, const VoidRequest& request) {
    const std::string reason = check_reason(request.reason);
    const std::string user = request.user ? *request.user : util::current_user();
    const util::UnixTime now = util::now();
    expire_due(store, now);
    // Checked before the lock, so a refusal takes no write lock, and again
    // under it.
    auto check = [&](const Envelope& e) {
        if (e.owner != user) {
            throw not_allowed("only the owner of envelope " + e.id + " (" + e.owner +
                                  ") can void it, not " + user,
                              {"ask " + e.owner + " to run: signet void " + e.id +
                               " --reason TEXT"});
        }
        if (is_final(e.status)) {
            throw not_allowed("envelope " + e.id + " has ended: it is " +
                              std::string(to_string(e.status)) + "; only an envelope that has "
                              "not ended can be voided");
        }
    };
    check(EnvelopeRepository(store.db()).load(request.envelope_id));
    VoidResult result;
    store.db().write([&] {
        Envelope e = EnvelopeRepository(store.db()).load(request.envelope_id);
        check(e);
        result.id = e.id;
        result.previous_status = std::string(to_string(e.status));
        audit::Actor actor = audit::current_actor();
        Ending ending;
        ending.status = EnvelopeStatus::voided;
        ending.event = "voided";
        ending.details = util::json_object([&](util::JsonWriter& w) {
            w.field("reason", reason);
            w.field("previous_status", result.previous_status);
        });
        ending.reason = reason;
        ending.ended_by = user;
        ending.tell = was_invited;
        result.notified = end_envelope(store, e, ending, actor, now);
    });
    result.undelivered = deliver_now(store);
    return result;
}

RemindReport remind(store::Store& store, const RemindRequest& request) {
    if (request.older_than && *request.older_than < 0) {
        throw bad_input("--older-than must not be negative");
    }
    const util::UnixTime now = util::now();
    RemindReport report;
    report.expired = expire_due(store, now);
    // "Invited longer ago than DURATION"; without it, everyone invited.
    const util::UnixTime invited_before =
        request.older_than ? now - *request.older_than : now + 1;

    // Which envelopes: the named ones, all checked first; else every
    // waiting one with a party invited early enough.
    std::vector<std::string> ids;
    if (!request.envelope_ids.empty()) {
        std::set<std::string> seen;
        store.db().read([&] {
            EnvelopeRepository repo(store.db());
            for (const std::string& id : request.envelope_ids) {
                if (!seen.insert(id).second) {
                    continue;
                }
                const Envelope e = repo.load(id);
                if (e.status == EnvelopeStatus::draft) {
                    throw not_allowed("envelope " + e.id + " is a draft: nobody was invited yet",
                                      {"send it first: signet send " + e.id});
                }
                if (is_final(e.status)) {
                    throw not_allowed("envelope " + e.id + " has ended: it is " +
                                      std::string(to_string(e.status)));
                }
                ids.push_back(e.id);
            }
        });
    } else {
        store::Statement q = store.db().prepare(
            "SELECT DISTINCT e.id, e.seq FROM envelopes e JOIN parties p ON p.envelope_seq = e.seq"
            " WHERE e.status IN ('sent', 'in_progress') AND p.status IN ('invited', 'opened')"
            " AND p.invited_at < ? ORDER BY e.seq");
        q.bind(1, invited_before);
        while (q.step()) {
            ids.push_back(q.text(0));
        }
    }

    const bool named = !request.envelope_ids.empty();
    for (const std::string& id : ids) {
        Reminded reminded;
        reminded.id = id;
        store.db().write([&] {
            const Envelope e = EnvelopeRepository(store.db()).load(id);
            if (e.status != EnvelopeStatus::sent && e.status != EnvelopeStatus::in_progress) {
                return;  // ended by another process since the check
            }
            const std::vector<const Party*> due = due_for_reminder(store.db(), e, invited_before);
            if (due.empty()) {
                return;
            }
            std::vector<std::string> warnings;  // a reminder repeats the invitation's channels
            invite_parties(
                store, e, due,
                {"reminder", e.document.current_sha256, audit::chain_head(store.db(), e.seq)},
                audit::current_actor(), now, warnings);
            for (const Party* p : due) {
                reminded.roles.push_back(p->role);
            }
        });
        report.reminded += static_cast<int>(reminded.roles.size());
        if (named || !reminded.roles.empty()) {
            report.envelopes.push_back(std::move(reminded));
        }
    }
    if (report.reminded > 0) {
        report.undelivered = deliver_now(store);
    }
    return report;
}

}  // namespace signet::envelope
