#include "templates/placeholder.hpp"

#include "signet/error.hpp"
#include "util/text.hpp"

namespace signet::templates {

bool is_dotted_key(std::string_view key) {
    if (key.empty() || key.size() > 128 || key.front() == '.' || key.back() == '.') {
        return false;
    }
    char previous = 0;
    for (const char c : key) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                        c == '_' || c == '-' || c == '.';
        if (!ok || (c == '.' && previous == '.')) {
            return false;
        }
        previous = c;
    }
    return true;
}

PlaceholderScan scan_placeholders(std::string_view text) {
    PlaceholderScan scan;
    std::size_t i = 0;
    while (i < text.size()) {
        const std::size_t open = text.find("{{", i);
        const std::size_t stray = text.find("}}", i);
        if (stray != std::string_view::npos && (open == std::string_view::npos || stray < open)) {
            scan.problem = "\"}}\" without \"{{\"";
            return scan;
        }
        if (open == std::string_view::npos) {
            break;
        }
        const std::size_t close = text.find("}}", open + 2);
        if (close == std::string_view::npos) {
            scan.problem = "\"{{\" without \"}}\"";
            return scan;
        }
        const std::string key = util::trim(text.substr(open + 2, close - open - 2));
        if (!is_dotted_key(key)) {
            scan.problem = "malformed placeholder " + util::quoted(text.substr(open, close + 2 - open)) +
                           ": use {{dotted.key}} with letters, digits, _ and -";
            return scan;
        }
        scan.keys.push_back(key);
        i = close + 2;
    }
    return scan;
}

std::string render_placeholders(
    std::string_view text, const std::function<std::optional<std::string>(const std::string&)>& lookup,
    const std::function<std::string(const std::string&)>& missing) {
    std::string out;
    std::size_t i = 0;
    while (i < text.size()) {
        const std::size_t open = text.find("{{", i);
        if (open == std::string_view::npos) {
            break;
        }
        const std::size_t close = text.find("}}", open + 2);
        if (close == std::string_view::npos) {
            break;
        }
        out.append(text.substr(i, open - i));
        const std::string key = util::trim(text.substr(open + 2, close - open - 2));
        const std::optional<std::string> value = lookup(key);
        if (!value) {
            throw bad_input(missing(key));
        }
        out += *value;
        i = close + 2;
    }
    out.append(text.substr(i));
    return out;
}

}  // namespace signet::templates
