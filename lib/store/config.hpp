// config.yaml: the store's settings that people edit.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace signet::store {

// How one channel's messages leave: files in outbox/ (the default), or a
// command run as argv (never through a shell) with the message on stdin.
struct TransportConfig {
    enum class Kind { outbox, command };
    Kind kind = Kind::outbox;
    std::vector<std::string> command;  // argv; empty for outbox
    int timeout_seconds = 30;
};

// A command run with the envelope's JSON on stdin when an envelope ends.
struct HookConfig {
    std::vector<std::string> command;  // argv
    int timeout_seconds = 30;
};

// config.yaml's `delivery:` and `hooks:`.
struct DeliveryConfig {
    TransportConfig mail;
    TransportConfig sms;
    std::string from;  // "Name <address>"; "" means "<organisation> <signet@HOST>"
    // By event: completed, declined, voided, expired.
    std::map<std::string, HookConfig> hooks;
};

// config.yaml's `timestamp:`: an RFC 3161 time-stamping client, run as argv
// (never through a shell) with a TimeStampReq (DER) on stdin, answering with
// the TimeStampResp (DER) on stdout. When set, every signature signet makes
// carries a signature timestamp (PAdES B-T).
struct TimestampConfig {
    std::vector<std::string> command;  // argv
    int timeout_seconds = 20;
};

struct Config {
    std::string phone_region;            // ISO 3166 alpha-2, "" when unset
    std::string timezone = "UTC";        // IANA name
    std::string date_format = "%Y-%m-%d";  // strftime pattern for date_signed
    std::string locale = "en";           // en pl ru de fr it
    long expires_in_days = 14;           // how long a sent envelope stays open
    DeliveryConfig delivery;
    std::optional<TimestampConfig> timestamp;  // none: signatures are PAdES B-B
};

// Reads config.yaml; throws bad_input naming the file, line and column of a
// bad value. A missing file gives the defaults.
Config load_config(const std::filesystem::path& file);

// The commented config.yaml that `signet init` writes.
std::string default_config_text(const Config& config);

// Guesses defaults for a new store from the environment: the phone region
// from LANG/LC_ALL (pl_PL → PL), the zone from TZ or /etc/timezone.
Config guess_config_defaults();

// True when `zone` names a zone in the system's tz database.
bool is_known_timezone(const std::string& zone);

}  // namespace signet::store
