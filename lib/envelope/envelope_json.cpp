#include "envelope/envelope_json.hpp"

namespace signet::envelope {
namespace {

// util::rfc3339_utc without gmtime_r, strftime and a string per call: a
// listing writes three times per envelope. Years 1970 to 9999 only; the rest
// go to util::rfc3339_utc.
void write_time(util::JsonWriter& w, util::UnixTime t) {
    constexpr util::UnixTime k_year_10000 = 253402300800;
    if (t < 0 || t >= k_year_10000) {
        w.value(util::rfc3339_utc(t));
        return;
    }
    // Days to a civil date: Howard Hinnant's days_from_civil, inverted.
    const std::int64_t z = t / 86400 + 719468;
    const std::int64_t era = z / 146097;
    const std::int64_t doe = z - era * 146097;
    const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const std::int64_t mp = (5 * doy + 2) / 153;
    const std::int64_t day = doy - (153 * mp + 2) / 5 + 1;
    const std::int64_t month = mp < 10 ? mp + 3 : mp - 9;
    const std::int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    const std::int64_t seconds = t % 86400;
    char buf[20];
    auto put = [&buf](std::size_t at, std::int64_t value, std::size_t digits) {
        for (std::size_t i = digits; i > 0; --i) {
            buf[at + i - 1] = static_cast<char>('0' + value % 10);
            value /= 10;
        }
    };
    put(0, year, 4);
    buf[4] = '-';
    put(5, month, 2);
    buf[7] = '-';
    put(8, day, 2);
    buf[10] = 'T';
    put(11, seconds / 3600, 2);
    buf[13] = ':';
    put(14, seconds / 60 % 60, 2);
    buf[16] = ':';
    put(17, seconds % 60, 2);
    buf[19] = 'Z';
    w.value(std::string_view(buf, sizeof buf));
}

void write_time_or_null(util::JsonWriter& w, const std::optional<util::UnixTime>& t) {
    if (t) {
        write_time(w, *t);
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
    write_envelope_stored_keys(w, e);
    write_undelivered_key(w, e.undelivered);
}

void write_envelope_stored_keys(util::JsonWriter& w, const Envelope& e) {
    w.field("id", e.id);
    w.field("title", e.title);
    w.field("status", to_string(e.status));
    w.field("owner", e.owner);
    w.key("created_at");
    write_time(w, e.created_at);
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
}

void write_undelivered_key(util::JsonWriter& w, const std::vector<PendingMessage>& undelivered) {
    w.key("undelivered").begin_array();
    for (const PendingMessage& m : undelivered) {
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
