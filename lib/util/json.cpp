#include "util/json.hpp"

#include <cmath>
#include <cstdio>

namespace signet::util {

void append_json_string(std::string& out, std::string_view s) {
    static const char* const hex = "0123456789abcdef";
    out += '"';
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20 || c == 0x7F) {
                out += "\\u00";
                out += hex[c >> 4];
                out += hex[c & 0xF];
            } else {
                out += ch;
            }
        }
    }
    out += '"';
}

namespace {

void append_number(std::string& out, double d) {
    if (!std::isfinite(d)) {
        out += "null";
        return;
    }
    char buf[32];
    // Enough digits for the hundredths of a point that we store.
    std::snprintf(buf, sizeof buf, "%.10g", d);
    out += buf;
}

}  // namespace

void JsonWriter::newline() {
    if (m_pretty) {
        m_out += '\n';
        m_out.append(m_empty.size() * 2, ' ');
    }
}

void JsonWriter::before_value() {
    if (m_after_key) {
        m_after_key = false;
        return;
    }
    if (!m_empty.empty()) {
        if (!m_empty.back()) {
            m_out += ',';
        }
        m_empty.back() = false;
        newline();
    }
}

JsonWriter& JsonWriter::begin_object() {
    before_value();
    m_out += '{';
    m_empty.push_back(true);
    return *this;
}

JsonWriter& JsonWriter::end_object() {
    const bool was_empty = m_empty.back();
    m_empty.pop_back();
    if (!was_empty) {
        newline();
    }
    m_out += '}';
    if (m_empty.empty() && m_pretty) {
        m_out += '\n';
    }
    return *this;
}

JsonWriter& JsonWriter::begin_array() {
    before_value();
    m_out += '[';
    m_empty.push_back(true);
    return *this;
}

JsonWriter& JsonWriter::end_array() {
    const bool was_empty = m_empty.back();
    m_empty.pop_back();
    if (!was_empty) {
        newline();
    }
    m_out += ']';
    if (m_empty.empty() && m_pretty) {
        m_out += '\n';
    }
    return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
    before_value();
    append_json_string(m_out, name);
    m_out += m_pretty ? ": " : ":";
    m_after_key = true;
    return *this;
}

JsonWriter& JsonWriter::value(std::string_view s) {
    before_value();
    append_json_string(m_out, s);
    return *this;
}

JsonWriter& JsonWriter::value(std::int64_t n) {
    before_value();
    m_out += std::to_string(n);
    return *this;
}

JsonWriter& JsonWriter::value(double d) {
    before_value();
    append_number(m_out, d);
    return *this;
}

JsonWriter& JsonWriter::value(bool b) {
    before_value();
    m_out += b ? "true" : "false";
    return *this;
}

JsonWriter& JsonWriter::inline_numbers(std::initializer_list<double> numbers) {
    before_value();
    m_out += '[';
    bool first = true;
    for (const double d : numbers) {
        if (!first) {
            m_out += m_pretty ? ", " : ",";
        }
        first = false;
        append_number(m_out, d);
    }
    m_out += ']';
    return *this;
}

JsonWriter& JsonWriter::null() {
    before_value();
    m_out += "null";
    return *this;
}

JsonWriter& JsonWriter::value_or_null(const std::optional<std::string>& s) {
    if (s && !s->empty()) {
        return value(*s);
    }
    return null();
}

}  // namespace signet::util
