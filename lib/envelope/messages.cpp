#include "envelope/messages.hpp"

#include "auth/tokens.hpp"
#include "i18n/catalog.hpp"
#include "delivery/render.hpp"
#include "envelope/certificate.hpp"
#include "envelope/organization.hpp"
#include "signet/error.hpp"
#include "util/text.hpp"

namespace signet::envelope {
namespace {

// The parts of an SMS kept short: a gateway splits long ones, and Cyrillic
// or Polish letters fit only 70 characters in one segment.
constexpr std::size_t k_sms_title_width = 40;
constexpr std::size_t k_sms_name_width = 30;
constexpr std::size_t k_sms_reason_width = 60;

std::string param(const delivery::OutboxMessage& m, const std::string& key) {
    const auto it = m.record.params.find(key);
    if (it == m.record.params.end()) {
        throw internal_error("message " + m.record.message_id + " lacks \"" + key + "\"");
    }
    return it->second;
}

std::string param_or(const delivery::OutboxMessage& m, const std::string& key,
                     const std::string& fallback) {
    const auto it = m.record.params.find(key);
    return it == m.record.params.end() ? fallback : it->second;
}

long long count_param(const delivery::OutboxMessage& m, const std::string& key) {
    const std::string text = param(m, key);
    try {
        return std::stoll(text);
    } catch (const std::exception&) {
        throw internal_error("message " + m.record.message_id + ": \"" + key + "\" is not a number");
    }
}

// One message's texts in its envelope's language (the "locale" parameter;
// English for messages queued before there was one). In an SMS the title,
// names and reason are cut short.
class Texts {
public:
    explicit Texts(const delivery::OutboxMessage& m)
        : m_message(m), m_catalog(i18n::Catalog::of(param_or(m, "locale", "en"))),
          m_sms(m.record.channel == delivery::Channel::sms) {}

    bool sms() const { return m_sms; }
    const i18n::Catalog& catalog() const { return m_catalog; }

    // The envelope's id, and its title, sender, reason and who ended it
    // when the message has them (shortened in an SMS), plus `more`.
    i18n::TextValues values(i18n::TextValues more) const {
        more.emplace("envelope", param(m_message, "envelope"));
        for (const auto& [key, width] : {std::pair<const char*, std::size_t>{"title", k_sms_title_width},
                                         {"sender", k_sms_name_width},
                                         {"reason", k_sms_reason_width},
                                         {"by", k_sms_name_width}}) {
            const auto it = m_message.record.params.find(key);
            if (it != m_message.record.params.end()) {
                more.emplace(key, m_sms ? util::truncate_to_width(it->second, width) : it->second);
            }
        }
        return more;
    }

