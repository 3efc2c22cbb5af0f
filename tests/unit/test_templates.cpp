#include "signet/error.hpp"
#include "support.hpp"
#include "templates/data.hpp"
#include "templates/placeholder.hpp"
#include "templates/template.hpp"

#include <doctest/doctest.h>

#include <fstream>

using namespace signet;
using namespace signet::templates;

namespace {

std::string error_of(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("placeholders are found with spaces trimmed, and malformed ones named") {
    CHECK(scan_placeholders("Act {{ deal.number }} of {{date}}").keys ==
          std::vector<std::string>{"deal.number", "date"});
    CHECK(scan_placeholders("no placeholders").keys.empty());
    CHECK(scan_placeholders("{{deal.number").problem.has_value());
    CHECK(scan_placeholders("deal}}").problem.has_value());
    CHECK(scan_placeholders("{{deal number}}").problem.has_value());
    CHECK(scan_placeholders("{{}}").problem.has_value());
    CHECK(scan_placeholders("{{a..b}}").problem.has_value());
}

TEST_CASE("render fills every placeholder and names the first missing key") {
    auto lookup = [](const std::string& k) -> std::optional<std::string> {
        if (k == "deal.number") {
            return std::string("17");
        }
        return std::nullopt;
    };
    auto missing = [](const std::string& k) { return "no value for " + k; };
    CHECK(render_placeholders("No. {{deal.number}}!", lookup, missing) == "No. 17!");
    CHECK(error_of([&] { render_placeholders("{{deal.number}} {{client.name}}", lookup, missing); }) ==
          "no value for client.name");
}

TEST_CASE("the CSV delimiter is the one the header uses most, outside quotes") {
    CHECK(detect_delimiter("a,b,c\n") == ',');
    CHECK(detect_delimiter("a;b;c\n1,5;2,5;3\n") == ';');
    CHECK(detect_delimiter("a\tb\tc") == '\t');
    CHECK(detect_delimiter("\"x;y;z\",b\n") == ',');
    CHECK(detect_delimiter("single") == ',');
}

TEST_CASE("CSV as Excel exports it: BOM, semicolons, CRLF, quotes with line breaks") {
    const std::string text =
        "\xEF\xBB\xBF" "deal.number;client.name;client.address\r\n"
        "17;\"Żółć \"\"Łódź\"\"\";\"ul. Prosta 1\r\n00-001 Warszawa\"\r\n"
        "\r\n"
        "18;Пётр;\"a;b\"\r\n";
    const std::vector<DataRow> rows = parse_csv(text, "deals.csv");
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].line == 2);
    CHECK(rows[0].values.at("deal.number") == "17");
    CHECK(rows[0].values.at("client.name") == "Żółć \"Łódź\"");
    CHECK(rows[0].values.at("client.address") == "ul. Prosta 1\r\n00-001 Warszawa");
    CHECK(rows[1].line == 5);  // after the two-line record and a blank line
    CHECK(rows[1].number == 2);
    CHECK(rows[1].values.at("client.address") == "a;b");
}

TEST_CASE("CSV refusals name the file and line") {
    CHECK(error_of([] { parse_csv("a,b\n1,2\n3,\xE9\n", "x.csv"); }).rfind("x.csv:3:3: not UTF-8 text (byte 0xE9)", 0) == 0);
    CHECK(error_of([] { parse_csv("a,b\n1,\"open\n", "x.csv"); }) == "x.csv:2: a quoted field is not closed");
    CHECK(error_of([] { parse_csv("a,b\n1\n", "x.csv"); }).rfind("x.csv:2: the row has 1 cells, the header 2", 0) == 0);
    CHECK(error_of([] { parse_csv("a,b\n1,2,3\n", "x.csv"); }).rfind("x.csv:2: the row has 3 cells", 0) == 0);
    CHECK(error_of([] { parse_csv("a,a\n", "x.csv"); }) == "x.csv:1: the header names \"a\" twice");
    CHECK(error_of([] { parse_csv("a,b c\n", "x.csv"); }).rfind("x.csv:1: column 2 of the header", 0) == 0);
    CHECK(error_of([] { parse_csv("", "x.csv"); }) == "x.csv: the file is empty");
    // Trailing empty cells (a spreadsheet's empty columns) are fine.
    CHECK(parse_csv("a,b,\n1,2,\n", "x.csv").size() == 1);
}

TEST_CASE("YAML and JSON rows are nested maps flattened to dotted keys") {
    const auto one = parse_yaml_rows("deal: {number: 17, amount: \"12 300,00\"}\nclient:\n  name: Jan\n", "d.yaml");
    REQUIRE(one.size() == 1);
    CHECK(one[0].values.at("deal.number") == "17");
    CHECK(one[0].values.at("deal.amount") == "12 300,00");
    CHECK(one[0].values.at("client.name") == "Jan");
    const auto list = parse_yaml_rows("[{\"a\": {\"b\": \"x\"}},\n {\"a\": {\"b\": \"y\"}}]", "d.json");
    REQUIRE(list.size() == 2);
    CHECK(list[1].values.at("a.b") == "y");
    CHECK(list[1].line == 2);
    CHECK(error_of([] { parse_yaml_rows("a: [1, 2]\n", "d.yaml"); }).rfind("d.yaml:1:4: a: a list", 0) == 0);
    CHECK(error_of([] { parse_yaml_rows("just text", "d.yaml"); }).find("expected a mapping") != std::string::npos);
}

TEST_CASE("a template's problems are diagnostics at their line and column") {
    test::TempDir tmp;
    const auto file = tmp.path() / "t.yaml";
    std::ofstream(file) << "signet: 2\nname: x\ntitle: \"T\"\ndocument: none.pdf\nparties:\n"
                           "  - role: a\n    name: A\n    email: a@b.test\n    colour: red\n";
    const LoadResult r = load_template(file);
    CHECK(r.has_errors());
    std::vector<std::string> texts;
    for (const Diagnostic& d : r.diagnostics) {
        texts.push_back(std::to_string(d.place.line) + ":" + std::to_string(d.place.column) + " " + d.message);
    }
    CHECK(std::find(texts.begin(), texts.end(),
                    "1:9 signet: format version \"2\" is not known (this signet reads version 1)") != texts.end());
    CHECK(std::find(texts.begin(), texts.end(), "9:5 unknown key \"colour\" in a party") != texts.end());
    CHECK(std::find(texts.begin(), texts.end(), "6:5 party \"a\" signs but has no signature field") != texts.end());
    CHECK(error_of([&] { require_template(file); }).rfind(file.string() + ":1:9: signet: format version", 0) == 0);
}
