#include "envelope/sign.hpp"

#include "audit/audit.hpp"
#include "crypto/certificate.hpp"
#include "crypto/cms.hpp"
#include "crypto/keys.hpp"
#include "crypto/passphrase.hpp"
#include "crypto/pki.hpp"
#include "delivery/outbox.hpp"
#include "envelope/cms_signer.hpp"
#include "envelope/completion.hpp"
#include "envelope/field.hpp"
#include "envelope/invite.hpp"
#include "envelope/messages.hpp"
#include "envelope/organization.hpp"
#include "envelope/repository.hpp"
#include "pdf/appearance.hpp"
#include "pdf/font_raster.hpp"
#include "pdf/incremental.hpp"
#include "pdf/png.hpp"
#include "signet/error.hpp"
#include "util/json.hpp"
#include "util/text.hpp"
#include "util/work_pool.hpp"

#include <algorithm>
#include <exception>

namespace signet::envelope {
namespace {

// How often a signing step is redone when another party of the same turn
// signed the document first (each step builds on the newest revision).
constexpr int k_max_attempts = 5;
// sign --batch: threads that write documents while the calling thread
// records them. Each document is computation (qpdf, appearances, the
// signature) and two syncs (the file, its directory): a few threads per
// core keep the cores busy while some wait on the disk.
constexpr std::size_t k_batch_threads = 8;
// Their nice value: the calling thread, which records one envelope after
// another, must not wait for a core.
constexpr int k_batch_worker_nice = 5;
// Documents written ahead of the envelope being recorded: enough that the
// workers never run dry, few enough that a batch interrupted by a kill
// leaves little work unrecorded (the files are harmless; a re-run signs
// those envelopes afresh).
constexpr std::size_t k_batch_ahead = 64;
// Envelopes recorded in one transaction, at most: each commit is a sync
// of the database's log, so envelopes already written share one; their
// files were synced before.
constexpr std::size_t k_batch_group = 32;
// Envelopes recorded between deliveries of the messages they queued.
constexpr std::size_t k_batch_deliver_every = 50;

bool is_image_type(FieldType t) { return t == FieldType::signature || t == FieldType::initials; }

// Fields signet fills itself when the signer gives no value.
std::optional<std::string> default_value(const Field& f, const Party& p) {
    if (f.type == FieldType::name) {
        return p.name;
    }
    if (f.type == FieldType::email && p.email) {
        return *p.email;
    }
    if (f.type == FieldType::checkbox) {
        return std::string("false");
    }
    return std::nullopt;
}

std::string describe(const Field& f) {
    return "field \"" + f.name + "\"" + (f.label ? " (" + *f.label + ")" : "");
}

const Field* find_own_field(const SigningReview& review, const std::string& name) {
    for (const Field& f : review.fields) {
        if (f.name == name) {
            return &f;
        }
    }
    return nullptr;
}

// The signer's certificate and key: their own PKCS#12, or a key made now
// with a certificate from the organisation's issuing CA.
crypto::Credential signer_credential(const crypto::OrganizationPki& pki, const Party& p,
                                     const SignInput& input, util::UnixTime now) {
    if (input.p12) {
        crypto::PassphraseSource source;
        source.env_var = "SIGNET_P12_PASSPHRASE";
        source.file_env_var = "";
        source.what = "PKCS#12 passphrase";
        const std::string passphrase = crypto::key_passphrase(
            "Passphrase of \"" + input.p12->string() + "\": ", crypto::Confirm::no, source);
        return crypto::load_p12(*input.p12, passphrase);
    }
    crypto::Credential c;
    c.key = crypto::generate_ec_p256_key();
    c.certificate = pki.issue_signer_certificate({p.name, p.email, p.phone}, c.key.get(), now);
    for (X509* x : pki.signer_chain()) {
        c.chain.push_back(crypto::share(x));
    }
    return c;
}

// The images a signer gives, decoded and encoded for PDF once per call:
// a batch puts the same bytes into every document (each gets its own
// stream objects).
struct SignerImages {
    bool loaded = false;
    std::optional<pdf::EncodedImage> signature;  // from --signature-image
    std::optional<std::string> typed;            // --signature-text, drawn per field size
    std::map<std::pair<double, double>, pdf::EncodedImage> typed_by_size;  // W x H points
    std::optional<pdf::EncodedImage> stamp;

