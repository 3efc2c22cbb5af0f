#include "i18n/catalog.hpp"

#include "signet/error.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

namespace signet::i18n {

// messages/*.yaml as the build embedded them (generated/message_catalogs.cpp).
const std::vector<std::pair<std::string_view, std::string_view>>& embedded_catalogs();

namespace {

bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

// A catalogue parsed the first time it is asked for: a command needs one
// or two of them, and yaml-cpp takes a few milliseconds a file. Messages
// are rendered on delivery threads, hence call_once.
struct Slot {
    std::once_flag once;
    std::unique_ptr<Catalog> catalog;
};

const Catalog& catalog_at(std::size_t index) {
    static const std::unique_ptr<Slot[]> slots(new Slot[embedded_catalogs().size()]);
    Slot& slot = slots[index];
    std::call_once(slot.once, [&] {
        const auto& [locale, yaml] = embedded_catalogs()[index];
        slot.catalog = std::make_unique<Catalog>(
            Catalog::parse(locale, yaml, "messages/" + std::string(locale) + ".yaml"));
    });
    return *slot.catalog;
}

std::string at(std::string_view origin, const YAML::Mark& mark) {
    return std::string(origin) + ":" + std::to_string(mark.line + 1) + ":" +
           std::to_string(mark.column + 1);
}

}  // namespace

std::string_view plural_category(std::string_view locale, long long n) {
    const long long abs = n < 0 ? -n : n;
    const long long mod10 = abs % 10;
    const long long mod100 = abs % 100;
    if (locale == "pl") {
        if (abs == 1) {
            return "one";
        }
        return mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14) ? "few" : "many";
    }
    if (locale == "ru") {
        if (mod10 == 1 && mod100 != 11) {
            return "one";
        }
        return mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14) ? "few" : "many";
    }
    if (locale == "fr") {
        return abs <= 1 ? "one" : "other";  // 0 and 1 take the singular
    }
    return abs == 1 ? "one" : "other";  // en de it
}

std::vector<std::string> plural_categories(std::string_view locale) {
    if (locale == "pl" || locale == "ru") {
        return {"one", "few", "many"};
    }
    return {"one", "other"};
}

std::vector<std::string> placeholders_of(std::string_view text) {
    std::vector<std::string> names;
    for (std::size_t i = text.find('{'); i != std::string_view::npos; i = text.find('{', i + 1)) {
        const std::size_t end = text.find('}', i);
        if (end == std::string_view::npos) {
            break;
        }
        std::string name(text.substr(i + 1, end - i - 1));
        bool seen = false;
        for (const auto& n : names) {
            seen = seen || n == name;
        }
        if (!seen) {
            names.push_back(std::move(name));
        }
    }
    return names;
}

std::string fill_placeholders(std::string_view text, const TextValues& values,
                              std::string_view what) {
    std::string out;
    out.reserve(text.size() + 64);
    std::size_t from = 0;
    while (true) {
        const std::size_t open = text.find('{', from);
        out.append(text.substr(from, open == std::string_view::npos ? text.npos : open - from));
        if (open == std::string_view::npos) {
            return out;
        }
        const std::size_t close = text.find('}', open);
        if (close == std::string_view::npos) {
            throw internal_error(std::string(what) + ": a brace is not closed");
        }
        const std::string_view name = text.substr(open + 1, close - open - 1);
        const auto value = values.find(name);
        if (value == values.end()) {
            throw internal_error(std::string(what) + ": no value for {" + std::string(name) + "}");
        }
        out += value->second;
        from = close + 1;
    }
}

const std::vector<std::string>& Catalog::locales() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> out = {"en"};
        for (const auto& [locale, yaml] : embedded_catalogs()) {
            if (locale != "en") {
                out.emplace_back(locale);
            }
        }
        return out;
    }();
    return names;
}

const Catalog& Catalog::of(std::string_view locale) {
    const auto& embedded = embedded_catalogs();
    std::optional<std::size_t> english;
    for (std::size_t i = 0; i < embedded.size(); ++i) {
        if (embedded[i].first == locale) {
            return catalog_at(i);
        }
        if (embedded[i].first == "en") {
            english = i;
        }
    }
    if (!english) {
        throw internal_error("signet was built without its English message catalogue");
    }
    return catalog_at(*english);
}

