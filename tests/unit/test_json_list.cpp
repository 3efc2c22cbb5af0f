// status --json's list from the cache of each envelope's JSON
// (envelope/json_list.hpp): byte for byte the list written from the rows,
// whoever changed the rows and however.
#include "delivery/outbox.hpp"
#include "envelope/envelope_json.hpp"
#include "envelope/json_list.hpp"
#include "envelope/workflow.hpp"
#include "signet/error.hpp"
#include "store/database.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <chrono>

using namespace signet;
using namespace signet::envelope;

namespace {

struct Listing {
    std::string text;
    JsonListReport report;
};

Listing list(store::Store& s, bool use_cache, const ListFilter& filter = {},
             bool pretty = false) {
    Listing l;
    JsonListOptions options;
    options.filter = filter;
    options.pretty = pretty;
    options.use_cache = use_cache;
    l.report = write_envelope_list(s.db(), options,
                                   [&](std::string_view piece) { l.text.append(piece); });
    return l;
}

std::int64_t stale_rows(store::Store& s) {
    auto q = s.db().prepare("SELECT count(*) FROM envelope_json WHERE json IS NULL");
    q.step();
    return q.integer(0);
}

// The cached listing after a refresh: every envelope from the cache, and
// the same bytes as the listing from the rows.
void check_cache_matches_rows(store::Store& s, const ListFilter& filter = {}) {
    refresh_json_cache(s.db());
    REQUIRE(stale_rows(s) == 0);
    const Listing cached = list(s, true, filter);
    const Listing rows = list(s, false, filter);
    CHECK(cached.report.cache_used);
    CHECK_FALSE(rows.report.cache_used);
    CHECK(cached.report.from_cache == cached.report.envelopes);
    CHECK(cached.report.envelopes == rows.report.envelopes);
    CHECK(cached.text == rows.text);
}

std::string create(store::Store& s, const std::string& title, const std::string& owner = "anna") {
    CreateRequest r;
    r.pdf = test::fixture("contract.pdf");
    r.title = title;
    r.owner = owner;
    r.party_specs = {
        "role=company,name=Anna Nowak,email=anna@acme.test,order=1,stamp=required",
        "role=client,name=Пётр Иванов,phone=+48 601 234 567,order=2",
    };
    return create_envelope(s, r).id;
}

void add_signature(store::Store& s, const std::string& id, const std::string& role,
                   const std::string& rect) {
    AddFieldRequest r;
    r.envelope_id = id;
    r.type = "signature";
    r.role = role;
    r.page = "last";
    r.rect = rect;
    add_field(s, r);
}

std::int64_t seq_of(store::Store& s, const std::string& id) {
    auto q = s.db().prepare("SELECT seq FROM envelopes WHERE id = ?");
    q.bind(1, id);
    REQUIRE(q.step());
    return q.integer(0);
}

// A fixture of three envelopes with fields, the cache filled.
struct ThreeEnvelopes : test::StoreFixture {
    std::string a = create(store, "Umowa dostawy № 7");
    std::string b = create(store, "Акт \"12\" C:\\path", "jan");
    std::string c = create(store, "NDA");
    ThreeEnvelopes() {
        add_signature(store, a, "company", "72,100,180,50");
        add_signature(store, a, "client", "340.16,85.04,170.08,56.69");
        add_signature(store, b, "client", "72,100,180,50");
        refresh_json_cache(store.db());
    }
};

}  // namespace

TEST_CASE("the cached list is byte for byte the list written from the rows") {
    ThreeEnvelopes f;
    check_cache_matches_rows(f.store);
    const Listing l = list(f.store, true);
    CHECK(l.report.envelopes == 3);
    CHECK(l.text.rfind("{\"schema\":1,\"envelopes\":[{\"id\":\"", 0) == 0);
    CHECK(l.text.find('\n') == l.text.size() - 1);  // one line
}

TEST_CASE("an empty store lists as an empty array, with or without the cache") {
    test::StoreFixture f;
    CHECK(list(f.store, true).text == "{\"schema\":1,\"envelopes\":[]}\n");
    CHECK(list(f.store, false).text == "{\"schema\":1,\"envelopes\":[]}\n");
}

TEST_CASE("the indented list is unchanged by the cache and never read from it") {
    ThreeEnvelopes f;
    const Listing pretty = list(f.store, true, {}, true);
    CHECK_FALSE(pretty.report.cache_used);
    CHECK(pretty.text.rfind("{\n  \"schema\": 1,\n  \"envelopes\": [\n    {\n", 0) == 0);
    CHECK(pretty.text.back() == '\n');
}

