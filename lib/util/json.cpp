#include "util/json.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace signet::util {

namespace {

// Which bytes a JSON string literal cannot hold as they are.
struct EscapeTable {
    bool needs[256] = {};
    constexpr EscapeTable() {
        for (int c = 0; c < 0x20; ++c) {
            needs[c] = true;
        }
        needs[static_cast<unsigned char>('"')] = true;
        needs[static_cast<unsigned char>('\\')] = true;
        needs[0x7F] = true;
    }
};
constexpr EscapeTable k_escape;

bool is_plain(std::string_view s) {
    for (const char ch : s) {
        if (k_escape.needs[static_cast<unsigned char>(ch)]) {
            return false;
        }
    }
    return true;
}

// Output is assembled in a buffer of this size on the stack and appended to
// the string once per call: appending piece by piece cost more than the
// rest of writing a listing.
constexpr std::size_t k_piece = 512;
constexpr std::size_t k_max_indent = 256;
constexpr std::size_t k_max_number = 32;
constexpr std::string_view k_spaces =
    "                                                                "
    "                                                                "
    "                                                                "
    "                                                                ";
static_assert(k_spaces.size() == k_max_indent);

std::size_t put(char* buf, std::string_view s) {
    std::memcpy(buf, s.data(), s.size());
    return s.size();
}

std::size_t put_integer(char* buf, std::int64_t n) {
    return static_cast<std::size_t>(std::to_chars(buf, buf + k_max_number, n).ptr - buf);
}

// Writes d as "%.10g" does (null when not finite) to buf, which holds
// k_max_number bytes; returns the length.
std::size_t put_number(char* buf, double d) {
    if (!std::isfinite(d)) {
        return put(buf, "null");
    }
    // Fast paths for what the store holds (whole points, or points to a
    // hundredth), each printing exactly what "%.10g" prints: a value of at
    // most ten significant digits is its own rounding, and %g drops
    // trailing zeros and the point.
    const double magnitude = std::fabs(d);
    if (d == 0 && !std::signbit(d)) {
        return put(buf, "0");
    }
    if (d != 0 && magnitude < 1e10 && d == std::trunc(d)) {
        return put_integer(buf, static_cast<std::int64_t>(d));
    }
    if (magnitude >= 0.01 && magnitude < 1e8) {
        const auto hundredths = static_cast<std::int64_t>(std::llround(d * 100.0));
        if (static_cast<double>(hundredths) / 100.0 == d) {
            const std::int64_t abs = hundredths < 0 ? -hundredths : hundredths;
            std::size_t n = 0;
            if (hundredths < 0) {
                buf[n++] = '-';
            }
            n += put_integer(buf + n, abs / 100);
            const auto cents = static_cast<int>(abs % 100);
            buf[n++] = '.';
            buf[n++] = static_cast<char>('0' + cents / 10);
            if (cents % 10 != 0) {
                buf[n++] = static_cast<char>('0' + cents % 10);
            }
            return n;
        }
    }
    // Enough digits for the hundredths of a point that we store.
    const int n = std::snprintf(buf, k_max_number, "%.10g", d);
    return static_cast<std::size_t>(std::clamp(n, 0, static_cast<int>(k_max_number) - 1));
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
    static const char* const hex = "0123456789abcdef";
    out += '"';
    const char* const end = s.data() + s.size();
    const char* run = s.data();  // bytes not yet copied
    for (const char* p = run; p != end; ++p) {
        const auto c = static_cast<unsigned char>(*p);
        if (!k_escape.needs[c]) {
            continue;
        }
        out.append(run, static_cast<std::size_t>(p - run));
        run = p + 1;
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            out += "\\u00";
            out += hex[c >> 4];
            out += hex[c & 0xF];
        }
    }
    out.append(run, static_cast<std::size_t>(end - run));
    out += '"';
}

std::size_t JsonWriter::separator(char* buf) {
    if (m_after_key) {
        m_after_key = false;
        return 0;
    }
    if (m_empty.empty()) {
        return 0;
    }
    std::size_t n = 0;
    if (m_empty.back() == 0) {
        buf[n++] = ',';
    }
    m_empty.back() = 0;
    return line_break(buf, n);
}

