#include "util/time.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

using namespace signet;

TEST_CASE("format_in_zone shows the local time of the zone, with summer time") {
    // 2026-07-01T10:00:00Z and 2026-11-23T09:00:00Z.
    const util::UnixTime summer = util::parse_rfc3339_utc("2026-07-01T10:00:00Z");
    const util::UnixTime winter = util::parse_rfc3339_utc("2026-11-23T09:00:00Z");
    CHECK(util::format_in_zone(summer, "Europe/Warsaw", "%Y-%m-%d %H:%M %Z") ==
          "2026-07-01 12:00 CEST");
    CHECK(util::format_in_zone(winter, "Europe/Warsaw", "%d.%m.%Y %H:%M %z") ==
          "23.11.2026 10:00 +0100");
    CHECK(util::format_in_zone(winter, "Europe/Moscow", "%H:%M") == "12:00");
    CHECK(util::format_in_zone(winter, "UTC", "%Y-%m-%d") == "2026-11-23");
}

TEST_CASE("format_in_zone leaves the process's TZ as it was") {
    const char* before = std::getenv("TZ");
    const std::string saved = before != nullptr ? before : "";
    setenv("TZ", "America/New_York", 1);
    util::format_in_zone(0, "Asia/Tokyo", "%H");
    REQUIRE(std::getenv("TZ") != nullptr);
    CHECK(std::string(std::getenv("TZ")) == "America/New_York");
    if (before != nullptr) {
        setenv("TZ", saved.c_str(), 1);
    } else {
        unsetenv("TZ");
    }
}

TEST_CASE("add_days_in_zone keeps the local time across a change of summer time") {
    const char* before = std::getenv("TZ");
    const std::string saved = before != nullptr ? before : "";
    setenv("TZ", "America/New_York", 1);
    // 2026-10-24 12:00 CEST; Poland goes back to CET on the 25th.
    const util::UnixTime t = util::parse_rfc3339_utc("2026-10-24T10:00:00Z");
    CHECK(util::add_days_in_zone(t, 2, "Europe/Warsaw") == util::parse_rfc3339_utc("2026-10-26T11:00:00Z"));
    CHECK(util::add_days_in_zone(t, 2, "UTC") == t + 2 * 86400);
    CHECK(util::add_days_in_zone(t, 0, "Europe/Warsaw") == t);
    CHECK(std::string(std::getenv("TZ")) == "America/New_York");  // put back
    if (before != nullptr) {
        setenv("TZ", saved.c_str(), 1);
    } else {
        unsetenv("TZ");
    }
}

TEST_CASE("format_in_zone answers right from several threads at once, zone after zone") {
    // January: Warsaw is UTC+1, Tokyo UTC+9, whatever the hour.
    const util::UnixTime base = util::parse_rfc3339_utc("2026-01-10T00:00:00Z");
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int n = 0; n < 4; ++n) {
        threads.emplace_back([&, n] {
            for (int i = 0; i < 300; ++i) {
                const util::UnixTime t = base + ((i * 7 + n) % 240) * 3600;
                const long hour = (t / 3600) % 24;
                const bool tokyo = (i + n) % 2 == 0;
                const std::string expected =
                    std::to_string((hour + (tokyo ? 9 : 1)) % 24) + (tokyo ? " JST" : " CET");
                const std::string got =
                    util::format_in_zone(t, tokyo ? "Asia/Tokyo" : "Europe/Warsaw", "%-H %Z");
                if (got != expected) {
                    ++wrong;
                }
            }
        });
    }
    for (std::thread& t : threads) {
        t.join();
    }
    CHECK(wrong == 0);
}
