// Time: the store keeps UTC seconds since the epoch; output is RFC 3339.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>

namespace signet::util {

using UnixTime = std::int64_t;

// Now, in seconds since the epoch. SIGNET_NOW (an RFC 3339 UTC time or epoch
// seconds) overrides it so that tests and demos are reproducible.
UnixTime now();

// t in UTC, formatted with a strftime pattern.
std::string format_utc(UnixTime t, const char* pattern);

// Held while $TZ is switched to answer the two functions below (any
// thread may call them); code that reads the whole environment, such as
// the start of a hook, takes it too.
std::mutex& environment_mutex();

// t as local time in the IANA zone `zone` ("Europe/Warsaw"), formatted with
// a strftime pattern (%Z gives the zone's abbreviation, %z its offset). An
// unknown zone falls back to UTC, as the C library does.
std::string format_in_zone(UnixTime t, const std::string& zone, const std::string& pattern);

// The same local time `days` calendar days after t in the IANA zone
// `zone`: 24 hours a day, but 23 or 25 across a change of summer time. A
// local time that does not exist that day (skipped when clocks go forward)
// moves on by the change; one that occurs twice is taken once, as mktime
// does. An unknown zone counts as UTC, as the C library does.
UnixTime add_days_in_zone(UnixTime t, std::int64_t days, const std::string& zone);

// True for UTC under any of its names ("UTC", "Etc/UTC", "Zulu", ...), and
// for "" (no zone).
bool is_utc_zone(const std::string& zone);

// t for people, in the zone and in UTC: "2026-11-23 10:00:00 CET
// (UTC+01:00) · 2026-11-23 09:00:00 UTC"; the UTC time alone when the zone is
// UTC (is_utc_zone).
std::string format_zone_and_utc(UnixTime t, const std::string& zone);

// "2026-11-23T09:07:51Z".
std::string rfc3339_utc(UnixTime t);

// Parses "YYYY-MM-DDTHH:MM:SSZ" (or epoch seconds); throws bad_input.
UnixTime parse_rfc3339_utc(const std::string& s);

// A short age for people: "45s", "12m", "3h", "5d".
std::string short_duration(std::int64_t seconds);

}  // namespace signet::util
