// UTF-8 text helpers: validation, control characters, terminal width.
#pragma once

#include <string>
#include <string_view>

namespace signet::util {

// True when s is well-formed UTF-8 (no overlongs, no surrogates).
bool is_valid_utf8(std::string_view s);

// The first control character (C0, DEL or C1) in s, or npos. Tabs and line
// breaks count as control characters: names and titles are one line.
std::size_t find_control_char(std::string_view s);

// Checks a one-line user value: valid UTF-8, no control characters, not
// blank. Throws bad_input naming `what` (e.g. "party 2: name").
void require_clean_line(std::string_view s, std::string_view what);

// Columns the text takes on a terminal (wide East Asian characters count 2,
// combining marks 0).
std::size_t display_width(std::string_view s);

// Cuts s to at most `width` columns, ending with "…" when it was cut.
std::string truncate_to_width(std::string_view s, std::size_t width);

// Pads s with spaces on the right to `width` columns (cutting it first).
std::string pad_to_width(std::string_view s, std::size_t width);

std::string trim(std::string_view s);
std::string to_lower_ascii(std::string_view s);

// Appends the code point cp (at most U+10FFFF, not a surrogate) as UTF-8.
void append_utf8(std::string& out, char32_t cp);

// s with the capital letters of the seed languages made small: ASCII, the
// Latin-1 and Latin Extended-A letters (Ł, Ż, Ì, Ö, ...) and Cyrillic (Д,
// Ё). Other characters, and malformed bytes, are kept as they are.
std::string to_lower(std::string_view s);

// Quotes a value for an error message: "value" with control characters escaped.
std::string quoted(std::string_view s);

}  // namespace signet::util
