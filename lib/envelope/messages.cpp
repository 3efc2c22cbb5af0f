#include "envelope/messages.hpp"

#include "auth/tokens.hpp"
#include "delivery/render.hpp"
#include "envelope/certificate.hpp"
#include "envelope/organization.hpp"
#include "signet/error.hpp"

namespace signet::envelope {
namespace {

std::string param(const delivery::OutboxMessage& m, const std::string& key) {
    const auto it = m.record.params.find(key);
    if (it == m.record.params.end()) {
        throw internal_error("message " + m.record.message_id + " lacks \"" + key + "\"");
    }
    return it->second;
}

delivery::RenderedMessage render_invitation(const delivery::OutboxMessage& m,
                                            const auth::TokenKey& key) {
    const std::string id = param(m, "envelope");
    const std::string token =
        auth::derive_access_token(key, id, m.record.party_role, param(m, "nonce"));
    const std::string command = "signet sign " + id + " --token " + token;
    const std::string title = param(m, "title");
    delivery::RenderedMessage out;
    if (m.record.channel == delivery::Channel::sms) {
        // Short, the command first: long SMS are split by the gateway.
        out.text = command + "\n" + param(m, "sender") + " asks you to sign \"" + title + "\".";
        return out;
    }
    out.subject = "Please sign: " + title;
    out.text = "Hello " + m.record.recipient_name + ",\n\n" + param(m, "sender") +
               " asks you to sign \"" + title + "\" (" + param(m, "pages") + " pages).\n\n" +
               "To review and sign it, connect to the signing host and run:\n\n    " + command +
               "\n\nKeep this message to yourself: the token is your access to the document.\n" +
               "You will be asked for a one-time code sent by " + param(m, "code_channel") +
               ".\n\nDocument SHA-256:  " + param(m, "sha256") + "\nAudit chain head:  " +
               param(m, "chain_head") + "\nExpires:           " + param(m, "expires_at") + "\n";
    return out;
}

// The one-time code, derived again from the message id: never stored.
delivery::RenderedMessage render_code(const delivery::OutboxMessage& m, const auth::TokenKey& key) {
    const std::string code = auth::derive_code(key, m.record.message_id);
    delivery::RenderedMessage out;
    const std::string id = param(m, "envelope");
    if (m.record.channel == delivery::Channel::sms) {
        out.text = "signet code " + code + " for envelope " + id + " (valid " +
                   param(m, "minutes") + " min). Do not share it.";
        return out;
    }
    out.subject = "Your signing code: " + code;
    out.text = "Hello " + m.record.recipient_name + ",\n\nYour one-time code to sign \"" +
               param(m, "title") + "\" (envelope " + id + ") is:\n\n    " + code +
               "\n\nIt is valid for " + param(m, "minutes") +
               " minutes. Nobody from the sender will ever ask you for it.\n";
    return out;
}

// The envelope ended with every signature: by e-mail the signed PDF (an
// attachment of the record) and the certificate of completion, made now
// from the store; by SMS a notice that says where the PDF is.
delivery::RenderedMessage render_completed(const delivery::OutboxMessage& m,
                                           const std::filesystem::path& store_dir) {
    const std::string id = param(m, "envelope");
    const std::string title = param(m, "title");
    delivery::RenderedMessage out;
    if (m.record.channel == delivery::Channel::sms) {
        out.text = "Signed by all: \"" + title + "\" (envelope " + id + "). Ask " +
                   param(m, "sender") + " for the signed PDF; SHA-256 " +
                   param(m, "sha256").substr(0, 16) + "...";
        return out;
    }
    out.subject = "Signed by all parties: " + title;
    out.text = "Hello " + m.record.recipient_name + ",\n\n\"" + title +
               "\" has been signed by every party and sealed by " + param(m, "sender") +
               ".\n\nAttached: the signed PDF and its certificate of completion.\n"
               "Check the PDF at any time with: signet verify FILE.pdf\n\n"
               "Envelope:          " + id + "\nDocument SHA-256:  " + param(m, "sha256") +
               "\nAudit chain head:  " + param(m, "chain_head") + "\nCompleted:         " +
               param(m, "completed_at") + "\n";
    store::Store store(store_dir);
    delivery::MailAttachment certificate;
    certificate.filename = "certificate-of-completion-" + id + ".pdf";
    certificate.data = completion_certificate_pdf(store, id);
    out.attachments.push_back(std::move(certificate));
    return out;
}

}  // namespace

delivery::Renderer message_renderer(const store::Store& store) {
    const auto keys = keys_dir(store);
    const auto dir = store.dir();
    return [keys, dir](const delivery::OutboxMessage& m) {
        // A completion notice made by the workflow (not a hand-made one
        // carrying its own subject and body).
        if (m.record.kind == "completed" && m.record.params.count("sha256") != 0) {
            return render_completed(m, dir);
        }
        if (m.record.kind == "invitation" || m.record.kind == "reminder") {
            return render_invitation(m, auth::TokenKey::load_or_create(keys));
        }
        if (m.record.kind == "code") {
            return render_code(m, auth::TokenKey::load_or_create(keys));
        }
        return delivery::render_from_params(m);
    };
}

}  // namespace signet::envelope
