#include "delivery/outbox.hpp"
#include "delivery/render.hpp"
#include "signet/error.hpp"
#include "test_delivery_support.hpp"
#include "util/crypto_hash.hpp"
#include "util/json.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <sys/stat.h>
#include <unistd.h>

using namespace signet;
using delivery::Channel;
using delivery::MessageRecord;
using delivery::OutboxMessage;
using delivery::RenderedMessage;

namespace {

constexpr util::UnixTime k_t0 = 1795424871;  // 2026-11-23T09:07:51Z

std::string yaml_list(const std::vector<std::string>& argv) {
    std::string out = "[";
    for (std::size_t i = 0; i < argv.size(); ++i) {
        if (i > 0) {
            out += ", ";
        }
        util::append_json_string(out, argv[i]);
    }
    return out + "]";
}

// Reopens the store with this config.yaml.
store::Store reopen(const std::filesystem::path& dir, const std::string& yaml) {
    util::write_file_atomic(dir / "config.yaml", yaml, 0600);
    return store::Store(dir);
}

std::string mail_command_config(const std::vector<std::string>& argv) {
    return "delivery:\n  mail: {transport: command, command: " + yaml_list(argv) +
           ", timeout: 10}\n  from: \"ACME Signing <signing@acme.test>\"\n";
}

MessageRecord invitation(const std::string& to = "anna@acme.test") {
    MessageRecord r;
    r.kind = "invitation";
    r.channel = Channel::mail;
    r.party_role = "client";
    r.recipient = to;
    r.recipient_name = "Anna Nowak";
    r.params = {{"subject", "Podpisz: Umowa"}, {"body", "Dzień dobry,\nproszę podpisać.\n"}};
    return r;
}

std::string enqueue_one(store::Store& s, MessageRecord r, util::UnixTime now = k_t0) {
    std::string id;
    s.db().write([&] { id = delivery::enqueue(s.db(), std::move(r), now); });
    return id;
}

std::int64_t add_envelope(store::Store& s) {
    const std::string sha = s.put_document(util::read_file(test::fixture("contract.pdf")));
    std::int64_t seq = 0;
    s.db().write([&] {
        s.db()
            .prepare("INSERT OR IGNORE INTO documents (sha256, size, page_count, created_at) "
                     "VALUES (?, 1, 1, 0)")
            .bind(1, sha)
            .run();
        s.db()
            .prepare("INSERT INTO envelopes (id, title, status, owner, created_at, updated_at, "
                     "waiting_since, document_sha256, current_sha256) "
                     "VALUES ('k7q2m9xd', 'Umowa', 'sent', 'anna', 0, 0, 0, ?, ?)")
            .bind(1, sha)
            .bind(2, sha)
            .run();
        seq = s.db().last_insert_rowid();
    });
    return seq;
}

std::vector<std::filesystem::path> outbox_files(const store::Store& s) {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(s.outbox_dir())) {
        files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

unsigned mode_of(const std::filesystem::path& p) {
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return st.st_mode & 0777;
}

int attempts_of(store::Store& s, const std::string& id) {
    const auto m = delivery::find_message(s.db(), id);
    REQUIRE(m.has_value());
    return m->attempts;
}

}  // namespace

TEST_CASE("a message enqueued in a transaction that rolls back is never delivered") {
    test::StoreFixture f;
    CHECK_THROWS_AS(f.store.db().write([&] {
        delivery::enqueue(f.store.db(), invitation(), k_t0);
        throw std::runtime_error("the state change failed");
    }),
                    std::runtime_error);
    const auto report = delivery::deliver_pending(f.store, delivery::render_from_params, k_t0, 10);
    CHECK(report.delivered == 0);
    CHECK(report.failed == 0);
    CHECK(report.pending == 0);
    CHECK(outbox_files(f.store).empty());
}

TEST_CASE("enqueue refuses to run outside the write transaction of the change") {
    test::StoreFixture f;
    CHECK_THROWS_WITH_AS(delivery::enqueue(f.store.db(), invitation(), k_t0),
                         doctest::Contains("inside the write transaction"), Error);
    SUBCASE("and refuses a recipient that does not fit the channel") {
        MessageRecord sms = invitation();
        sms.channel = Channel::sms;
        f.store.db().write([&] {
            CHECK_THROWS_AS(delivery::enqueue(f.store.db(), sms, k_t0), Error);
            sms.recipient = "+48601234567";
            CHECK_NOTHROW(delivery::enqueue(f.store.db(), sms, k_t0));
        });
    }
}

TEST_CASE("the default delivery writes a private .eml with the stored PDF attached") {
    test::StoreFixture f;
    const std::string pdf = util::read_file(test::fixture("contract.pdf"));
    MessageRecord r = invitation("p@example.ru");
    r.recipient_name = "Пётр Иванов";
    r.kind = "completed";
    r.attachments = {{f.store.put_document(pdf), "Umowa – podpisana.pdf"}};
    const std::string id = enqueue_one(f.store, r);
    CHECK(id.front() == '<');
    CHECK(id.find("@signet.") != std::string::npos);

    const auto report = delivery::deliver_pending(f.store, delivery::render_from_params, k_t0, 10);
    CHECK(report.delivered == 1);
    CHECK(report.pending == 0);
    const auto files = outbox_files(f.store);
    REQUIRE(files.size() == 1);
    CHECK(files[0].extension() == ".eml");
    CHECK(files[0].filename().string().rfind("20261123T090751Z-completed-", 0) == 0);
    CHECK(mode_of(files[0]) == 0600);

    test::TempDir tmp;
    const auto got = test::parse_lines(
        test::run_python(tmp.path(), test::k_parse_mail_py, {files[0].string()}));
    CHECK(got.at("message_id") == id);
    CHECK(got.at("to_name") == "Пётр Иванов");
    CHECK(got.at("to_addr") == "p@example.ru");
    CHECK(got.at("from_name") == "ACME");  // the organisation, with no delivery.from
    CHECK(got.at("subject") == "Podpisz: Umowa");
    CHECK(got.at("attachment") ==
          "Umowa – podpisana.pdf|application/pdf|" + util::sha256_hex(pdf));

    const auto row = delivery::find_message(f.store.db(), id);
    REQUIRE(row.has_value());
    CHECK(row->delivered_at == k_t0);
    CHECK(row->attempts == 1);
    CHECK_FALSE(row->last_error.has_value());

    // Delivered once: a second run has nothing to do.
    CHECK(delivery::deliver_pending(f.store, delivery::render_from_params, k_t0 + 600, 10)
              .attempts.empty());
}

TEST_CASE("an SMS goes to outbox/ as a .sms file: To: NUMBER, then the text") {
    test::StoreFixture f;
    MessageRecord r;
    r.kind = "code";
    r.channel = Channel::sms;
    r.recipient = "+48601234567";
    r.params = {{"body", "Kod signet: 482913"}};
    enqueue_one(f.store, r);
    const auto report = delivery::deliver_pending(f.store, delivery::render_from_params, k_t0, 10);
    CHECK(report.delivered == 1);
    const auto files = outbox_files(f.store);
    REQUIRE(files.size() == 1);
    CHECK(files[0].extension() == ".sms");
    CHECK(mode_of(files[0]) == 0600);
    CHECK(util::read_file(files[0]) == "To: +48601234567\nKod signet: 482913\n");
}

TEST_CASE("a failed delivery keeps the hook's stderr and is retried with back-off") {
    test::StoreFixture f;
    const auto log = f.tmp.path() / "attempts.log";
    // Fails the first three times, then delivers; logs each Message-ID.
    store::Store s = reopen(
        f.dir, mail_command_config(
                   {"sh", "-c",
                    "grep -i '^Message-ID:' >> '" + log.string() + "'; n=$(wc -l < '" +
                        log.string() + "'); if [ \"$n\" -le 3 ]; then echo \"relay refused ($n)\" >&2; "
                        "exit 75; fi"}));
    const std::int64_t envelope = add_envelope(s);
    MessageRecord r = invitation();
    r.envelope_seq = envelope;
    const std::string id = enqueue_one(s, r);

    auto report = delivery::deliver_pending(s, delivery::render_from_params, k_t0, 10);
    CHECK(report.delivered == 0);
    CHECK(report.failed == 1);
    CHECK(report.pending == 1);
    REQUIRE(report.attempts.size() == 1);
    CHECK(report.attempts[0].error == "\"sh\" exited with status 75: relay refused (1)");
    CHECK(report.attempts[0].next_attempt_at == k_t0 + 60);

    auto pending = delivery::pending_for_envelope(s.db(), envelope);
    REQUIRE(pending.size() == 1);
    CHECK(pending[0].message_id == id);
    CHECK(pending[0].channel == "mail");
    CHECK(pending[0].to == "anna@acme.test");
    CHECK(pending[0].attempts == 1);
    CHECK(pending[0].last_error == "\"sh\" exited with status 75: relay refused (1)");
    CHECK(pending[0].next_attempt_at == k_t0 + 60);

    // Not due yet: nothing is tried.
    report = delivery::deliver_pending(s, delivery::render_from_params, k_t0 + 59, 10);
    CHECK(report.attempts.empty());
    CHECK(report.pending == 1);
    // Due: tried again; the wait doubles.
    report = delivery::deliver_pending(s, delivery::render_from_params, k_t0 + 60, 10);
    CHECK(report.failed == 1);
    CHECK(report.attempts[0].next_attempt_at == k_t0 + 60 + 120);
    CHECK(attempts_of(s, id) == 2);
    // `signet deliver --now` does not wait for the back-off.
    delivery::DeliverOptions now;
    now.now = k_t0 + 61;
    now.ignore_backoff = true;
    report = delivery::deliver_pending(s, delivery::render_from_params, now);
    CHECK(report.failed == 1);
    CHECK(report.attempts[0].next_attempt_at == k_t0 + 61 + 240);
    // Then it goes through.
    report = delivery::deliver_pending(s, delivery::render_from_params, k_t0 + 301, 10);
    CHECK(report.delivered == 1);
    CHECK(report.pending == 0);
    CHECK(delivery::pending_for_envelope(s.db(), envelope).empty());
    CHECK(attempts_of(s, id) == 4);

    // At least once, with a stable Message-ID: every attempt carried the same one.
    const std::string lines = util::read_file(log);
    const std::string expected_line = "Message-ID: " + id + "\n";
    CHECK(lines == expected_line + expected_line + expected_line + expected_line);
}

TEST_CASE("retry_delay starts at a minute and doubles up to six hours") {
    CHECK(delivery::retry_delay(1) == 60);
    CHECK(delivery::retry_delay(2) == 120);
    CHECK(delivery::retry_delay(3) == 240);
    CHECK(delivery::retry_delay(9) == 15360);
    CHECK(delivery::retry_delay(10) == 6 * 3600);
    CHECK(delivery::retry_delay(1000) == 6 * 3600);
}

TEST_CASE("the text is rendered at delivery time and never kept in the database") {
    test::StoreFixture f;
    const std::string secret = util::random_bytes(32);
    // As the workflow will: a token derived from the message id under a
    // secret, so that the database needs to hold neither.
    const delivery::Renderer render = [&](const OutboxMessage& m) {
        RenderedMessage out;
        out.subject = "Please sign";
        out.text = "signet sign k7q2m9xd --token " +
                   util::sha256_hex(secret + m.record.message_id).substr(0, 32) + "\n";
        return out;
    };
    const std::string id = enqueue_one(f.store, invitation());
    const std::string token = util::sha256_hex(secret + id).substr(0, 32);
    CHECK(delivery::deliver_pending(f.store, render, k_t0, 10).delivered == 1);
    const auto files = outbox_files(f.store);
    REQUIRE(files.size() == 1);
    CHECK(util::read_file(files[0]).find(token) != std::string::npos);
    std::string database;
    for (const char* name : {"signet.db", "signet.db-wal"}) {
        if (std::filesystem::exists(f.dir / name)) {
            database += util::read_file(f.dir / name);
        }
    }
    CHECK(database.find(id) != std::string::npos);
    CHECK(database.find(token) == std::string::npos);
    CHECK(database.find("--token") == std::string::npos);
}

TEST_CASE("a renderer that throws counts as a failed delivery with its message kept") {
    test::StoreFixture f;
    const std::string id = enqueue_one(f.store, invitation());
    const delivery::Renderer broken = [](const OutboxMessage&) -> RenderedMessage {
        throw bad_input("no catalogue for locale xx");
    };
    const auto report = delivery::deliver_pending(f.store, broken, k_t0, 10);
    CHECK(report.failed == 1);
    CHECK(report.attempts[0].error == "cannot make the message: no catalogue for locale xx");
    CHECK(outbox_files(f.store).empty());
    CHECK(attempts_of(f.store, id) == 1);
}

TEST_CASE("a message claimed by one deliverer is not taken by another at the same time") {
    test::StoreFixture f;
    const std::string first = enqueue_one(f.store, invitation("a@acme.test"));
    const std::string second = enqueue_one(f.store, invitation("b@acme.test"));
    store::Store other(f.dir);
    std::vector<std::string> rendered_by_other;
    delivery::DeliveryReport inner;
    bool nested = false;
    // While the first deliverer renders `first` (its row claimed), a second
    // process runs: it must skip `first` and may take `second`.
    const delivery::Renderer render = [&](const OutboxMessage& m) {
        if (!nested) {
            nested = true;
            inner = delivery::deliver_pending(
                other,
                [&](const OutboxMessage& o) {
                    rendered_by_other.push_back(o.record.message_id);
                    return delivery::render_from_params(o);
                },
                k_t0, 10);
        }
        return delivery::render_from_params(m);
    };
    const auto outer = delivery::deliver_pending(f.store, render, k_t0, 10);
    CHECK(rendered_by_other == std::vector<std::string>{second});
    CHECK(inner.delivered == 1);
    CHECK(outer.delivered == 1);
    REQUIRE(outer.attempts.size() == 1);
    CHECK(outer.attempts[0].message_id == first);
    CHECK(outbox_files(f.store).size() == 2);
}

// Run by the next test in a process of its own (a forked child must not
// share SQLite's state with its parent): delivers from the store that
// SIGNET_TEST_DELIVER_STORE names.
TEST_CASE("deliver_pending in a second process (helper for the concurrency test)") {
    const char* dir = std::getenv("SIGNET_TEST_DELIVER_STORE");
    if (dir == nullptr) {
        return;
    }
    store::Store mine{std::filesystem::path(dir)};
    const auto report = delivery::deliver_pending(mine, delivery::render_from_params, k_t0, 100);
    CHECK(report.failed == 0);
    util::write_file_atomic(std::filesystem::path(dir) / "helper-delivered",
                            std::to_string(report.delivered), 0600);
}

TEST_CASE("two processes delivering at once deliver each message once") {
    test::StoreFixture f;
    const auto log = f.tmp.path() / "sent.log";
    store::Store s = reopen(
        f.dir, mail_command_config({"sh", "-c",
                                    "echo \"$SIGNET_MESSAGE_ID\" >> '" + log.string() +
                                        "'; sleep 0.05"}));
    std::vector<std::string> ids;
    for (int i = 0; i < 12; ++i) {
        ids.push_back(enqueue_one(s, invitation("r" + std::to_string(i) + "@acme.test")));
    }
    const std::string command =
        "SIGNET_TEST_DELIVER_STORE='" + f.dir.string() +
        "' /proc/self/exe --test-case='deliver_pending in a second process*' >/dev/null 2>&1";
    // popen's shell runs the helper; /proc/self/exe is then the shell, so name
    // this binary explicitly.
    char self[4096] = {};
    const ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
    REQUIRE(n > 0);
    std::string run = command;
    run.replace(run.find("/proc/self/exe"), 14, std::string("'") + self + "'");
    FILE* child = ::popen(run.c_str(), "r");
    REQUIRE(child != nullptr);
    const auto report = delivery::deliver_pending(s, delivery::render_from_params, k_t0, 100);
    CHECK(::pclose(child) == 0);
    CHECK(report.failed == 0);
    // The helper ran (whether it got any message depends on timing).
    const std::string helper = util::read_file(f.dir / "helper-delivered");
    CHECK(report.delivered + std::stoi(helper) == 12);
    MESSAGE("this process delivered " << report.delivered << ", the other " << helper);
    const std::string lines = util::read_file(log);
    for (const auto& id : ids) {
        const auto first = lines.find(id + "\n");
        CHECK(first != std::string::npos);
        CHECK(lines.find(id + "\n", first + 1) == std::string::npos);
    }
    CHECK(std::count(lines.begin(), lines.end(), '\n') == 12);
    CHECK(delivery::count_pending(s.db()) == 0);
}

TEST_CASE("a completion hook is queued with the change and run after commit") {
    test::StoreFixture f;
    const auto got = f.tmp.path() / "hook.out";
    SUBCASE("with no hook configured nothing is queued") {
        std::string id = "unset";
        f.store.db().write([&] {
            id = delivery::enqueue_hook(f.store.db(), f.store.config(), "completed", std::nullopt,
                                        "k7q2m9xd", "{}", k_t0);
        });
        CHECK(id.empty());
        CHECK(delivery::count_pending(f.store.db()) == 0);
    }
    SUBCASE("a configured hook gets the JSON; a failure is retried") {
        util::write_file_atomic(f.tmp.path() / "fail", "", 0600);
        store::Store s = reopen(
            f.dir, "hooks:\n  completed: " +
                       yaml_list({"sh", "-c",
                                  "if [ -e '" + (f.tmp.path() / "fail").string() +
                                      "' ]; then echo 'crm down' >&2; exit 1; fi; "
                                      "{ echo \"$SIGNET_EVENT $SIGNET_ENVELOPE\"; cat; } > '" +
                                      got.string() + "'"}) +
                       "\n");
        const std::int64_t envelope = add_envelope(s);
        std::string id;
        s.db().write([&] {
            id = delivery::enqueue_hook(s.db(), s.config(), "completed", envelope, "k7q2m9xd",
                                        R"({"schema":1,"id":"k7q2m9xd","status":"completed"})",
                                        k_t0);
        });
        REQUIRE_FALSE(id.empty());
        CHECK_FALSE(std::filesystem::exists(got));  // nothing runs inside the transaction
        auto report = delivery::deliver_pending(s, delivery::render_from_params, k_t0, 10);
        CHECK(report.failed == 1);
        CHECK(report.attempts[0].error == "\"sh\" exited with status 1: crm down");
        const auto pending = delivery::pending_for_envelope(s.db(), envelope);
        REQUIRE(pending.size() == 1);
        CHECK(pending[0].channel == "hook");
        CHECK(pending[0].kind == "completed");

        std::filesystem::remove(f.tmp.path() / "fail");
        report = delivery::deliver_pending(s, delivery::render_from_params, k_t0 + 60, 10);
        CHECK(report.delivered == 1);
        CHECK(util::read_file(got) ==
              "completed k7q2m9xd\n{\"schema\":1,\"id\":\"k7q2m9xd\",\"status\":\"completed\"}");
    }
}

TEST_CASE("a mail sent with msmtp through an SMTP server carries the PDF") {
    test::StoreFixture f;
    test::TempDir spool;
    test::SmtpServer server(spool.path(), 1);
    // An empty msmtp configuration of our own: nothing from the machine's.
    const auto msmtprc = f.tmp.path() / "msmtprc";
    util::write_file_atomic(msmtprc, "# empty\n", 0600);
    store::Store s = reopen(
        f.dir, mail_command_config({"msmtp", "--file=" + msmtprc.string(), "--host=127.0.0.1",
                                    "--port=" + std::to_string(server.port()),
                                    "--from=signing@acme.test", "-t"}));
    const std::string pdf = util::read_file(test::fixture("contract.pdf"));
    MessageRecord r = invitation("p@example.ru");
    r.kind = "completed";
    r.recipient_name = "Пётр Иванов";
    r.params["subject"] = "Договор подписан — Łódź";
    r.attachments = {{s.put_document(pdf), "contract.pdf"}};
    const std::string id = enqueue_one(s, r);

    const auto report = delivery::deliver_pending(s, delivery::render_from_params, k_t0, 10);
    const std::string first_error = report.attempts.empty() ? std::string() : report.attempts[0].error;
    INFO(first_error);
    CHECK(report.delivered == 1);
    server.stop(report.delivered != 1);
    REQUIRE(std::filesystem::exists(server.message(1)));
    CHECK(util::read_file(server.recipients(1)) == "<p@example.ru>");

    test::TempDir tmp;
    const auto got = test::parse_lines(
        test::run_python(tmp.path(), test::k_parse_mail_py, {server.message(1).string()}));
    CHECK(got.at("message_id") == id);
    CHECK(got.at("subject") == "Договор подписан — Łódź");
    CHECK(got.at("to_name") == "Пётр Иванов");
    CHECK(got.at("from_addr") == "signing@acme.test");
    CHECK(got.at("body") == "Dzień dobry,\nproszę podpisać.\n");
    CHECK(got.at("attachment") == "contract.pdf|application/pdf|" + util::sha256_hex(pdf));
    CHECK(got.at("defects") == "0");
}
