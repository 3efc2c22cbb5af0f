// signet send: prepare, certify and send envelopes to their first parties.
#include "app.hpp"

#include "envelope/send.hpp"

namespace signet::cli {

Command setup_send(CLI::App& app, const GlobalOptions& global) {
    auto ids = std::make_shared<std::vector<std::string>>();
    CLI::App* sub = app.add_subcommand("send", "Send envelopes to the parties whose turn it is");
    sub->add_option("ENVELOPE", *ids, "Envelope ids (all are checked before any is sent)")
        ->required();
    sub->footer("Example:\n  signet send k7q2m9xd\n\nSee signet-send(1).");

    return {sub, [ids, &global] {
                store::Store store = open_store(global);
                const envelope::SendReport report = envelope::send_envelopes(store, *ids);
                const auto& results = report.envelopes;
                for (const auto& r : results) {
                    for (const auto& warning : r.warnings) {
                        std::fputs(("signet: warning: " + r.id + ": " + warning + "\n").c_str(),
                                   stderr);
                    }
                }
                if (global.json) {
                    print_json([&](util::JsonWriter& w) {
                        w.key("envelopes").begin_array();
                        for (const auto& r : results) {
                            w.begin_object();
                            w.field("id", r.id);
                            w.field("status", r.status);
                            w.field("already_sent", r.already_sent);
                            w.key("invited").begin_array();
                            for (const auto& role : r.invited) {
                                w.value(role);
                            }
                            w.end_array();
                            w.end_object();
                        }
                        w.end_array();
                    });
                } else if (!global.quiet) {
                    for (const auto& r : results) {
                        if (r.already_sent) {
                            print(r.id + ": already sent (" + r.status + ")\n");
                        } else {
                            std::string roles;
                            for (const auto& role : r.invited) {
                                roles += (roles.empty() ? "" : ", ") + role;
                            }
                            print(r.id + ": sent; invited " + roles + "\n");
                        }
                    }
                }
                if (report.undelivered > 0) {
                    // Sent and recorded; only the delivery is left to retry.
                    std::fputs(("signet: error: " + std::to_string(report.undelivered) +
                                " message(s) could not be delivered; they are kept\n"
                                "hint: see signet status ENVELOPE, then retry with: signet deliver\n")
                                   .c_str(),
                               stderr);
                    return static_cast<int>(ExitCode::temp_failure);
                }
                return 0;
            }};
}

}  // namespace signet::cli