std::size_t JsonWriter::line_break(char* buf, std::size_t used) {
    if (!m_pretty) {
        return used;
    }
    const std::size_t indent = m_empty.size() * 2;
    if (indent > k_max_indent) {
        // Deeper than any document signet writes: no need to be quick.
        m_out.append(buf, used);
        m_out += '\n';
        m_out.append(indent, ' ');
        return 0;
    }
    buf[used] = '\n';
    std::memcpy(buf + used + 1, k_spaces.data(), indent);
    return used + 1 + indent;
}

JsonWriter& JsonWriter::open(char bracket) {
    char buf[k_piece];
    std::size_t n = separator(buf);
    buf[n++] = bracket;
    m_out.append(buf, n);
    m_empty.push_back(1);
    return *this;
}

JsonWriter& JsonWriter::close(char bracket) {
    const bool was_empty = m_empty.back() != 0;
    m_empty.pop_back();
    char buf[k_piece];
    std::size_t n = was_empty ? 0 : line_break(buf, 0);
    buf[n++] = bracket;
    if (m_empty.empty() && m_pretty) {
        buf[n++] = '\n';
    }
    m_out.append(buf, n);
    return *this;
}

JsonWriter& JsonWriter::begin_object() { return open('{'); }
JsonWriter& JsonWriter::end_object() { return close('}'); }
JsonWriter& JsonWriter::begin_array() { return open('['); }
JsonWriter& JsonWriter::end_array() { return close(']'); }

JsonWriter& JsonWriter::key(std::string_view name) {
    char buf[k_piece];
    std::size_t n = separator(buf);
    if (n + name.size() + 4 <= k_piece && is_plain(name)) {
        buf[n++] = '"';
        n += put(buf + n, name);
        n += put(buf + n, m_pretty ? "\": " : "\":");
        m_out.append(buf, n);
    } else {
        m_out.append(buf, n);
        append_json_string(m_out, name);
        m_out += m_pretty ? ": " : ":";
    }
    m_after_key = true;
    return *this;
}

JsonWriter& JsonWriter::value(std::string_view s) {
    char buf[k_piece];
    std::size_t n = separator(buf);
    if (n + s.size() + 2 <= k_piece && is_plain(s)) {
        buf[n++] = '"';
        n += put(buf + n, s);
        buf[n++] = '"';
        m_out.append(buf, n);
    } else {
        m_out.append(buf, n);
        append_json_string(m_out, s);
    }
    return *this;
}

JsonWriter& JsonWriter::value(std::int64_t number) {
    char buf[k_piece];
    std::size_t n = separator(buf);
    n += put_integer(buf + n, number);
    m_out.append(buf, n);
    return *this;
}

JsonWriter& JsonWriter::value(double d) {
    char buf[k_piece];
    std::size_t n = separator(buf);
    n += put_number(buf + n, d);
    m_out.append(buf, n);
    return *this;
}

JsonWriter& JsonWriter::value(bool b) {
    char buf[k_piece];
    std::size_t n = separator(buf);
    n += put(buf + n, b ? "true" : "false");
    m_out.append(buf, n);
    return *this;
}

JsonWriter& JsonWriter::null() {
    char buf[k_piece];
    std::size_t n = separator(buf);
    n += put(buf + n, "null");
    m_out.append(buf, n);
    return *this;
}

JsonWriter& JsonWriter::inline_numbers(std::initializer_list<double> numbers) {
    char buf[k_piece];
    std::size_t n = separator(buf);
    buf[n++] = '[';
    bool first = true;
    for (const double d : numbers) {
        if (n + 2 + k_max_number + 1 > k_piece) {
            m_out.append(buf, n);
            n = 0;
        }
        if (!first) {
            n += put(buf + n, m_pretty ? ", " : ",");
        }
        first = false;
        n += put_number(buf + n, d);
    }
    buf[n++] = ']';
    m_out.append(buf, n);
    return *this;
}

JsonWriter& JsonWriter::value_or_null(const std::optional<std::string>& s) {
    if (s && !s->empty()) {
        return value(*s);
    }
    return null();
}

JsonWriter& JsonWriter::value(const std::vector<std::string>& strings) {
    begin_array();
    for (const std::string& s : strings) {
        value(s);
    }
    return end_array();
}

std::string json_object(const std::function<void(JsonWriter&)>& fill) {
    std::string out;
    JsonWriter w(out, /*pretty=*/false);
    w.begin_object();
    fill(w);
    w.end_object();
    return out;
}

}  // namespace signet::util
