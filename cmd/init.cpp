// signet init: create the store, or check an existing one.
#include "app.hpp"

namespace signet::cli {

Command setup_init(CLI::App& app, const GlobalOptions& global) {
    struct Options {
        std::optional<std::string> org;
    };
    auto opts = std::make_shared<Options>();
    CLI::App* sub = app.add_subcommand("init", "Create the envelope store (idempotent)");
    sub->add_option("--org", opts->org, "The organisation this store signs for")
        ->type_name("NAME");
    sub->footer("Example:\n  signet init --org \"ACME Sp. z o.o.\"\n\nSee signet-init(1).");

    return {sub, [opts, &global] {
                const store::StoreLocation where = store::locate_store(global.store);
                const store::InitResult result = store::Store::init(where.dir, opts->org);
                if (global.json) {
                    print_json([&](util::JsonWriter& w) {
                        w.field("store", result.dir.string());
                        w.field("created", result.created);
                        w.field("organization", result.organization);
                    });
                } else if (!global.quiet) {
                    print(std::string(result.created ? "initialised" : "already initialised") +
                          " store " + result.dir.string() + "\n");
                }
                return 0;
            }};
}

}  // namespace signet::cli
