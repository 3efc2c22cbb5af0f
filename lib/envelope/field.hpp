// Field rules: names, values by type, pages and rectangles as people type
// them.
#pragma once

#include "envelope/model.hpp"
#include "pdf/geometry.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace signet::envelope {

// Field names signet gives its own hidden fields (the seal's signatures).
inline constexpr const char* k_reserved_field_prefix = "signet_";
// The seal's hidden certification signature, made at send (the completion
// seal's field is audit::k_completion_field).
inline constexpr const char* k_certification_field = "signet_certification";

// The signature field a party signs digitally (its first signature field;
// its /Lock covers the party's other fields), or null when it has none.
const Field* main_signature_field(const Envelope& e, const std::string& role);

// [A-Za-z0-9_-], 1 to 64 characters (a "." would make a PDF field
// hierarchy), not starting with k_reserved_field_prefix. Throws bad_input
// naming `where`.
void check_field_name(std::string_view name, std::string_view where);

// True for types that signet or the signer's images fill, never a typed value.
bool is_signing_type(FieldType type);

// Fields are required unless said otherwise; a checkbox is optional.
bool default_required(FieldType type);

// Checks a value for a field of `type` and returns it normalised (a
// checkbox as "true"/"false", an e-mail with its domain lowercased).
std::string check_field_value(FieldType type, std::string_view value, std::string_view where);

// "3" or "last" (case-insensitive), against a document of page_count pages.
int resolve_page(std::string_view page, int page_count, std::string_view where);

enum class Unit { pt, mm };
std::optional<Unit> parse_unit(std::string_view unit);

// "X,Y,W,H" in `unit`, returned in points.
pdf::Box parse_rect(std::string_view rect, Unit unit, std::string_view where);

// The longest text value accepted, in bytes.
constexpr std::size_t k_max_value_bytes = 4000;

}  // namespace signet::envelope