Catalog Catalog::parse(std::string_view locale, std::string_view yaml, std::string_view origin) {
    Catalog c;
    c.m_locale = std::string(locale);
    YAML::Node root;
    try {
        root = YAML::Load(std::string(yaml));
    } catch (const YAML::Exception& e) {
        throw bad_input(at(origin, e.mark) + ": " + e.msg);
    }
    if (!root.IsMap()) {
        throw bad_input(std::string(origin) + ": a catalogue is a map of keys to texts");
    }
    const std::vector<std::string> categories = plural_categories(locale);
    for (const auto& entry : root) {
        const std::string key = entry.first.Scalar();
        const YAML::Node& value = entry.second;
        if (key.empty() || !std::all_of(key.begin(), key.end(), [](char ch) {
                return is_name_char(ch) || ch == '.';
            })) {
            throw bad_input(at(origin, entry.first.Mark()) + ": \"" + key +
                            "\" is not a key (a-z 0-9 _ .)");
        }
        if (c.m_texts.count(key) != 0 || c.m_counts.count(key) != 0) {
            throw bad_input(at(origin, entry.first.Mark()) + ": \"" + key + "\" twice");
        }
        if (value.IsScalar()) {
            c.m_texts.emplace(key, value.Scalar());
            continue;
        }
        if (!value.IsMap()) {
            throw bad_input(at(origin, value.Mark()) + ": \"" + key +
                            "\" is neither a text nor a map of plural forms");
        }
        std::map<std::string, std::string, std::less<>> forms;
        for (const auto& form : value) {
            const std::string category = form.first.Scalar();
            if (std::find(categories.begin(), categories.end(), category) == categories.end() ||
                !form.second.IsScalar()) {
                throw bad_input(at(origin, form.first.Mark()) + ": \"" + category +
                                "\" is not a plural form of " + std::string(locale));
            }
            forms.emplace(category, form.second.Scalar());
        }
        for (const auto& category : categories) {
            if (forms.count(category) == 0) {
                throw bad_input(at(origin, value.Mark()) + ": \"" + key + "\" lacks its \"" +
                                category + "\" form");
            }
        }
        c.m_counts.emplace(key, std::move(forms));
    }
    return c;
}

std::string Catalog::text(std::string_view key, const TextValues& values) const {
    const auto it = m_texts.find(key);
    if (it == m_texts.end()) {
        if (m_locale != "en") {
            return of("en").text(key, values);
        }
        throw internal_error("no message text \"" + std::string(key) + "\"");
    }
    return fill_placeholders(it->second, values, m_locale + " message \"" + std::string(key) + "\"");
}

bool Catalog::has(std::string_view key) const {
    if (m_texts.count(key) != 0 || m_counts.count(key) != 0) {
        return true;
    }
    return m_locale != "en" && of("en").has(key);
}

std::string Catalog::count(std::string_view key, long long n) const {
    const auto it = m_counts.find(key);
    if (it == m_counts.end()) {
        if (m_locale != "en") {
            return of("en").count(key, n);
        }
        throw internal_error("no message count \"" + std::string(key) + "\"");
    }
    const auto form = it->second.find(plural_category(m_locale, n));
    return fill_placeholders(form->second, {{"n", std::to_string(n)}},
                             m_locale + " message \"" + std::string(key) + "\"");
}

std::vector<std::string> Catalog::keys() const {
    std::vector<std::string> out;
    for (const auto& [key, text] : m_texts) {
        out.push_back(key);
    }
    for (const auto& [key, forms] : m_counts) {
        out.push_back(key);
    }
    std::sort(out.begin(), out.end());
    return out;
}

bool Catalog::is_count(std::string_view key) const { return m_counts.count(key) != 0; }

const std::string& Catalog::raw(std::string_view key) const {
    const auto it = m_texts.find(key);
    if (it == m_texts.end()) {
        throw internal_error("no message text \"" + std::string(key) + "\" in " + m_locale);
    }
    return it->second;
}

const std::map<std::string, std::string, std::less<>>& Catalog::forms(std::string_view key) const {
    const auto it = m_counts.find(key);
    if (it == m_counts.end()) {
        throw internal_error("no message count \"" + std::string(key) + "\" in " + m_locale);
    }
    return it->second;
}

}  // namespace signet::i18n
