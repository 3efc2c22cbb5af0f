#include "store/config.hpp"

#include "delivery/mime.hpp"
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

const std::set<std::string> k_hook_events = {"completed", "declined", "voided", "expired"};

// An argv list such as [msmtp, -t]. One string is refused rather than split:
// signet never runs a shell, and guessing how to split would be one.
std::vector<std::string> read_argv(const std::filesystem::path& file, const YAML::Node& node,
                                   const std::string& what) {
    const std::string at = where(file, node.Mark());
    if (node.IsScalar()) {
        throw bad_input(at + ": " + what + " must be a list of arguments, not one string",
                        {"write it as a list, e.g. [msmtp, -t]: signet runs no shell"});
    }
    if (!node.IsSequence() || node.size() == 0) {
        throw bad_input(at + ": " + what + " must be a list of arguments such as [msmtp, -t]");
    }
    std::vector<std::string> argv;
    for (const auto& arg : node) {
        if (!arg.IsScalar()) {
            throw bad_input(where(file, arg.Mark()) + ": " + what +
                            ": each argument must be a single value");
        }
        argv.push_back(arg.as<std::string>());
    }
    if (argv.front().empty()) {
        throw bad_input(at + ": " + what + ": the program name is empty");
    }
    return argv;
}

int read_timeout(const std::filesystem::path& file, const YAML::Node& node,
                 const std::string& what) {
    const std::string text = node.IsScalar() ? node.as<std::string>() : std::string();
    char* end = nullptr;
    const long n = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || n < 1 || n > 3600) {
        throw bad_input(where(file, node.Mark()) + ": " + what +
                        " must be a number of seconds from 1 to 3600");
    }
    return static_cast<int>(n);
}

// delivery.mail / delivery.sms: {transport: outbox} or
// {transport: command, command: [ARGV...], timeout: SECONDS}.
TransportConfig read_transport(const std::filesystem::path& file, const YAML::Node& node,
                               const std::string& what) {
    TransportConfig transport;
    if (node.IsNull()) {
        return transport;
    }
    if (node.IsScalar() && node.as<std::string>() == "outbox") {
        return transport;
    }
    if (!node.IsMap()) {
        throw bad_input(where(file, node.Mark()) + ": " + what +
                            " must be a mapping such as {transport: outbox}",
                        {"or {transport: command, command: [msmtp, -t], timeout: 30}"});
    }
    bool kind_given = false;
    for (const auto& item : node) {
        const std::string key = item.first.as<std::string>();
        const YAML::Node& value = item.second;
        if (key == "transport") {
            const std::string kind = value.IsScalar() ? value.as<std::string>() : std::string();
            if (kind == "outbox") {
                transport.kind = TransportConfig::Kind::outbox;
            } else if (kind == "command") {
                transport.kind = TransportConfig::Kind::command;
            } else {
                throw bad_input(where(file, value.Mark()) + ": " + what +
                                ".transport must be outbox or command");
            }
            kind_given = true;
        } else if (key == "command") {
            transport.command = read_argv(file, value, what + ".command");
        } else if (key == "timeout") {
            transport.timeout_seconds = read_timeout(file, value, what + ".timeout");
        } else {
            throw bad_input(where(file, item.first.Mark()) + ": unknown setting \"" + what + "." +
                                key + "\"",
                            {"a transport takes: transport, command, timeout"});
        }
    }
    if (!kind_given && !transport.command.empty()) {
        transport.kind = TransportConfig::Kind::command;
    }
    if (transport.kind == TransportConfig::Kind::command && transport.command.empty()) {
        throw bad_input(where(file, node.Mark()) + ": " + what +
                            ": transport command needs a command list",
                        {"e.g. {transport: command, command: [msmtp, -t], timeout: 30}"});
    }
    if (transport.kind == TransportConfig::Kind::outbox && !transport.command.empty()) {
        throw bad_input(where(file, node.Mark()) + ": " + what +
                        ": a command is given but the transport is outbox");
    }
    return transport;
}

void read_delivery(const std::filesystem::path& file, const YAML::Node& node,
                   DeliveryConfig& delivery) {
    if (node.IsNull()) {
        return;
    }
    if (!node.IsMap()) {
        throw bad_input(where(file, node.Mark()) +
                        ": delivery must be a mapping with mail, sms and from");
    }
    for (const auto& item : node) {
        const std::string key = item.first.as<std::string>();
        const YAML::Node& value = item.second;
        if (key == "mail") {
            delivery.mail = read_transport(file, value, "delivery.mail");
        } else if (key == "sms") {
            delivery.sms = read_transport(file, value, "delivery.sms");
        } else if (key == "from") {
            if (!value.IsScalar()) {
                throw bad_input(where(file, value.Mark()) +
                                ": delivery.from must be an address such as "
                                "\"ACME Signing <signing@acme.test>\"");
            }
            const std::string text = value.as<std::string>();
            signet::delivery::parse_mailbox(text, where(file, value.Mark()) + ": delivery.from");
            delivery.from = text;
        } else {
            throw bad_input(where(file, item.first.Mark()) + ": unknown setting \"delivery." +
                                key + "\"",
                            {"delivery takes: mail, sms, from"});
        }
    }
}

