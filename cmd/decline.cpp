// signet decline: a party declines to sign; the envelope ends and every
// party is told.
#include "app.hpp"

#include "envelope/lifecycle.hpp"

#include <cstdio>

namespace signet::cli {

Command setup_decline(CLI::App& app, const GlobalOptions& global) {
    struct Options {
        std::string envelope;
        std::optional<std::string> token;
        std::string reason;
    };
    auto opts = std::make_shared<Options>();
    CLI::App* sub = app.add_subcommand("decline", "Decline to sign an envelope");
    sub->add_option("ENVELOPE", opts->envelope, "Envelope id")->required();
    sub->add_option("--token", opts->token,
                    "Access token from your invitation (else $SIGNET_TOKEN, else asked)")
        ->type_name("TOKEN");
    sub->add_option("--reason", opts->reason, "Why you decline: one line, told to every party")
        ->type_name("TEXT")
        ->required();
    sub->footer(
        "The envelope ends (status declined) and nobody can sign it any more;\n"
        "every party is told who declined and why. The token is the one your\n"
        "invitation gave; leave --token out to be asked for it without echo.\n\n"
        "Example:\n"
        "  signet decline k7q2m9xd --reason \"The amount in section 3 is wrong\"\n\n"
        "See signet-decline(1).");

    return {sub, [opts, &global] {
                // A bad reason is refused before the token is asked for.
                envelope::check_reason(opts->reason);
                store::Store store = open_store(global);
                envelope::DeclineRequest request;
                request.envelope_id = opts->envelope;
                request.reason = opts->reason;
                request.token = access_token(opts->token);
                const envelope::DeclineResult r = envelope::decline_envelope(store, request);
                if (global.json) {
                    print_json([&](util::JsonWriter& w) {
                        w.field("id", r.id);
                        w.field("status", r.status);
                        w.field("role", r.role);
                        // No addresses: the one declining is a party, not the owner.
                        write_notified(w, r.notified, /*with_address=*/false);
                        w.field("undelivered", r.undelivered);
                    });
                } else if (!global.quiet) {
                    print(r.id + ": declined by " + r.role + told(r.notified, "") + "\n");
                }
                if (r.undelivered > 0 && !global.quiet) {
                    // The decline is recorded; the notices are the operator's to retry (a
                    // 75 here would invite the party to decline again, with a spent token).
                    std::fputs(("signet: warning: " + std::to_string(r.undelivered) +
                                " notice(s) could not be delivered yet; they are kept and "
                                "retried by signet deliver\n")
                                   .c_str(),
                               stderr);
                }
                return 0;
            }};
}

}  // namespace signet::cli
