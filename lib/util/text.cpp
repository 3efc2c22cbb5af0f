#include "util/text.hpp"

#include "signet/error.hpp"

#include <cstdint>

namespace signet::util {
namespace {

// Decodes one code point at s[i]; returns its length, or 0 when malformed.
std::size_t decode(std::string_view s, std::size_t i, char32_t& cp) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) {
        cp = b0;
        return 1;
    }
    std::size_t len = 0;
    char32_t min = 0;
    if ((b0 & 0xE0) == 0xC0) {
        len = 2;
        cp = b0 & 0x1F;
        min = 0x80;
    } else if ((b0 & 0xF0) == 0xE0) {
        len = 3;
        cp = b0 & 0x0F;
        min = 0x800;
    } else if ((b0 & 0xF8) == 0xF0) {
        len = 4;
        cp = b0 & 0x07;
        min = 0x10000;
    } else {
        return 0;
    }
    if (i + len > s.size()) {
        return 0;
    }
    for (std::size_t k = 1; k < len; ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if ((b & 0xC0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return 0;
    }
    return len;
}

bool is_control(char32_t cp) {
    return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || cp == 0x2028 || cp == 0x2029;
}

bool is_combining(char32_t cp) {
    return (cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x0483 && cp <= 0x0489) ||
           (cp >= 0x1AB0 && cp <= 0x1AFF) || (cp >= 0x1DC0 && cp <= 0x1DFF) ||
           (cp >= 0x20D0 && cp <= 0x20FF) || (cp >= 0xFE20 && cp <= 0xFE2F) || cp == 0x200B ||
           cp == 0x200C || cp == 0x200D || cp == 0xFEFF;
}

bool is_wide(char32_t cp) {
    return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
           (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
           (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1FAFF) ||
           (cp >= 0x20000 && cp <= 0x3FFFD);
}

std::size_t width_of(char32_t cp) {
    if (is_combining(cp)) {
        return 0;
    }
    return is_wide(cp) ? 2 : 1;
}

}  // namespace

bool is_valid_utf8(std::string_view s) {
    char32_t cp = 0;
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t len = decode(s, i, cp);
        if (len == 0) {
            return false;
        }
        i += len;
    }
    return true;
}

std::size_t find_control_char(std::string_view s) {
    char32_t cp = 0;
    for (std::size_t i = 0; i < s.size();) {
        std::size_t len = decode(s, i, cp);
        if (len == 0) {
            len = 1;
        } else if (is_control(cp)) {
            return i;
        }
        i += len;
    }
    return std::string_view::npos;
}

void require_clean_line(std::string_view s, std::string_view what) {
    if (!is_valid_utf8(s)) {
        throw bad_input(std::string(what) + " is not valid UTF-8",
                        {"convert the input to UTF-8, e.g. with iconv"});
    }
    if (find_control_char(s) != std::string_view::npos) {
        throw bad_input(std::string(what) + " contains a control character: " + quoted(s));
    }
    if (trim(s).empty()) {
        throw bad_input(std::string(what) + " is empty");
    }
}

std::size_t display_width(std::string_view s) {
    std::size_t width = 0;
    char32_t cp = 0;
    for (std::size_t i = 0; i < s.size();) {
        std::size_t len = decode(s, i, cp);
        if (len == 0) {
            len = 1;
            cp = 0xFFFD;
        }
        width += width_of(cp);
        i += len;
    }
    return width;
}

std::string truncate_to_width(std::string_view s, std::size_t width) {
    if (display_width(s) <= width) {
        return std::string(s);
    }
    if (width == 0) {
        return {};
    }
    std::string out;
    std::size_t used = 0;
    char32_t cp = 0;
    for (std::size_t i = 0; i < s.size();) {
        std::size_t len = decode(s, i, cp);
        if (len == 0) {
            len = 1;
            cp = 0xFFFD;
        }
        const std::size_t w = width_of(cp);
        if (used + w > width - 1) {
            break;
        }
        out.append(s.substr(i, len));
        used += w;
        i += len;
    }
    out += "\u2026";
    return out;
}

std::string pad_to_width(std::string_view s, std::size_t width) {
    std::string out = truncate_to_width(s, width);
    const std::size_t w = display_width(out);
    if (w < width) {
        out.append(width - w, ' ');
    }
    return out;
}

std::string trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) {
        return {};
    }
    const auto last = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(first, last - first + 1));
}

std::string to_lower_ascii(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

namespace {

char32_t lower_of(char32_t cp) {
    if ((cp >= 'A' && cp <= 'Z') || (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) ||
        (cp >= 0x410 && cp <= 0x42F)) {
        return cp + 0x20;  // ASCII, Latin-1 (not ×), Cyrillic А-Я
    }
    if (cp >= 0x400 && cp <= 0x40F) {
        return cp + 0x50;  // Ѐ-Џ (Ё)
    }
    // Latin Extended-A pairs capitals and small letters: even/odd up to
    // U+0137 and from U+014A, odd/even from U+0139 to U+0148 and from U+0179.
    if ((cp >= 0x100 && cp <= 0x137 && cp % 2 == 0 && cp != 0x130) ||
        (cp >= 0x14A && cp <= 0x177 && cp % 2 == 0) ||
        (cp >= 0x139 && cp <= 0x148 && cp % 2 == 1) || (cp >= 0x179 && cp <= 0x17E && cp % 2 == 1)) {
        return cp + 1;
    }
    return cp;
}

}  // namespace

std::string to_lower(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        char32_t cp = 0;
        const std::size_t len = decode(s, i, cp);
        if (len == 0) {
            out += s[i];
            ++i;
            continue;
        }
        append_utf8(out, lower_of(cp));
        i += len;
    }
    return out;
}

std::string quoted(std::string_view s) {
    static const char* const hex = "0123456789abcdef";
    std::string out = "\"";
    auto escape = [&](unsigned char c) {
        out += "\\x";
        out += hex[c >> 4];
        out += hex[c & 0xF];
    };
    char32_t cp = 0;
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x80) {
            // Whole UTF-8 characters pass; a stray byte is shown, not echoed.
            const std::size_t len = decode(s, i, cp);
            if (len == 0) {
                escape(c);
                ++i;
            } else {
                out.append(s.substr(i, len));
                i += len;
            }
            continue;
        }
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20 || c == 0x7F) {
            escape(c);
        } else {
            out += static_cast<char>(c);
        }
        ++i;
    }
    out += '"';
    return out;
}

}  // namespace signet::util
