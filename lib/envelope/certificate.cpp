#include "envelope/certificate.hpp"

#include "envelope/model.hpp"
#include "i18n/catalog.hpp"
#include "pdf/page_text.hpp"
#include "signet/error.hpp"
#include "signet/version.hpp"
#include "util/time.hpp"

#include <sqlite3.h>

#include <map>
#include <optional>
#include <vector>

namespace signet::envelope {
namespace {

struct RevisionRow {
    std::int64_t number = 0;
    std::string sha256;
    std::string kind;
    std::optional<std::string> party_role;
    util::UnixTime created_at = 0;
};

struct PartyRow {
    std::string role;
    std::string name;
    std::optional<std::string> email;
    std::optional<std::string> phone;
    std::int64_t order = 0;
    std::string kind;
    std::string action;
    std::string auth;
    std::string stamp;
    std::string status;
    std::optional<util::UnixTime> invited_at;
    std::optional<util::UnixTime> opened_at;
    std::optional<util::UnixTime> acted_at;
    std::optional<std::string> certificate_serial;
    // The first invitation's channel and whether it was delivered.
    std::optional<std::string> channel;
    std::optional<util::UnixTime> delivered_at;
};

struct CertificateData {
    std::string id;
    std::string title;
    std::string status;
    std::string owner;
    std::string organization;
    util::UnixTime created_at = 0;
    util::UnixTime updated_at = 0;
    std::optional<util::UnixTime> expires_at;
    std::optional<util::UnixTime> ended_at;  // completed, declined, voided or expired
    std::string document_sha256;
    std::string current_sha256;
    std::vector<RevisionRow> revisions;
    std::vector<PartyRow> parties;
    std::int64_t event_count = 0;
    std::string chain_head;
    util::UnixTime last_event_at = 0;
    std::optional<std::string> timezone;  // the envelope's own (its template's)
    std::optional<std::string> locale;    // likewise
};

CertificateData read_data(store::Store& store, const std::string& envelope_id) {
    store::Database& db = store.db();
    CertificateData d;
    store::Statement envelope = db.prepare(
        "SELECT seq, id, title, status, owner, created_at, updated_at, expires_at,"
        " document_sha256, current_sha256, timezone, locale FROM envelopes WHERE id = ?");
    envelope.bind(1, envelope_id);
    if (!envelope.step()) {
        throw not_found("no envelope \"" + envelope_id + "\" in the store \"" +
                            store.dir().string() + "\"",
                        {"list the envelopes with: signet status"});
    }
    const std::int64_t seq = envelope.integer(0);
    d.id = envelope.text(1);
    d.title = envelope.text(2);
    d.status = envelope.text(3);
    d.owner = envelope.text(4);
    d.created_at = envelope.integer(5);
    d.updated_at = envelope.integer(6);
    d.expires_at = envelope.optional_integer(7);
    d.document_sha256 = envelope.text(8);
    d.current_sha256 = envelope.text(9);
    d.timezone = envelope.is_null(10) ? std::nullopt : std::optional<std::string>(envelope.text(10));
    d.locale = envelope.is_null(11) ? std::nullopt : std::optional<std::string>(envelope.text(11));
    d.organization = store.organization();

    store::Statement revisions = db.prepare(
        "SELECT number, sha256, kind, party_role, created_at FROM revisions"
        " WHERE envelope_seq = ? ORDER BY number");
    revisions.bind(1, seq);
    while (revisions.step()) {
        d.revisions.push_back({revisions.integer(0), revisions.text(1), revisions.text(2),
                               revisions.optional_text(3), revisions.integer(4)});
    }

    store::Statement parties = db.prepare(
        "SELECT role, name, email, phone, routing_order, kind, action, auth, stamp, status,"
        " invited_at, opened_at, acted_at, certificate_serial FROM parties"
        " WHERE envelope_seq = ? ORDER BY position");
    parties.bind(1, seq);
    while (parties.step()) {
        PartyRow p;
        p.role = parties.text(0);
        p.name = parties.text(1);
        p.email = parties.optional_text(2);
        p.phone = parties.optional_text(3);
        p.order = parties.integer(4);
        p.kind = parties.text(5);
        p.action = parties.text(6);
        p.auth = parties.text(7);
        p.stamp = parties.text(8);
        p.status = parties.text(9);
        p.invited_at = parties.optional_integer(10);
        p.opened_at = parties.optional_integer(11);
        p.acted_at = parties.optional_integer(12);
        p.certificate_serial = parties.optional_text(13);
        d.parties.push_back(std::move(p));
    }

    // The channel each party was invited on: its first invitation.
    store::Statement invitations = db.prepare(
        "SELECT party_role, channel, delivered_at FROM messages"
        " WHERE envelope_seq = ? AND kind = 'invitation' ORDER BY seq");
    invitations.bind(1, seq);
    while (invitations.step()) {
        const std::string role = invitations.text(0);
        for (PartyRow& p : d.parties) {
            if (p.role == role && !p.channel) {
                p.channel = invitations.text(1);
                p.delivered_at = invitations.optional_integer(2);
            }
        }
    }

    store::Statement events = db.prepare(
        "SELECT count(*), max(at) FROM events WHERE envelope_seq = ?");
    events.bind(1, seq);
    if (events.step()) {
        d.event_count = events.integer(0);
        d.last_event_at = events.optional_integer(1).value_or(d.created_at);
    }
    store::Statement head =
        db.prepare("SELECT hash FROM events WHERE envelope_seq = ? ORDER BY seq DESC LIMIT 1");
    head.bind(1, seq);
    if (head.step()) {
        d.chain_head = head.text(0);
    }
    const std::optional<EnvelopeStatus> status = parse_envelope_status(d.status);
    if (status && is_final(*status)) {
        store::Statement ended = db.prepare(
            "SELECT at FROM events WHERE envelope_seq = ? AND action = ?"
            " ORDER BY seq DESC LIMIT 1");
        ended.bind(1, seq).bind(2, d.status);
        d.ended_at = ended.step() ? ended.integer(0) : d.updated_at;
    }
    return d;
}

// A time on the certificate: in the store's zone and in UTC.
std::string when(util::UnixTime t, const std::string& zone) {
    return util::format_zone_and_utc(t, zone);
}

std::string when(const std::optional<util::UnixTime>& t, const std::string& zone,
                 const char* otherwise) {
    return t ? when(*t, zone) : std::string(otherwise);
}

// The certificate's words, in the envelope's language.
class Words {
public:
    explicit Words(const i18n::Catalog& catalog) : m_catalog(catalog) {}

