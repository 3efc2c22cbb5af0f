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
#include <fstream>

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
    l.report = write_envelope_list(s, options,
                                   [&](std::string_view piece) { l.text.append(piece); });
    return l;
}

// A listing from the cache, the cache being up to date: every envelope from
// the cache, and the same bytes as the listing from the rows.
void check_cache_matches_rows(store::Store& s, const ListFilter& filter = {}) {
    list(s, true, filter);  // caches what was stale
    const Listing cached = list(s, true, filter);
    const Listing rows = list(s, false, filter);
    CHECK(cached.report.cache_used);
    CHECK_FALSE(rows.report.cache_used);
    CHECK(cached.report.from_cache == cached.report.envelopes);
    CHECK(cached.report.cached == 0);
    CHECK(cached.report.envelopes == rows.report.envelopes);
    CHECK(cached.text == rows.text);
}

std::int64_t version_of(store::Store& s, std::int64_t seq) {
    auto q = s.db().prepare("SELECT version FROM envelope_versions WHERE envelope_seq = ?");
    q.bind(1, seq);
    REQUIRE(q.step());
    return q.integer(0);
}

std::vector<std::int64_t> versions(store::Store& s) {
    std::vector<std::int64_t> all;
    auto q = s.db().prepare("SELECT version FROM envelope_versions ORDER BY envelope_seq");
    while (q.step()) {
        all.push_back(q.integer(0));
    }
    return all;
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
        list(store, true);  // fills the cache
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

TEST_CASE("a new envelope, or one changed, is written from its rows and cached") {
    ThreeEnvelopes f;
    const std::string d = create(f.store, "Fourth");
    add_signature(f.store, f.a, "client", "72,300,100,40");
    const Listing first = list(f.store, true);
    CHECK(first.report.cache_used);
    CHECK(first.report.envelopes == 4);
    CHECK(first.report.from_cache == 2);
    CHECK(first.report.cached == 2);
    CHECK(first.text == list(f.store, false).text);
    const Listing next = list(f.store, true);
    CHECK(next.report.from_cache == 4);
    CHECK(next.text == first.text);
    CHECK(std::filesystem::exists(json_cache_file(f.store)));
}

TEST_CASE("changes made with plain SQL, behind signet's back, are never served stale") {
    ThreeEnvelopes f;
    store::Database& db = f.store.db();
    const std::int64_t a_seq = seq_of(f.store, f.a);
    const std::string a = std::to_string(a_seq);
    const std::string b = std::to_string(seq_of(f.store, f.b));
    // Each change is followed by listings: one that must see the change
    // (a cached JSON whose version the change left alone would differ from
    // the rows), then one from the cache.
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
        const std::vector<std::int64_t> before = versions(f.store);
        db.exec(sql);
        CHECK(versions(f.store) != before);
        const Listing changed = list(f.store, true);
        CHECK(changed.report.cached > 0);
        CHECK(changed.text == list(f.store, false).text);
        check_cache_matches_rows(f.store);
    }
    CHECK(version_of(f.store, a_seq) != 0);
}

TEST_CASE("a deleted envelope leaves the list, cached or not") {
    ThreeEnvelopes f;
    store::Database& db = f.store.db();
    const std::string c = std::to_string(seq_of(f.store, f.c));
    db.exec("PRAGMA foreign_keys = OFF");
    db.exec("DELETE FROM envelopes WHERE seq = " + c);
    db.exec("PRAGMA foreign_keys = ON");
    auto q = db.prepare("SELECT count(*) FROM envelope_versions WHERE envelope_seq = " + c);
    q.step();
    CHECK(q.integer(0) == 0);
    check_cache_matches_rows(f.store);
    CHECK(list(f.store, true).report.envelopes == 2);
}

TEST_CASE("an envelope without a version is written from its rows, never cached") {
    ThreeEnvelopes f;
    const std::int64_t b = seq_of(f.store, f.b);
    f.store.db().exec("DELETE FROM envelope_versions WHERE envelope_seq = " + std::to_string(b));
    for (int i = 0; i < 2; ++i) {
        const Listing l = list(f.store, true);
        CHECK(l.report.from_cache == 2);
        CHECK(l.report.cached == 0);
        CHECK(l.text == list(f.store, false).text);
    }
}

