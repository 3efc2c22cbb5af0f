#include "templates/template.hpp"

#include "envelope/contact.hpp"
#include "envelope/field.hpp"
#include "signet/error.hpp"
#include "store/config.hpp"
#include "templates/placeholder.hpp"
#include "util/crypto_hash.hpp"
#include "util/fs.hpp"
#include "util/text.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace signet::templates {
namespace {

const std::vector<std::string> k_top_keys = {"signet",   "name",        "title",      "document",
                                             "key",      "locale",      "timezone",   "date_format",
                                             "expires_in", "parties",   "fields",     "description"};
const std::vector<std::string> k_party_keys = {"role", "name",   "email",  "phone", "order",
                                               "kind", "stamp",  "action", "auth"};
const std::vector<std::string> k_field_keys = {"name",  "type", "role",  "value",    "label",
                                               "page",  "rect", "unit",  "required"};
const std::set<std::string> k_locales = {"en", "pl", "ru", "de", "fr", "it"};

Place place_of(const YAML::Mark& m) {
    if (m.is_null()) {
        return {};
    }
    return Place{m.line + 1, m.column + 1};
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) {
        row[j] = j;
    }
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = up;
        }
    }
    return row[b.size()];
}

std::string suggestion(const std::string& word, const std::vector<std::string>& known) {
    std::string best;
    std::size_t best_distance = 3;
    for (const std::string& k : known) {
        const std::size_t d = edit_distance(word, k);
        if (d < best_distance) {
            best = k;
            best_distance = d;
        }
    }
    return best;
}

bool is_template_name(const std::string& name) {
    return !name.empty() && name.size() <= 64 &&
           std::all_of(name.begin(), name.end(), [](char c) {
               return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
           });
}

using KeyMap = std::map<std::string, std::pair<YAML::Node, YAML::Node>>;

// The checked keys of a mapping in the order they stand in the file.
// (Pointers: assigning a YAML::Node assigns the node it refers to.)
std::vector<const KeyMap::value_type*> in_file_order(const KeyMap& keys) {
    std::vector<const KeyMap::value_type*> out;
    for (const auto& entry : keys) {
        out.push_back(&entry);
    }
    std::sort(out.begin(), out.end(), [](const auto* a, const auto* b) {
        return std::make_pair(a->second.first.Mark().line, a->second.first.Mark().column) <
               std::make_pair(b->second.first.Mark().line, b->second.first.Mark().column);
    });
    return out;
}

// Walks the YAML tree, collecting diagnostics.
class Checker {
public:
    explicit Checker(const fs::path& file) : m_file(file.string()) {}

    void error(Place p, std::string message) { add(p, Severity::error, std::move(message)); }
    void warning(Place p, std::string message) { add(p, Severity::warning, std::move(message)); }
    void error(const YAML::Node& n, std::string message) { error(place_of(n.Mark()), std::move(message)); }

    std::vector<Diagnostic> take() {
        std::stable_sort(m_diagnostics.begin(), m_diagnostics.end(),
                         [](const Diagnostic& a, const Diagnostic& b) {
                             return std::make_pair(a.place.line, a.place.column) <
                                    std::make_pair(b.place.line, b.place.column);
                         });
        return std::move(m_diagnostics);
    }

    // The keys of a mapping, checked: unknown keys (with a suggestion) and
    // keys given twice are reported; the first of each known key is kept.
    std::map<std::string, std::pair<YAML::Node, YAML::Node>> keys(const YAML::Node& map,
                                                                  const std::vector<std::string>& known,
                                                                  const std::string& what) {
        std::map<std::string, std::pair<YAML::Node, YAML::Node>> out;
        std::map<std::string, Place> unknown;
        for (const auto& kv : map) {
            if (!kv.first.IsScalar()) {
                error(kv.first, "a key must be a plain word");
                continue;
            }
            const std::string key = kv.first.Scalar();
            if (out.count(key) != 0 || unknown.count(key) != 0) {
                const int first = out.count(key) != 0 ? place_of(out[key].first.Mark()).line : unknown[key].line;
                error(kv.first, "key \"" + key + "\" is given twice in this mapping (first on line " +
                                    std::to_string(first) + ")");
                continue;
            }
            if (std::find(known.begin(), known.end(), key) == known.end()) {
                const std::string near = suggestion(key, known);
                error(kv.first, "unknown key \"" + key + "\" in " + what +
                                    (near.empty() ? "" : " (did you mean \"" + near + "\"?)"));
                unknown[key] = place_of(kv.first.Mark());
                continue;
            }
            out[key] = {kv.first, kv.second};
        }
        return out;
    }

