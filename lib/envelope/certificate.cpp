#include "envelope/certificate.hpp"

#include "envelope/model.hpp"
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
};

CertificateData read_data(store::Store& store, const std::string& envelope_id) {
    store::Database& db = store.db();
    CertificateData d;
    store::Statement envelope = db.prepare(
        "SELECT seq, id, title, status, owner, created_at, updated_at, expires_at,"
        " document_sha256, current_sha256, timezone FROM envelopes WHERE id = ?");
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

std::string channel_text(const PartyRow& p, const std::string& zone) {
    if (!p.channel) {
        return p.action == "copy" ? "none yet (receives the result)" : "none yet (not invited)";
    }
    std::string text = *p.channel == "mail"  ? "e-mail"
                       : *p.channel == "sms" ? "SMS"
                                             : *p.channel;
    text += p.delivered_at ? ", invitation delivered " + when(*p.delivered_at, zone)
                           : ", invitation not delivered yet";
    return text;
}

std::string auth_text(const PartyRow& p) {
    if (p.action == "copy") {
        return "none (receives a copy only)";
    }
    const std::string code = p.auth == "sms"     ? "SMS"
                             : p.auth == "email" ? "e-mail"
                                                 : p.auth;
    return "personal token from the invitation, then a one-time code by " + code;
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

std::string acted_label(const PartyRow& p) {
    if (p.status == "declined") {
        return "Declined";
    }
    if (p.action == "approve") {
        return "Approved";
    }
    if (p.action == "copy") {
        return "Received";
    }
    return "Signed";
}

std::string capitalised(std::string s) {
    if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') {
        s[0] = static_cast<char>(s[0] - 'a' + 'A');
    }
    return s;
}

std::string status_text(const std::string& status) {
    return status == "in_progress" ? "in progress" : status;
}

// "D:20261123090000Z"
std::string pdf_date(util::UnixTime t) { return util::format_utc(t, "D:%Y%m%d%H%M%SZ"); }

std::string render(const CertificateData& d, const std::string& zone) {
    using pdf::PageFont;
    using pdf::RunStyle;
    pdf::TextPages pages({595.276, 841.89, 56.69,
                          "Certificate of completion · envelope " + d.id + " · signet"});

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

    pages.paragraph("Certificate of completion", title);
    pages.space(2);
    pages.paragraph(d.title, subtitle);
    pages.space(4);
    pages.paragraph("This certificate records, from the signet store of " +
                        (d.organization.empty() ? std::string("its owner") : d.organization) +
                        ", the document revisions of the envelope, their SHA-256, and how "
                        "and when each party was invited, opened the envelope and acted. " +
                        (util::is_utc_zone(zone) ? std::string("Times are in UTC.")
                                                 : "Times are shown in " + zone + " and in UTC."),
                    note);

    section("Envelope");
    row("Envelope", d.id);
    row("Title", d.title);
    row("Owner", d.owner);
    row("Organisation", d.organization.empty() ? "-" : d.organization);
    row("Status", status_text(d.status));
    row("Created", when(d.created_at, zone));
    if (d.expires_at) {
        row("Expires", when(*d.expires_at, zone));
    }
    if (d.ended_at) {
        row(capitalised(d.status), when(*d.ended_at, zone));
    } else {
        row("Completed", "not yet");
    }
    row("Time zone", util::is_utc_zone(zone) ? std::string("UTC") : zone);
    row("Original SHA-256", d.document_sha256, 0, &hash);
    row("Current SHA-256", d.current_sha256, 0, &hash);
    row("Audit chain head", d.chain_head.empty() ? "-" : d.chain_head, 0, &hash);
    row("Audit events", std::to_string(d.event_count) + ", the last at " +
                            when(d.last_event_at, zone));

    section("Document revisions");
    if (d.revisions.empty()) {
        pages.paragraph("None yet: the envelope has not been sent.", value, indent);
    }
    for (const RevisionRow& r : d.revisions) {
        std::string what = r.kind;
        if (r.party_role) {
            what += " by " + *r.party_role;
        }
        pages.keep(40);
        pages.paragraph("Revision " + std::to_string(r.number) + ": " + what, subheading);
        row("SHA-256", r.sha256, indent, &hash);
        row("Made", when(r.created_at, zone), indent);
        pages.space(3);
    }

    section("Parties");
    int number = 0;
    for (const PartyRow& p : d.parties) {
        ++number;
        pages.keep(160);
        pages.paragraph(std::to_string(number) + ". " + p.name + " — " + p.role, subheading);
        row("Role", p.role + " (" + p.kind + ", order " + std::to_string(p.order) + ")", indent);
        row("Action", p.action + (p.stamp == "required" ? ", with the organisation's stamp" : ""),
            indent);
        row("Status", p.status, indent);
        row("Contact", contact_text(p), indent);
        row("Channel", channel_text(p, zone), indent);
        row("Authentication", auth_text(p), indent);
        row("Invited", when(p.invited_at, zone, "-"), indent);
        row("Opened", when(p.opened_at, zone, "-"), indent);
        row(acted_label(p), when(p.acted_at, zone, "-"), indent);
        row("Certificate serial", p.certificate_serial.value_or("-"), indent,
            p.certificate_serial ? &hash : nullptr);
        pages.space(6);
    }

    pages.space(6);
    pages.rule();
    pages.paragraph("Made by signet " + std::string(k_version) + " from the store's records as of " +
                        when(d.last_event_at, zone) +
                        ". Check the signed PDF with: signet verify FILE.pdf; check the audit "
                        "trail with: signet audit " + d.id + " --check",
                    note);

    pdf::PdfMetadata metadata;
    metadata.title = "Certificate of completion: " + d.title;
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
    return render(data, data.timezone.value_or(store.config().timezone));
}

}  // namespace signet::envelope
