// Data rows for templates: CSV (as spreadsheets in the seed locales export
// it), YAML or JSON. A row is a flat map from dotted keys to text.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace signet::templates {

struct DataRow {
    std::string file;  // as the user named it
    int line = 0;      // where the row starts (1-based)
    int number = 0;    // 1-based position among the file's rows
    std::map<std::string, std::string> values;

    // "FILE:LINE".
    std::string where() const;
    std::optional<std::string> get(const std::string& key) const;
};

// Reads every row of a data file, chosen by extension: .csv/.tsv/.txt as
// CSV, .yaml/.yml/.json as YAML. Throws bad_input naming the file and line
// ("rows.csv:7: ...") for text that is not UTF-8, a broken quote, a row
// with more cells than the header, a header that is not dotted keys, a
// YAML node that is not a map of scalars.
std::vector<DataRow> read_data_file(const std::filesystem::path& file);

// The same, from text already read; `name` is used in errors and rows.
std::vector<DataRow> parse_csv(std::string_view text, const std::string& name);
std::vector<DataRow> parse_yaml_rows(std::string_view text, const std::string& name);

// The delimiter of a CSV header line: comma, semicolon or tab, whichever
// appears most outside quotes (comma when none does).
char detect_delimiter(std::string_view header);

}  // namespace signet::templates