    std::string operator()(const std::string& key, const i18n::TextValues& values = {}) const {
        return m_catalog.text("cert." + key, values);
    }

    // A value from the store (a status, a kind) in words; the value itself
    // when the catalogue has no words for it (a newer store's).
    std::string value(const std::string& group, const std::string& value) const {
        const std::string key = "cert." + group + "." + value;
        return m_catalog.has(key) ? m_catalog.text(key) : value;
    }

private:
    const i18n::Catalog& m_catalog;
};

std::string channel_text(const Words& words, const PartyRow& p, const std::string& zone) {
    if (!p.channel) {
        return words(p.action == "copy" ? "channel_none_copy" : "channel_none");
    }
    const std::string channel = words.value("via", *p.channel);
    return p.delivered_at
               ? words("channel_delivered", {{"channel", channel}, {"when", when(*p.delivered_at, zone)}})
               : words("channel_pending", {{"channel", channel}});
}

std::string auth_text(const Words& words, const PartyRow& p) {
    if (p.action == "copy") {
        return words("auth_copy");
    }
    return p.auth == "sms" ? words("auth_sms") : words("auth_email");
}

std::string contact_text(const PartyRow& p) {
    std::string text;
    if (p.email) {
        text += *p.email;
    }
    if (p.phone) {
        text += (text.empty() ? "" : " · ") + *p.phone;
    }
    return text.empty() ? "-" : text;
}

std::string acted_label(const Words& words, const PartyRow& p) {
    if (p.status == "declined") {
        return words("acted_declined");
    }
    if (p.action == "approve") {
        return words("acted_approved");
    }
    if (p.action == "copy") {
        return words("acted_received");
    }
    return words("acted_signed");
}

// "D:20261123090000Z"
std::string pdf_date(util::UnixTime t) { return util::format_utc(t, "D:%Y%m%d%H%M%SZ"); }

std::string render(const CertificateData& d, const std::string& zone, const Words& words) {
    using pdf::PageFont;
    using pdf::RunStyle;
    // The page number's pattern, its placeholders kept for TextPages to fill.
    pdf::TextPages pages({595.276, 841.89, 56.69, words("header", {{"envelope", d.id}}),
                          words("page_number", {{"n", "{n}"}, {"count", "{count}"}})});

    const RunStyle title{PageFont::bold, 18, 0};
    const RunStyle subtitle{PageFont::regular, 10, 0.3};
    const RunStyle heading{PageFont::bold, 12, 0};
    const RunStyle subheading{PageFont::bold, 10, 0};
    const RunStyle label{PageFont::regular, 9, 0.35};
    const RunStyle value{PageFont::regular, 9, 0};
    const RunStyle hash{PageFont::mono, 8.5, 0};
    const RunStyle note{PageFont::regular, 8, 0.35};
    const double label_width = 120;
    const double indent = 12;

    auto section = [&](const std::string& text) {
        pages.space(10);
        pages.keep(60);
        pages.paragraph(text, heading);
        pages.rule();
        pages.space(3);
    };
    auto row = [&](const std::string& name, const std::string& text, double at = 0,
                   const RunStyle* style = nullptr) {
        pages.labelled(name, text, at, label_width, label, style != nullptr ? *style : value);
    };

    pages.paragraph(words("title"), title);
    pages.space(2);
    pages.paragraph(d.title, subtitle);
    pages.space(4);
    pages.paragraph((d.organization.empty() ? words("intro_owner")
                                            : words("intro", {{"organization", d.organization}})) +
                        " " +
                        (util::is_utc_zone(zone) ? words("times_utc")
                                                 : words("times_zone", {{"zone", zone}})),
                    note);

    section(words("section_envelope"));
    row(words("envelope"), d.id);
    row(words("title_label"), d.title);
    row(words("owner"), d.owner);
    row(words("organisation"), d.organization.empty() ? "-" : d.organization);
    row(words("status"), words.value("envelope_status", d.status));
    row(words("created"), when(d.created_at, zone));
    if (d.expires_at) {
        row(words("expires"), when(*d.expires_at, zone));
    }
    if (d.ended_at) {
        row(words.value("ended", d.status), when(*d.ended_at, zone));
    } else {
        row(words("completed"), words("not_yet"));
    }
    row(words("time_zone"), util::is_utc_zone(zone) ? std::string("UTC") : zone);
    row(words("original_sha256"), d.document_sha256, 0, &hash);
    row(words("current_sha256"), d.current_sha256, 0, &hash);
    row(words("chain_head"), d.chain_head.empty() ? "-" : d.chain_head, 0, &hash);
    row(words("events"), words("events_value", {{"count", std::to_string(d.event_count)},
                                                {"when", when(d.last_event_at, zone)}}));

    section(words("section_revisions"));
    if (d.revisions.empty()) {
        pages.paragraph(words("no_revisions"), value, indent);
    }
    for (const RevisionRow& r : d.revisions) {
        std::string what = words.value("revision_kind", r.kind);
        if (r.party_role) {
            what = words("revision_by", {{"kind", what}, {"role", *r.party_role}});
        }
        pages.keep(40);
        pages.paragraph(words("revision", {{"number", std::to_string(r.number)}, {"what", what}}),
                        subheading);
        row("SHA-256", r.sha256, indent, &hash);
        row(words("made"), when(r.created_at, zone), indent);
        pages.space(3);
    }

    section(words("section_parties"));
    int number = 0;
    for (const PartyRow& p : d.parties) {
        ++number;
        pages.keep(160);
        pages.paragraph(std::to_string(number) + ". " + p.name + " — " + p.role, subheading);
        row(words("role"), words("role_value", {{"role", p.role},
                                                {"kind", words.value("kind", p.kind)},
                                                {"order", std::to_string(p.order)}}),
            indent);
        const std::string action = words.value("party_action", p.action);
        row(words("action"),
            p.stamp == "required" ? words("action_stamp", {{"action", action}}) : action, indent);
        row(words("status"), words.value("party_status", p.status), indent);
        row(words("contact"), contact_text(p), indent);
        row(words("channel"), channel_text(words, p, zone), indent);
        row(words("authentication"), auth_text(words, p), indent);
        row(words("invited"), when(p.invited_at, zone, "-"), indent);
        row(words("opened"), when(p.opened_at, zone, "-"), indent);
        row(acted_label(words, p), when(p.acted_at, zone, "-"), indent);
        row(words("serial"), p.certificate_serial.value_or("-"), indent,
            p.certificate_serial ? &hash : nullptr);
        pages.space(6);
    }

    pages.space(6);
    pages.rule();
    pages.paragraph(words("footer", {{"version", k_version},
                                     {"when", when(d.last_event_at, zone)},
                                     {"envelope", d.id}}),
                    note);

    pdf::PdfMetadata metadata;
    metadata.title = words("pdf_title", {{"title", d.title}});
    metadata.author = d.organization;
    metadata.producer = std::string("signet ") + k_version;
    metadata.creation_date = pdf_date(d.last_event_at);
    return pages.write(metadata);
}

}  // namespace

std::string completion_certificate_pdf(store::Store& store, const std::string& envelope_id) {
    CertificateData data;
    // Inside a caller's transaction, read what it sees; else take one snapshot.
    if (sqlite3_get_autocommit(store.db().handle()) == 0) {
        data = read_data(store, envelope_id);
    } else {
        store.db().read([&] { data = read_data(store, envelope_id); });
    }
    return render(data, data.timezone.value_or(store.config().timezone),
                  Words(i18n::Catalog::of(data.locale.value_or(store.config().locale))));
}

}  // namespace signet::envelope
