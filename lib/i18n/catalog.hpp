// Message catalogues: the texts of the messages signet sends, one YAML file
// per language in messages/ (en pl ru de fr it), built into the binary so
// nothing is read at run time. A text names the values it takes as {name};
// a count ("3 pages") lists the plural forms its language needs (CLDR's
// cardinal categories: English one/other, Polish and Russian one/few/many).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace signet::i18n {

using TextValues = std::map<std::string, std::string, std::less<>>;

// CLDR's cardinal plural category of the whole number n in `locale`: "one",
// "few", "many" or "other". Unknown locales follow English.
std::string_view plural_category(std::string_view locale, long long n);

// The categories a count needs in `locale` ({"one", "other"} for English).
std::vector<std::string> plural_categories(std::string_view locale);

class Catalog {
public:
    // The languages there is a catalogue for: en first.
    static const std::vector<std::string>& locales();

    // The catalogue of `locale`; English for a locale there is none for.
    static const Catalog& of(std::string_view locale);

    // Parses one catalogue's YAML (a map of key -> text, or key -> map of
    // plural category -> text). Throws bad_input naming `origin`, the line
    // and the column for anything else.
    static Catalog parse(std::string_view locale, std::string_view yaml, std::string_view origin);

    const std::string& locale() const { return m_locale; }

    // The text under `key`, each {name} replaced by values[name]. A key this
    // catalogue lacks comes from English. Throws internal_error for a key no
    // catalogue has or a {name} without a value.
    std::string text(std::string_view key, const TextValues& values = {}) const;

    // True when `key` is a text or a count here or in English.
    bool has(std::string_view key) const;

    // The form of count `key` for n, its {n} replaced by n ("3 strony").
    // Throws internal_error for a key that is not a count.
    std::string count(std::string_view key, long long n) const;

    // For tests and catalogue checks: every key, and a text's or count
    // form's raw template (for a count: its forms, keyed by category).
    std::vector<std::string> keys() const;
    bool is_count(std::string_view key) const;
    const std::string& raw(std::string_view key) const;
    const std::map<std::string, std::string, std::less<>>& forms(std::string_view key) const;

private:
    std::string m_locale;
    std::map<std::string, std::string, std::less<>> m_texts;
    std::map<std::string, std::map<std::string, std::string, std::less<>>, std::less<>> m_counts;
};

// The {name}s a template uses, in order of appearance, each once.
std::vector<std::string> placeholders_of(std::string_view text);

// `text` with each {name} replaced by values[name]; throws internal_error,
// naming `what`, for a {name} without a value or an unclosed brace.
std::string fill_placeholders(std::string_view text, const TextValues& values,
                              std::string_view what);

}  // namespace signet::i18n