    // A scalar value, or nullopt with a diagnostic. Placeholders are
    // allowed only when `placeholders` is true; then they must be quoted.
    std::optional<Text> scalar(const YAML::Node& key, const YAML::Node& value, bool placeholders) {
        const std::string name = key.Scalar();
        if (value.IsMap() && value.Style() == YAML::EmitterStyle::Flow) {
            error(value, name + ": an unquoted \"{{\" starts a YAML flow mapping; quote the value, "
                              "e.g. \"{{deal.number}}\"");
            return std::nullopt;
        }
        if (value.IsNull() && value.Tag() != "!") {
            error(key, name + ": a value is missing");
            return std::nullopt;
        }
        if (!value.IsScalar() && !value.IsNull()) {
            error(value, name + ": expected a single value, not a " +
                             (value.IsSequence() ? "list" : "mapping"));
            return std::nullopt;
        }
        Text text{value.IsNull() ? std::string() : value.Scalar(), place_of(value.Mark())};
        if (!util::is_valid_utf8(text.value)) {
            error(value, name + ": not valid UTF-8");
            return std::nullopt;
        }
        const bool has_braces = text.value.find("{{") != std::string::npos ||
                                text.value.find("}}") != std::string::npos;
        if (has_braces) {
            if (!placeholders) {
                error(value, name + ": placeholders are not allowed here");
                return std::nullopt;
            }
            const PlaceholderScan scan = scan_placeholders(text.value);
            if (scan.problem) {
                error(value, name + ": " + *scan.problem);
                return std::nullopt;
            }
            if (value.Tag() != "!") {
                error(value, name + ": a value with placeholders must be a quoted string, e.g. \"" +
                                 text.value + "\"");
                return std::nullopt;
            }
        }
        return text;
    }

    std::optional<std::int64_t> integer(const YAML::Node& key, const YAML::Node& value, std::int64_t min) {
        const std::optional<Text> text = scalar(key, value, false);
        if (!text) {
            return std::nullopt;
        }
        const std::string& s = text->value;
        const bool digits = !s.empty() && s.size() <= 9 &&
                            s.find_first_not_of("0123456789") == std::string::npos;
        if (!digits || std::stoll(s) < min) {
            error(value, key.Scalar() + ": expected a whole number" +
                             (min > 0 ? " of at least " + std::to_string(min) : "") + ", not " +
                             util::quoted(s));
            return std::nullopt;
        }
        return std::stoll(s);
    }

    std::optional<bool> boolean(const YAML::Node& key, const YAML::Node& value) {
        const std::optional<Text> text = scalar(key, value, false);
        if (!text) {
            return std::nullopt;
        }
        const std::string v = util::to_lower_ascii(text->value);
        if (v == "true" || v == "yes") {
            return true;
        }
        if (v == "false" || v == "no") {
            return false;
        }
        error(value, key.Scalar() + ": expected true or false, not " + util::quoted(text->value));
        return std::nullopt;
    }

private:
    void add(Place p, Severity s, std::string message) {
        m_diagnostics.push_back(Diagnostic{m_file, p, s, std::move(message)});
    }

    std::string m_file;
    std::vector<Diagnostic> m_diagnostics;
};

bool is_strftime_pattern(const std::string& pattern) {
    static const std::string conversions = "aAbBcCdDeFgGhHIjmMnprRStTuUVwWxXyYzZ%";
    bool any = false;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] != '%') {
            continue;
        }
        if (i + 1 >= pattern.size() || conversions.find(pattern[i + 1]) == std::string::npos) {
            return false;
        }
        any = true;
        ++i;
    }
    return any;
}

