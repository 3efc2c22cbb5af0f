// signet export: write an envelope's current (signed) PDF and its
// certificate of completion.
#include "app.hpp"

#include "envelope/export.hpp"

#include <cstdio>

namespace signet::cli {

Command setup_export(CLI::App& app, const GlobalOptions& global) {
    struct Options {
        std::string id;
        std::string out;
        std::optional<std::string> certificate;
        bool force = false;
    };
    auto opts = std::make_shared<Options>();
    CLI::App* sub = app.add_subcommand(
        "export", "Write an envelope's signed PDF and its certificate of completion");
    sub->add_option("ENVELOPE", opts->id, "Envelope id")->required();
    sub->add_option("--out", opts->out, "Where to write the envelope's current PDF")
        ->type_name("FILE.pdf")
        ->required();
    sub->add_option("--certificate", opts->certificate,
                    "Also write the certificate of completion here")
        ->type_name("FILE.pdf");
    sub->add_flag("--force", opts->force, "Replace files that exist (never done without it)");
    sub->footer(
        "The PDF is the envelope's newest revision, checked against its recorded\n"
        "SHA-256 first; a draft has none (exit 5). Files are written whole (mode\n"
        "0600) or not at all, and an existing file is replaced only with --force.\n\n"
        "Examples:\n"
        "  signet export k7q2m9xd --out contract-signed.pdf --certificate certificate.pdf\n"
        "  signet export k7q2m9xd --out contract-signed.pdf --force\n\n"
        "See signet-export(1).");

    return {sub, [opts, &global] {
                store::Store store = open_store(global);
                envelope::ExportRequest request;
                request.envelope_id = opts->id;
                request.out = opts->out;
                if (opts->certificate) {
                    request.certificate = std::filesystem::path(*opts->certificate);
                }
                request.force = opts->force;
                const envelope::ExportResult r = envelope::export_envelope(store, request);
                if (r.status != "completed" && !global.quiet) {
                    std::fputs(("signet: warning: envelope " + r.id + " is " + r.status +
                                ", not completed: the PDF is its current revision, not the "
                                "finished document\n")
                                   .c_str(),
                               stderr);
                }
                auto file_json = [](util::JsonWriter& w, const envelope::ExportedFile& f) {
                    w.begin_object();
                    w.field("path", f.path.string());
                    w.field("sha256", f.sha256);
                    w.field("size", static_cast<std::int64_t>(f.size));
                    w.end_object();
                };
                if (global.json) {
                    print_json([&](util::JsonWriter& w) {
                        w.field("id", r.id);
                        w.field("status", r.status);
                        w.field("revisions", r.revisions);
                        w.key("document");
                        file_json(w, r.document);
                        w.key("certificate");
                        if (r.certificate) {
                            file_json(w, *r.certificate);
                        } else {
                            w.null();
                        }
                    });
                } else if (!global.quiet) {
                    print(r.id + ": wrote \"" + opts->out + "\" (" + r.status + ", revision " +
                          std::to_string(r.revisions) + ", SHA-256 " + r.document.sha256 + ")\n");
                    if (r.certificate) {
                        print(r.id + ": wrote \"" + *opts->certificate +
                              "\" (certificate of completion, SHA-256 " + r.certificate->sha256 +
                              ")\n");
                    }
                }
                return 0;
            }};
}

}  // namespace signet::cli
