// send --template --bulk (lib/templates/bulk) and the statement cache it
// leans on (store::Database::prepare).
#include "envelope/organization.hpp"
#include "signet/error.hpp"
#include "store/database.hpp"
#include "support.hpp"
#include "templates/bulk.hpp"
#include "templates/instantiate.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>

using namespace signet;

namespace {

std::filesystem::path shipped_template() {
    return test::fixture("../../templates/act-of-work.yaml");
}

const char* k_header =
    "deal.number;deal.date;deal.work;deal.amount;deal.currency;company.name;company.director;"
    "company.email;client.name;client.email;client.phone\n";

std::string row(const std::string& number, const std::string& client, const std::string& email) {
    return number + ";23.11.2026;Works;100,00;PLN;ACME;Anna Nowak;anna@acme.test;" + client + ";" +
           email + ";+48 601 234 567\n";
}

struct BulkFixture {
    test::TempDir tmp;
    std::filesystem::path dir = tmp.path() / "store";

    BulkFixture() {
        ::setenv("SIGNET_KEY_PASSPHRASE", "unit-test-passphrase", 1);
        envelope::initialise({dir, std::string("ACME Sp. z o.o."), std::nullopt});
    }
    ~BulkFixture() { ::unsetenv("SIGNET_KEY_PASSPHRASE"); }
    BulkFixture(const BulkFixture&) = delete;
    BulkFixture& operator=(const BulkFixture&) = delete;

    std::filesystem::path csv(const std::string& name, const std::string& text) {
        const auto path = tmp.path() / name;
        std::ofstream(path) << text;
        return path;
    }

    templates::BulkReport send(const std::filesystem::path& rows) {
        store::Store store(dir);
        templates::BulkRequest request;
        request.template_file = shipped_template();
        request.data_file = rows;
        request.owner = std::string("ops");
        return templates::bulk_send(store, request);
    }

    std::int64_t count(const std::string& sql) {
        store::Store store(dir);
        auto q = store.db().prepare(sql);
        REQUIRE(q.step());
        return q.integer(0);
    }
};

}  // namespace

TEST_CASE("a cached statement comes back reset, with no bindings left") {
    test::TempDir tmp;
    store::Database db(tmp.path() / "t.db", /*create=*/true);
    db.exec("CREATE TABLE t (v TEXT)");
    db.write([&] {
        db.prepare("INSERT INTO t (v) VALUES (?)").bind(1, "a").run();
        db.prepare("INSERT INTO t (v) VALUES (?)").bind(1, "b").run();
    });
    {
        auto q = db.prepare("SELECT v FROM t WHERE v = ?");
        q.bind(1, "a");
        REQUIRE(q.step());  // left open, mid-result
    }
    auto again = db.prepare("SELECT v FROM t WHERE v = ?");
    CHECK_FALSE(again.step());  // unbound: NULL matches nothing

    SUBCASE("the same query open twice at once: two statements") {
        auto outer = db.prepare("SELECT v FROM t ORDER BY v");
        std::string seen;
        while (outer.step()) {
            auto inner = db.prepare("SELECT v FROM t ORDER BY v");
            REQUIRE(inner.step());
            seen += outer.text(0) + inner.text(0);
        }
        CHECK(seen == "aaba");
    }
}

TEST_CASE("bulk send lists every bad row and writes nothing") {
    BulkFixture f;
    const auto rows = f.csv("bad.csv", std::string(k_header) + row("1", "Jan", "jan@example.com") +
                                           row("2", "Ewa", "no-address") + row("", "Olga", "o@example.com") +
                                           row("1", "Jan", "jan@example.com"));
    try {
        f.send(rows);
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::bad_input);
        CHECK(std::string(e.what()).find("3 of 4 rows are bad; nothing was created or sent") !=
              std::string::npos);
        REQUIRE(e.hints().size() == 4);
        CHECK(e.hints()[0].rfind(rows.string() + ":3: party \"client\": email", 0) == 0);
        CHECK(e.hints()[1].rfind(rows.string() + ":4: the key is empty", 0) == 0);
        CHECK(e.hints()[2] == rows.string() + ":5: the key \"1\" is also the key of line 2: each row "
                                               "needs its own");
    }
    CHECK(f.count("SELECT count(*) FROM envelopes") == 0);
    CHECK(f.count("SELECT count(*) FROM documents") == 0);
}

TEST_CASE("bulk send sends each row once, reuses a draft and skips rows sent before") {
    BulkFixture f;
    const auto rows = f.csv("deals.csv", std::string(k_header) + row("1", "Jan", "jan@example.com") +
                                             row("2", "Пётр", "petr@example.ru") +
                                             row("3", "Żaneta", "zaneta@example.pl"));
    std::string draft;
    {
        store::Store store(f.dir);
        templates::TemplateCreateRequest create;
        create.template_file = shipped_template();
        create.data_file = rows;
        create.row = 3;
        draft = templates::create_from_template(store, create).id;
    }
    const templates::BulkReport first = f.send(rows);
    CHECK(first.template_name == "act-of-work");
    CHECK(first.sent_new == 3);
    CHECK(first.already_sent == 0);
    CHECK(first.failed == 0);
    REQUIRE(first.rows.size() == 3);
    CHECK(first.rows[2].envelope == draft);
    CHECK(first.rows[1].key == "2");
    CHECK(first.rows[1].line == 3);
    CHECK(f.count("SELECT count(*) FROM envelopes WHERE status = 'sent'") == 3);
    CHECK(f.count("SELECT count(*) FROM envelopes") == 3);
    CHECK(f.count("SELECT count(*) FROM messages WHERE kind = 'invitation'") == 3);
    CHECK(f.count("SELECT count(DISTINCT document_sha256) FROM envelopes") == 1);

    const templates::BulkReport again = f.send(rows);
    CHECK(again.sent_new == 0);
    CHECK(again.already_sent == 3);
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(again.rows[i].envelope == first.rows[i].envelope);
        CHECK(again.rows[i].status == templates::BulkStatus::already_sent);
    }
    CHECK(f.count("SELECT count(*) FROM messages WHERE kind = 'invitation'") == 3);
}