TEST_CASE("new envelopes and fields are stale until a refresh, and listed right meanwhile") {
    ThreeEnvelopes f;
    CHECK(stale_rows(f.store) == 0);
    const std::string d = create(f.store, "Fourth");
    add_signature(f.store, f.a, "client", "72,300,100,40");
    CHECK(stale_rows(f.store) == 2);
    const Listing cached = list(f.store, true);
    CHECK(cached.report.cache_used);
    CHECK(cached.report.from_cache == 2);
    CHECK(cached.report.refresh_wanted);
    CHECK(cached.report.stale ==
          std::vector<std::int64_t>{seq_of(f.store, f.a), seq_of(f.store, d)});
    CHECK(cached.text == list(f.store, false).text);
    CHECK(try_refresh_json_cache(f.store.db(), cached.report.stale) == 2);
    CHECK(stale_rows(f.store) == 0);
    check_cache_matches_rows(f.store);
}

TEST_CASE("changes made with plain SQL, behind signet's back, are never served stale") {
    ThreeEnvelopes f;
    store::Database& db = f.store.db();
    const std::string a = std::to_string(seq_of(f.store, f.a));
    const std::string b = std::to_string(seq_of(f.store, f.b));
    // Each change is followed by a refresh and a comparison: a cached JSON
    // the change did not mark stale would differ from the rows.
    const std::vector<std::string> changes = {
        "UPDATE envelopes SET title = 'Renamed ✓' || char(9) || char(127) WHERE seq = " + a,
        "UPDATE envelopes SET status = 'completed', waiting_for = '' WHERE seq = " + b,
        "UPDATE envelopes SET expires_at = 1796029200, status = 'sent' WHERE seq = " + a,
        "UPDATE envelopes SET current_sha256 = 'ff', revisions = 2 WHERE seq = " + a,
        "UPDATE parties SET name = 'Ольга' WHERE envelope_seq = " + a + " AND role = 'client'",
        "UPDATE parties SET status = 'signed', email = NULL WHERE envelope_seq = " + b,
        "INSERT INTO parties (envelope_seq, position, role, name, email, routing_order, kind,"
        " action, auth, stamp, status) VALUES (" + a +
            ", 3, 'witness', 'W', 'w@x.test', 3, 'person', 'approve', 'email', 'none',"
            " 'waiting')",
        "DELETE FROM parties WHERE envelope_seq = " + a + " AND role = 'witness'",
        "UPDATE fields SET filled = 1 WHERE envelope_seq = " + a,
        "UPDATE fields SET x = 10.5, page = 1 WHERE envelope_seq = " + b,
        "UPDATE fields SET envelope_seq = " + b + ", position = 8, name = 'moved' WHERE envelope_seq = " + a +
            " AND position = 1",
        "DELETE FROM fields WHERE envelope_seq = " + b + " AND name = 'moved'",
        // The statement's own conflict policy overrides a trigger's: the
        // triggers must not depend on one.
        "INSERT OR IGNORE INTO fields (envelope_seq, position, name, type, role, page, x, y,"
        " width, height, required, filled) VALUES (" + a +
            ", 9, 'extra', 'text', NULL, 1, 1, 2, 3, 4, 0, 0)",
        "REPLACE INTO fields (envelope_seq, position, name, type, role, page, x, y, width,"
        " height, required, filled) VALUES (" + a + ", 9, 'extra', 'text', NULL, 2, 5, 6, 7, 8,"
            " 1, 1)",
        "UPDATE OR REPLACE parties SET role = 'signer' WHERE envelope_seq = " + b +
            " AND role = 'client'",
        "UPDATE documents SET page_count = 7",
        "DELETE FROM fields WHERE envelope_seq = " + a,
    };
    for (const std::string& sql : changes) {
        CAPTURE(sql);
        db.exec(sql);
        CHECK(stale_rows(f.store) > 0);
        check_cache_matches_rows(f.store);
    }
}

TEST_CASE("a deleted envelope leaves the cache and the list") {
    ThreeEnvelopes f;
    store::Database& db = f.store.db();
    const std::string c = std::to_string(seq_of(f.store, f.c));
    db.exec("PRAGMA foreign_keys = OFF");
    db.exec("DELETE FROM envelopes WHERE seq = " + c);
    db.exec("PRAGMA foreign_keys = ON");
    auto q = db.prepare("SELECT count(*) FROM envelope_json WHERE envelope_seq = " + c);
    q.step();
    CHECK(q.integer(0) == 0);
    check_cache_matches_rows(f.store);
    CHECK(list(f.store, true).report.envelopes == 2);
}

