#include "envelope/completion.hpp"

#include "audit/audit.hpp"
#include "audit/trail.hpp"
#include "crypto/cms.hpp"
#include "delivery/outbox.hpp"
#include "envelope/cms_signer.hpp"
#include "envelope/envelope_json.hpp"
#include "envelope/invite.hpp"
#include "envelope/repository.hpp"
#include "pdf/incremental.hpp"
#include "signet/error.hpp"
#include "util/json.hpp"
#include "util/text.hpp"

namespace signet::envelope {
namespace {

constexpr int k_max_attempts = 5;

bool every_actor_acted(const Envelope& e) { return next_turn(e).empty(); }

// One message per party: the signed PDF by e-mail, a notice by SMS.
void enqueue_completion_messages(store::Store& store, const Envelope& e, const std::string& sha,
                                 const std::string& head, util::UnixTime now) {
    for (const Party& p : e.parties) {
        delivery::MessageRecord m;
        m.envelope_seq = e.seq;
        m.party_role = p.role;
        m.kind = "completed";
        m.recipient_name = p.name;
        m.params = {{"envelope", e.id},
                    {"title", e.title},
                    {"sender", sender_name(store, e)},
                    {"sha256", sha},
                    {"chain_head", head},
                    {"completed_at", message_time(store, e, now)},
                    {"locale", message_locale(store, e)}};
        if (p.email) {
            m.channel = delivery::Channel::mail;
            m.recipient = *p.email;
            m.attachments.push_back({sha, signed_pdf_filename(e.title)});
        } else {
            m.channel = delivery::Channel::sms;
            m.recipient = *p.phone;
        }
        delivery::enqueue(store.db(), m, now);
    }
}

}  // namespace

std::vector<std::string> envelopes_awaiting_completion(store::Database& db) {
    std::vector<std::string> ids;
    db.read([&] {
        // The signing step leaves waiting_for empty when nobody is left to act.
        store::Statement q = db.prepare(
            "SELECT id FROM envelopes WHERE status = 'in_progress' AND waiting_for = ''"
            " ORDER BY seq");
        while (q.step()) {
            ids.push_back(q.text(0));
        }
    });
    return ids;
}

std::string signed_pdf_filename(const std::string& title) {
    std::string name;
    for (const char c : title) {
        const auto u = static_cast<unsigned char>(c);
        const bool refused = u < 0x20 || u == 0x7f || c == '/' || c == '\\' || c == ':' ||
                             c == '*' || c == '?' || c == '"' || c == '<' || c == '>' || c == '|';
        name += refused ? '_' : c;
    }
    name = util::trim(name);
    if (name.empty() || name == "." || name == "..") {
        name = "document";
    }
    return name + ".pdf";
}

std::string complete_envelope(store::Store& store, const std::string& id,
                              const crypto::OrganizationPki& pki, util::UnixTime now) {
    for (int attempt = 0; attempt < k_max_attempts; ++attempt) {
        Envelope e;
        std::string head;
        store.db().read([&] {
            e = EnvelopeRepository(store.db()).load(id);
            head = audit::chain_head(store.db(), e.seq);
        });
        if (e.status == EnvelopeStatus::completed) {
            return e.document.current_sha256;
        }
        if (is_final(e.status) || e.status == EnvelopeStatus::draft || !every_actor_acted(e)) {
            throw not_allowed("envelope " + id + " cannot be completed: it is " +
                              std::string(to_string(e.status)) +
                              (e.waiting_for.empty() ? "" : ", waiting for " + e.waiting_for));
        }
        const std::string base = e.document.current_sha256;

        pdf::IncrementalUpdate update(store.document_path(base));
        pdf::SignatureRequest request;
        request.field_name = audit::k_completion_field;
        request.name = store.organization().empty() ? e.owner : store.organization();
        request.reason = audit::completion_reason(head);
        request.signing_time = now;
        request.contents_bytes = cms_room(store);
        const crypto::Credential& seal = pki.seal();
        const auto tmp = store.new_document_path();
        const pdf::UpdateResult sealed = update.write(tmp, request, cms_signer(store, seal));
        store.adopt_document(tmp, sealed.sha256);

        bool done = false;
        store.db().write([&] {
            EnvelopeRepository repo(store.db());
            Envelope current = repo.load(id);
            if (current.document.current_sha256 != base ||
                audit::chain_head(store.db(), e.seq) != head) {
                return;  // something was recorded meanwhile: seal the newer state
            }
            const int revision = current.document.revisions + 1;
            store.db()
                .prepare("UPDATE envelopes SET status = 'completed', current_sha256 = ?,"
                         " revisions = ?, waiting_for = '', waiting_since = ?, updated_at = ?"
                         " WHERE seq = ?")
                .bind(1, sealed.sha256)
                .bind(2, revision)
                .bind(3, now)
                .bind(4, now)
                .bind(5, current.seq)
                .run();
            repo.insert_revision(current.seq, revision, sealed.sha256, "completed", std::nullopt,
                                 now);
            const std::string new_head = audit::append_event(
                store.db(), current.seq, audit::current_actor(), now,
                {"completed", util::json_object([&](util::JsonWriter& w) {
                     w.field("sealed_chain_head", head);
                     w.field("sha256", sealed.sha256);
                     w.field("revision", revision);
                 }),
                 base, sealed.sha256});
            const Envelope completed = repo.load(id);
            enqueue_completion_messages(store, completed, sealed.sha256, head, now);
            delivery::enqueue_hook(store.db(), store.config(), "completed", completed.seq,
                                   completed.id, util::json_object([&](util::JsonWriter& w) {
                                       w.field("schema", 1);
                                       write_envelope_keys(w, completed);
                                       w.field("chain_head", new_head);
                                   }),
                                   now);
            done = true;
        });
        if (done) {
            return sealed.sha256;
        }
    }
    throw Error(ErrorKind::busy,
                "envelope " + id + " kept changing while it was being completed; run the command again");
}

}  // namespace signet::envelope
