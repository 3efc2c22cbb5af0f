// A streaming JSON writer: output for --json without building a tree, so
// listing 100 000 envelopes stays fast and small.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace signet::util {

class JsonWriter {
public:
    explicit JsonWriter(std::string& out, bool pretty = true) : m_out(out), m_pretty(pretty) {}

    JsonWriter& begin_object();
    JsonWriter& end_object();
    JsonWriter& begin_array();
    JsonWriter& end_array();

    // Names the next value inside an object.
    JsonWriter& key(std::string_view name);

    JsonWriter& value(std::string_view s);
    JsonWriter& value(const char* s) { return value(std::string_view(s)); }
    JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
    JsonWriter& value(std::int64_t n);
    JsonWriter& value(int n) { return value(static_cast<std::int64_t>(n)); }
    JsonWriter& value(double d);
    JsonWriter& value(bool b);
    JsonWriter& null();
    // A short array of numbers on one line, e.g. a rectangle [72, 600, 180, 50].
    JsonWriter& inline_numbers(std::initializer_list<double> numbers);
    // A string, or null when empty / absent.
    JsonWriter& value_or_null(const std::optional<std::string>& s);
    // An array of strings, e.g. the roles ["company", "client"].
    JsonWriter& value(const std::vector<std::string>& strings);

    template <typename T>
    JsonWriter& field(std::string_view name, const T& v) {
        key(name);
        return value(v);
    }

private:
    // Writes what goes before a value (a comma, then a line break and the
    // indentation) to buf; returns its length.
    std::size_t separator(char* buf);
    // Writes a line break and the indentation after `used` bytes of buf;
    // returns the new length of buf.
    std::size_t line_break(char* buf, std::size_t used);
    JsonWriter& open(char bracket);
    JsonWriter& close(char bracket);

    std::string& m_out;
    bool m_pretty;
    // One entry per open container: true while it has no element yet.
    std::vector<char> m_empty;
    bool m_after_key = false;
};

// A compact JSON object whose keys `fill` writes: {"a":1,...}.
std::string json_object(const std::function<void(JsonWriter&)>& fill);

// Appends s as a JSON string literal (with quotes) to out.
void append_json_string(std::string& out, std::string_view s);

}  // namespace signet::util