TEST_CASE("a database restored from a backup never matches a newer cache") {
    test::TempDir tmp;
    const std::filesystem::path dir = tmp.path() / "store";
    const std::filesystem::path db = dir / "signet.db";
    const std::filesystem::path backup = tmp.path() / "backup.db";
    store::Store::init(dir, std::string("ACME"));
    std::string id;
    {
        store::Store s(dir);
        id = create(s, "Backed up");
        list(s, true);
    }
    std::filesystem::copy_file(db, backup);  // closed: no -wal beside it
    {
        // A change after the backup, cached.
        store::Store s(dir);
        add_signature(s, id, "client", "72,300,100,40");
        list(s, true);
    }
    std::filesystem::copy_file(backup, db, std::filesystem::copy_options::overwrite_existing);
    store::Store s(dir);
    // As many changes since the backup as before, but another one: a
    // version counted up would be the cached one again.
    add_signature(s, id, "company", "72,100,180,50");
    const Listing l = list(s, true);
    CHECK(l.report.from_cache == 0);
    CHECK(l.text == list(s, false).text);
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

TEST_CASE("a cache in another format is not used, and is made again") {
    ThreeEnvelopes f;
    {
        store::Database cache(json_cache_file(f.store), false);
        cache.exec("UPDATE meta SET value = 'another build' WHERE key = 'format'");
    }
    const Listing l = list(f.store, true);
    CHECK_FALSE(l.report.cache_used);
    CHECK(l.report.cached == 3);
    CHECK(l.text == list(f.store, false).text);
    check_cache_matches_rows(f.store);
}

TEST_CASE("a broken cache file is made again") {
    ThreeEnvelopes f;
    const std::filesystem::path file = json_cache_file(f.store);
    for (const char* suffix : {"-wal", "-shm"}) {
        std::filesystem::remove(file.string() + suffix);
    }
    util::write_file_atomic(file, std::string(100000, 'x'));
    const Listing l = list(f.store, true);
    CHECK(l.text == list(f.store, false).text);
    CHECK(l.report.cached == 3);
    check_cache_matches_rows(f.store);
}

TEST_CASE("a cache that breaks while it is read is done without, then made again") {
    ThreeEnvelopes f;
    const std::filesystem::path file = json_cache_file(f.store);
    {
        // Rows before the real ones, over several 64 KiB pages, then the
        // last pages overwritten: reading fails after the first rows.
        store::Database cache(file, false);
        cache.write([&] {
            auto insert = cache.prepare("INSERT INTO envelope_json VALUES (?, 0, ?)");
            for (std::int64_t seq = -300; seq < 0; ++seq) {
                insert.bind(1, seq).bind(2, std::string(2000, 'x')).run();
                insert.reset();
            }
        });
    }
    const auto size = std::filesystem::file_size(file);
    REQUIRE(size > 8 * 65536);
    {
        std::fstream out(file, std::ios::in | std::ios::out | std::ios::binary);
        out.seekp(static_cast<std::streamoff>(size - 4 * 65536));
        const std::string garbage(4 * 65536, '\xA5');
        out.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
    }
    const Listing l = list(f.store, true);
    CHECK(l.report.from_cache == 0);
    CHECK(l.text == list(f.store, false).text);
    check_cache_matches_rows(f.store);
}

TEST_CASE("the cache format follows the way envelopes are written") {
    CHECK(json_cache_format().rfind("1-", 0) == 0);
    CHECK(json_cache_format().size() == 18);
}

TEST_CASE("a listing does not wait while another writes the cache; the list stays right") {
    ThreeEnvelopes f;
    create(f.store, "Not cached yet");
    store::Database other(json_cache_file(f.store), false);
    other.exec("BEGIN IMMEDIATE");
    const auto started = std::chrono::steady_clock::now();
    const Listing l = list(f.store, true);
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
    CHECK(l.report.from_cache == 3);
    CHECK(l.report.cached == 0);
    CHECK(l.text == list(f.store, false).text);
    other.exec("ROLLBACK");
    CHECK(list(f.store, true).report.cached == 1);
}

TEST_CASE("a listing never writes the store's database") {
    ThreeEnvelopes f;
    create(f.store, "Not cached yet");
    auto changes = [&] {
        auto q = f.store.db().prepare("PRAGMA data_version");
        q.step();
        return q.integer(0);
    };
    store::Store other(f.dir);
    const std::int64_t before = changes();
    list(other, true);
    CHECK(changes() == before);
}
