#include "envelope/field.hpp"

#include "envelope/contact.hpp"
#include "signet/error.hpp"
#include "util/text.hpp"

#include <cmath>
#include <cstdlib>
#include <vector>

namespace signet::envelope {

void check_field_name(std::string_view name, std::string_view where) {
    bool ok = !name.empty() && name.size() <= 64;
    for (const char c : name) {
        ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-');
    }
    if (!ok) {
        throw bad_input(std::string(where) + ": a field name is 1 to 64 letters, digits, _ or -, not " +
                        util::quoted(name));
    }
    if (name.rfind(k_reserved_field_prefix, 0) == 0) {
        throw bad_input(std::string(where) + ": names starting with \"" +
                        k_reserved_field_prefix + "\" are signet's own");
    }
}

bool is_signing_type(FieldType type) {
    return type == FieldType::signature || type == FieldType::initials ||
           type == FieldType::stamp || type == FieldType::date_signed;
}

bool default_required(FieldType type) { return type != FieldType::checkbox; }

std::string check_field_value(FieldType type, std::string_view value, std::string_view where_view) {
    const std::string where(where_view);
    if (is_signing_type(type)) {
        throw bad_input(where + ": a " + std::string(to_string(type)) +
                        " field cannot be given a value; it is filled at signing");
    }
    if (!util::is_valid_utf8(value)) {
        throw bad_input(where + ": the value is not valid UTF-8");
    }
    if (value.size() > k_max_value_bytes) {
        throw bad_input(where + ": the value is too long (" + std::to_string(value.size()) +
                        " bytes, at most " + std::to_string(k_max_value_bytes) + ")");
    }
    switch (type) {
    case FieldType::multiline: {
        // Line breaks are the point of a multiline field; other controls are not.
        std::string rest(value);
        for (char& c : rest) {
            if (c == '\n') {
                c = ' ';
            }
        }
        if (util::find_control_char(rest) != std::string::npos) {
            throw bad_input(where + ": the value contains a control character");
        }
        return std::string(value);
    }
    case FieldType::number: {
        const std::string text = util::trim(value);
        // Digits with optional sign, group spaces and one decimal separator,
        // as people write amounts in the seed locales: 12 300,00 or -5.5.
        bool ok = !text.empty();
        bool seen_digit = false;
        bool seen_separator = false;
        for (std::size_t i = 0; i < text.size() && ok; ++i) {
            const char c = text[i];
            if (c >= '0' && c <= '9') {
                seen_digit = true;
            } else if ((c == '-' || c == '+') && i == 0) {
            } else if (c == ' ' && seen_digit && !seen_separator) {
            } else if ((c == ',' || c == '.') && seen_digit && !seen_separator) {
                seen_separator = true;
            } else {
                ok = false;
            }
        }
        if (!ok || !seen_digit || text.back() < '0' || text.back() > '9') {
            throw bad_input(where + ": not a number: " + util::quoted(text));
        }
        return text;
    }
    case FieldType::email:
        return normalise_email(value, where);
    case FieldType::checkbox: {
        const std::string v = util::to_lower_ascii(util::trim(value));
        if (v == "true" || v == "yes" || v == "on" || v == "1" || v == "x") {
            return "true";
        }
        if (v == "false" || v == "no" || v == "off" || v == "0" || v.empty()) {
            return "false";
        }
        throw bad_input(where + ": a checkbox value is true or false, not " + util::quoted(v));
    }
    default: {
        const std::string text = util::trim(value);
        util::require_clean_line(text, where);
        return text;
    }
    }
}

int resolve_page(std::string_view page, int page_count, std::string_view where) {
    const std::string text = util::to_lower_ascii(util::trim(page));
    if (text == "last") {
        return page_count;
    }
    const bool digits = !text.empty() && text.size() <= 6 &&
                        text.find_first_not_of("0123456789") == std::string::npos;
    const int n = digits ? std::atoi(text.c_str()) : 0;
    if (!digits) {
        throw bad_input(std::string(where) + ": page must be a number or \"last\", not " +
                        util::quoted(page));
    }
    if (n < 1 || n > page_count) {
        throw bad_input(std::string(where) + ": page " + text + " is out of range: the document has " +
                        std::to_string(page_count) + (page_count == 1 ? " page" : " pages"));
    }
    return n;
}

std::optional<Unit> parse_unit(std::string_view unit) {
    if (unit == "pt") {
        return Unit::pt;
    }
    if (unit == "mm") {
        return Unit::mm;
    }
    return std::nullopt;
}

pdf::Box parse_rect(std::string_view rect, Unit unit, std::string_view where_view) {
    const std::string where(where_view);
    std::vector<double> numbers;
    std::string text(rect);
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t comma = text.find(',', start);
        const std::string part = util::trim(text.substr(start, comma == std::string::npos
                                                                   ? std::string::npos
                                                                   : comma - start));
        char* end = nullptr;
        const double v = std::strtod(part.c_str(), &end);
        if (part.empty() || end == nullptr || *end != '\0' || !std::isfinite(v)) {
            throw bad_input(where + ": the rectangle must be four numbers X,Y,W,H, not " +
                                util::quoted(rect),
                            {"e.g. --rect 72,600,180,50 (points) or --unit mm --rect 25,210,60,18"});
        }
        numbers.push_back(v);
        if (comma == std::string::npos) {
            break;
        }
        start = comma + 1;
    }
    if (numbers.size() != 4) {
        throw bad_input(where + ": the rectangle must be four numbers X,Y,W,H, not " +
                            util::quoted(rect),
                        {"e.g. --rect 72,600,180,50 (points) or --unit mm --rect 25,210,60,18"});
    }
    if (numbers[2] <= 0 || numbers[3] <= 0) {
        throw bad_input(where + ": the rectangle's width and height must be positive");
    }
    const double scale = unit == Unit::mm ? pdf::k_points_per_mm : 1.0;
    // Points are kept to a hundredth: enough for placement, stable in JSON.
    auto pt = [&](double v) { return std::round(v * scale * 100.0) / 100.0; };
    return pdf::Box{pt(numbers[0]), pt(numbers[1]), pt(numbers[2]), pt(numbers[3])};
}

const Field* main_signature_field(const Envelope& e, const std::string& role) {
    for (const Field& f : e.fields) {
        if (f.role == role && f.type == FieldType::signature) {
            return &f;
        }
    }
    return nullptr;
}

}  // namespace signet::envelope
