// signet add-field: place a field on a draft envelope's document.
#include "app.hpp"

#include "envelope/workflow.hpp"

#include <cstdio>

namespace signet::cli {

Command setup_add_field(CLI::App& app, const GlobalOptions& global) {
    auto request = std::make_shared<envelope::AddFieldRequest>();
    auto required = std::make_shared<bool>(false);
    auto optional = std::make_shared<bool>(false);
    CLI::App* sub = app.add_subcommand("add-field", "Add a field to a draft envelope");
    sub->add_option("ENVELOPE", request->envelope_id, "The envelope id")->required();
    sub->add_option("--type", request->type,
                    "signature initials stamp date_signed text multiline number checkbox email "
                    "name")
        ->required()
        ->type_name("TYPE");
    sub->add_option("--role", request->role, "The party that fills the field")->type_name("ROLE");
    sub->add_option("--page", request->page, "Page number, or last")
        ->required()
        ->type_name("N|last");
    sub->add_option("--rect", request->rect,
                    "X,Y,W,H from the bottom-left of the page as displayed")
        ->required()
        ->type_name("X,Y,W,H");
    sub->add_option("--unit", request->unit, "Unit of --rect: pt (default) or mm")
        ->type_name("pt|mm");
    sub->add_option("--name", request->name, "Field name (generated when not given)")
        ->type_name("NAME");
    sub->add_option("--label", request->label, "What the signer is asked")->type_name("TEXT");
    auto* req = sub->add_flag("--required", *required, "The party must fill it (the default)");
    auto* opt = sub->add_flag("--optional", *optional, "The party may leave it empty");
    req->excludes(opt);
    sub->add_option("--value", request->value, "A value fixed by the sender")->type_name("TEXT");
    sub->footer(
        "Example:\n"
        "  signet add-field k7q2m9xd --type signature --role client --page last \\\n"
        "    --unit mm --rect 120,30,60,20\n\n"
        "See signet-add-field(1).");

    return {sub, [request, required, optional, &global] {
                if (*required) {
                    request->required = true;
                } else if (*optional) {
                    request->required = false;
                }
                store::Store store = open_store(global);
                const envelope::Field field = envelope::add_field(store, *request);
                if (global.json) {
                    print_json([&](util::JsonWriter& w) {
                        w.field("envelope", request->envelope_id);
                        w.field("name", field.name);
                        w.field("type", envelope::to_string(field.type));
                        w.key("role").value_or_null(field.role);
                        w.field("page", field.page);
                        w.key("rect").inline_numbers(
                            {field.rect.x, field.rect.y, field.rect.width, field.rect.height});
                        w.field("required", field.required);
                    });
                } else if (!global.quiet) {
                    char rect[96];
                    std::snprintf(rect, sizeof rect, "%g,%g,%g,%g pt", field.rect.x, field.rect.y,
                                  field.rect.width, field.rect.height);
                    print("added " + std::string(envelope::to_string(field.type)) + " field " +
                          field.name + " on page " + std::to_string(field.page) + " at " + rect +
                          "\n");
                }
                return 0;
            }};
}

}  // namespace signet::cli
