#include "util/time.hpp"

#include "signet/error.hpp"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <mutex>
#include <tuple>
#include <utility>

namespace signet::util {

UnixTime now() {
    if (const char* fixed = std::getenv("SIGNET_NOW"); fixed != nullptr && *fixed != '\0') {
        return parse_rfc3339_utc(fixed);
    }
    return static_cast<UnixTime>(std::time(nullptr));
}

std::string format_utc(UnixTime t, const char* pattern) {
    const auto tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[64];
    // The patterns are the callers' constants, never user input.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    const std::size_t n = std::strftime(buf, sizeof buf, pattern, &tm);
#pragma GCC diagnostic pop
    return std::string(buf, n);
}

namespace {

// Points $TZ at a zone for the scope's life (localtime_r and mktime follow
// it), then puts back what was there. Only with environment_mutex() held.
class ZoneScope {
public:
    explicit ZoneScope(const std::string& zone) {
        const char* saved = std::getenv("TZ");
        m_had = saved != nullptr;
        m_previous = m_had ? saved : "";
        setenv("TZ", zone.c_str(), 1);
        tzset();
    }
    ~ZoneScope() {
        if (m_had) {
            setenv("TZ", m_previous.c_str(), 1);
        } else {
            unsetenv("TZ");
        }
        tzset();
    }
    ZoneScope(const ZoneScope&) = delete;
    ZoneScope& operator=(const ZoneScope&) = delete;

private:
    bool m_had = false;
    std::string m_previous;
};

// Each switch of $TZ makes glibc read a zone file, twice per call with the
// way back; a bulk send asks the same questions (the batch's time, its
// expiry) for every envelope. So answers are kept, a few hundred at most.
constexpr std::size_t k_remembered = 512;

struct LocalTime {
    std::tm tm{};
    std::string zone_name;  // what %Z prints; tm.tm_zone points into it
};

LocalTime local_time(UnixTime t, const std::string& zone) {
    static std::map<std::pair<std::string, UnixTime>, LocalTime> remembered;
    const std::lock_guard<std::mutex> lock(environment_mutex());
    const auto key = std::make_pair(zone, t);
    if (const auto it = remembered.find(key); it != remembered.end()) {
        return it->second;
    }
    LocalTime out;
    {
        const ZoneScope scope(zone);
        const auto tt = static_cast<std::time_t>(t);
        localtime_r(&tt, &out.tm);
        out.zone_name = out.tm.tm_zone != nullptr ? out.tm.tm_zone : "";
    }
    if (remembered.size() >= k_remembered) {
        remembered.clear();
    }
    return remembered.emplace(key, out).first->second;
}

}  // namespace

std::mutex& environment_mutex() {
    static std::mutex mutex;
    return mutex;
}

std::string format_in_zone(UnixTime t, const std::string& zone, const std::string& pattern) {
    const LocalTime local = local_time(t, zone);
    std::tm tm = local.tm;
    tm.tm_zone = local.zone_name.c_str();
    char buf[256];
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    const std::size_t n = std::strftime(buf, sizeof buf, pattern.c_str(), &tm);
#pragma GCC diagnostic pop
    return std::string(buf, n);
}

UnixTime add_days_in_zone(UnixTime t, std::int64_t days, const std::string& zone) {
    static std::map<std::tuple<std::string, UnixTime, std::int64_t>, UnixTime> remembered;
    const std::lock_guard<std::mutex> lock(environment_mutex());
    const auto key = std::make_tuple(zone, t, days);
    if (const auto it = remembered.find(key); it != remembered.end()) {
        return it->second;
    }
    UnixTime result = t + days * 86400;
    {
        const ZoneScope scope(zone);
        const auto tt = static_cast<std::time_t>(t);
        std::tm tm{};
        localtime_r(&tt, &tm);
        tm.tm_mday += static_cast<int>(days);
        tm.tm_isdst = -1;  // whatever the zone observes on that day
        const std::time_t end = std::mktime(&tm);
        if (end != static_cast<std::time_t>(-1)) {
            result = static_cast<UnixTime>(end);
        }
    }
    if (remembered.size() >= k_remembered) {
        remembered.clear();
    }
    remembered.emplace(key, result);
    return result;
}

bool is_utc_zone(const std::string& zone) {
    return zone.empty() || format_in_zone(0, zone, "%Z%z") == "UTC+0000";
}

std::string format_zone_and_utc(UnixTime t, const std::string& zone) {
    const std::string utc = format_utc(t, "%Y-%m-%d %H:%M:%S UTC");
    if (is_utc_zone(zone)) {
        return utc;
    }
    std::string offset = format_in_zone(t, zone, "%z");  // "+0100"
    if (offset.size() == 5) {
        offset.insert(3, ":");
    }
    return format_in_zone(t, zone, "%Y-%m-%d %H:%M:%S %Z") + " (UTC" + offset + ") · " + utc;
}

std::string rfc3339_utc(UnixTime t) { return format_utc(t, "%Y-%m-%dT%H:%M:%SZ"); }

UnixTime parse_rfc3339_utc(const std::string& s) {
    int y = 0;
    int mo = 0;
    int d = 0;
    int h = 0;
    int mi = 0;
    int sec = 0;
    char z = 0;
    int consumed = 0;
    if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c%n", &y, &mo, &d, &h, &mi, &sec, &z,
                    &consumed) == 7 &&
        z == 'Z' && static_cast<std::size_t>(consumed) == s.size()) {
        std::tm tm{};
        tm.tm_year = y - 1900;
        tm.tm_mon = mo - 1;
        tm.tm_mday = d;
        tm.tm_hour = h;
        tm.tm_min = mi;
        tm.tm_sec = sec;
        return static_cast<UnixTime>(timegm(&tm));
    }
    char* end = nullptr;
    const long long epoch = std::strtoll(s.c_str(), &end, 10);
    if (!s.empty() && end != nullptr && *end == '\0') {
        return epoch;
    }
    throw bad_input("not an RFC 3339 UTC time: \"" + s + "\"",
                    {"write it as 2026-11-23T09:00:00Z"});
}

std::string short_duration(std::int64_t seconds) {
    if (seconds < 0) {
        seconds = 0;
    }
    if (seconds < 60) {
        return std::to_string(seconds) + "s";
    }
    if (seconds < 3600) {
        return std::to_string(seconds / 60) + "m";
    }
    if (seconds < 86400) {
        return std::to_string(seconds / 3600) + "h";
    }
    return std::to_string(seconds / 86400) + "d";
}

}  // namespace signet::util
