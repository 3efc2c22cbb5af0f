// signet void: the owner ends an envelope that has not ended; the invited
// parties are told.
#include "app.hpp"

#include "envelope/lifecycle.hpp"

namespace signet::cli {

Command setup_void(CLI::App& app, const GlobalOptions& global) {
    struct Options {
        std::string envelope;
        std::string reason;
    };
    auto opts = std::make_shared<Options>();
    CLI::App* sub = app.add_subcommand("void", "Void an envelope you sent");
    sub->add_option("ENVELOPE", opts->envelope, "Envelope id")->required();
    sub->add_option("--reason", opts->reason,
                    "Why it is voided: one line, told to the invited parties")
        ->type_name("TEXT")
        ->required();
    sub->footer(
        "Only the envelope's owner (the OS user who created it, or --owner) may\n"
        "void it, and only before it has ended. Its status becomes voided, the\n"
        "tokens sent stop working, and every party that was invited is told why.\n\n"
        "Example:\n"
        "  signet void k7q2m9xd --reason \"Replaced by envelope p3mx8w2a\"\n\n"
        "See signet-void(1).");

    return {sub, [opts, &global] {
                store::Store store = open_store(global);
                envelope::VoidRequest request;
                request.envelope_id = opts->envelope;
                request.reason = opts->reason;
                const envelope::VoidResult r = envelope::void_envelope(store, request);
                if (global.json) {
                    print_json([&](util::JsonWriter& w) {
                        w.field("id", r.id);
                        w.field("status", r.status);
                        w.field("previous_status", r.previous_status);
                        write_notified(w, r.notified, /*with_address=*/true);
                        w.field("undelivered", r.undelivered);
                    });
                } else if (!global.quiet) {
                    print(r.id + ": voided" + told(r.notified, "; nobody had been invited") + "\n");
                }
                // Voided and recorded; only the delivery is left to retry.
                return report_undelivered(r.undelivered, r.id);
            }};
}

}  // namespace signet::cli
