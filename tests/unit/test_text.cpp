#include "signet/error.hpp"
#include "util/text.hpp"

#include <doctest/doctest.h>

using namespace signet;

TEST_CASE("utf-8 validation accepts Polish and Cyrillic and rejects malformed bytes") {
    CHECK(util::is_valid_utf8("Żółć Łódź Пётр"));
    CHECK_FALSE(util::is_valid_utf8("\xC3"));              // truncated sequence
    CHECK_FALSE(util::is_valid_utf8("\xC0\xAF"));          // overlong slash
    CHECK_FALSE(util::is_valid_utf8("\xED\xA0\x80"));      // surrogate
    CHECK_FALSE(util::is_valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
}

TEST_CASE("control characters are found, including C1 and line breaks") {
    CHECK(util::find_control_char("Anna Nowak") == std::string_view::npos);
    CHECK(util::find_control_char("Anna\x01Nowak") == 4);
    CHECK(util::find_control_char("a\nb") == 1);
    CHECK(util::find_control_char("a\xC2\x85" "b") == 1);  // NEL
    CHECK(util::find_control_char("Пётр\x7F") == 8);
}

TEST_CASE("a clean line must be valid, control-free and not blank") {
    CHECK_NOTHROW(util::require_clean_line("Łódź", "name"));
    CHECK_THROWS_AS(util::require_clean_line("   ", "name"), Error);
    CHECK_THROWS_WITH(util::require_clean_line("a\tb", "party 1: name"),
                      doctest::Contains("party 1: name contains a control character"));
}

TEST_CASE("display width counts characters, wide ones double and combining ones not at all") {
    CHECK(util::display_width("Łódź") == 4);
    CHECK(util::display_width("Пётр") == 4);
    CHECK(util::display_width("日本") == 4);
    CHECK(util::display_width("e\xCC\x81") == 1);  // e + combining acute
}

TEST_CASE("truncation keeps whole characters and marks the cut") {
    CHECK(util::truncate_to_width("Żółć", 10) == "Żółć");
    CHECK(util::truncate_to_width("Акт выполненных работ", 5) == "Акт \u2026");
    CHECK(util::display_width(util::truncate_to_width("Акт выполненных работ", 5)) == 5);
    CHECK(util::pad_to_width("Łódź", 6) == "Łódź  ");
}

TEST_CASE("quoted escapes quotes and control characters for messages") {
    CHECK(util::quoted("a\"b") == "\"a\\\"b\"");
    CHECK(util::quoted("a\x01") == "\"a\\x01\"");
    CHECK(util::quoted("Łódź") == "\"Łódź\"");
    CHECK(util::quoted("a\xC3") == "\"a\\xc3\"");  // a cut UTF-8 sequence is escaped
}

TEST_CASE("to_lower makes the seed languages' capitals small and keeps the rest") {
    CHECK(util::to_lower("TAK") == "tak");
    CHECK(util::to_lower("ДА") == "да");
    CHECK(util::to_lower("ЁЛКА") == "ёлка");
    CHECK(util::to_lower("SÌ") == "sì");
    CHECK(util::to_lower("ŁÓDŹ ŻÓŁĆ ĄĘŚŃ") == "łódź żółć ąęśń");
    CHECK(util::to_lower("ÄÖÜ ÇÉÈ") == "äöü çéè");
    CHECK(util::to_lower("2×3 日本 ß") == "2×3 日本 ß");
    CHECK(util::to_lower("already small") == "already small");
    CHECK(util::to_lower("A\xFF" "B") == "a\xFF" "b");  // a malformed byte is kept
}