void read_hooks(const std::filesystem::path& file, const YAML::Node& node,
                std::map<std::string, HookConfig>& hooks) {
    if (node.IsNull()) {
        return;
    }
    if (!node.IsMap()) {
        throw bad_input(where(file, node.Mark()) +
                        ": hooks must be a mapping such as {completed: [/usr/local/bin/crm-hook]}");
    }
    for (const auto& item : node) {
        const std::string key = item.first.as<std::string>();
        const YAML::Node& value = item.second;
        const std::string what = "hooks." + key;
        if (k_hook_events.count(key) == 0) {
            throw bad_input(where(file, item.first.Mark()) + ": unknown hook \"" + key + "\"",
                            {"hooks: completed, declined, voided, expired"});
        }
        HookConfig hook;
        if (value.IsNull()) {
            continue;
        }
        if (value.IsMap()) {
            for (const auto& setting : value) {
                const std::string name = setting.first.as<std::string>();
                if (name == "command") {
                    hook.command = read_argv(file, setting.second, what + ".command");
                } else if (name == "timeout") {
                    hook.timeout_seconds = read_timeout(file, setting.second, what + ".timeout");
                } else {
                    throw bad_input(where(file, setting.first.Mark()) + ": unknown setting \"" +
                                        what + "." + name + "\"",
                                    {"a hook takes: command, timeout"});
                }
            }
            if (hook.command.empty()) {
                throw bad_input(where(file, value.Mark()) + ": " + what + " needs a command list");
            }
        } else {
            hook.command = read_argv(file, value, what);
        }
        hooks[key] = hook;
    }
}

// timestamp: [ARGV...] or {command: [ARGV...], timeout: SECONDS}; null or
// absent means no timestamps.
std::optional<TimestampConfig> read_timestamp(const std::filesystem::path& file,
                                              const YAML::Node& node) {
    if (node.IsNull()) {
        return std::nullopt;
    }
    TimestampConfig tsa;
    if (node.IsMap()) {
        for (const auto& setting : node) {
            const std::string name = setting.first.as<std::string>();
            if (name == "command") {
                tsa.command = read_argv(file, setting.second, "timestamp.command");
            } else if (name == "timeout") {
                tsa.timeout_seconds = read_timeout(file, setting.second, "timestamp.timeout");
            } else {
                throw bad_input(where(file, setting.first.Mark()) +
                                    ": unknown setting \"timestamp." + name + "\"",
                                {"timestamp takes: command, timeout"});
            }
        }
        if (tsa.command.empty()) {
            throw bad_input(where(file, node.Mark()) + ": timestamp needs a command list",
                            {"e.g. timestamp: {command: [/usr/local/bin/tsa-client], timeout: 20}"});
        }
    } else {
        tsa.command = read_argv(file, node, "timestamp");
    }
    return tsa;
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
        if (key == "delivery") {
            read_delivery(file, value, config.delivery);
            continue;
        }
        if (key == "hooks") {
            read_hooks(file, value, config.delivery.hooks);
            continue;
        }
        if (key == "timestamp") {
            config.timestamp = read_timestamp(file, value);
            continue;
        }
        if (!value.IsScalar() && !(value.IsNull())) {
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
    text += "\n";
    text += "# How messages to parties leave, per channel. The default writes .eml and\n";
    text += "# .sms files into outbox/. A command is a list of arguments run without a\n";
    text += "# shell, the message on stdin, SIGNET_TO, SIGNET_SUBJECT, SIGNET_MESSAGE_ID\n";
    text += "# and SIGNET_CHANNEL in its environment; exit 0 means delivered, anything\n";
    text += "# else is retried with back-off by `signet deliver`.\n";
    text += "#delivery:\n";
    text += "#  mail: {transport: command, command: [msmtp, -t], timeout: 30}\n";
    text += "#  sms:  {transport: command, command: [/usr/local/bin/send-sms], timeout: 10}\n";
    text += "#  from: \"ACME Signing <signing@acme.test>\"\n";
    text += "\n";
    text += "# Commands run with the envelope's JSON on stdin when an envelope ends\n";
    text += "# (completed, declined, voided, expired), e.g. to move a CRM deal.\n";
    text += "#hooks:\n";
    text += "#  completed: [/usr/local/bin/crm-hook, --stage, signed]\n";
    text += "\n";
    text += "# An RFC 3161 time-stamping client: with it every signature carries a\n";
    text += "# timestamp that proves when it was made (PAdES B-T). Run without a shell,\n";
    text += "# a TimeStampReq (DER) on stdin, the TimeStampResp (DER) on stdout, e.g.\n";
    text += "# [curl, -sS, --fail, -H, \"Content-Type: application/timestamp-query\",\n";
    text += "# --data-binary, \"@-\", https://tsa.example.test/tsr].\n";
    text += "#timestamp: {command: [/usr/local/bin/tsa-client], timeout: 20}\n";
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