// The first line that is not UTF-8, or 0.
int first_bad_utf8_line(const std::string& bytes) {
    if (util::is_valid_utf8(bytes)) {
        return 0;
    }
    std::size_t start = 0;
    int line = 1;
    while (start <= bytes.size()) {
        const std::size_t end = bytes.find('\n', start);
        const std::string_view l(bytes.data() + start,
                                 (end == std::string::npos ? bytes.size() : end) - start);
        if (!util::is_valid_utf8(l)) {
            return line;
        }
        if (end == std::string::npos) {
            break;
        }
        start = end + 1;
        ++line;
    }
    return 1;
}

void read_party(Checker& c, const YAML::Node& node, Template& t, std::set<std::string>& roles) {
    if (!node.IsMap()) {
        c.error(node, "a party is a mapping such as role: client");
        return;
    }
    TemplateParty party;
    party.place = place_of(node.Mark());
    const auto keys = c.keys(node, k_party_keys, "a party");
    bool has_contact = false;
    bool has_kind = false;
    for (const auto* entry : in_file_order(keys)) {
        const auto& [name, kv] = *entry;
        const bool placeholders = name == "name" || name == "email" || name == "phone";
        const std::optional<Text> text = c.scalar(kv.first, kv.second, placeholders);
        if (!text) {
            continue;
        }
        const std::string& v = text->value;
        const bool literal = v.find("{{") == std::string::npos;
        if (name == "role") {
            const bool ok = !v.empty() && v.size() <= 32 &&
                            std::all_of(v.begin(), v.end(), [](char ch) {
                                return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_';
                            });
            if (!ok) {
                c.error(kv.second, "role must be lowercase letters, digits and _, not " + util::quoted(v));
                continue;
            }
            if (!roles.insert(v).second) {
                c.error(kv.second, "role \"" + v + "\" is given to two parties");
            }
            party.role = v;
        } else if (name == "email" || name == "phone") {
            has_contact = true;
            if (literal) {
                try {
                    if (name == "email") {
                        envelope::normalise_email(v, "email");
                    } else if (!v.empty() && v[0] == '+') {
                        envelope::normalise_phone(v, "", "phone");
                    }
                } catch (const Error& e) {
                    c.error(kv.second, e.what());
                }
            }
        } else if (name == "name") {
            if (literal && util::trim(v).empty()) {
                c.error(kv.second, "name is empty");
            }
        } else if (name == "order") {
            c.integer(kv.first, kv.second, 1);
        } else if (name == "kind") {
            has_kind = true;
            if (!envelope::parse_party_kind(v)) {
                c.error(kv.second, "kind must be person or organization, not " + util::quoted(v));
            }
        } else if (name == "stamp") {
            if (auto s = envelope::parse_stamp_rule(v)) {
                party.stamp = *s;
            } else {
                c.error(kv.second, "stamp must be required or none, not " + util::quoted(v));
            }
        } else if (name == "action") {
            if (auto a = envelope::parse_party_action(v)) {
                party.action = *a;
            } else {
                c.error(kv.second, "action must be sign, approve or copy, not " + util::quoted(v));
            }
        } else if (name == "auth") {
            if (!envelope::parse_auth_method(v)) {
                c.error(kv.second, "auth must be email or sms, not " + util::quoted(v));
            } else if (keys.count(v == "sms" ? "phone" : "email") == 0) {
                c.error(kv.second, "auth: " + v + " needs the party's " +
                                       (v == "sms" ? "phone" : "email"));
            }
        }
        party.keys.emplace_back(name, *text);
    }
    if (keys.count("role") == 0) {
        c.error(node, "a party needs a role");
    }
    if (keys.count("name") == 0) {
        c.error(node, "party" + (party.role.empty() ? "" : " \"" + party.role + "\"") +
                          " needs a name");
    }
    if (!has_contact) {
        c.error(node, "party" + (party.role.empty() ? "" : " \"" + party.role + "\"") +
                          " needs an email or a phone");
    }
    if (party.stamp == envelope::StampRule::required && party.action != envelope::PartyAction::sign) {
        c.error(node, "party \"" + party.role + "\": stamp: required needs action: sign");
    }
    (void)has_kind;
    t.parties.push_back(std::move(party));
}

