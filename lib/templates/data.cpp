#include "templates/data.hpp"

#include "signet/error.hpp"
#include "templates/placeholder.hpp"
#include "util/fs.hpp"
#include "util/text.hpp"

#include <yaml-cpp/yaml.h>

#include <set>

namespace signet::templates {
namespace {

const char* const k_iconv_hint =
    "convert it to UTF-8, e.g. iconv -f CP1250 -t UTF-8 (Polish), CP1251 (Russian) or "
    "CP1252 (German, French, Italian)";

// Refuses text that is not UTF-8, naming the line and column where decoding fails.
void require_utf8(std::string_view text, const std::string& name) {
    if (util::is_valid_utf8(text)) {
        return;
    }
    int line = 1;
    std::size_t start = 0;
    while (true) {
        const std::size_t end = text.find('\n', start);
        const std::string_view l = text.substr(start, end == std::string_view::npos ? end : end - start);
        if (!util::is_valid_utf8(l)) {
            // The first byte at which the line stops being UTF-8.
            std::size_t good = 0;
            while (good < l.size() && util::is_valid_utf8(l.substr(0, good + 1))) {
                ++good;
            }
            std::size_t column = good;
            // A multi-byte character cut short counts from its first byte.
            while (column > 0 && !util::is_valid_utf8(l.substr(0, column))) {
                --column;
            }
            char byte[8];
            std::snprintf(byte, sizeof byte, "0x%02X",
                          static_cast<unsigned>(static_cast<unsigned char>(l[column])));
            throw bad_input(name + ":" + std::to_string(line) + ":" + std::to_string(column + 1) +
                                ": not UTF-8 text (byte " + byte + ")",
                            {k_iconv_hint});
        }
        if (end == std::string_view::npos) {
            break;
        }
        start = end + 1;
        ++line;
    }
}

void flatten(const YAML::Node& node, const std::string& prefix, DataRow& row, const std::string& name) {
    auto at = [&](const YAML::Node& n) {
        return name + ":" + std::to_string(n.Mark().line + 1) + ":" + std::to_string(n.Mark().column + 1);
    };
    for (const auto& kv : node) {
        if (!kv.first.IsScalar()) {
            throw bad_input(at(kv.first) + ": a key must be a plain word");
        }
        const std::string key = prefix + kv.first.Scalar();
        if (!is_dotted_key(key)) {
            throw bad_input(at(kv.first) + ": " + util::quoted(key) +
                            " is not a key placeholders can name (letters, digits, _ and -)");
        }
        if (kv.second.IsMap()) {
            flatten(kv.second, key + ".", row, name);
        } else if (kv.second.IsSequence()) {
            throw bad_input(at(kv.second) + ": " + key + ": a list cannot fill a placeholder");
        } else {
            if (row.values.count(key) != 0) {
                throw bad_input(at(kv.first) + ": " + key + " is given twice in this row");
            }
            row.values[key] = kv.second.IsNull() ? std::string() : kv.second.Scalar();
        }
    }
}

}  // namespace

std::string DataRow::where() const { return file + ":" + std::to_string(line); }

std::optional<std::string> DataRow::get(const std::string& key) const {
    const auto it = values.find(key);
    if (it == values.end()) {
        return std::nullopt;
    }
    return it->second;
}

char detect_delimiter(std::string_view header) {
    std::size_t comma = 0;
    std::size_t semicolon = 0;
    std::size_t tab = 0;
    bool quoted = false;
    for (const char c : header) {
        if (c == '"') {
            quoted = !quoted;
        } else if (!quoted) {
            if (c == '\n') {
                break;
            }
            comma += c == ',' ? 1 : 0;
            semicolon += c == ';' ? 1 : 0;
            tab += c == '\t' ? 1 : 0;
        }
    }
    if (tab > comma && tab >= semicolon) {
        return '\t';
    }
    if (semicolon > comma) {
        return ';';
    }
    return ',';
}

std::vector<DataRow> parse_csv(std::string_view text, const std::string& name) {
    require_utf8(text, name);
    if (text.substr(0, 3) == "\xEF\xBB\xBF") {
        text.remove_prefix(3);
    }
    const char delimiter = detect_delimiter(text);

    // Records of fields, each with the line it starts on.
    struct Record {
        int line;
        std::vector<std::string> fields;
    };
    std::vector<Record> records;
    int line = 1;
    std::size_t i = 0;
    while (i < text.size()) {
        Record record{line, {}};
        std::string field;
        bool end_of_record = false;
        while (!end_of_record) {
            if (i < text.size() && text[i] == '"') {
                const int quote_line = line;
                ++i;
                while (true) {
                    if (i >= text.size()) {
                        throw bad_input(name + ":" + std::to_string(quote_line) +
                                        ": a quoted field is not closed");
                    }
                    const char c = text[i++];
                    if (c == '"') {
                        if (i < text.size() && text[i] == '"') {
                            field += '"';
                            ++i;
                            continue;
                        }
                        break;
                    }
                    if (c == '\n') {
                        ++line;
                    }
                    field += c;
                }
                // Spreadsheets write a quoted field's CRLF in the text as LF.
                if (i < text.size() && text[i] != delimiter && text[i] != '\n' && text[i] != '\r') {
                    throw bad_input(name + ":" + std::to_string(line) +
                                    ": text after a closing quote (a quote inside a field is written \"\")");
                }
            }
            while (i < text.size() && text[i] != delimiter && text[i] != '\n') {
                if (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] == '\n')) {
                    ++i;
                    continue;
                }
                field += text[i++];
            }
            record.fields.push_back(std::move(field));
            field.clear();
            if (i >= text.size()) {
                end_of_record = true;
            } else if (text[i] == delimiter) {
                ++i;
            } else {  // '\n'
                ++i;
                ++line;
                end_of_record = true;
            }
        }
        const bool blank = record.fields.size() == 1 && util::trim(record.fields[0]).empty();
        if (!blank) {
            records.push_back(std::move(record));
        }
    }
    if (records.empty()) {
        throw bad_input(name + ": the file is empty", {"the first line names the keys: deal.number,client.name,..."});
    }
    const Record& header = records.front();
    std::vector<std::string> keys;
    std::set<std::string> seen;
    for (std::size_t c = 0; c < header.fields.size(); ++c) {
        const std::string key = util::trim(header.fields[c]);
        if (key.empty() && c + 1 == header.fields.size() && c > 0) {
            break;  // a trailing delimiter
        }
        if (!is_dotted_key(key)) {
            throw bad_input(name + ":" + std::to_string(header.line) + ": column " +
                                std::to_string(c + 1) + " of the header, " + util::quoted(key) +
                                ", is not a dotted key",
                            {"the header names the keys placeholders use: deal.number,client.name,..."});
        }
        if (!seen.insert(key).second) {
            throw bad_input(name + ":" + std::to_string(header.line) + ": the header names " +
                            util::quoted(key) + " twice");
        }
        keys.push_back(key);
    }
    std::vector<DataRow> rows;
    for (std::size_t r = 1; r < records.size(); ++r) {
        const Record& record = records[r];
        DataRow row;
        row.file = name;
        row.line = record.line;
        row.number = static_cast<int>(r);
        for (std::size_t c = keys.size(); c < record.fields.size(); ++c) {
            if (!util::trim(record.fields[c]).empty()) {
                throw bad_input(name + ":" + std::to_string(record.line) + ": the row has " +
                                std::to_string(record.fields.size()) + " cells, the header " +
                                std::to_string(keys.size()));
            }
        }
        if (record.fields.size() < keys.size()) {
            throw bad_input(name + ":" + std::to_string(record.line) + ": the row has " +
                                std::to_string(record.fields.size()) + " cells, the header " +
                                std::to_string(keys.size()),
                            {std::string("cells are separated by \"") +
                             (delimiter == '\t' ? "\\t" : std::string(1, delimiter)) +
                             "\" (found in the header)"});
        }
        for (std::size_t c = 0; c < keys.size(); ++c) {
            row.values[keys[c]] = record.fields[c];
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

std::vector<DataRow> parse_yaml_rows(std::string_view text, const std::string& name) {
    require_utf8(text, name);
    YAML::Node root;
    try {
        root = YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
        throw bad_input(name + ":" + std::to_string(e.mark.line + 1) + ":" +
                        std::to_string(e.mark.column + 1) + ": " + e.msg);
    }
    std::vector<YAML::Node> maps;
    if (root.IsMap()) {
        maps.push_back(root);
    } else if (root.IsSequence()) {
        for (const YAML::Node& n : root) {
            maps.push_back(n);
        }
    } else {
        throw bad_input(name + ": expected a mapping (one row) or a list of mappings (rows)");
    }
    std::vector<DataRow> rows;
    for (const YAML::Node& m : maps) {
        const int line = m.Mark().line + 1;
        if (!m.IsMap()) {
            throw bad_input(name + ":" + std::to_string(line) + ": a row is a mapping of keys to values");
        }
        DataRow row;
        row.file = name;
        row.line = line;
        row.number = static_cast<int>(rows.size()) + 1;
        flatten(m, "", row, name);
        rows.push_back(std::move(row));
    }
    return rows;
}

std::vector<DataRow> read_data_file(const std::filesystem::path& file) {
    const std::string ext = util::to_lower_ascii(file.extension().string());
    const std::string name = file.string();
    if (ext == ".csv" || ext == ".tsv" || ext == ".txt") {
        return parse_csv(util::read_file(file), name);
    }
    if (ext == ".yaml" || ext == ".yml" || ext == ".json") {
        return parse_yaml_rows(util::read_file(file), name);
    }
    throw bad_input("\"" + name + "\": unknown data format",
                    {"name the file .csv, .yaml, .yml or .json"});
}

}  // namespace signet::templates
