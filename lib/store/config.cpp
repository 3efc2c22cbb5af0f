#include "store/config.hpp"

#include "signet/error.hpp"
#include "util/fs.hpp"
#include "util/text.hpp"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <fstream>
#include <set>

namespace signet::store {
namespace {

const std::set<std::string> k_locales = {"en", "pl", "ru", "de", "fr", "it"};

std::string where(const std::filesystem::path& file, const YAML::Mark& mark) {
    return file.string() + ":" + std::to_string(mark.line + 1) + ":" +
           std::to_string(mark.column + 1);
}

// "14d", "36h" or a bare number of days.
long parse_days(const std::string& text) {
    char* end = nullptr;
    const long n = std::strtol(text.c_str(), &end, 10);
    if (end == text.c_str() || n <= 0) {
        return -1;
    }
    const std::string unit(end);
    if (unit.empty() || unit == "d") {
        return n;
    }
    if (unit == "w") {
        return n * 7;
    }
    return -1;
}

bool is_region_code(const std::string& s) {
    return s.size() == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z';
}

}  // namespace

bool is_known_timezone(const std::string& zone) {
    if (zone.empty() || zone.find("..") != std::string::npos || zone[0] == '/') {
        return false;
    }
    if (zone == "UTC") {
        return true;
    }
    std::error_code ec;
    return std::filesystem::is_regular_file("/usr/share/zoneinfo/" + zone, ec);
}

Config load_config(const std::filesystem::path& file) {
    Config config;
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) {
        return config;
    }
    YAML::Node root;
    try {
        root = YAML::LoadFile(file.string());
    } catch (const YAML::Exception& e) {
        throw bad_input(where(file, e.mark) + ": " + e.msg);
    }
    if (!root || root.IsNull()) {
        return config;
    }
    if (!root.IsMap()) {
        throw bad_input(where(file, root.Mark()) + ": expected a mapping of settings");
    }
    for (const auto& item : root) {
        const std::string key = item.first.as<std::string>();
        const YAML::Node& value = item.second;
        const std::string at = where(file, value.Mark());
        if (!value.IsScalar() && !(value.IsNull())) {
            if (key == "delivery" || key == "hooks") {
                continue;  // read by the delivery module
            }
            throw bad_input(at + ": \"" + key + "\" must be a single value");
        }
        const std::string text = value.IsNull() ? std::string() : value.as<std::string>();
        if (key == "phone_region") {
            if (!text.empty() && !is_region_code(text)) {
                throw bad_input(at + ": phone_region must be a two-letter country code such as PL");
            }
            config.phone_region = text;
        } else if (key == "timezone") {
            if (!is_known_timezone(text)) {
                throw bad_input(at + ": unknown time zone \"" + text + "\"",
                                {"use an IANA name such as Europe/Warsaw"});
            }
            config.timezone = text;
        } else if (key == "date_format") {
            if (text.empty()) {
                throw bad_input(at + ": date_format is empty");
            }
            config.date_format = text;
        } else if (key == "locale") {
            if (k_locales.count(text) == 0) {
                throw bad_input(at + ": unknown locale \"" + text + "\"",
                                {"one of: en pl ru de fr it"});
            }
            config.locale = text;
        } else if (key == "expires_in") {
            const long days = parse_days(text);
            if (days <= 0) {
                throw bad_input(at + ": expires_in must be a number of days such as 14d");
            }
            config.expires_in_days = days;
        } else if (key == "delivery" || key == "hooks") {
            continue;
        } else {
            throw bad_input(where(file, item.first.Mark()) + ": unknown setting \"" + key + "\"");
        }
    }
    return config;
}

std::string default_config_text(const Config& config) {
    std::string text;
    text += "# signet store settings; see signet-config(5).\n";
    text += "\n";
    text += "# Region for phone numbers written without a country code (ISO 3166\n";
    text += "# alpha-2, e.g. PL, DE, FR, IT, RU). Leave empty to require +CC numbers.\n";
    text += "phone_region: \"" + config.phone_region + "\"\n";
    text += "\n";
    text += "# Time zone (IANA name) for dates shown to people and date_signed fields.\n";
    text += "timezone: " + config.timezone + "\n";
    text += "\n";
    text += "# strftime pattern for date_signed fields, e.g. \"%d.%m.%Y\".\n";
    text += "date_format: \"" + config.date_format + "\"\n";
    text += "\n";
    text += "# Language of the messages sent to parties: en pl ru de fr it.\n";
    text += "locale: " + config.locale + "\n";
    text += "\n";
    text += "# How long a sent envelope stays open before it expires.\n";
    text += "expires_in: " + std::to_string(config.expires_in_days) + "d\n";
    return text;
}

Config guess_config_defaults() {
    Config config;
    for (const char* var : {"LC_ALL", "LC_TELEPHONE", "LANG"}) {
        const char* value = std::getenv(var);
        if (value == nullptr) {
            continue;
        }
        // ll_CC[.charset][@modifier]
        const std::string locale(value);
        const auto underscore = locale.find('_');
        if (underscore != std::string::npos && locale.size() >= underscore + 3) {
            const std::string region = locale.substr(underscore + 1, 2);
            if (is_region_code(region)) {
                config.phone_region = region;
                const std::string language = locale.substr(0, underscore);
                if (k_locales.count(language) != 0) {
                    config.locale = language;
                }
                break;
            }
        }
    }
    std::string zone;
    if (const char* tz = std::getenv("TZ"); tz != nullptr) {
        zone = tz[0] == ':' ? tz + 1 : tz;
    } else {
        std::ifstream in("/etc/timezone");
        std::getline(in, zone);
        zone = util::trim(zone);
    }
    if (is_known_timezone(zone)) {
        config.timezone = zone;
    }
    return config;
}

}  // namespace signet::store