void read_field(Checker& c, const YAML::Node& node, Template& t) {
    if (!node.IsMap()) {
        c.error(node, "a field is a mapping such as name: amount");
        return;
    }
    TemplateField field;
    field.place = place_of(node.Mark());
    const auto keys = c.keys(node, k_field_keys, "a field");
    bool type_ok = keys.count("type") != 0;
    bool rect_ok = false;
    for (const auto* entry : in_file_order(keys)) {
        const auto& [name, kv] = *entry;
        if (name == "rect") {
            field.rect_place = place_of(kv.second.Mark());
            if (!kv.second.IsSequence() || kv.second.size() != 4) {
                c.error(kv.second, "rect must be a list of four numbers [x, y, width, height]");
                continue;
            }
            rect_ok = true;
            for (std::size_t i = 0; i < 4; ++i) {
                const YAML::Node n = kv.second[i];
                double v = 0;
                bool ok = n.IsScalar();
                if (ok) {
                    std::istringstream in(n.Scalar());
                    in.imbue(std::locale::classic());
                    ok = static_cast<bool>(in >> v) && in.eof() && std::isfinite(v);
                }
                if (!ok) {
                    c.error(n, "rect: " + (n.IsScalar() ? util::quoted(n.Scalar()) : std::string("this")) +
                                   " is not a number");
                    rect_ok = false;
                    continue;
                }
                field.rect[i] = v;
            }
            if (rect_ok && (field.rect[2] <= 0 || field.rect[3] <= 0)) {
                c.error(kv.second, "rect: the width and height must be positive");
                rect_ok = false;
            }
            continue;
        }
        if (name == "required") {
            field.required = c.boolean(kv.first, kv.second);
            continue;
        }
        const bool placeholders = name == "value" || name == "label";
        const std::optional<Text> text = c.scalar(kv.first, kv.second, placeholders);
        if (!text) {
            if (name == "type") {
                type_ok = false;
            }
            continue;
        }
        const std::string& v = text->value;
        if (name == "name") {
            try {
                envelope::check_field_name(v, "name");
                field.name = v;
            } catch (const Error& e) {
                c.error(kv.second, e.what());
            }
        } else if (name == "type") {
            if (auto type = envelope::parse_field_type(v)) {
                field.type = *type;
            } else {
                c.error(kv.second, "unknown field type " + util::quoted(v) + " (types: " +
                                       envelope::field_type_names() + ")");
                type_ok = false;
            }
        } else if (name == "role") {
            field.role = v;
            field.role_place = text->place;
        } else if (name == "value") {
            field.value = text;
        } else if (name == "label") {
            field.label = text;
        } else if (name == "page") {
            const std::string p = util::to_lower_ascii(util::trim(v));
            const bool digits = !p.empty() && p.size() <= 6 &&
                                p.find_first_not_of("0123456789") == std::string::npos;
            if (p != "last" && (!digits || std::stoi(p) < 1)) {
                c.error(kv.second, "page must be a number from 1 or last, not " + util::quoted(v));
                continue;
            }
            field.page = p;
            field.page_place = text->place;
        } else if (name == "unit") {
            if (v == "mm") {
                field.mm = true;
            } else if (v != "pt") {
                c.error(kv.second, "unit must be pt or mm, not " + util::quoted(v));
            }
        }
    }
    for (const char* required : {"name", "type", "page", "rect"}) {
        if (keys.count(required) == 0) {
            c.error(node, std::string("a field needs ") + required +
                              (field.name.empty() ? "" : " (field \"" + field.name + "\")"));
        }
    }
    if (type_ok) {
        const std::string type = std::string(envelope::to_string(field.type));
        if (envelope::is_signing_type(field.type) && !field.role) {
            c.error(node, "field \"" + field.name + "\": a " + type +
                              " field needs the role of the party that signs");
        }
        if (!field.role && !field.value && !envelope::is_signing_type(field.type)) {
            c.error(node, "field \"" + field.name + "\": give the role of the party that fills it, "
                          "or a value filled when the envelope is created");
        }
        if (field.value && envelope::is_signing_type(field.type)) {
            c.error(field.value->place, "value: a " + type + " field cannot have a fixed value");
            field.value.reset();
        }
        if (field.value && field.role) {
            c.error(field.value->place, "value: field \"" + field.name + "\" is filled by \"" +
                                            *field.role + "\"; leave out role to fill it now");
        }
        if (field.value && field.value->value.find("{{") == std::string::npos) {
            try {
                envelope::check_field_value(field.type, field.value->value, "value");
            } catch (const Error& e) {
                c.error(field.value->place, e.what());
            }
        }
        if (field.type == envelope::FieldType::checkbox && field.value) {
            c.error(field.value->place, "value: a checkbox is filled by a party; give it a role");
        }
    }
    if (!rect_ok) {
        field.rect = {};
    }
    t.fields.push_back(std::move(field));
}

