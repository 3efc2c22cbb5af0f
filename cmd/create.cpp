// signet create: a new draft envelope from a PDF and its parties, from a
// template and a data row, or like an existing envelope.
#include "app.hpp"

#include "envelope/workflow.hpp"
#include "templates/instantiate.hpp"

namespace signet::cli {
namespace {

// Flags that only one way of creating takes: refused with the others.
void refuse(bool given, const std::string& flag, const std::string& mode) {
    if (given) {
        throw bad_input(flag + " cannot be used with " + mode, {"see: signet create --help"});
    }
}

}  // namespace

Command setup_create(CLI::App& app, const GlobalOptions& global) {
    auto request = std::make_shared<envelope::CreateRequest>();
    auto pdf = std::make_shared<std::string>();
    auto title = std::make_shared<std::optional<std::string>>();
    auto party_file = std::make_shared<std::string>();
    auto template_file = std::make_shared<std::string>();
    auto data_file = std::make_shared<std::string>();
    auto row = std::make_shared<int>(0);
    auto like = std::make_shared<std::string>();
    CLI::App* sub = app.add_subcommand("create", "Create a draft envelope from a PDF");
    sub->add_option("PDF", *pdf, "The document to sign (with --like: a new document)")->type_name("PDF");
    sub->add_option("--title", *title, "Title shown to the parties")->type_name("TEXT");
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
    sub->add_option("--template", *template_file, "Create from a template (signet-template(5))")
        ->type_name("FILE");
    sub->add_option("--data", *data_file, "With --template: the data rows (CSV, YAML or JSON)")
        ->type_name("FILE");
    sub->add_option("--row", *row, "With --data: which row (from 1) when the file has several")
        ->type_name("N");
    sub->add_option("--like", *like, "Copy the parties and fields of this envelope")
        ->type_name("ENVELOPE");
    sub->footer(
        "Example:\n"
        "  signet create act.pdf --title \"Act No. 17\" \\\n"
        "    --party \"role=company,name=Anna Nowak,email=anna@acme.test,order=1,stamp=required\" \\\n"
        "    --party \"role=client,name=Jan Kowalski,phone=+48601234567,order=2\"\n"
        "  signet create --template templates/act-of-work.yaml --data deal.yaml\n"
        "  signet create --like k7q2m9xd --party \"role=client,name=Ewa Lis,email=ewa@lis.test\"\n\n"
        "See signet-create(1).");

    return {sub, [=, &global] {
                envelope::CreateResult result;
                if (!template_file->empty()) {
                    const std::string mode = "--template";
                    refuse(!pdf->empty(), "a PDF", mode + " (the template names its document)");
                    refuse(title->has_value(), "--title", mode + " (the template has the title)");
                    refuse(!request->party_specs.empty(), "--party", mode);
                    refuse(!party_file->empty(), "--party-file", mode);
                    refuse(request->key.has_value(), "--key", mode + " (the template's key is used)");
                    refuse(!like->empty(), "--like", mode);
                    if (data_file->empty()) {
                        throw bad_input("--template needs --data FILE: the row that fills its placeholders");
                    }
                    templates::TemplateCreateRequest r;
                    r.template_file = *template_file;
                    r.data_file = *data_file;
                    if (*row != 0) {
                        r.row = *row;
                    }
                    r.owner = request->owner;
                    store::Store store = open_store(global);
                    result = templates::create_from_template(store, r);
                } else if (!like->empty()) {
                    refuse(!party_file->empty(), "--party-file", "--like");
                    refuse(!data_file->empty(), "--data", "--like (it goes with --template)");
                    refuse(*row != 0, "--row", "--like (it goes with --template)");
                    templates::LikeRequest r;
                    r.envelope_id = *like;
                    if (!pdf->empty()) {
                        r.pdf = *pdf;
                    }
                    r.party_specs = request->party_specs;
                    r.title = *title;
                    r.owner = request->owner;
                    r.key = request->key;
                    store::Store store = open_store(global);
                    result = templates::create_like(store, r);
                } else {
                    refuse(!data_file->empty(), "--data", "a PDF (it goes with --template)");
                    refuse(*row != 0, "--row", "a PDF (it goes with --template)");
                    if (pdf->empty()) {
                        throw bad_input("PDF is required",
                                        {"create from a PDF, --template FILE --data FILE, or --like ENVELOPE"});
                    }
                    if (!title->has_value()) {
                        throw bad_input("--title is required", {"see: signet create --help"});
                    }
                    request->pdf = *pdf;
                    request->title = **title;
                    if (!party_file->empty()) {
                        request->party_file = *party_file;
                    }
                    store::Store store = open_store(global);
                    result = envelope::create_envelope(store, *request);
                }
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
