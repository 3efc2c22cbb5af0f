// signet verify: an auditor's verdict on signed PDFs (signet's or any other
// tool's), with or without a store.
#include "app.hpp"

#include "verify/report.hpp"
#include "verify/verify.hpp"

namespace signet::cli {

Command setup_verify(CLI::App& app, const GlobalOptions& global) {
    struct Options {
        std::vector<std::string> files;
        std::vector<std::string> trust;
        bool check_store = false;
    };
    auto opts = std::make_shared<Options>();
    CLI::App* sub = app.add_subcommand("verify", "Verify the signatures of PDFs and what changed after them");
    sub->add_option("PDF", opts->files, "The signed PDFs to verify")->required()->type_name("PDF");
    sub->add_option("--trust", opts->trust,
                    "Trust the certificates in this PEM file (repeatable)")
        ->type_name("PEM")
        ->allow_extra_args(false);
    sub->add_flag("--check-store", opts->check_store,
                  "Also check each PDF's revisions against its envelope's audit trail");
    sub->footer(
        "Every signature's byte ranges, CMS, signer certificate and every revision\n"
        "after it are checked; the verdict per file is valid, untrusted, invalid\n"
        "or error. The store's CA is trusted when a store is found.\n\n"
        "Examples:\n"
        "  signet verify contract-signed.pdf\n"
        "  signet verify --trust partner-ca.pem a.pdf b.pdf --json\n"
        "  signet verify --check-store contract-signed.pdf\n\n"
        "Exit status: 0 every file valid, 1 a file invalid, 2 a file unreadable,\n"
        "3 a signer not trusted (the most serious across files).\n"
        "See signet-verify(1).");

    return {sub, [opts, &global] {
                verify::VerifyOptions options;
                for (const auto& f : opts->files) {
                    options.files.emplace_back(f);
                }
                for (const auto& t : opts->trust) {
                    options.trust_files.emplace_back(t);
                }
                const store::StoreLocation where = store::locate_store(global.store);
                if (std::filesystem::exists(where.dir / "signet.db")) {
                    options.store_dir = where.dir;
                }
                options.check_store = opts->check_store;
                const verify::VerifyReport report = verify::verify_files(options);
                if (global.json) {
                    print_json([&](util::JsonWriter& w) { verify::write_json(w, report); });
                } else {
                    print(verify::render_text(report, global.verbose));
                }
                return report.exit_code();
            }};
}

}  // namespace signet::cli
