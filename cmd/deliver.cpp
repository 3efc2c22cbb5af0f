// signet deliver: retry the outbox — deliver every message that is due.
#include "app.hpp"

#include "delivery/outbox.hpp"
#include "envelope/completion.hpp"
#include "envelope/lifecycle.hpp"
#include "envelope/organization.hpp"
#include "envelope/messages.hpp"
#include "util/time.hpp"

#include <cstdio>

namespace signet::cli {

Command setup_deliver(CLI::App& app, const GlobalOptions& global) {
    struct Options {
        bool now = false;
        int limit = 1000;
    };
    auto opts = std::make_shared<Options>();
    CLI::App* sub = app.add_subcommand("deliver", "Deliver the messages waiting in the outbox");
    sub->add_flag("--now", opts->now,
                  "Also retry messages whose back-off has not run out (after fixing a hook)");
    sub->add_option("--limit", opts->limit, "Try at most N messages (default 1000)")
        ->type_name("N")
        ->check(CLI::Range(1, 1000000));
    sub->footer(
        "Messages are recorded with the change that causes them and delivered right\n"
        "after it; one whose hook failed is retried with back-off (1 minute, doubling,\n"
        "up to 6 hours) by this command and by later ones. Run it from cron, or after\n"
        "fixing delivery settings in config.yaml. An envelope signed by every party\n"
        "but not sealed (the signing process was stopped) is sealed and completed.\n\n"
        "Examples:\n"
        "  signet deliver\n"
        "  signet deliver --now --json\n\n"
        "Exit status: 0 nothing failed, 75 a delivery failed and is left for a retry.\n"
        "See signet-deliver(1).");

    return {sub, [opts, &global] {
                store::Store store = open_store(global);
                envelope::expire_due(store, util::now());  // "on the next command"
                // Signed by everyone but not sealed: the process that took the
                // last signature stopped before the seal. Finish it.
                const std::vector<std::string> unsealed =
                    envelope::envelopes_awaiting_completion(store.db());
                if (!unsealed.empty()) {
                    const crypto::OrganizationPki pki = envelope::load_pki(store);
                    for (const std::string& id : unsealed) {
                        envelope::complete_envelope(store, id, pki, util::now());
                        if (!global.json && !global.quiet) {
                            print(id + ": completed (sealed after an interrupted signing)\n");
                        }
                    }
                }
                delivery::DeliverOptions options;
                options.now = util::now();
                options.limit = static_cast<std::size_t>(opts->limit);
                options.ignore_backoff = opts->now;
                const delivery::DeliveryReport report =
                    delivery::deliver_pending(store, envelope::message_renderer(store), options);
                if (global.json) {
                    print_json([&](util::JsonWriter& w) {
                        w.field("delivered", report.delivered);
                        w.field("failed", report.failed);
                        w.field("pending", report.pending);
                        w.key("messages").begin_array();
                        for (const auto& a : report.attempts) {
                            w.begin_object();
                            w.field("message_id", a.message_id);
                            w.field("kind", a.kind);
                            w.field("channel", a.channel);
                            w.field("to", a.to);
                            w.field("delivered", a.delivered);
                            if (a.delivered) {
                                w.key("error").null();
                                w.key("next_attempt_at").null();
                            } else {
                                w.field("error", a.error);
                                w.field("next_attempt_at", util::rfc3339_utc(a.next_attempt_at));
                            }
                            w.end_object();
                        }
                        w.end_array();
                    });
                } else {
                    std::string text;
                    if (global.verbose) {
                        for (const auto& a : report.attempts) {
                            if (a.delivered) {
                                text += "delivered " + a.channel + " " + a.kind + " " +
                                        (a.to.empty() ? std::string("(hook)") : a.to) + "\n";
                            }
                        }
                    }
                    std::string warnings;
                    for (const auto& a : report.attempts) {
                        if (!a.delivered) {
                            warnings += "signet: warning: " + a.channel + " " + a.kind + " to " +
                                        (a.to.empty() ? std::string("the hook") : a.to) +
                                        " not delivered (next try " +
                                        util::rfc3339_utc(a.next_attempt_at) + "): " + a.error +
                                        "\n";
                        }
                    }
                    std::fputs(warnings.c_str(), stderr);
                    if (!global.quiet || report.failed > 0) {
                        text += std::to_string(report.delivered) + " delivered, " +
                                std::to_string(report.failed) + " failed, " +
                                std::to_string(report.pending) + " pending\n";
                    }
                    print(text);
                }
                return report.failed > 0 ? static_cast<int>(ExitCode::temp_failure) : 0;
            }};
}

}  // namespace signet::cli
