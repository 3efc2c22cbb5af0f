#include "envelope/envelope_json.hpp"

namespace signet::envelope {
namespace {

void write_time_or_null(util::JsonWriter& w, const std::optional<util::UnixTime>& t) {
    if (t) {
        w.value(util::rfc3339_utc(*t));
    } else {
        w.null();
    }
}

}  // namespace

void write_envelope_json(util::JsonWriter& w, const Envelope& e) {
    w.begin_object();
    write_envelope_keys(w, e);
    w.end_object();
}

void write_envelope_keys(util::JsonWriter& w, const Envelope& e) {
    w.field("id", e.id);
    w.field("title", e.title);
    w.field("status", to_string(e.status));
    w.field("owner", e.owner);
    w.field("created_at", util::rfc3339_utc(e.created_at));
    w.key("expires_at");
    write_time_or_null(w, e.expires_at);
    w.key("waiting_since");
    write_time_or_null(w, is_final(e.status) ? std::nullopt
                                             : std::optional<util::UnixTime>(e.waiting_since));
    w.key("document").begin_object();
    w.field("sha256", e.document.sha256);
    w.field("current_sha256", e.document.current_sha256);
    w.field("pages", e.document.pages);
    w.field("revisions", e.document.revisions);
    w.end_object();
    w.key("parties").begin_array();
    for (const Party& p : e.parties) {
        w.begin_object();
        w.field("role", p.role);
        w.field("name", p.name);
        w.key("email").value_or_null(p.email);
        w.key("phone").value_or_null(p.phone);
        w.field("order", p.order);
        w.field("kind", to_string(p.kind));
        w.field("action", to_string(p.action));
        w.field("auth", to_string(p.auth));
        w.field("stamp", to_string(p.stamp));
        w.field("status", to_string(p.status));
        w.end_object();
    }
    w.end_array();
    w.key("fields").begin_array();
    for (const Field& f : e.fields) {
        w.begin_object();
        w.field("name", f.name);
        w.field("type", to_string(f.type));
        w.key("role").value_or_null(f.role);
        w.field("page", f.page);
        w.key("rect").inline_numbers({f.rect.x, f.rect.y, f.rect.width, f.rect.height});
        w.field("required", f.required);
        w.field("filled", f.filled);
        w.end_object();
    }
    w.end_array();
    w.key("undelivered").begin_array();
    for (const PendingMessage& m : e.undelivered) {
        w.begin_object();
        w.field("message_id", m.message_id);
        w.field("channel", m.channel);
        w.field("to", m.to);
        w.field("attempts", m.attempts);
        w.key("last_error").value_or_null(m.last_error);
        w.end_object();
    }
    w.end_array();
}

}  // namespace signet::envelope