    // An SMS: the text `kind.sms`. A mail: the subject `kind.subject`; the
    // greeting, `intro` (if any) and the text `kind.mail`. `text_key` names
    // another text instead of kind.sms or kind.mail.
    delivery::RenderedMessage render(const std::string& kind, const i18n::TextValues& values,
                                     const std::string& text_key = "",
                                     const std::string& intro = "") const {
        delivery::RenderedMessage out;
        out.language = m_catalog.locale();
        const std::string key = !text_key.empty() ? text_key : kind + (m_sms ? ".sms" : ".mail");
        if (m_sms) {
            out.text = m_catalog.text(key, values);
            return out;
        }
        out.subject = m_catalog.text(kind + ".subject", values);
        out.text = m_catalog.text("greeting", {{"name", m_message.record.recipient_name}}) +
                   "\n\n" + (intro.empty() ? "" : intro + "\n\n") + m_catalog.text(key, values);
        return out;
    }

private:
    const delivery::OutboxMessage& m_message;
    const i18n::Catalog& m_catalog;
    bool m_sms;
};

// An invitation or a reminder: the command with the party's token, derived
// again from the nonce; short, the command first, by SMS.
delivery::RenderedMessage render_invitation(const delivery::OutboxMessage& m,
                                            const auth::TokenKey& key) {
    const Texts texts(m);
    const std::string id = param(m, "envelope");
    const std::string token =
        auth::derive_access_token(key, id, m.record.party_role, param(m, "nonce"));
    const bool reminder = m.record.kind == "reminder";
    const bool code_by_sms = param(m, "code_channel") == "SMS";
    const i18n::Catalog& c = texts.catalog();
    const i18n::TextValues values = texts.values({
        {"command", "signet sign " + id + " --token " + token},
        {"pages", c.count("count.pages", count_param(m, "pages"))},
        {"code_by", c.text(code_by_sms ? "code_by.sms" : "code_by.email")},
        {"sha256", param(m, "sha256")},
        {"chain_head", param(m, "chain_head")},
        {"expires_at", param(m, "expires_at")},
    });
    if (!reminder) {
        return texts.render("invitation", values);
    }
    // A reminder's mail is the invitation's text under a line of its own.
    return texts.render("reminder", values, texts.sms() ? "" : "invitation.mail",
                        c.text("reminder.intro"));
}

// The one-time code, derived again from the message id: never stored.
delivery::RenderedMessage render_code(const delivery::OutboxMessage& m, const auth::TokenKey& key) {
    const Texts texts(m);
    return texts.render(
        "code", texts.values({{"code", auth::derive_code(key, m.record.message_id)},
                              {"minutes", texts.catalog().count("count.minutes",
                                                                count_param(m, "minutes"))}}));
}

// The envelope ended with every signature: by e-mail the signed PDF (an
// attachment of the record) and the certificate of completion, made now
// from the store; by SMS a notice that says where the PDF is.
delivery::RenderedMessage render_completed(const delivery::OutboxMessage& m,
                                           const std::filesystem::path& store_dir) {
    const Texts texts(m);
    const std::string sha256 = param(m, "sha256");
    delivery::RenderedMessage out = texts.render(
        "completed", texts.values({{"sha256", sha256},
                                   {"sha256_short", sha256.substr(0, 16)},
                                   {"chain_head", param(m, "chain_head")},
                                   {"completed_at", param(m, "completed_at")}}));
    if (texts.sms()) {
        return out;
    }
    const std::string id = param(m, "envelope");
    store::Store store(store_dir);
    delivery::MailAttachment certificate;
    certificate.filename = texts.catalog().text("cert.filename", {{"envelope", id}});
    certificate.data = completion_certificate_pdf(store, id);
    out.attachments.push_back(std::move(certificate));
    return out;
}

// The notice of an envelope that ended before completion (declined, voided,
// expired): what happened, the reason given, what the end means for the
// reader and the chain head. The one who declined reads it in the second
// person.
delivery::RenderedMessage render_ending(const delivery::OutboxMessage& m) {
    const Texts texts(m);
    const std::string& kind = m.record.kind;
    i18n::TextValues values = texts.values({{"chain_head", param(m, "chain_head")}});
    if (kind == "declined") {
        values.emplace("by_role", param(m, "by_role"));
    } else if (kind == "expired") {
        values.emplace("expires_at", param(m, "expires_at"));
    }
    const bool own = kind == "declined" && param(m, "ended_by") == "party:" + m.record.party_role;
    const std::string text_key = kind + (texts.sms() ? ".sms" : ".mail") + (own ? "_own" : "");
    return texts.render(kind, values, text_key);
}

}  // namespace

delivery::Renderer message_renderer(const store::Store& store) {
    const auto keys = keys_dir(store);
    const auto dir = store.dir();
    return [keys, dir](const delivery::OutboxMessage& m) {
        // Messages made by the workflow. Hand-made ones, and notices queued
        // by signet before the catalogues, carry their own subject and body.
        const std::string& kind = m.record.kind;
        if (m.record.params.count("body") != 0) {
            return delivery::render_from_params(m);
        }
        if (kind == "completed" && m.record.params.count("sha256") != 0) {
            return render_completed(m, dir);
        }
        if (kind == "invitation" || kind == "reminder") {
            return render_invitation(m, auth::TokenKey::load_or_create(keys));
        }
        if (kind == "code") {
            return render_code(m, auth::TokenKey::load_or_create(keys));
        }
        if ((kind == "declined" || kind == "voided" || kind == "expired") &&
            m.record.params.count("chain_head") != 0) {
            return render_ending(m);
        }
        return delivery::render_from_params(m);
    };
}

}  // namespace signet::envelope
