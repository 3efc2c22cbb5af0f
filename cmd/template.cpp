// signet template lint|show: check templates (for CI and pre-commit hooks)
// and show what one holds.
#include "app.hpp"

#include "envelope/field.hpp"
#include "templates/lint.hpp"
#include "templates/placeholder.hpp"
#include "templates/template.hpp"
#include "util/text.hpp"

#include <cstdio>
#include <map>

namespace signet::cli {
namespace {

// The phone region of the store, when there is one: national numbers in
// data rows need it. Lint runs in CI too, where there is no store.
std::string phone_region_if_any(const GlobalOptions& global) {
    try {
        const store::StoreLocation where = store::locate_store(global.store);
        std::error_code ec;
        if (!std::filesystem::exists(where.dir / "config.yaml", ec)) {
            return "";
        }
        return store::load_config(where.dir / "config.yaml").phone_region;
    } catch (const Error&) {
        return "";
    }
}

std::string format_number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

std::string party_summary(const templates::TemplateParty& p) {
    std::map<std::string, std::string> keys;
    for (const auto& [key, text] : p.keys) {
        keys[key] = text.value;
    }
    std::string contact;
    if (keys.count("email") != 0) {
        contact += "<" + keys["email"] + ">";
    }
    if (keys.count("phone") != 0) {
        contact += (contact.empty() ? "" : " ") + keys["phone"];
    }
    std::string details = keys.count("kind") != 0 ? keys["kind"] : "person";
    if (p.stamp == envelope::StampRule::required) {
        details += ", stamp required";
    }
    if (p.action != envelope::PartyAction::sign) {
        details += ", " + std::string(envelope::to_string(p.action));
    }
    if (keys.count("auth") != 0) {
        details += ", code by " + keys["auth"];
    }
    return p.role + "  " + keys["name"] + "  " + contact + "  (" + details + ")";
}

int run_lint(const std::vector<std::string>& paths, const std::string& data, const GlobalOptions& global) {
    templates::LintRequest request;
    for (const std::string& p : paths) {
        request.paths.emplace_back(p);
    }
    if (!data.empty()) {
        request.data = data;
        request.phone_region = phone_region_if_any(global);
    }
    const templates::LintReport report = templates::lint(request);
    if (global.json) {
        print_json([&](util::JsonWriter& w) {
            w.key("files").begin_array();
            for (const auto& f : report.files) {
                w.value(f.string());
            }
            w.end_array();
            w.field("errors", report.errors);
            w.field("warnings", report.warnings);
            w.key("diagnostics").begin_array();
            for (const auto& d : report.diagnostics) {
                w.begin_object();
                w.field("file", d.file);
                w.key("line");
                d.place.line > 0 ? w.value(d.place.line) : w.null();
                w.key("column");
                d.place.column > 0 ? w.value(d.place.column) : w.null();
                w.field("severity", d.severity == templates::Severity::error ? "error" : "warning");
                w.field("message", d.message);
                w.end_object();
            }
            w.end_array();
        });
    } else {
        for (const auto& d : report.diagnostics) {
            print(d.text() + "\n");
        }
        if (!global.quiet) {
            const std::size_t n = report.files.size();
            std::fflush(stdout);
            std::fputs(("signet: " + std::to_string(n) + (n == 1 ? " template" : " templates") +
                        " checked: " + std::to_string(report.errors) +
                        (report.errors == 1 ? " error, " : " errors, ") + std::to_string(report.warnings) +
                        (report.warnings == 1 ? " warning\n" : " warnings\n"))
                           .c_str(),
                       stderr);
        }
    }
    return report.errors > 0 ? static_cast<int>(ExitCode::negative_verdict) : 0;
}

int run_show(const std::string& file, const GlobalOptions& global) {
    const templates::Template t = templates::require_template(file);
    const auto placeholders = templates::template_placeholders(t);
    const int pages = static_cast<int>(t.document_info.pages.size());
    auto page_of = [&](const templates::TemplateField& f) { return f.page == "last" ? pages : std::stoi(f.page); };
    if (global.json) {
        print_json([&](util::JsonWriter& w) {
            w.field("file", t.file.string());
            w.field("name", t.name);
            w.field("title", t.title.value);
            w.key("key").value_or_null(t.key ? std::optional<std::string>(t.key->value) : std::nullopt);
            w.key("document").begin_object();
            w.field("file", t.document.string());
            w.field("sha256", t.document_sha256);
            w.field("pages", pages);
            w.end_object();
            w.key("locale").value_or_null(t.locale);
            w.key("timezone").value_or_null(t.timezone);
            w.key("date_format").value_or_null(t.date_format);
            w.key("expires_in");
            t.expires_in ? w.value(envelope::nominal_seconds(*t.expires_in)) : w.null();
            w.key("parties").begin_array();
            for (const auto& p : t.parties) {
                w.begin_object();
                for (const auto& [key, text] : p.keys) {
                    if (key == "order") {
                        w.field(key, std::stoi(text.value));
                    } else {
                        w.field(key, text.value);
                    }
                }
                w.end_object();
            }
            w.end_array();
            w.key("fields").begin_array();
            for (const auto& f : t.fields) {
                w.begin_object();
                w.field("name", f.name);
                w.field("type", envelope::to_string(f.type));
                w.key("role").value_or_null(f.role);
                w.field("page", page_of(f));
                w.key("rect").inline_numbers({f.rect[0], f.rect[1], f.rect[2], f.rect[3]});
                w.field("unit", f.mm ? "mm" : "pt");
                w.field("required", f.required.value_or(envelope::default_required(f.type)));
                w.key("label").value_or_null(f.label ? std::optional<std::string>(f.label->value) : std::nullopt);
                w.key("value").value_or_null(f.value ? std::optional<std::string>(f.value->value) : std::nullopt);
                w.end_object();
            }
            w.end_array();
            w.key("placeholders").begin_array();
            for (const auto& ph : placeholders) {
                w.value(ph.first);
            }
            w.end_array();
        });
        return 0;
    }
    std::string out;
    out += "Template  " + t.name + "  (" + t.file.string() + ")\n";
    out += "Title     " + t.title.value + "\n";
    out += "Document  " + t.document.filename().string() + ", " + std::to_string(pages) +
           (pages == 1 ? " page" : " pages") + ", sha256 " + t.document_sha256.substr(0, 16) + "…\n";
    if (t.key) {
        out += "Key       " + t.key->value + "\n";
    }
    out += "Locale    " + t.locale.value_or("store default");
    out += ", " + t.timezone.value_or("store zone");
    if (t.date_format) {
        out += ", dates " + *t.date_format;
    }
    if (t.expires_in) {
        out += ", expires in " + envelope::to_string(*t.expires_in);
    }
    out += "\n\nParties (in order)\n";
    for (const auto& p : t.parties) {
        std::string order = "1";
        for (const auto& [key, text] : p.keys) {
            if (key == "order") {
                order = text.value;
            }
        }
        out += "  " + order + "  " + party_summary(p) + "\n";
    }
    out += "\nFields\n";
    for (int page = 1; page <= pages; ++page) {
        bool header = false;
        for (const auto& f : t.fields) {
            if (page_of(f) != page) {
                continue;
            }
            if (!header) {
                out += "  page " + std::to_string(page) + (page == pages && pages > 1 ? " (last)" : "") + "\n";
                header = true;
            }
            std::string who = f.role ? *f.role : "filled now";
            std::string line = "    " + util::pad_to_width(f.name, 20) + " " +
                               util::pad_to_width(std::string(envelope::to_string(f.type)), 12) + " " +
                               util::pad_to_width(who, 12) + " " + format_number(f.rect[0]) + "," +
                               format_number(f.rect[1]) + " " + format_number(f.rect[2]) + "x" +
                               format_number(f.rect[3]) + (f.mm ? " mm" : " pt");
            if (f.value) {
                line += "  = \"" + f.value->value + "\"";
            } else if (f.label) {
                line += "  \"" + f.label->value + "\"";
            }
            if (!f.required.value_or(envelope::default_required(f.type))) {
                line += "  (optional)";
            }
            out += line + "\n";
        }
    }
    out += "\nPlaceholders\n";
    if (placeholders.empty()) {
        out += "  (none)\n";
    }
    for (const auto& ph : placeholders) {
        out += "  {{" + ph.first + "}}\n";
    }
    print(out);
    return 0;
}

}  // namespace

Command setup_template(CLI::App& app, const GlobalOptions& global) {
    CLI::App* sub = app.add_subcommand("template", "Check and show templates (YAML)");
    sub->require_subcommand(1);
    sub->footer("See signet-template(1) and signet-template(5).");

    auto paths = std::make_shared<std::vector<std::string>>();
    auto data = std::make_shared<std::string>();
    CLI::App* lint = sub->add_subcommand("lint", "Check templates; exit 1 when any has an error");
    lint->add_option("PATH", *paths, "Template files, or directories searched for *.yaml and *.yml")
        ->required();
    lint->add_option("--data", *data, "Data rows (CSV, YAML, JSON) every placeholder must be filled from")
        ->type_name("FILE");
    lint->footer(
        "Example:\n"
        "  signet template lint templates/\n"
        "  signet template lint templates/act-of-work.yaml --data deals.csv\n\n"
        "See signet-template(1) and signet-template(5).");

    auto file = std::make_shared<std::string>();
    CLI::App* show = sub->add_subcommand("show", "Show a template's parties, fields and placeholders");
    show->add_option("FILE", *file, "The template")->required();
    show->footer("Example:\n  signet template show templates/invoice.yaml\n\nSee signet-template(1).");

    return {sub, [lint, show, paths, data, file, &global] {
                if (lint->parsed()) {
                    return run_lint(*paths, *data, global);
                }
                if (show->parsed()) {
                    return run_show(*file, global);
                }
                return static_cast<int>(ExitCode::bad_input);
            }};
}

}  // namespace signet::cli