// Checks that need the whole template: roles, fields per party, the PDF.
void check_together(Checker& c, Template& t, const YAML::Node& fields_node) {
    std::set<std::string> names;
    std::map<std::string, Place> first_name;
    for (const TemplateField& f : t.fields) {
        if (f.name.empty()) {
            continue;
        }
        if (first_name.count(f.name) != 0) {
            c.error(f.place, "field name \"" + f.name + "\" is used twice (first on line " +
                                 std::to_string(first_name[f.name].line) + ")");
        } else {
            first_name[f.name] = f.place;
        }
    }
    std::string roles;
    for (const TemplateParty& p : t.parties) {
        if (!p.role.empty()) {
            roles += (roles.empty() ? "" : ", ") + p.role;
        }
    }
    for (const TemplateField& f : t.fields) {
        if (f.role && std::none_of(t.parties.begin(), t.parties.end(),
                                   [&](const TemplateParty& p) { return p.role == *f.role; })) {
            c.error(f.role_place, "role \"" + *f.role + "\" is not a party of this template" +
                                      (roles.empty() ? "" : " (parties: " + roles + ")"));
        }
    }
    const Place fields_place = fields_node ? place_of(fields_node.Mark()) : Place{};
    for (const TemplateParty& p : t.parties) {
        if (p.role.empty()) {
            continue;
        }
        auto has = [&](envelope::FieldType type) {
            return std::any_of(t.fields.begin(), t.fields.end(), [&](const TemplateField& f) {
                return f.role == p.role && f.type == type;
            });
        };
        if (p.action == envelope::PartyAction::sign && !has(envelope::FieldType::signature)) {
            c.error(p.place, "party \"" + p.role + "\" signs but has no signature field");
        }
        if (p.stamp == envelope::StampRule::required && !has(envelope::FieldType::stamp)) {
            c.error(p.place, "party \"" + p.role + "\" has stamp: required but no stamp field");
        }
    }
    (void)fields_place;
    bool any_actor = t.parties.empty();
    for (const TemplateParty& p : t.parties) {
        any_actor = any_actor || p.action != envelope::PartyAction::copy;
    }
    if (!any_actor) {
        c.error(t.parties.front().place, "every party only receives a copy: at least one must sign or approve");
    }

    // The PDF.
    if (t.document.empty()) {
        return;
    }
    std::string bytes;
    std::error_code ec;
    if (!fs::is_regular_file(t.document, ec)) {
        c.error(t.document_place, "document \"" + t.document.string() + "\" does not exist");
        return;
    }
    try {
        bytes = util::read_file(t.document);
        t.document_info = pdf::read_document_info(bytes, t.document.string());
        t.document_sha256 = util::sha256_hex(bytes);
    } catch (const Error& e) {
        c.error(t.document_place, std::string("document: ") + e.what());
        return;
    }
    const int pages = static_cast<int>(t.document_info.pages.size());
    struct Placed {
        const TemplateField* field;
        int page;
        pdf::Box box;
    };
    std::vector<Placed> placed;
    for (const TemplateField& f : t.fields) {
        if (f.page_place.line == 0 || f.rect_place.line == 0 || f.rect[2] <= 0) {
            continue;
        }
        const int page = f.page == "last" ? pages : std::stoi(f.page);
        if (page > pages) {
            c.error(f.page_place, "page " + f.page + " is out of range: the document has " +
                                      std::to_string(pages) + (pages == 1 ? " page" : " pages"));
            continue;
        }
        const double scale = f.mm ? pdf::k_points_per_mm : 1.0;
        auto pt = [&](double v) { return std::round(v * scale * 100.0) / 100.0; };
        const pdf::Box box{pt(f.rect[0]), pt(f.rect[1]), pt(f.rect[2]), pt(f.rect[3])};
        const pdf::DisplayedPage shown = t.document_info.pages[static_cast<std::size_t>(page - 1)].displayed();
        if (!shown.contains(box)) {
            char size[96];
            std::snprintf(size, sizeof size, "%.2f x %.2f pt, %.1f x %.1f mm", shown.width(),
                          shown.height(), shown.width() / pdf::k_points_per_mm,
                          shown.height() / pdf::k_points_per_mm);
            c.error(f.rect_place, "field \"" + f.name + "\": the rectangle lies outside page " +
                                      std::to_string(page) + " (" + size + " as displayed)");
            continue;
        }
        for (const Placed& other : placed) {
            if (other.page == page && box.x < other.box.right() && other.box.x < box.right() &&
                box.y < other.box.top() && other.box.y < box.top()) {
                c.warning(f.rect_place, "field \"" + f.name + "\" overlaps field \"" +
                                            other.field->name + "\" on page " + std::to_string(page));
            }
        }
        placed.push_back({&f, page, box});
    }
}

}  // namespace

