// {{dotted.key}} placeholders: finding them and filling them from a row.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace signet::templates {

// True for a dotted key: parts of letters, digits, "_" and "-", joined by ".".
bool is_dotted_key(std::string_view key);

struct PlaceholderScan {
    std::vector<std::string> keys;  // each {{key}}, in order (spaces inside trimmed)
    std::optional<std::string> problem;  // why the text is malformed, if it is
};

// Finds the placeholders in text; a "{{" without "}}", an empty or
// malformed key or a stray "}}" is a problem.
PlaceholderScan scan_placeholders(std::string_view text);

// Replaces each {{key}} with lookup(key); lookup returns nullopt for a key
// it lacks, and render then throws bad_input naming the key via
// `missing(key)`.
std::string render_placeholders(
    std::string_view text, const std::function<std::optional<std::string>(const std::string&)>& lookup,
    const std::function<std::string(const std::string&)>& missing);

}  // namespace signet::templates
