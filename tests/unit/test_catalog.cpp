#include "i18n/catalog.hpp"
#include "signet/error.hpp"
#include "util/text.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <set>

using namespace signet;
using i18n::Catalog;

namespace {

std::set<std::string> placeholder_set(const std::string& text) {
    const auto names = i18n::placeholders_of(text);
    return {names.begin(), names.end()};
}

}  // namespace

TEST_CASE("signet is built with a message catalogue for each of its six languages") {
    const auto& locales = Catalog::locales();
    CHECK(locales == std::vector<std::string>{"en", "pl", "ru", "de", "fr", "it"});
    for (const auto& locale : locales) {
        CHECK(Catalog::of(locale).locale() == locale);
    }
}

TEST_CASE("every catalogue has the English keys, and each text the English placeholders") {
    const Catalog& en = Catalog::of("en");
    REQUIRE(en.keys().size() > 20);
    for (const auto& locale : Catalog::locales()) {
        const Catalog& c = Catalog::of(locale);
        INFO("messages/" << locale << ".yaml");
        CHECK(c.keys() == en.keys());
        for (const auto& key : en.keys()) {
            INFO(key);
            REQUIRE(c.is_count(key) == en.is_count(key));
            if (en.is_count(key)) {
                for (const auto& [category, text] : c.forms(key)) {
                    CHECK(placeholder_set(text) == std::set<std::string>{"n"});
                }
                continue;
            }
            const std::string& text = c.raw(key);
            CHECK(placeholder_set(text) == placeholder_set(en.raw(key)));
            CHECK(util::is_valid_utf8(text));
            // A subject or an SMS is one line (an SMS may put the command
            // on a line of its own).
            if (key.find(".subject") != std::string::npos || key == "greeting") {
                CHECK(text.find('\n') == std::string::npos);
            }
        }
    }
}

TEST_CASE("in every language the command and the code are where CLI.md says") {
    for (const auto& locale : Catalog::locales()) {
        const Catalog& c = Catalog::of(locale);
        INFO(locale);
        CHECK(c.raw("invitation.sms").rfind("{command}\n", 0) == 0);
        CHECK(c.raw("reminder.sms").rfind("{command}\n", 0) == 0);
        if (locale == "en") {
            CHECK(c.raw("code.sms").rfind("signet code {code} ", 0) == 0);
        } else {
            CHECK(c.raw("code.sms").rfind("signet: {code} ", 0) == 0);
        }
        // The command and the code stand on lines of their own in a mail, in
        // every language: scripts and signers find them there (CLI.md).
        CHECK(c.raw("invitation.mail").find("\n    {command}\n") != std::string::npos);
        CHECK(c.raw("code.mail").find("\n    {code}\n") != std::string::npos);
    }
}

TEST_CASE("plural categories follow CLDR for the six languages") {
    using i18n::plural_category;
    CHECK(plural_category("en", 1) == "one");
    CHECK(plural_category("en", 0) == "other");
    CHECK(plural_category("en", 2) == "other");
    CHECK(plural_category("de", 1) == "one");
    CHECK(plural_category("it", 21) == "other");
    CHECK(plural_category("fr", 0) == "one");
    CHECK(plural_category("fr", 1) == "one");
    CHECK(plural_category("fr", 2) == "other");
    // Polish: 1 strona, 2-4 strony, 5-21 stron, 22-24 strony, 12-14 stron.
    CHECK(plural_category("pl", 1) == "one");
    CHECK(plural_category("pl", 2) == "few");
    CHECK(plural_category("pl", 4) == "few");
    CHECK(plural_category("pl", 5) == "many");
    CHECK(plural_category("pl", 12) == "many");
    CHECK(plural_category("pl", 21) == "many");
    CHECK(plural_category("pl", 22) == "few");
    CHECK(plural_category("pl", 0) == "many");
    // Russian: 1 and 21 страница, 2-4 and 22 страницы, 11-14 and 5 страниц.
    CHECK(plural_category("ru", 1) == "one");
    CHECK(plural_category("ru", 21) == "one");
    CHECK(plural_category("ru", 11) == "many");
    CHECK(plural_category("ru", 3) == "few");
    CHECK(plural_category("ru", 22) == "few");
    CHECK(plural_category("ru", 12) == "many");
    CHECK(plural_category("ru", 5) == "many");
    CHECK(plural_category("ru", 111) == "many");
}

TEST_CASE("a count takes its language's form") {
    CHECK(Catalog::of("pl").count("count.pages", 1) == "1 strona");
    CHECK(Catalog::of("pl").count("count.pages", 3) == "3 strony");
    CHECK(Catalog::of("pl").count("count.pages", 5) == "5 stron");
    CHECK(Catalog::of("ru").count("count.pages", 21) == "21 страница");
    CHECK(Catalog::of("ru").count("count.minutes", 10) == "10 минут");
    CHECK(Catalog::of("en").count("count.pages", 1) == "1 page");
    CHECK(Catalog::of("de").count("count.pages", 2) == "2 Seiten");
    CHECK_THROWS_AS(Catalog::of("en").count("greeting", 1), Error);
}

TEST_CASE("a text fills its placeholders and refuses one without a value") {
    const Catalog& de = Catalog::of("de");
    CHECK(de.text("greeting", {{"name", "Jürgen Weiß"}}) == "Guten Tag Jürgen Weiß,");
    CHECK_THROWS_WITH_AS(de.text("greeting"), doctest::Contains("no value for {name}"), Error);
    CHECK_THROWS_AS(de.text("no.such.key"), Error);
    // A value is put in as it is: braces in it are not placeholders.
    CHECK(Catalog::of("en").text("greeting", {{"name", "{title}"}}) == "Hello {title},");
}

TEST_CASE("a locale there is no catalogue for gets English") {
    CHECK(Catalog::of("xx").locale() == "en");
    CHECK(Catalog::of("").text("greeting", {{"name", "Ann"}}) == "Hello Ann,");
}

TEST_CASE("a catalogue that is broken is refused with its file, line and column") {
    CHECK_THROWS_WITH(Catalog::parse("pl", "greeting: \"Hej\"\ncount.pages:\n  one: x\n", "pl.yaml"),
                      doctest::Contains("pl.yaml:3:3: \"count.pages\" lacks its \"few\" form"));
    CHECK_THROWS_WITH(Catalog::parse("en", "count.pages:\n  few: x\n", "en.yaml"),
                      doctest::Contains("en.yaml:2:3: \"few\" is not a plural form of en"));
    CHECK_THROWS_WITH(Catalog::parse("en", "a: [1, 2\n", "en.yaml"),
                      doctest::Contains("en.yaml:"));
    CHECK_THROWS_WITH(Catalog::parse("en", "Bad Key: x\n", "en.yaml"),
                      doctest::Contains("en.yaml:1:1: \"Bad Key\" is not a key"));
    const Catalog ok = Catalog::parse("ru", "count.pages:\n  one: \"{n} с\"\n  few: \"{n} сс\"\n"
                                            "  many: \"{n} ссс\"\n", "ru.yaml");
    CHECK(ok.count("count.pages", 2) == "2 сс");
}
