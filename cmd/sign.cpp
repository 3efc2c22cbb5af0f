// signet sign: show a party what it signs, collect what is missing (at a
// terminal), and sign.
#include "app.hpp"

#include "envelope/access.hpp"
#include "envelope/field.hpp"
#include "envelope/invite.hpp"
#include "envelope/sign.hpp"
#include "i18n/catalog.hpp"
#include "pdf/png.hpp"
#include "util/text.hpp"
#include "util/time.hpp"
#include "view/status_view.hpp"

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <unistd.h>

namespace signet::cli {
namespace {

struct SignOptions {
    std::string envelope;
    std::optional<std::string> token;
    bool send_code = false;
    std::optional<std::string> code;
    std::optional<std::string> signature_image;
    std::optional<std::string> signature_text;
    std::optional<std::string> stamp;
    std::vector<std::string> fields;
    bool agree = false;
    std::optional<std::string> p12;
    bool batch = false;
};

void say(const std::string& text) { std::fputs(text.c_str(), stderr); }

// One line typed at the terminal (stdin), without its line ending.
std::string ask(const std::string& prompt) {
    say(prompt);
    std::fflush(stderr);
    std::string line;
    if (!std::getline(std::cin, line)) {
        throw bad_input("no answer at the prompt: " + util::trim(prompt));
    }
    if (!line.empty() && line.back() == '\r') {
        line.pop_back();
    }
    return util::trim(line);
}

// The signer's prompt speaks the envelope's language (its messages').
const i18n::Catalog& prompt_texts(const envelope::SigningReview& r) {
    return i18n::Catalog::of(r.locale);
}

// "yes", "y" or one of the language's own words for it, in any case.
bool is_yes(const i18n::Catalog& texts, const std::string& answer) {
    const std::string a = util::to_lower(answer);
    if (a == "yes" || a == "y") {
        return true;
    }
    std::istringstream words(texts.text("prompt.yes"));
    std::string word;
    while (words >> word) {
        if (a == word) {
            return true;
        }
    }
    return false;
}

// True when the image can be used; else says why, for the prompt to ask again.
bool checked_png(const i18n::Catalog& texts, const std::string& path) {
    try {
        pdf::load_png(path);
        return true;
    } catch (const Error& e) {
        say("  " + texts.text("prompt.try_again", {{"error", e.what()}}) + "\n");
        return false;
    }
}

std::string review_text(const envelope::SigningReview& r) {
    const i18n::Catalog& texts = prompt_texts(r);
    const std::vector<std::pair<std::string, std::string>> rows = {
        {texts.text("prompt.envelope"), r.envelope_id},
        {texts.text("prompt.title"), r.title},
        {texts.text("prompt.from"), r.sender},
        {texts.text("prompt.pages"), std::to_string(r.pages)},
        {"SHA-256", r.sha256},
    };
    std::size_t width = 11;  // the labels line up, however long the language's are
    for (const auto& row : rows) {
        width = std::max(width, util::display_width(row.first) + 1);
    }
    std::string out;
    for (const auto& [label, value] : rows) {
        out += util::pad_to_width(label, width) + value + "\n";
    }
    out += texts.text("prompt.you_sign_as", {{"name", r.party_name}, {"role", r.role}}) + "\n";
    for (const envelope::Field& f : r.fields) {
        out += "  " + util::pad_to_width(f.name, 22) + " " +
               util::pad_to_width(envelope::to_string(f.type), 12) + " " +
               texts.text("prompt.page", {{"n", std::to_string(f.page)}}) +
               (f.label ? "  " + *f.label : "") +
               (f.required ? "" : "  " + texts.text("prompt.optional")) + "\n";
    }
    return out;
}

// "A one-time code is sent by SMS to +48***567 (valid until ...)", in the
// prompt's language, the time in the envelope's zone.
std::string code_sent_text(const i18n::Catalog& texts, const store::Store& store,
                           const envelope::PartyAccess& access, const envelope::CodeSent& sent) {
    const std::string key = std::string(sent.reused ? "prompt.code_resent." : "prompt.code_sent.") +
                            (sent.channel == "sms" ? "sms" : "email");
    return texts.text(key, {{"to", sent.to},
                            {"until", envelope::message_time(store, access.envelope, sent.expires_at)}});
}

// Asks at the terminal for what is missing; returns with every item given,
// or throws.
void prompt_for_missing(store::Store& store, const envelope::PartyAccess& access,
                        const envelope::SigningReview& review, envelope::SignInput& input) {
    const i18n::Catalog& texts = prompt_texts(review);
    for (const envelope::MissingInput& m : envelope::missing_inputs(review, input)) {
        using Kind = envelope::MissingInput::Kind;
        switch (m.kind) {
        case Kind::code: {
            say(code_sent_text(texts, store, access,
                               envelope::send_code(store, access, util::now(),
                                                   /*reuse_recent=*/true)) +
                "\n");
            input.code = ask(texts.text("prompt.code"));
            break;
        }
        case Kind::field: {
            const envelope::Field* f = nullptr;
            for (const envelope::Field& candidate : review.fields) {
                if (candidate.name == m.field) {
                    f = &candidate;
                }
            }
            for (;;) {
                const std::string value = ask((f && f->label ? *f->label : m.field) + " [" +
                                              std::string(f ? envelope::to_string(f->type) : "") +
                                              "]: ");
                try {
                    input.values[m.field] = envelope::check_field_value(
                        f ? f->type : envelope::FieldType::text, value, "field \"" + m.field + "\"");
                    break;
                } catch (const Error& e) {
                    say("  " + texts.text("prompt.try_again", {{"error", e.what()}}) + "\n");
                }
            }
            break;
        }
        case Kind::signature: {
            for (;;) {
                const std::string answer = ask(texts.text("prompt.signature"));
                const bool png = answer.size() > 4 &&
                                 util::to_lower_ascii(answer.substr(answer.size() - 4)) == ".png";
                if (!png) {
                    input.signature_text = answer;
                    break;
                }
                if (checked_png(texts, answer)) {
                    input.signature_image = answer;
                    break;
                }
            }
            break;
        }
        case Kind::stamp: {
            for (;;) {
                const std::string answer = ask(texts.text("prompt.stamp"));
                if (checked_png(texts, answer)) {
                    input.stamp_image = answer;
                    break;
                }
            }
            break;
        }
        case Kind::consent: {
            say("\n" + texts.text("prompt.consent", {{"title", review.title}, {"name", review.party_name}}) +
                "\n");
            if (!is_yes(texts, ask(texts.text("prompt.sign_now")))) {
                throw bad_input("not signed: consent was not given");
            }
            input.agreed = true;
            break;
        }
        }
    }
}

envelope::SignInput sign_input(const SignOptions& o) {
    envelope::SignInput input;
    input.code = o.code;
    for (const std::string& pair : o.fields) {
        const auto eq = pair.find('=');
        if (eq == std::string::npos || eq == 0) {
            throw bad_input("--field " + util::quoted(pair) + ": expected NAME=VALUE");
        }
        input.values[pair.substr(0, eq)] = pair.substr(eq + 1);
    }
    if (o.signature_image) {
        input.signature_image = *o.signature_image;
    }
    input.signature_text = o.signature_text;
    if (o.stamp) {
        input.stamp_image = *o.stamp;
    }
    input.agreed = o.agree;
    if (o.p12) {
        input.p12 = *o.p12;
    }
    return input;
}

void print_code_sent(const envelope::CodeSent& sent, const std::string& envelope,
                     const GlobalOptions& global) {
    if (global.json) {
        print_json([&](util::JsonWriter& w) {
            w.field("envelope", envelope);
            w.field("channel", sent.channel);
            w.field("to", sent.to);
            w.field("expires_at", util::rfc3339_utc(sent.expires_at));
        });
    } else if (!global.quiet) {
        print("A one-time code was sent by " + std::string(sent.channel == "sms" ? "SMS" : "e-mail") +
              " to " + sent.to + "; it is valid until " + util::rfc3339_utc(sent.expires_at) +
              ".\n");
    }
}

// sign --batch: one review of the whole list, one code, one consent.
int run_batch(store::Store& store, const SignOptions& o, const std::string& token,
              const GlobalOptions& global) {
    const envelope::BatchReview review = envelope::review_batch(store, token, util::now());
    if (o.send_code) {
        envelope::record_opened(store, review.anchor, util::now());
        print_code_sent(envelope::send_code(store, review.anchor, util::now()),
                        review.anchor.envelope.id, global);
        return 0;
    }
    envelope::SignInput input = sign_input(o);
    // The prompt speaks the language of the envelope the token opened.
    const i18n::Catalog& texts =
        i18n::Catalog::of(envelope::message_locale(store, review.anchor.envelope));
    const auto count = static_cast<long long>(review.entries.size());
    std::string list = texts.text("prompt.batch_list",
                                  {{"envelopes_wait", texts.count("count.envelopes_wait", count)},
                                   {"name", review.anchor.party().name}}) +
                       "\n";
    for (const envelope::BatchEntry& e : review.entries) {
        list += "  " + e.envelope_id + "  " + util::pad_to_width(e.title, 36) + "  " +
                util::pad_to_width(e.counterparties, 24) + "  " + e.sha256.substr(0, 16) + "...\n";
    }
    if (!global.quiet) {
        if (global.json) {
            say(list);
        } else {
            print(list);
        }
        std::fflush(stdout);
    }
    const bool interactive = ::isatty(STDIN_FILENO) != 0;
    if (interactive && !input.code) {
        envelope::record_opened(store, review.anchor, util::now());
        say(code_sent_text(texts, store, review.anchor,
                           envelope::send_code(store, review.anchor, util::now(),
                                               /*reuse_recent=*/true)) +
            "\n");
        input.code = ask(texts.text("prompt.code"));
    }
    if (interactive && !input.agreed) {
        if (!is_yes(texts, ask(texts.text("prompt.batch_sign_all",
                                          {{"envelopes", texts.count("count.envelopes", count)}})))) {
            throw bad_input("not signed: consent was not given");
        }
        input.agreed = true;
    }
    if (!input.agreed) {
        throw bad_input("cannot sign the batch: missing consent to sign (--agree)");
    }
    const bool show_progress = ::isatty(STDERR_FILENO) != 0 && !global.quiet;
    const envelope::BatchResult result = envelope::sign_batch(
        store, review, input, util::now(),
        [&](std::size_t done, std::size_t total, const envelope::SignResult& last) {
            if (show_progress) {
                say("\r  signed " + std::to_string(done) + "/" + std::to_string(total) + "  " +
                    last.envelope_id + (done == total ? "\n" : ""));
            }
        });
    if (global.json) {
        print_json([&](util::JsonWriter& w) {
            w.key("envelopes").begin_array();
            for (const auto& r : result.envelopes) {
                w.begin_object();
                w.field("envelope", r.envelope_id);
                w.field("role", r.role);
                w.field("status", r.status);
                w.field("sha256", r.sha256);
                w.field("completed", r.completed);
                w.end_object();
            }
            w.end_array();
            w.field("signed", static_cast<std::int64_t>(result.envelopes.size()));
        });
    } else if (!global.quiet) {
        print(texts.text("prompt.batch_signed",
                         {{"envelopes", texts.count("count.envelopes",
                                                    static_cast<long long>(result.envelopes.size()))},
                          {"serial", result.envelopes.empty()
                                         ? std::string("-")
                                         : result.envelopes.front().certificate_serial}}) +
              "\n");
    }
    return report_undelivered(result.undelivered);
}

}  // namespace

Command setup_sign(CLI::App& app, const GlobalOptions& global) {
    auto o = std::make_shared<SignOptions>();
    CLI::App* sub = app.add_subcommand("sign", "Sign an envelope as the party a token names");
    sub->add_option("ENVELOPE", o->envelope, "The envelope id from the invitation");
    sub->add_flag("--batch", o->batch,
                  "Sign every envelope waiting for you (the contact of the token's party)");
    sub->add_option("--token", o->token,
                    "Access token (else SIGNET_TOKEN, else asked without echo)")
        ->type_name("TOKEN");
    sub->add_flag("--send-code", o->send_code, "Send a one-time code to your contact and exit");
    sub->add_option("--code", o->code, "The one-time code you received")->type_name("CODE");
    auto* image = sub->add_option("--signature-image", o->signature_image,
                                  "Your signature as a PNG image")
                      ->type_name("PNG");
    auto* text = sub->add_option("--signature-text", o->signature_text,
                                 "Your name, drawn as a handwritten signature")
                     ->type_name("NAME");
    image->excludes(text);
    sub->add_option("--stamp", o->stamp, "The stamp image (PNG), where you must stamp")
        ->type_name("PNG");
    sub->add_option("--field", o->fields, "A value for one of your fields")
        ->type_name("NAME=VALUE");
    sub->add_flag("--agree", o->agree, "Consent to sign electronically (else asked)");
    sub->add_option("--p12", o->p12, "Sign with your own certificate and key (PKCS#12)")
        ->type_name("FILE");
    sub->footer("Examples:\n  signet sign k7q2m9xd --signature-text \"Anna Nowak\" --stamp stamp.png"
                "\n  signet sign --batch --signature-image sig.png --stamp stamp.png"
                "\n\nSee signet-sign(1).");

    return {sub, [o, &global] {
                if (o->batch != o->envelope.empty()) {
                    throw bad_input(o->batch ? "--batch signs every envelope waiting for you: "
                                               "give no ENVELOPE"
                                             : "name the ENVELOPE to sign (or use --batch)");
                }
                store::Store store = open_store(global);
                const std::string token = access_token(o->token);
                if (o->batch) {
                    return run_batch(store, *o, token, global);
                }
                const envelope::PartyAccess access =
                    envelope::authenticate(store, o->envelope, token, util::now());
                // "opened" is recorded only by a run that goes on (asking for
                // a code, or prompting): a run refused for a missing input
                // exits 2 and writes nothing. Signing needs a code, so the
                // party has opened the envelope before it can sign.
                if (o->send_code) {
                    envelope::record_opened(store, access, util::now());
                    print_code_sent(envelope::send_code(store, access, util::now()), o->envelope,
                                    global);
                    return 0;
                }

                envelope::SignInput input = sign_input(*o);

                const envelope::SigningReview review = envelope::review_signing(store, access);
                envelope::check_values(review, input);
                const bool interactive = ::isatty(STDIN_FILENO) != 0;
                if (!global.quiet) {
                    // The review goes where the signer looks: stdout, unless
                    // stdout carries JSON.
                    if (global.json) {
                        say(review_text(review));
                    } else {
                        print(review_text(review));
                    }
                    std::fflush(stdout);
                }
                if (interactive) {
                    envelope::record_opened(store, access, util::now());
                    prompt_for_missing(store, access, review, input);
                }
                const envelope::SignResult r =
                    envelope::sign_envelope(store, access, input, util::now());

                if (global.json) {
                    print_json([&](util::JsonWriter& w) {
                        w.field("envelope", r.envelope_id);
                        w.field("role", r.role);
                        w.field("status", r.status);
                        w.field("sha256", r.sha256);
                        w.field("certificate_serial", r.certificate_serial);
                        w.field("invited", r.invited);
                        w.field("completed", r.completed);
                        if (r.completed) {
                            w.field("final_sha256", r.final_sha256);
                        }
                    });
                } else if (!global.quiet) {
                    const i18n::Catalog& texts = prompt_texts(review);
                    print("\n" + texts.text("prompt.signed", {{"envelope", r.envelope_id},
                                                               {"role", r.role},
                                                               {"revision", r.sha256.substr(0, 16)}}) +
                          "\n");
                    if (r.completed) {
                        print(texts.text("prompt.completed", {{"sha256", r.final_sha256}}) + "\n");
                    } else if (!r.invited.empty()) {
                        print(texts.text("prompt.invited_next", {{"roles", comma_list(r.invited)}}) +
                              "\n");
                    }
                }
                return report_undelivered(r.undelivered);
            }};
}

}  // namespace signet::cli
