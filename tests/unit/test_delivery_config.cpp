#include "signet/error.hpp"
#include "store/config.hpp"
#include "support.hpp"
#include "util/fs.hpp"

#include <doctest/doctest.h>

using namespace signet;
using store::TransportConfig;
using test::config_error;

namespace {

store::Config load(const test::TempDir& tmp, const std::string& yaml) {
    util::write_file_atomic(tmp.path() / "config.yaml", yaml, 0600);
    return store::load_config(tmp.path() / "config.yaml");
}

}  // namespace

TEST_CASE("delivery defaults to the outbox for mail and SMS, with no hooks") {
    test::TempDir tmp;
    const auto config = load(tmp, "locale: pl\n");
    CHECK(config.delivery.mail.kind == TransportConfig::Kind::outbox);
    CHECK(config.delivery.sms.kind == TransportConfig::Kind::outbox);
    CHECK(config.delivery.from.empty());
    CHECK(config.delivery.hooks.empty());
}

TEST_CASE("config.yaml's delivery and hooks settings are read") {
    test::TempDir tmp;
    const auto config = load(tmp, R"(locale: en
delivery:
  mail: {transport: command, command: [msmtp, -t], timeout: 20}
  sms:
    transport: command
    command: [/usr/local/bin/send-sms, "--from", "ACME"]
    timeout: 10
  from: "ACME Signing <signing@acme.test>"
hooks:
  completed: [/usr/local/bin/crm-hook, --stage, signed]
  declined: {command: [/usr/local/bin/crm-hook, --stage, lost], timeout: 5}
)");
    CHECK(config.locale == "en");
    CHECK(config.delivery.mail.kind == TransportConfig::Kind::command);
    CHECK(config.delivery.mail.command == std::vector<std::string>{"msmtp", "-t"});
    CHECK(config.delivery.mail.timeout_seconds == 20);
    CHECK(config.delivery.sms.command ==
          std::vector<std::string>{"/usr/local/bin/send-sms", "--from", "ACME"});
    CHECK(config.delivery.sms.timeout_seconds == 10);
    CHECK(config.delivery.from == "ACME Signing <signing@acme.test>");
    REQUIRE(config.delivery.hooks.count("completed") == 1);
    CHECK(config.delivery.hooks.at("completed").command ==
          std::vector<std::string>{"/usr/local/bin/crm-hook", "--stage", "signed"});
    CHECK(config.delivery.hooks.at("completed").timeout_seconds == 30);
    CHECK(config.delivery.hooks.at("declined").timeout_seconds == 5);

    SUBCASE("a command alone means the command transport; outbox may be written plainly") {
        const auto c = load(tmp, "delivery:\n  mail: {command: [sendmail, -t]}\n  sms: outbox\n");
        CHECK(c.delivery.mail.kind == TransportConfig::Kind::command);
        CHECK(c.delivery.sms.kind == TransportConfig::Kind::outbox);
    }
}

TEST_CASE("bad delivery settings name config.yaml, the line and the column") {
    CHECK(config_error("delivery:\n  mail: {transport: command}\n") ==
          "config.yaml:2:9: delivery.mail: transport command needs a command list");
    CHECK(config_error("delivery:\n  mail: {transport: command, command: \"msmtp -t\"}\n") ==
          "config.yaml:2:39: delivery.mail.command must be a list of arguments, not one string");
    CHECK(config_error("delivery:\n  mail: {transport: pigeon}\n") ==
          "config.yaml:2:21: delivery.mail.transport must be outbox or command");
    CHECK(config_error("delivery:\n  mail: {transport: command, command: [msmtp], timeout: 0}\n") ==
          "config.yaml:2:57: delivery.mail.timeout must be a number of seconds from 1 to 3600");
    CHECK(config_error("delivery:\n  fax: {transport: outbox}\n") ==
          "config.yaml:2:3: unknown setting \"delivery.fax\"");
    CHECK(config_error("delivery:\n  from: not an address\n") ==
          "config.yaml:2:9: delivery.from: not a mail address: \"not an address\"");
    CHECK(config_error("delivery:\n  mail: {transport: outbox, command: [x]}\n") ==
          "config.yaml:2:9: delivery.mail: a command is given but the transport is outbox");
    CHECK(config_error("hooks:\n  signed: [crm]\n") == "config.yaml:2:3: unknown hook \"signed\"");
    CHECK(config_error("hooks:\n  completed: /usr/bin/crm --stage signed\n") ==
          "config.yaml:2:14: hooks.completed must be a list of arguments, not one string");
    CHECK(config_error("hooks:\n  completed: []\n") ==
          "config.yaml:2:14: hooks.completed must be a list of arguments such as [msmtp, -t]");
    CHECK(config_error("delivery: [mail]\n") ==
          "config.yaml:1:11: delivery must be a mapping with mail, sms and from");
}

TEST_CASE("the default config.yaml documents delivery and hooks in a working commented example") {
    const std::string text = store::default_config_text(store::Config{});
    CHECK(text.find("#delivery:") != std::string::npos);
    CHECK(text.find("#hooks:") != std::string::npos);
    test::TempDir tmp;
    // As written, nothing is switched on ...
    const auto as_is = load(tmp, text);
    CHECK(as_is.delivery.mail.kind == TransportConfig::Kind::outbox);
    CHECK(as_is.delivery.hooks.empty());
    // ... and uncommenting the example gives a valid configuration.
    std::string uncommented;
    std::size_t start = 0;
    while (start < text.size()) {
        const auto end = text.find('\n', start);
        std::string line = text.substr(start, end - start);
        if (line.rfind("#delivery:", 0) == 0 || line.rfind("#hooks:", 0) == 0 ||
            line.rfind("#  ", 0) == 0) {
            line.erase(0, 1);
        }
        uncommented += line + "\n";
        start = end + 1;
    }
    const auto on = load(tmp, uncommented);
    CHECK(on.delivery.mail.command == std::vector<std::string>{"msmtp", "-t"});
    CHECK(on.delivery.sms.kind == TransportConfig::Kind::command);
    CHECK(on.delivery.from == "ACME Signing <signing@acme.test>");
    CHECK(on.delivery.hooks.count("completed") == 1);
}
