// signet init: create the store, or check an existing one.
#include "app.hpp"

#include "envelope/organization.hpp"

namespace signet::cli {

Command setup_init(CLI::App& app, const GlobalOptions& global) {
    struct Options {
        std::optional<std::string> org;
        std::optional<std::string> seal_p12;
    };
    auto opts = std::make_shared<Options>();
    CLI::App* sub = app.add_subcommand("init", "Create the envelope store (idempotent)");
    sub->add_option("--org", opts->org, "The organisation this store signs for")
        ->type_name("NAME");
    sub->add_option("--seal-p12", opts->seal_p12,
                    "Import the organisation seal from a PKCS#12 file instead of making one")
        ->type_name("FILE");
    sub->footer("Example:\n  signet init --org \"ACME Sp. z o.o.\"\n\nSee signet-init(1).");

    return {sub, [opts, &global] {
                const store::StoreLocation where = store::locate_store(global.store);
                envelope::InitRequest request{where.dir, opts->org, std::nullopt};
                if (opts->seal_p12) {
                    request.seal_p12 = *opts->seal_p12;
                }
                const envelope::InitResult result = envelope::initialise(request);
                if (global.json) {
                    print_json([&](util::JsonWriter& w) {
                        w.field("store", result.dir.string());
                        w.field("created", result.created);
                        w.field("organization", result.organization);
                        w.field("keys_created", result.keys_created);
                    });
                } else if (!global.quiet) {
                    print(std::string(result.created ? "initialised" : "already initialised") +
                          " store " + result.dir.string() + "\n");
                    if (result.keys_created) {
                        print("created the organisation's keys in " +
                              (result.dir / "keys").string() +
                              " (root CA, issuing CA, seal; keys encrypted)\n");
                    }
                }
                return 0;
            }};
}

}  // namespace signet::cli