    const pdf::EncodedImage* typed_for(double width, double height) const {
        const auto it = typed_by_size.find({width, height});
        return it == typed_by_size.end() ? nullptr : &it->second;
    }
};

// Loads the signer's images on the first call, and draws the typed
// signature for each size of this review's signature fields not drawn yet.
void load_images(SignerImages& images, const SigningReview& review, const SignInput& input) {
    if (!images.loaded) {
        if (input.signature_image && input.signature_text) {
            throw bad_input("give either --signature-image or --signature-text, not both");
        }
        if (input.signature_image) {
            images.signature = pdf::encode_image(pdf::load_png(*input.signature_image));
        }
        if (input.signature_text) {
            util::require_clean_line(*input.signature_text, "--signature-text");
            images.typed = *input.signature_text;
        }
        if (input.stamp_image) {
            images.stamp = pdf::encode_image(pdf::load_png(*input.stamp_image));
        }
        images.loaded = true;
    }
    if (images.typed) {
        // Drawn now, so that a name too long for a box fails before
        // anything is written.
        for (const Field& f : review.fields) {
            if (is_image_type(f.type) && !images.typed_for(f.rect.width, f.rect.height)) {
                images.typed_by_size.emplace(
                    std::make_pair(f.rect.width, f.rect.height),
                    pdf::encode_image(pdf::render_typed_signature(*images.typed, f.rect.width,
                                                                  f.rect.height)));
            }
        }
    }
}

// The values this party's fields get in this step, by field name, checked.
std::map<std::string, std::string> field_values(const SigningReview& review, const Party& party,
                                                const SignInput& input,
                                                const std::string& date_signed) {
    std::map<std::string, std::string> values;
    for (const Field& f : review.fields) {
        if (f.type == FieldType::date_signed) {
            values[f.name] = date_signed;
            continue;
        }
        if (is_signing_type(f.type)) {
            continue;
        }
        const auto given = input.values.find(f.name);
        if (given != input.values.end()) {
            values[f.name] = check_field_value(f.type, given->second, describe(f));
        } else if (const auto fallback = default_value(f, party)) {
            values[f.name] = *fallback;
        }
    }
    return values;
}

struct PageRotation {
    std::vector<pdf::PageInfo> pages;
    int rotate(int page) const { return pages.at(static_cast<std::size_t>(page - 1)).rotate; }
};

// Writes this party's update on top of `base`: values and appearances of
// its fields, then the signature of its main signature field.
pdf::UpdateResult write_update(const store::Store& store, const Envelope& e, const Party& party,
                               const std::string& base,
                               const std::map<std::string, std::string>& values,
                               const SignerImages& images, const crypto::Credential& signer,
                               const PageRotation& geometry, util::UnixTime now,
                               const std::filesystem::path& output) {
    pdf::IncrementalUpdate update(store.document_path(base));
    QPDF& q = update.qpdf();
    pdf::FontSubsetBuilder fonts(q);
    std::optional<QPDFObjectHandle> signature_xobject;
    std::optional<QPDFObjectHandle> stamp_xobject;
    const Field* main = main_signature_field(e, party.role);
    std::vector<std::string> locks;
    for (const Field& f : e.fields) {
        if (f.role != party.role) {
            continue;
        }
        if (&f != main) {
            locks.push_back(f.name);
        }
        QPDFObjectHandle widget = update.field(f.name);
        const int rotate = geometry.rotate(f.page);
        const double w = f.rect.width;
        const double h = f.rect.height;
        if (is_image_type(f.type)) {
            if (images.typed) {
                const pdf::EncodedImage* drawn = images.typed_for(w, h);
                if (drawn == nullptr) {
                    throw internal_error("the typed signature was not drawn for field \"" +
                                         f.name + "\"");
                }
                pdf::apply_appearance(widget, pdf::image_appearance(
                                                  q, pdf::image_xobject(q, *drawn), w, h, rotate));
            } else if (images.signature) {
                if (!signature_xobject) {
                    signature_xobject = pdf::image_xobject(q, *images.signature);
                }
                pdf::apply_appearance(widget,
                                      pdf::image_appearance(q, *signature_xobject, w, h, rotate));
            } else {
                continue;
            }
        } else if (f.type == FieldType::stamp) {
            if (!images.stamp) {
                continue;
            }
            if (!stamp_xobject) {
                stamp_xobject = pdf::image_xobject(q, *images.stamp);
            }
            pdf::apply_appearance(widget, pdf::image_appearance(q, *stamp_xobject, w, h, rotate));
        } else {
            const auto value = values.find(f.name);
            if (value == values.end()) {
                continue;
            }
            if (f.type == FieldType::checkbox) {
                const bool checked = value->second == "true";
                widget.replaceKey("/V", QPDFObjectHandle::newName(checked ? "/Yes" : "/Off"));
                pdf::apply_appearance(widget, pdf::checkbox_appearance(q, checked, w, h, rotate));
            } else {
                widget.replaceKey("/V", QPDFObjectHandle::newUnicodeString(value->second));
                pdf::TextStyle style;
                style.multiline = f.type == FieldType::multiline;
                if (f.type == FieldType::number) {
                    style.align = pdf::TextAlign::right;
                }
                pdf::apply_appearance(widget, pdf::text_appearance(q, fonts, value->second, w, h,
                                                                   rotate, style));
            }
        }
        update.touch(widget);
    }
    fonts.finish();

    pdf::SignatureRequest request;
    request.field_name = main->name;
    request.name = party.name;
    request.reason = "Signed by " + party.name + " (" + party.role + "): " + e.title;
    request.signing_time = now;
    request.lock_fields = locks;
    request.contents_bytes = cms_room(store);
    return update.write(output, request, cms_signer(store, signer));
}

std::string masked_code_contact(const Party& p) {
    const std::optional<std::string>& contact = p.auth == AuthMethod::sms ? p.phone : p.email;
    return contact ? masked_contact(*contact) : "-";
}

// A signer's inputs checked against one envelope: nothing is written
// until every envelope of a call has passed this.
struct CheckedInput {
    SigningReview review;
    const SignerImages* images = nullptr;  // the call's, shared by its envelopes
    std::map<std::string, std::string> values;
    PageRotation geometry;  // of the envelope's document
};

// `images` are loaded by the first call and kept for the next ones.
CheckedInput check_input(store::Store& store, const PartyAccess& access, const SignInput& input,
                         SignerImages& images, util::UnixTime now, bool code_needed) {
    CheckedInput checked;
    checked.review = review_signing(store, access);
    check_values(checked.review, input);
    std::vector<MissingInput> missing = missing_inputs(checked.review, input);
    if (!code_needed) {
        missing.erase(std::remove_if(missing.begin(), missing.end(),
                                     [](const MissingInput& m) {
                                         return m.kind == MissingInput::Kind::code;
                                     }),
                      missing.end());
    }
    // Name everything that is missing at once.
    if (!missing.empty()) {
        std::string what;
        for (const MissingInput& m : missing) {
            what += (what.empty() ? "" : "; ") + m.what;
        }
        throw bad_input("cannot sign envelope " + checked.review.envelope_id +
                            " yet: missing " + what,
                        {"at a terminal, signet sign asks for what is missing"});
    }
    load_images(images, checked.review, input);
    checked.images = &images;
    // The envelope's own zone and format (its template's), else the store's.
    const Envelope& e = access.envelope;
    const std::string date_signed =
        util::format_in_zone(now, envelope_zone(store, e), envelope_date_format(store, e));
    checked.values = field_values(checked.review, access.party(), input, date_signed);
    checked.geometry.pages =
        EnvelopeRepository(store.db()).document_pages(access.envelope.document.sha256);
    return checked;
}

// Who signs and how they proved it, the same for every envelope of a call.
struct SigningStep {
    const crypto::Credential& signer;
    std::string serial;            // the signer's certificate, hex
    std::string authenticated_by;  // for the audit trail
    bool own_certificate = false;
};

// One party's update, written on revision `base` and stored in documents/
// (flushed: durable before any row names it).
struct WrittenStep {
    std::string base;
    std::string sha256;
};

// Files only, no database: safe on a worker thread while another thread
// records other envelopes.
WrittenStep write_step(store::Store& store, const PartyAccess& access,
                       const CheckedInput& checked, const SigningStep& step,
                       const std::string& base, util::UnixTime now) {
    const auto tmp = store.new_document_path();
    const pdf::UpdateResult written =
        write_update(store, access.envelope, access.party(), base, checked.values,
                     *checked.images, step.signer, checked.geometry, now, tmp);
    store.adopt_document(tmp, written.sha256);
    return {base, written.sha256};
}

// Records a written step inside the caller's write transaction (party
// signed, fields filled, revision, audit event, next invitations). Returns
// nullopt, with `base` set to the newest revision and nothing written,
// when a party of the same turn signed first: the step must be written
// again on top of that. Throws not_allowed, nothing written, when the
// envelope moved on otherwise.
std::optional<SignResult> record_written(store::Store& store, const PartyAccess& access,
                                         const CheckedInput& checked, const SigningStep& step,
                                         const WrittenStep& written, std::string& base,
                                         util::UnixTime now) {
    const Party& party = access.party();
    const SignerImages& images = *checked.images;
    SignResult result;
    result.envelope_id = checked.review.envelope_id;
    result.role = party.role;
    result.certificate_serial = step.serial;
    EnvelopeRepository repo(store.db());
    Envelope e = repo.load(checked.review.envelope_id);
    const Party* now_party = e.find_party(party.role);
    if (is_final(e.status) || now_party == nullptr ||
        now_party->status == PartyStatus::signed_ ||
        now_party->status == PartyStatus::declined ||
        now_party->status == PartyStatus::locked) {
        throw not_allowed("envelope " + e.id + " changed while signing: it is " +
                          std::string(to_string(e.status)) + " and party \"" + party.role +
                          "\" is " +
                          (now_party ? std::string(to_string(now_party->status)) : "gone"));
    }
    if (e.document.current_sha256 != written.base) {
        // A party of the same turn signed first: sign on top of it.
        base = e.document.current_sha256;
        return std::nullopt;
    }
    const int revision = e.document.revisions + 1;
    store.db()
        .prepare("UPDATE parties SET status = 'signed', acted_at = ?,"
                 " certificate_serial = ?, code_hash = NULL, code_expires_at = NULL"
                 " WHERE envelope_seq = ? AND role = ?")
        .bind(1, now)
        .bind(2, result.certificate_serial)
        .bind(3, e.seq)
        .bind(4, party.role)
        .run();
    store::Statement fill = store.db().prepare(
        "UPDATE fields SET filled = 1, value = COALESCE(?, value)"
        " WHERE envelope_seq = ? AND name = ?");
    for (const Field& f : checked.review.fields) {
        const auto v = checked.values.find(f.name);
        const bool has_image =
            (is_image_type(f.type) && (images.signature || images.typed)) ||
            (f.type == FieldType::stamp && images.stamp);
        if (v == checked.values.end() && !has_image) {
            continue;
        }
        fill.bind(1, v == checked.values.end() ? std::optional<std::string>()
                                               : std::optional<std::string>(v->second))
            .bind(2, e.seq)
            .bind(3, f.name)
            .run();
        fill.reset();
    }
    repo.insert_revision(e.seq, revision, written.sha256, "signed", party.role, now);

    audit::Actor actor = audit::current_actor();
    actor.name = "party:" + party.role;
    const std::string head = audit::append_event(
        store.db(), e.seq, actor, now,
        {"signed", util::json_object([&](util::JsonWriter& w) {
             w.field("role", party.role);
             w.field("name", party.name);
             w.field("authenticated_by", step.authenticated_by);
             w.field("certificate_serial", result.certificate_serial);
             w.field("certificate_subject",
                     crypto::subject_line(step.signer.certificate.get()));
             w.field("own_certificate", step.own_certificate);
             w.field("consent", true);
             w.field("signature", images.typed ? "typed" : "image");
             w.field("stamp", images.stamp.has_value());
             w.key("fields").begin_object();
             for (const auto& [name, value] : checked.values) {
                 w.field(name, value);
             }
             w.end_object();
             w.field("revision", revision);
         }),
         written.base, written.sha256});

    // Who acts next, with this party's signature counted.
    for (Party& p : e.parties) {
        if (p.role == party.role) {
            p.status = PartyStatus::signed_;
        }
    }
    e.document.current_sha256 = written.sha256;
    const std::vector<const Party*> turn = next_turn(e);
    std::vector<const Party*> to_invite;
    for (const Party* p : turn) {
        if (p->status == PartyStatus::waiting) {
            to_invite.push_back(p);
        }
    }
    store.db()
        .prepare("UPDATE envelopes SET status = 'in_progress', current_sha256 = ?,"
                 " revisions = ?, waiting_for = ?, waiting_since = CASE WHEN ? THEN ?"
                 " ELSE waiting_since END, updated_at = ? WHERE seq = ?")
        .bind(1, written.sha256)
        .bind(2, revision)
        .bind(3, roles_of(turn))
        .bind(4, !to_invite.empty() || turn.empty())
        .bind(5, now)
        .bind(6, now)
        .bind(7, e.seq)
        .run();
    std::vector<std::string> warnings;
    invite_parties(store, e, to_invite, {"invitation", written.sha256, head}, actor, now,
                   warnings);
    for (const Party* p : to_invite) {
        result.invited.push_back(p->role);
    }
    result.completed = turn.empty();
    result.status = "in_progress";
    result.sha256 = written.sha256;
    return result;
}

// record_written() in a transaction of its own.
std::optional<SignResult> commit_step(store::Store& store, const PartyAccess& access,
                                      const CheckedInput& checked, const SigningStep& step,
                                      const WrittenStep& written, std::string& base,
                                      util::UnixTime now) {
    std::optional<SignResult> result;
    store.db().write(
        [&] { result = record_written(store, access, checked, step, written, base, now); });
    return result;
}

// Writes one party's update on revision `base` and records it in a
// transaction of its own; written again on the newest revision when a
// party of the same turn signed first. Completion and delivery are the
// caller's.
SignResult record_step(store::Store& store, const PartyAccess& access, const CheckedInput& checked,
                       const SigningStep& step, std::string base, util::UnixTime now) {
    for (int attempt = 0; attempt < k_max_attempts; ++attempt) {
        const WrittenStep written = write_step(store, access, checked, step, base, now);
        if (std::optional<SignResult> result =
                commit_step(store, access, checked, step, written, base, now)) {
            return *result;
        }
    }
    throw Error(ErrorKind::busy, "envelope " + checked.review.envelope_id +
                                     " kept changing while signing; nothing was signed");
}

// Delivers up to `limit` due messages of a batch: claimed and recorded a
// group at a time, files written on several threads (as send --bulk does);
// returns how many failed.
int deliver_batch(store::Store& store, const delivery::Renderer& renderer, std::size_t limit) {
    delivery::DeliverOptions options;
    options.now = util::now();
    options.limit = limit;
    options.batch = k_batch_deliver_every;
    options.parallel = 16;
    return delivery::deliver_pending(store, renderer, options).failed;
}

}  // namespace

SigningReview review_signing(store::Store& store, const PartyAccess& access) {
    const Envelope& e = access.envelope;
    const Party& p = access.party();
    SigningReview r;
    r.envelope_id = e.id;
    r.title = e.title;
    r.sender = sender_name(store, e);
    r.pages = e.document.pages;
    r.sha256 = e.document.current_sha256;
    r.role = p.role;
    r.party_name = p.name;
    r.party_email = p.email;
    for (const Field& f : e.fields) {
        if (f.role == p.role) {
            r.fields.push_back(f);
            r.must_stamp = r.must_stamp || f.type == FieldType::stamp;
        }
    }
    r.code_channel = p.auth == AuthMethod::sms ? "sms" : "mail";
    r.code_to = masked_code_contact(p);
    r.locale = message_locale(store, e);
    return r;
}

std::vector<MissingInput> missing_inputs(const SigningReview& review, const SignInput& input) {
    std::vector<MissingInput> missing;
    if (!input.code) {
        missing.push_back({MissingInput::Kind::code, "",
                           "the one-time code sent by " +
                               std::string(review.code_channel == "sms" ? "SMS" : "e-mail") +
                               " to " + review.code_to + " (--code)"});
    }
    bool wants_signature = false;
    bool wants_stamp = false;
    for (const Field& f : review.fields) {
        if (is_image_type(f.type)) {
            wants_signature = true;
            continue;
        }
        if (f.type == FieldType::stamp) {
            wants_stamp = true;
            continue;
        }
        if (f.type == FieldType::date_signed || !f.required) {
            continue;
        }
        if (input.values.count(f.name) != 0) {
            continue;
        }
        // A name field defaults to the party's name, an e-mail field to
        // its address.
        if (f.type == FieldType::name || (f.type == FieldType::email && review.party_email)) {
            continue;
        }
        missing.push_back({MissingInput::Kind::field, f.name,
                           describe(f) + " (--field " + f.name + "=VALUE)"});
    }
    if (wants_signature && !input.signature_image && !input.signature_text) {
        missing.push_back({MissingInput::Kind::signature, "",
                           "a signature (--signature-image PNG or --signature-text NAME)"});
    }
    if (wants_stamp && !input.stamp_image) {
        missing.push_back({MissingInput::Kind::stamp, "", "the stamp (--stamp PNG)"});
    }
    if (!input.agreed) {
        missing.push_back({MissingInput::Kind::consent, "", "consent to sign (--agree)"});
    }
    return missing;
}

void check_values(const SigningReview& review, const SignInput& input) {
    for (const auto& [name, value] : input.values) {
        const Field* f = find_own_field(review, name);
        if (f == nullptr) {
            throw bad_input("field \"" + name + "\" is not a field of party \"" + review.role +
                                "\" in envelope " + review.envelope_id,
                            {"a party fills only its own fields; see signet status " +
                             review.envelope_id});
        }
        if (f->type == FieldType::date_signed) {
            throw bad_input(describe(*f) + " is filled by signet with the signing date");
        }
        check_field_value(f->type, value, describe(*f));
    }
}

SignResult sign_envelope(store::Store& store, const PartyAccess& access, const SignInput& input,
                         util::UnixTime now) {
    SignerImages images;
    const CheckedInput checked =
        check_input(store, access, input, images, now, /*code_needed=*/true);
    // Only now, with every input right, does the code count.
    check_code(store, access, *input.code, now);

    const crypto::OrganizationPki pki = load_pki(store);
    const Party& party = access.party();
    const crypto::Credential signer = signer_credential(pki, party, input, now);
    const SigningStep step{signer, crypto::serial_hex(signer.certificate.get()),
                           std::string("token and one-time code by ") +
                               (party.auth == AuthMethod::sms ? "sms" : "email"),
                           input.p12.has_value()};
    SignResult result =
        record_step(store, access, checked, step, access.envelope.document.current_sha256, now);
    if (result.completed) {
        result.final_sha256 = complete_envelope(store, result.envelope_id, pki, now);
        result.status = "completed";
    }
    const delivery::DeliveryReport delivered =
        delivery::deliver_pending(store, message_renderer(store), util::now(), 100);
    result.undelivered = delivered.failed;
    return result;
}

BatchReview review_batch(store::Store& store, const std::string& token, util::UnixTime now) {
    const std::string anchor_id = envelope_for_token(store, token);
    BatchReview review{authenticate(store, anchor_id, token, now), "", "", {}};
    const Party& me = review.anchor.party();
    const bool by_sms = me.auth == AuthMethod::sms;
    const std::optional<std::string>& contact = by_sms ? me.phone : me.email;
    review.code_channel = by_sms ? "sms" : "mail";
    review.code_to = masked_code_contact(me);
    if (!contact) {
        throw bad_input("party \"" + me.role + "\" has auth=" + std::string(to_string(me.auth)) +
                        " but no " + (by_sms ? "phone" : "email"));
    }
    std::vector<std::pair<std::string, std::string>> waiting;  // envelope id, role
    store.db().read([&] {
        store::Statement q = store.db().prepare(
            "SELECT e.id, p.role FROM parties p JOIN envelopes e ON e.seq = p.envelope_seq"
            " WHERE p.status IN ('invited', 'opened') AND p.action = 'sign' AND p.auth = ?"
            " AND (CASE WHEN p.auth = 'sms' THEN p.phone ELSE p.email END) = ?"
            " AND e.status IN ('sent', 'in_progress') AND (e.expires_at IS NULL OR e.expires_at > ?)"
            " ORDER BY e.seq");
        q.bind(1, std::string(to_string(me.auth))).bind(2, *contact).bind(3, now);
        while (q.step()) {
            waiting.emplace_back(q.text(0), q.text(1));
        }
    });
    EnvelopeRepository repo(store.db());
    auto entry_for = [&](const Envelope& e, const std::string& role) {
        BatchEntry entry{e.id, e.title, role, "", e.document.current_sha256};
        for (const Party& p : e.parties) {
            if (p.role != role) {
                entry.counterparties += (entry.counterparties.empty() ? "" : ", ") + p.name;
            }
        }
        return entry;
    };
    for (const auto& [id, role] : waiting) {
        if (id != anchor_id) {
            review.entries.push_back(entry_for(repo.load(id), role));
        }
    }
    review.entries.push_back(entry_for(review.anchor.envelope, review.anchor.role));
    return review;
}

BatchResult sign_batch(store::Store& store, const BatchReview& review, const SignInput& input,
                       util::UnixTime now, const BatchProgress& progress) {
    // Every envelope checked before anything is signed.
    SignerImages images;
    std::vector<std::pair<PartyAccess, CheckedInput>> work;
    for (const BatchEntry& entry : review.entries) {
        PartyAccess access{EnvelopeRepository(store.db()).load(entry.envelope_id), entry.role};
        SignInput own = input;
        own.values.clear();
        for (const Field& f : access.envelope.fields) {
            const auto given = input.values.find(f.name);
            if (f.role == entry.role && given != input.values.end()) {
                own.values.insert(*given);
            }
        }
        CheckedInput checked =
            check_input(store, access, own, images, now, /*code_needed=*/false);
        work.emplace_back(std::move(access), std::move(checked));
    }
    if (!input.code) {
        throw bad_input("cannot sign the batch yet: missing the one-time code (--code)",
                        {"ask for one: signet sign --batch --send-code"});
    }
    check_code(store, review.anchor, *input.code, now);

    const crypto::OrganizationPki pki = load_pki(store);
    const Party& me = review.anchor.party();
    const crypto::Credential signer = signer_credential(pki, me, input, now);
    const SigningStep step{signer, crypto::serial_hex(signer.certificate.get()),
                           "batch: the token of envelope " + review.anchor.envelope.id +
                               " and one-time code by " +
                               (me.auth == AuthMethod::sms ? "sms" : "email"),
                           input.p12.has_value()};
    // The documents are written on worker threads, ahead of this thread,
    // which records them in the review's order, a group of those already
    // written in each transaction; the anchor's envelope alone and last.
    struct Item {
        PartyAccess* access;
        const CheckedInput* checked;
        std::optional<WrittenStep> written;
        std::exception_ptr error;
        bool done = false;
    };
    std::vector<Item> items;
    items.reserve(work.size());
    for (auto& [access, checked] : work) {
        items.push_back({&access, &checked, std::nullopt, nullptr, false});
    }
    util::WorkPool<Item> pool(
        k_batch_threads,
        [&](Item& item) {
            try {
                item.written = write_step(store, *item.access, *item.checked, step,
                                          item.access->envelope.document.current_sha256, now);
            } catch (...) {
                item.error = std::current_exception();
            }
        },
        k_batch_worker_nice);
    auto collect = [&](std::size_t at_least) {
        for (Item* done : pool.take(at_least)) {
            done->done = true;
        }
    };
    const delivery::Renderer renderer = message_renderer(store);
    std::size_t submitted = 0;
    std::size_t undelivered_since = 0;  // envelopes recorded since the last delivery
    BatchResult result;
    for (std::size_t next = 0; next < items.size();) {
        while (submitted < items.size() && submitted < next + k_batch_ahead) {
            pool.submit(&items[submitted++]);
        }
        while (!items[next].done) {
            collect(1);
        }
        collect(0);
        if (items[next].error) {
            // What was signed stays signed; the rest waits for a re-run.
            std::rethrow_exception(items[next].error);
        }
        // The group: written, without error, never the anchor's with others.
        const std::size_t last = items.size() - 1;
        std::size_t end = next + 1;
        while (next != last && end < last && end - next < k_batch_group && items[end].done &&
               !items[end].error) {
            ++end;
        }

        // Each envelope under a savepoint: one that fails rolls back alone,
        // those before it are committed (as if each had a transaction of
        // its own) and the batch stops there. One whose document another
        // party of the same turn signed meanwhile ends the group: it is
        // written again on top and recorded next, so that the envelopes
        // are recorded in order.
        const std::size_t size = end - next;
        std::vector<std::optional<SignResult>> recorded(size);
        std::string rebase;
        std::exception_ptr failure;
        std::size_t attempted = 0;
        store.db().write([&] {
            recorded.assign(size, std::nullopt);
            failure = nullptr;
            for (attempted = 0; attempted < size; ++attempted) {
                Item& item = items[next + attempted];
                store.db().exec("SAVEPOINT signet_batch_step");
                try {
                    recorded[attempted] = record_written(store, *item.access, *item.checked, step,
                                                         *item.written, rebase, now);
                } catch (...) {
                    failure = std::current_exception();
                    store.db().exec("ROLLBACK TO signet_batch_step");
                }
                store.db().exec("RELEASE signet_batch_step");
                if (failure || !recorded[attempted]) {
                    ++attempted;
                    break;
                }
            }
        });
        for (std::size_t i = 0; i < attempted && !(failure && i + 1 == attempted); ++i) {
            Item& item = items[next + i];
            SignResult r = recorded[i] ? std::move(*recorded[i])
                                       : record_step(store, *item.access, *item.checked, step,
                                                     rebase, now);
            if (r.completed) {
                r.final_sha256 = complete_envelope(store, r.envelope_id, pki, now);
                r.status = "completed";
            }
            result.envelopes.push_back(std::move(r));
            if (progress) {
                progress(result.envelopes.size(), work.size(), result.envelopes.back());
            }
            // Deliver as we go: the next parties hear at once, and a long
            // batch does not leave a thousand messages for the end.
            if (++undelivered_since >= k_batch_deliver_every) {
                undelivered_since = 0;
                result.undelivered += deliver_batch(store, renderer, 10 * k_batch_deliver_every);
            }
        }
        if (failure) {
            std::rethrow_exception(failure);
        }
        next += attempted;
    }
    result.undelivered += deliver_batch(store, renderer, 20 * k_batch_deliver_every);
    return result;
}

}  // namespace signet::envelope
