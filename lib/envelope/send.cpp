#include "envelope/send.hpp"

#include "audit/audit.hpp"
#include "audit/trail.hpp"
#include "crypto/cms.hpp"
#include "delivery/outbox.hpp"
#include "envelope/cms_signer.hpp"
#include "envelope/field.hpp"
#include "envelope/invite.hpp"
#include "envelope/messages.hpp"
#include "envelope/organization.hpp"
#include "envelope/repository.hpp"
#include "pdf/incremental.hpp"
#include "pdf/prepare.hpp"
#include "signet/error.hpp"
#include "util/fs.hpp"
#include "util/json.hpp"
#include "util/time.hpp"

#include <algorithm>
#include <map>

namespace signet::envelope {

void check_ready(const Envelope& e) {
    for (const Party& p : e.parties) {
        if (p.action != PartyAction::sign) {
            continue;
        }
        if (main_signature_field(e, p.role) == nullptr) {
            throw bad_input("envelope " + e.id + ": party \"" + p.role + "\" signs but has no "
                            "signature field",
                            {"add one: signet add-field " + e.id + " --type signature --role " +
                             p.role + " --page last --rect X,Y,W,H"});
        }
        if (p.stamp == StampRule::required) {
            const bool has_stamp = std::any_of(e.fields.begin(), e.fields.end(), [&](const Field& f) {
                return f.role == p.role && f.type == FieldType::stamp;
            });
            if (!has_stamp) {
                throw bad_input("envelope " + e.id + ": party \"" + p.role +
                                    "\" must stamp but has no stamp field",
                                {"add one: signet add-field " + e.id + " --type stamp --role " +
                                 p.role + " --page last --rect X,Y,W,H"});
            }
        }
    }
}

namespace {

pdf::WidgetKind widget_kind(const Field& f) {
    switch (f.type) {
    case FieldType::multiline: return pdf::WidgetKind::multiline;
    case FieldType::checkbox: return pdf::WidgetKind::checkbox;
    case FieldType::signature:
    case FieldType::initials:
    case FieldType::stamp: return pdf::WidgetKind::image;
    default: return pdf::WidgetKind::text;
    }
}

// Every field of every party, empty, plus the seal's hidden signatures.
std::vector<pdf::WidgetSpec> widgets_for(const Envelope& e,
                                         const std::vector<pdf::PageInfo>& pages) {
    std::vector<pdf::WidgetSpec> widgets;
    const pdf::DisplayedPage first = pages.front().displayed();
    std::vector<std::string> sender_fields;
    for (const Field& f : e.fields) {
        if (!f.role && f.value) {
            sender_fields.push_back(f.name);
        }
    }
    widgets.push_back({k_certification_field, pdf::WidgetKind::signature, 1, first, {}, true,
                       sender_fields, std::nullopt});
    for (const Field& f : e.fields) {
        pdf::WidgetSpec w{f.name, widget_kind(f), f.page,
                          pages.at(static_cast<std::size_t>(f.page - 1)).displayed(), f.rect,
                          false, {}, std::nullopt};
        if (!f.role && f.value) {
            w.value = f.value;
        }
        if (f.role) {
            const Field* main = main_signature_field(e, *f.role);
            if (main == &f) {
                w.kind = pdf::WidgetKind::signature;
                for (const Field& other : e.fields) {
                    if (other.role == f.role && &other != &f) {
                        w.locks.push_back(other.name);
                    }
                }
            }
        }
        widgets.push_back(std::move(w));
    }
    for (const Party& p : e.parties) {
        if (p.action == PartyAction::approve) {
            pdf::WidgetSpec w{std::string(k_reserved_field_prefix) + "approval_" + p.role,
                              pdf::WidgetKind::signature, 1, first, {}, true, {}, std::nullopt};
            for (const Field& f : e.fields) {
                if (f.role == p.role) {
                    w.locks.push_back(f.name);
                }
            }
            widgets.push_back(std::move(w));
        }
    }
    widgets.push_back({audit::k_completion_field, pdf::WidgetKind::signature, 1, first, {}, true, {},
                       std::nullopt});
    return widgets;
}

}  // namespace

SentDocuments prepare_and_certify(store::Store& store, const Envelope& e,
                                  const std::vector<pdf::PageInfo>& pages,
                                  const crypto::OrganizationPki& pki, const std::string& organization,
                                  util::UnixTime now) {
    const auto prepared_tmp = store.new_document_path();
    const pdf::PreparedDocument prepared = pdf::prepare_document(
        store.document_path(e.document.sha256), widgets_for(e, pages), prepared_tmp);
    store.adopt_document(prepared_tmp, prepared.sha256);

    pdf::IncrementalUpdate& update = *prepared.update;
    pdf::SignatureRequest request;
    request.field_name = k_certification_field;
    request.name = organization.empty() ? e.owner : organization;
    request.reason = "Prepared for signing by " + e.owner + ": " + e.title;
    request.signing_time = now;
    request.docmdp = 2;
    request.contents_bytes = cms_room(store);
    for (const Field& f : e.fields) {
        if (!f.role && f.value) {
            request.lock_fields.push_back(f.name);
        }
    }
    const crypto::Credential& seal = pki.seal();
    const auto certified_tmp = store.new_document_path();
    const pdf::UpdateResult certified =
        update.write(certified_tmp, request, cms_signer(store, seal));
    store.adopt_document(certified_tmp, certified.sha256);
    return {prepared.sha256, certified.sha256};
}

void record_sent(store::Store& store, const std::string& id, const SentDocuments& docs,
                 util::UnixTime now, SendResult& result) {
    EnvelopeRepository repo(store.db());
    const Envelope e = repo.load(id);
    result.id = e.id;
    if (e.status != EnvelopeStatus::draft) {
        // Sent by another process meanwhile: its documents won.
        result.already_sent = true;
        result.status = std::string(to_string(e.status));
        return;
    }
    // The envelope's own expiry (its template's expires_in), else the store's.
    const util::UnixTime expires =
        e.expires_in ? expiry_end(*e.expires_in, now, envelope_zone(store, e))
                     : now + store.config().expires_in_days * 86400;
    const std::vector<const Party*> invited = next_turn(e);
    const std::string waiting_for = roles_of(invited);
    store.db()
        .prepare("UPDATE envelopes SET status = 'sent', current_sha256 = ?, revisions = 2,"
                 " expires_at = ?, waiting_since = ?, waiting_for = ?, updated_at = ?"
                 " WHERE seq = ?")
        .bind(1, docs.certified_sha)
        .bind(2, expires)
        .bind(3, now)
        .bind(4, waiting_for)
        .bind(5, now)
        .bind(6, e.seq)
        .run();
    repo.insert_revision(e.seq, 1, docs.prepared_sha, "prepared", std::nullopt, now);
    repo.insert_revision(e.seq, 2, docs.certified_sha, "certified", std::nullopt, now);

    const audit::Actor actor = audit::current_actor();
    const std::string head = audit::append_event(
        store.db(), e.seq, actor, now,
        {"sent", util::json_object([&](util::JsonWriter& w) {
             w.field("prepared_sha256", docs.prepared_sha);
             w.field("certified_sha256", docs.certified_sha);
             w.field("expires_at", util::rfc3339_utc(expires));
         }),
         e.document.sha256, docs.certified_sha});
    Envelope sent = e;
    sent.expires_at = expires;
    invite_parties(store, sent, invited, {"invitation", docs.certified_sha, head}, actor, now,
                   result.warnings);
    for (const Party* p : invited) {
        result.invited.push_back(p->role);
    }
    result.status = "sent";
}

SendReport send_envelopes(store::Store& store, const std::vector<std::string>& ids) {
    if (ids.empty()) {
        throw bad_input("name at least one envelope to send");
    }
    // Check them all before acting on any.
    std::vector<Envelope> envelopes;
    {
        EnvelopeRepository repo(store.db());
        for (const std::string& id : ids) {
            envelopes.push_back(repo.load(id));
            if (envelopes.back().status == EnvelopeStatus::draft) {
                check_ready(envelopes.back());
            }
        }
    }
    const bool any_draft = std::any_of(envelopes.begin(), envelopes.end(), [](const Envelope& e) {
        return e.status == EnvelopeStatus::draft;
    });
    std::optional<crypto::OrganizationPki> pki;
    if (any_draft) {
        pki = load_pki(store);
    }

    std::vector<SendResult> results;
    for (const Envelope& draft : envelopes) {
        SendResult result;
        result.id = draft.id;
        if (draft.status != EnvelopeStatus::draft) {
            result.already_sent = true;
            result.status = std::string(to_string(draft.status));
            results.push_back(result);
            continue;
        }
        const util::UnixTime now = util::now();
        EnvelopeRepository reader(store.db());
        const std::vector<pdf::PageInfo> pages = reader.document_pages(draft.document.sha256);
        const SentDocuments docs =
            prepare_and_certify(store, draft, pages, *pki, store.organization(), now);
        store.db().write([&] { record_sent(store, draft.id, docs, now, result); });
        results.push_back(result);
    }
    const delivery::DeliveryReport delivered =
        delivery::deliver_pending(store, message_renderer(store), util::now(), 100);
    return SendReport{results, delivered.failed};
}

}  // namespace signet::envelope