std::string Diagnostic::text() const {
    std::string out = file;
    if (place.line > 0) {
        out += ":" + std::to_string(place.line);
        if (place.column > 0) {
            out += ":" + std::to_string(place.column);
        }
    }
    out += severity == Severity::error ? ": error: " : ": warning: ";
    return out + message;
}

bool LoadResult::has_errors() const {
    return std::any_of(diagnostics.begin(), diagnostics.end(),
                       [](const Diagnostic& d) { return d.severity == Severity::error; });
}

LoadResult load_template(const fs::path& file) {
    LoadResult result;
    Checker c(file);
    std::string bytes;
    try {
        bytes = util::read_file(file);
    } catch (const Error& e) {
        result.diagnostics.push_back(Diagnostic{file.string(), {}, Severity::error, e.what()});
        return result;
    }
    if (const int line = first_bad_utf8_line(bytes); line > 0) {
        c.error(Place{line, 0}, "not UTF-8 text (convert the file with iconv)");
        result.diagnostics = c.take();
        return result;
    }
    YAML::Node root;
    try {
        root = YAML::Load(bytes);
    } catch (const YAML::Exception& e) {
        const bool structure = e.msg.find("map") != std::string::npos ||
                               e.msg.find("sequence") != std::string::npos;
        c.error(place_of(e.mark), "YAML: " + e.msg + (structure ? " (check the indentation)" : ""));
        result.diagnostics = c.take();
        return result;
    }
    if (!root.IsMap()) {
        c.error(root.IsDefined() && !root.IsNull() ? place_of(root.Mark()) : Place{1, 1},
                "a template is a YAML mapping with signet: 1, name, title, document, parties and fields");
        result.diagnostics = c.take();
        return result;
    }
    Template t;
    t.file = file;
    const auto keys = c.keys(root, k_top_keys, "the template");
    YAML::Node fields_node;
    for (const auto* entry : in_file_order(keys)) {
        const auto& [name, kv] = *entry;
        const YAML::Node& key = kv.first;
        const YAML::Node& value = kv.second;
        if (name == "parties") {
            if (!value.IsSequence() || value.size() == 0) {
                c.error(value.IsNull() ? key : value, "parties must be a list of at least one party");
                continue;
            }
            std::set<std::string> roles;
            for (const YAML::Node& p : value) {
                read_party(c, p, t, roles);
            }
            continue;
        }
        if (name == "fields") {
            fields_node = value;
            if (value.IsNull()) {
                continue;
            }
            if (!value.IsSequence()) {
                c.error(value, "fields must be a list of fields");
                continue;
            }
            for (const YAML::Node& f : value) {
                read_field(c, f, t);
            }
            continue;
        }
        if (name == "signet") {
            const std::optional<Text> v = c.scalar(key, value, false);
            if (v && v->value != "1") {
                c.error(value, "signet: format version " + util::quoted(v->value) +
                                   " is not known (this signet reads version 1)");
            }
            continue;
        }
        const bool placeholders = name == "title" || name == "key";
        const std::optional<Text> v = c.scalar(key, value, placeholders);
        if (!v) {
            continue;
        }
        const std::string& s = v->value;
        if (name == "name") {
            if (!is_template_name(s)) {
                c.error(value, "name must be lowercase letters, digits and -, not " + util::quoted(s));
            }
            t.name = s;
        } else if (name == "title") {
            if (util::trim(s).empty()) {
                c.error(value, "title is empty");
            }
            t.title = *v;
        } else if (name == "document") {
            if (s.empty()) {
                c.error(value, "document is empty");
                continue;
            }
            t.document = fs::path(s).is_absolute() ? fs::path(s) : file.parent_path() / s;
            t.document_place = v->place;
        } else if (name == "key") {
            if (util::trim(s).empty()) {
                c.error(value, "key is empty");
            } else if (s.find("{{") == std::string::npos) {
                c.warning(v->place, "key has no placeholder: every row gets the same key, so only the "
                                 "first is ever sent");
            }
            t.key = *v;
        } else if (name == "locale") {
            if (k_locales.count(s) == 0) {
                c.error(value, "unknown locale " + util::quoted(s) + " (locales: en pl ru de fr it)");
            }
            t.locale = s;
        } else if (name == "timezone") {
            if (!store::is_known_timezone(s)) {
                c.error(value, "unknown time zone " + util::quoted(s) +
                                   " (use an IANA name such as Europe/Warsaw)");
            }
            t.timezone = s;
        } else if (name == "date_format") {
            if (!is_strftime_pattern(s)) {
                c.error(value, "date_format must be a strftime pattern such as \"%d.%m.%Y\", not " +
                                   util::quoted(s));
            }
            t.date_format = s;
        } else if (name == "expires_in") {
            if (auto d = envelope::parse_expiry(s)) {
                t.expires_in = *d;
            } else {
                c.error(value, "expires_in must be a whole number of hours, days or weeks above "
                               "zero and up to ten years, such as 14d, 48h or 2w, not " +
                                   util::quoted(s));
            }
        }
    }
    for (const char* required : {"signet", "name", "title", "document", "parties"}) {
        if (keys.count(required) == 0) {
            c.error(Place{1, 1}, std::string("the template needs ") + required);
        }
    }
    check_together(c, t, fields_node);
    result.diagnostics = c.take();
    result.tmpl = std::move(t);
    return result;
}

Template require_template(const fs::path& file) {
    LoadResult loaded = load_template(file);
    for (const Diagnostic& d : loaded.diagnostics) {
        if (d.severity == Severity::error) {
            std::string message = d.text();
            const std::string marker = ": error: ";
            message.replace(message.find(marker), marker.size(), ": ");
            throw bad_input(message, {"signet template lint " + file.string() + " lists every problem"});
        }
    }
    return std::move(*loaded.tmpl);
}

std::vector<std::pair<std::string, Place>> template_placeholders(const Template& t) {
    std::vector<std::pair<std::string, Place>> out;
    std::set<std::string> seen;
    auto add = [&](const Text& text) {
        for (const std::string& key : scan_placeholders(text.value).keys) {
            if (seen.insert(key).second) {
                out.emplace_back(key, text.place);
            }
        }
    };
    add(t.title);
    if (t.key) {
        add(*t.key);
    }
    for (const TemplateParty& p : t.parties) {
        for (const auto& kv : p.keys) {
            add(kv.second);
        }
    }
    for (const TemplateField& f : t.fields) {
        if (f.value) {
            add(*f.value);
        }
        if (f.label) {
            add(*f.label);
        }
    }
    return out;
}

}  // namespace signet::templates
