// signet create: a new draft envelope from a PDF and its parties.
#include "app.hpp"

#include "envelope/workflow.hpp"

namespace signet::cli {

Command setup_create(CLI::App& app, const GlobalOptions& global) {
    auto request = std::make_shared<envelope::CreateRequest>();
    auto pdf = std::make_shared<std::string>();
    auto party_file = std::make_shared<std::string>();
    CLI::App* sub = app.add_subcommand("create", "Create a draft envelope from a PDF");
    sub->add_option("PDF", *pdf, "The document to sign")->required()->type_name("PDF");
    sub->add_option("--title", request->title, "Title shown to the parties")
        ->required()
        ->type_name("TEXT");
    sub->add_option("--party", request->party_specs,
                    "A party: role=,name=,email=,phone=,order=,kind=,stamp=,action=,auth=")
        ->type_name("SPEC")
        ->allow_extra_args(false);
    sub->add_option("--party-file", *party_file, "Parties as a YAML or JSON list")
        ->type_name("FILE");
    sub->add_option("--owner", request->owner, "The sender (default: the current user)")
        ->type_name("NAME");
    sub->add_option("--key", request->key,
                    "Idempotency key: a retried create returns the envelope made before")
        ->type_name("KEY");
    sub->footer(
        "Example:\n"
        "  signet create act.pdf --title \"Act No. 17\" \\\n"
        "    --party \"role=company,name=Anna Nowak,email=anna@acme.test,order=1,stamp=required\" \\\n"
        "    --party \"role=client,name=Jan Kowalski,phone=+48601234567,order=2\"\n\n"
        "See signet-create(1).");

    return {sub, [request, pdf, party_file, &global] {
                request->pdf = *pdf;
                if (!party_file->empty()) {
                    request->party_file = *party_file;
                }
                store::Store store = open_store(global);
                const envelope::CreateResult result = envelope::create_envelope(store, *request);
                if (global.json) {
                    print_json([&](util::JsonWriter& w) {
                        w.field("id", result.id);
                        w.field("existed", result.existed);
                    });
                } else {
                    print(result.id + "\n");
                }
                return 0;
            }};
}

}  // namespace signet::cli
