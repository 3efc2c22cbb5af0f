// signet remind: invite again the parties whose turn it is, with the token
// of their invitation.
#include "app.hpp"

#include "envelope/lifecycle.hpp"

namespace signet::cli {

Command setup_remind(CLI::App& app, const GlobalOptions& global) {
    struct Options {
        std::vector<std::string> envelopes;
        std::optional<std::string> older_than;
    };
    auto opts = std::make_shared<Options>();
    CLI::App* sub = app.add_subcommand("remind", "Remind the parties whose turn it is");
    sub->add_option("ENVELOPE", opts->envelopes,
                    "Envelope ids (all are checked first; none: every waiting envelope)");
    sub->add_option("--older-than", opts->older_than,
                    "Only parties invited longer ago than this: 30m, 12h, 3d, 2w")
        ->type_name("DURATION");
    sub->footer(
        "Each party reminded gets its invitation again, with the same token.\n"
        "Envelopes whose time has run out expire first and are not reminded.\n\n"
        "Examples:\n"
        "  signet remind k7q2m9xd\n"
        "  signet remind --older-than 3d        # from cron: everyone stuck 3 days\n\n"
        "See signet-remind(1).");

    return {sub, [opts, &global] {
                envelope::RemindRequest request;
                request.envelope_ids = opts->envelopes;
                if (opts->older_than) {
                    request.older_than = envelope::parse_duration(*opts->older_than);
                }
                store::Store store = open_store(global);
                const envelope::RemindReport report = envelope::remind(store, request);
                if (global.json) {
                    print_json([&](util::JsonWriter& w) {
                        w.key("envelopes").begin_array();
                        for (const auto& r : report.envelopes) {
                            w.begin_object();
                            w.field("id", r.id);
                            w.field("reminded", r.roles);
                            w.end_object();
                        }
                        w.end_array();
                        w.field("reminded", report.reminded);
                        w.field("expired", report.expired);
                        w.field("undelivered", report.undelivered);
                    });
                } else if (!global.quiet) {
                    std::string text;
                    for (const auto& r : report.envelopes) {
                        text += r.id +
                                (r.roles.empty() ? std::string(": nobody to remind now")
                                                 : ": reminded " + comma_list(r.roles)) +
                                "\n";
                    }
                    if (report.envelopes.empty()) {
                        text += "nobody to remind\n";
                    }
                    if (report.expired > 0) {
                        text += std::to_string(report.expired) +
                                " envelope(s) expired and their parties were told\n";
                    }
                    print(text);
                }
                return report_undelivered(report.undelivered, "ENVELOPE");
            }};
}

}  // namespace signet::cli