TEST_CASE("a cache row lost or emptied is written from the rows, then filled again") {
    ThreeEnvelopes f;
    store::Database& db = f.store.db();
    const std::int64_t b = seq_of(f.store, f.b);
    db.exec("DELETE FROM envelope_json WHERE envelope_seq = " + std::to_string(b));
    const Listing l = list(f.store, true);
    CHECK(l.report.cache_used);
    CHECK(l.report.stale == std::vector<std::int64_t>{b});
    CHECK(l.text == list(f.store, false).text);
    CHECK(refresh_json_cache(db, l.report.stale) == 1);
    check_cache_matches_rows(f.store);
}

TEST_CASE("filters list the same envelopes from the cache as from the rows") {
    ThreeEnvelopes f;
    f.store.db().exec("UPDATE envelopes SET status = 'sent' WHERE id = '" + f.b + "'");
    f.store.db().exec("UPDATE envelopes SET status = 'voided' WHERE id = '" + f.c + "'");
    for (const ListFilter& filter :
         {ListFilter{std::string("draft"), std::nullopt}, ListFilter{std::string("waiting"), std::nullopt},
          ListFilter{std::string("voided"), std::string("anna")},
          ListFilter{std::nullopt, std::string("jan")},
          ListFilter{std::string("completed"), std::nullopt}}) {
        CAPTURE(filter.stage.value_or("-"));
        CAPTURE(filter.owner.value_or("-"));
        check_cache_matches_rows(f.store, filter);
    }
    CHECK(list(f.store, true, {std::string("waiting"), std::nullopt}).report.envelopes == 1);
}

TEST_CASE("undelivered messages are spliced in as the writer of a whole envelope writes them") {
    ThreeEnvelopes f;
    delivery::MessageRecord r;
    r.envelope_seq = seq_of(f.store, f.a);
    r.kind = "invitation";
    r.party_role = "client";
    r.recipient = "anna@acme.test";
    r.params = {{"subject", "S"}};
    f.store.db().write([&] {
        delivery::enqueue(f.store.db(), r);
        r.recipient = "jan@example.com";
        delivery::enqueue(f.store.db(), r);
    });
    const Listing cached = list(f.store, true);
    CHECK(cached.report.from_cache == 3);  // the outbox is not in the cache
    CHECK(cached.text == list(f.store, false).text);
    CHECK(cached.text.find("\"to\":\"jan@example.com\"") != std::string::npos);

    const Envelope e = load_envelope(f.store, f.a);
    REQUIRE(e.undelivered.size() == 2);
    std::string whole;
    util::JsonWriter w(whole, false);
    write_envelope_json(w, e);
    std::string spliced;
    append_envelope_json(spliced, stored_json(e), e.undelivered);
    CHECK(spliced == whole);
}

TEST_CASE("a cache in another format is not used, and a refresh rebuilds it") {
    ThreeEnvelopes f;
    f.store.db().exec("UPDATE meta SET value = 'another build' WHERE key = 'envelope_json_format'");
    const Listing l = list(f.store, true);
    CHECK_FALSE(l.report.cache_used);
    CHECK(l.report.refresh_wanted);
    CHECK(l.text == list(f.store, false).text);
    CHECK(refresh_json_cache(f.store.db()) == 3);
    check_cache_matches_rows(f.store);
}

TEST_CASE("the cache format follows the way envelopes are written") {
    CHECK(json_cache_format().rfind("1-", 0) == 0);
    CHECK(json_cache_format().size() == 18);
}

TEST_CASE("a refresh does not wait for a busy store; the list stays right") {
    ThreeEnvelopes f;
    create(f.store, "Stale one");
    store::Database other(f.dir / "signet.db", false);
    other.exec("BEGIN IMMEDIATE");
    const Listing l = list(f.store, true);
    CHECK(l.report.refresh_wanted);
    const auto started = std::chrono::steady_clock::now();
    CHECK_FALSE(try_refresh_json_cache(f.store.db(), l.report.stale).has_value());
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
    other.exec("ROLLBACK");
    CHECK(stale_rows(f.store) == 1);
    CHECK(l.text == list(f.store, false).text);
    // The busy timeout is back: a plain refresh works.
    CHECK(try_refresh_json_cache(f.store.db(), l.report.stale) == 1);
}
