#include "envelope/invite.hpp"

#include "auth/tokens.hpp"
#include "delivery/outbox.hpp"
#include "envelope/organization.hpp"
#include "signet/error.hpp"
#include "util/crypto_hash.hpp"
#include "util/json.hpp"
#include "util/time.hpp"

namespace signet::envelope {
namespace {

bool has_acted(const Party& p) {
    return p.status == PartyStatus::signed_ || p.status == PartyStatus::approved ||
           p.status == PartyStatus::declined;
}

}  // namespace

std::vector<const Party*> next_turn(const Envelope& e) {
    int order = 0;
    for (const Party& p : e.parties) {
        if (p.action != PartyAction::copy && !has_acted(p) && (order == 0 || p.order < order)) {
            order = p.order;
        }
    }
    std::vector<const Party*> turn;
    for (const Party& p : e.parties) {
        if (p.action != PartyAction::copy && !has_acted(p) && p.order == order) {
            turn.push_back(&p);
        }
    }
    return turn;
}

std::string roles_of(const std::vector<const Party*>& parties) {
    std::string roles;
    for (const Party* p : parties) {
        roles += (roles.empty() ? "" : ",") + p->role;
    }
    return roles;
}

std::string sender_name(store::Store& store, const Envelope& e) {
    return store.organization().empty() ? e.owner : e.owner + " (" + store.organization() + ")";
}

std::string message_locale(const store::Store& store, const Envelope& e) {
    return e.locale.value_or(store.config().locale);
}

std::string envelope_zone(const store::Store& store, const Envelope& e) {
    return e.timezone.value_or(store.config().timezone);
}

std::string envelope_date_format(const store::Store& store, const Envelope& e) {
    return e.date_format.value_or(store.config().date_format);
}

std::string message_time(const store::Store& store, const Envelope& e, util::UnixTime t) {
    return util::format_in_zone(t, envelope_zone(store, e),
                                envelope_date_format(store, e) + " %H:%M %Z");
}

std::string invite_parties(store::Store& store, const Envelope& e,
                           const std::vector<const Party*>& parties, const Invitation& invitation,
                           const audit::Actor& actor, util::UnixTime now,
                           std::vector<std::string>& warnings) {
    const auth::TokenKey token_key = auth::TokenKey::load_or_create(keys_dir(store));
    std::string head = invitation.chain_head;
    const bool reminder = invitation.kind == "reminder";
    for (const Party* p : parties) {
        std::string nonce;
        if (reminder) {
            store::Statement q = store.db().prepare(
                "SELECT invitation_nonce FROM parties WHERE envelope_seq = ? AND role = ?");
            q.bind(1, e.seq).bind(2, p->role);
            if (q.step() && !q.is_null(0)) {
                nonce = q.text(0);
            }
        }
        if (nonce.empty()) {
            nonce = util::to_hex(util::random_bytes(16));
            const std::string token = auth::derive_access_token(token_key, e.id, p->role, nonce);
            store.db()
                .prepare("UPDATE parties SET status = 'invited', invitation_nonce = ?,"
                         " token_hash = ?, invited_at = ?, code_hash = NULL,"
                         " code_expires_at = NULL, code_failures = 0, token_attempts = 0"
                         " WHERE envelope_seq = ? AND role = ?")
                .bind(1, nonce)
                .bind(2, auth::token_hash(token))
                .bind(3, now)
                .bind(4, e.seq)
                .bind(5, p->role)
                .run();
        }
        const bool by_mail = p->email.has_value();
        const delivery::Channel channel = by_mail ? delivery::Channel::mail : delivery::Channel::sms;
        const std::string to = by_mail ? *p->email : *p->phone;
        head = audit::append_event(store.db(), e.seq, actor, now,
                                   {reminder ? "reminded" : "invited",
                                    util::json_object([&](util::JsonWriter& w) {
                                        w.field("role", p->role);
                                        w.field("channel", delivery::channel_name(channel));
                                        w.field("to", to);
                                    }),
                                    std::nullopt, std::nullopt});
        delivery::MessageRecord message;
        message.envelope_seq = e.seq;
        message.party_role = p->role;
        message.kind = invitation.kind;
        message.channel = channel;
        message.recipient = to;
        message.recipient_name = p->name;
        message.params = {
            {"envelope", e.id},
            {"title", e.title},
            {"sender", sender_name(store, e)},
            {"pages", std::to_string(e.document.pages)},
            {"sha256", invitation.sha256},
            {"chain_head", head},
            {"expires_at", e.expires_at ? message_time(store, e, *e.expires_at) : "-"},
            {"nonce", nonce},
            {"locale", message_locale(store, e)},
            {"code_channel", p->auth == AuthMethod::sms ? "SMS" : "e-mail"},
        };
        delivery::enqueue(store.db(), message, now);
        const bool code_same_channel = (p->auth == AuthMethod::email) == by_mail;
        if (code_same_channel && !reminder) {
            warnings.push_back("party \"" + p->role + "\" gets the invitation and the one-time code by " +
                               (by_mail ? "e-mail" : "SMS") +
                               ": anyone who reads that inbox can sign; use auth=" +
                               (by_mail ? "sms" : "email") + " with a second contact");
        }
    }
    return head;
}

}  // namespace signet::envelope
