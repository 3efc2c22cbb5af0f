#include "util/json.hpp"

#include <doctest/doctest.h>

using signet::util::JsonWriter;

TEST_CASE("json writer nests objects and arrays with commas in the right places") {
    std::string out;
    JsonWriter w(out, /*pretty=*/false);
    w.begin_object();
    w.field("schema", 1);
    w.key("list").begin_array().value("a").value(true).null().end_array();
    w.key("empty").begin_object().end_object();
    w.key("rect").inline_numbers({72, 600.5, 180, 50});
    w.end_object();
    CHECK(out == R"({"schema":1,"list":["a",true,null],"empty":{},"rect":[72,600.5,180,50]})");
}

TEST_CASE("json strings escape quotes, backslashes and control characters and keep UTF-8") {
    std::string out;
    signet::util::append_json_string(out, "Пётр \"P\" \\ \n\x01");
    CHECK(out == "\"Пётр \\\"P\\\" \\\\ \\n\\u0001\"");
}

TEST_CASE("pretty json ends with a newline and indents by two") {
    std::string out;
    JsonWriter w(out);
    w.begin_object().field("a", 1).end_object();
    CHECK(out == "{\n  \"a\": 1\n}\n");
}

TEST_CASE("a vector of strings is written as an array of strings") {
    std::string out;
    JsonWriter w(out, /*pretty=*/false);
    w.begin_object();
    w.field("invited", std::vector<std::string>{"company", "client"});
    w.field("none", std::vector<std::string>{});
    w.end_object();
    CHECK(out == R"({"invited":["company","client"],"none":[]})");
}
