// Templates as code (TEMPLATES.md, signet-template(5)): a YAML file that
// names a PDF, its parties and fields, with {{dotted.key}} placeholders
// filled from a data row. Loading a template checks everything lint
// checks and reports each problem with the file, line and column of the
// offending key or value.
#pragma once

#include "envelope/model.hpp"
#include "pdf/document_info.hpp"

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace signet::templates {

namespace fs = std::filesystem;

// A place in a file, 1-based; 0 when unknown.
struct Place {
    int line = 0;
    int column = 0;
};

enum class Severity { error, warning };

struct Diagnostic {
    std::string file;
    Place place;
    Severity severity = Severity::error;
    std::string message;

    // "FILE:LINE:COL: error: MESSAGE" (LINE and COL left out when unknown).
    std::string text() const;
};

// A string from the template, which may hold placeholders, with where its
// value stands.
struct Text {
    std::string value;
    Place place;
};

struct TemplateParty {
    Place place;  // the party's mapping
    std::string role;
    // The party's keys as written (role included), in order: the SPEC keys
    // of CLI.md, values possibly with placeholders.
    std::vector<std::pair<std::string, Text>> keys;
    // What lint and send need to know without the data.
    envelope::PartyAction action = envelope::PartyAction::sign;
    envelope::StampRule stamp = envelope::StampRule::none;
};

struct TemplateField {
    Place place;  // the field's mapping
    std::string name;
    envelope::FieldType type = envelope::FieldType::text;
    std::optional<std::string> role;
    Place role_place;
    std::optional<Text> value;
    std::optional<Text> label;
    std::string page = "1";  // "3" or "last"
    Place page_place;
    std::array<double, 4> rect{};  // as written, in `unit`
    Place rect_place;
    bool mm = false;  // unit: mm
    std::optional<bool> required;
};

struct Template {
    fs::path file;
    std::string name;
    Text title;
    fs::path document;  // resolved against the template's directory
    Place document_place;
    std::optional<Text> key;
    // Each, when the template leaves it out: the store's (config.yaml).
    std::optional<std::string> locale;  // the language of the envelope's messages
    std::optional<std::string> timezone;
    std::optional<std::string> date_format;
    std::optional<envelope::Expiry> expires_in;  // zone: `timezone`, else empty (the store's)
    std::vector<TemplateParty> parties;
    std::vector<TemplateField> fields;
    pdf::DocumentInfo document_info;  // filled when the PDF opened
    std::string document_sha256;      // likewise
};

struct LoadResult {
    std::optional<Template> tmpl;  // absent when the file could not be read as a template
    std::vector<Diagnostic> diagnostics;

    bool has_errors() const;
};

// Reads and checks a template: YAML syntax, keys and types, duplicate keys,
// the PDF (exists, opens, pages and rectangles inside them), roles,
// signature and stamp fields, unique names, placeholders well formed and
// quoted, the time zone. Never throws for a problem in the file: every one
// is a diagnostic, in file order.
LoadResult load_template(const fs::path& file);

// Loads a template for use (create, send): throws bad_input with the first
// error ("FILE:LINE:COL: message") and a hint to run lint.
Template require_template(const fs::path& file);

// Every {{placeholder}} in the template, in order of appearance, with where
// it stands; each key once.
std::vector<std::pair<std::string, Place>> template_placeholders(const Template& t);

}  // namespace signet::templates
