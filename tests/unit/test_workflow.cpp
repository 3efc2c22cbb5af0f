#include "audit/audit.hpp"
#include "envelope/repository.hpp"
#include "envelope/send.hpp"
#include "envelope/workflow.hpp"
#include "signet/error.hpp"
#include "store/database.hpp"
#include "store/schema.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

using namespace signet;
using namespace signet::envelope;

namespace {

CreateRequest reference_request(const std::string& pdf = "contract.pdf") {
    CreateRequest r;
    r.pdf = test::fixture(pdf);
    r.title = "Act of completed work No. 17";
    r.party_specs = {
        "role=company,name=Anna Nowak,email=anna@acme.test,order=1,stamp=required",
        "role=client,name=Пётр Иванов,phone=+48 601 234 567,order=2",
    };
    return r;
}

AddFieldRequest field(const std::string& id, const std::string& type, const std::string& role,
                      const std::string& page, const std::string& rect) {
    AddFieldRequest r;
    r.envelope_id = id;
    r.type = type;
    r.role = role;
    r.page = page;
    r.rect = rect;
    return r;
}

// Everything the store holds, to prove that a refused command wrote nothing.
std::string snapshot(store::Store& s) {
    std::string out;
    for (const char* table : {"envelopes", "parties", "fields", "events", "documents"}) {
        auto q = s.db().prepare(std::string("SELECT * FROM ") + table);
        while (q.step()) {
            out += table;
            for (int c = 0; c < 16; ++c) {
                out += "|" + q.text(c);
            }
            out += "\n";
        }
    }
    for (const auto& entry : std::filesystem::recursive_directory_iterator(s.dir() / "documents")) {
        out += entry.path().string() + "\n";
    }
    return out;
}

std::int64_t count(store::Store& s, const std::string& table) {
    auto q = s.db().prepare("SELECT count(*) FROM " + table);
    q.step();
    return q.integer(0);
}

}  // namespace

TEST_CASE("create records the document, the parties in order and an audit event") {
    test::StoreFixture f;
    const CreateResult r = create_envelope(f.store, reference_request());
    CHECK_FALSE(r.existed);
    CHECK(r.id.size() == 8);
    const Envelope e = load_envelope(f.store, r.id);
    CHECK(e.status == EnvelopeStatus::draft);
    CHECK(e.title == "Act of completed work No. 17");
    CHECK(e.document.pages == 3);
    CHECK(e.document.sha256 == e.document.current_sha256);
    REQUIRE(e.parties.size() == 2);
    CHECK(e.parties[0].role == "company");
    CHECK(e.parties[1].name == "Пётр Иванов");
    CHECK(e.parties[1].phone == "+48601234567");
    CHECK(e.owner == util::current_user());
    CHECK(count(f.store, "events") == 1);
}

TEST_CASE("create with the same key returns the envelope created before") {
    test::StoreFixture f;
    CreateRequest r = reference_request();
    r.key = "deal-42";
    const CreateResult first = create_envelope(f.store, r);
    const CreateResult again = create_envelope(f.store, r);
    CHECK(again.existed);
    CHECK(again.id == first.id);
    CHECK(count(f.store, "envelopes") == 1);
}

TEST_CASE("the same PDF in two envelopes is stored once") {
    test::StoreFixture f;
    create_envelope(f.store, reference_request());
    create_envelope(f.store, reference_request());
    CHECK(count(f.store, "envelopes") == 2);
    CHECK(count(f.store, "documents") == 1);
}

TEST_CASE("create refuses bad input and writes nothing") {
    test::StoreFixture f;
    create_envelope(f.store, reference_request());
    const std::string before = snapshot(f.store);
    SUBCASE("a missing file") {
        CreateRequest r = reference_request();
        r.pdf = "/nonexistent/act.pdf";
        CHECK_THROWS_WITH_AS(create_envelope(f.store, r), doctest::Contains("/nonexistent/act.pdf"),
                             Error);
    }
    SUBCASE("an encrypted PDF") {
        CHECK_THROWS_WITH_AS(create_envelope(f.store, reference_request("encrypted.pdf")),
                             doctest::Contains("encrypted"), Error);
    }
    SUBCASE("a duplicate role") {
        CreateRequest r = reference_request();
        r.party_specs.push_back("role=client,name=Other,email=o@example.com");
        CHECK_THROWS_WITH_AS(create_envelope(f.store, r), doctest::Contains("given to two parties"),
                             Error);
    }
    SUBCASE("a control character in the title") {
        CreateRequest r = reference_request();
        r.title = "Act\x1b[31m";
        CHECK_THROWS_AS(create_envelope(f.store, r), Error);
    }
    SUBCASE("no parties") {
        CreateRequest r = reference_request();
        r.party_specs.clear();
        CHECK_THROWS_AS(create_envelope(f.store, r), Error);
    }
    CHECK(snapshot(f.store) == before);
}

TEST_CASE("add-field resolves the last page, converts millimetres and generates names") {
    test::StoreFixture f;
    const std::string id = create_envelope(f.store, reference_request()).id;
    const Field sig = add_field(f.store, field(id, "signature", "company", "last", "72,600,180,50"));
    CHECK(sig.page == 3);
    CHECK(sig.name == "company_signature");
    AddFieldRequest stamp = field(id, "stamp", "company", "LAST", "105,205,42,42");
    stamp.unit = "mm";
    const Field s = add_field(f.store, stamp);
    CHECK(s.rect.x == doctest::Approx(297.64));
    CHECK(s.rect.width == doctest::Approx(119.06));
    const Field second = add_field(f.store, field(id, "signature", "company", "1", "72,600,180,50"));
    CHECK(second.name == "company_signature_2");
    const Envelope e = load_envelope(f.store, id);
    REQUIRE(e.fields.size() == 3);
    CHECK(e.fields[0].page == 3);
    CHECK(e.fields[1].type == FieldType::stamp);
}

TEST_CASE("add-field measures rectangles on the page as displayed") {
    test::StoreFixture f;
    SUBCASE("a rotated page is landscape as displayed") {
        const std::string id = create_envelope(f.store, reference_request("rotated.pdf")).id;
        CHECK_NOTHROW(add_field(f.store, field(id, "signature", "client", "1", "650,20,180,50")));
        CHECK_THROWS_WITH_AS(
            add_field(f.store, field(id, "signature", "client", "1", "20,650,50,180")),
            doctest::Contains("outside page 1"), Error);
    }
    SUBCASE("a cropped page is measured from its crop box") {
        const std::string id = create_envelope(f.store, reference_request("cropped.pdf")).id;
        // Fits the 700 pt wide MediaBox but not the narrower visible box.
        CHECK_THROWS_AS(add_field(f.store, field(id, "text", "client", "1", "560,10,100,20")),
                        Error);
        CHECK_NOTHROW(add_field(f.store, field(id, "text", "client", "1", "0,0,100,20")));
    }
}

TEST_CASE("add-field refuses bad fields and writes nothing") {
    test::StoreFixture f;
    const std::string id = create_envelope(f.store, reference_request()).id;
    add_field(f.store, field(id, "signature", "company", "last", "72,600,180,50"));
    const std::string before = snapshot(f.store);
    struct Case {
        AddFieldRequest request;
        const char* message;
    };
    AddFieldRequest named = field(id, "text", "client", "1", "10,10,100,20");
    named.name = "company_signature";
    AddFieldRequest reserved = field(id, "text", "client", "1", "10,10,100,20");
    reserved.name = "signet_certification";
    AddFieldRequest dotted = field(id, "text", "client", "1", "10,10,100,20");
    dotted.name = "client.address";
    AddFieldRequest bad_unit = field(id, "text", "client", "1", "10,10,100,20");
    bad_unit.unit = "in";
    AddFieldRequest valued_signature = field(id, "signature", "client", "1", "10,10,100,20");
    valued_signature.value = "Jan";
    AddFieldRequest bad_number = field(id, "number", "client", "1", "10,10,100,20");
    bad_number.value = "12a";
    const Case cases[] = {
        {field("nope0000", "text", "client", "1", "10,10,100,20"), "no envelope \"nope0000\""},
        {field(id, "barcode", "client", "1", "10,10,100,20"), "unknown field type"},
        {field(id, "text", "notary", "1", "10,10,100,20"), "not a party"},
        {field(id, "text", "client", "4", "10,10,100,20"), "out of range"},
        {field(id, "text", "client", "0", "10,10,100,20"), "out of range"},
        {field(id, "text", "client", "first", "10,10,100,20"), "number or \"last\""},
        {field(id, "text", "client", "1", "10,10,100"), "four numbers"},
        {field(id, "text", "client", "1", "10,10,-5,20"), "must be positive"},
        {field(id, "text", "client", "1", "500,10,100,20"), "outside page 1"},
        {named, "already has a field"},
        {reserved, "are signet's own"},
        {dotted, "letters, digits, _ or -"},
        {bad_unit, "--unit must be pt or mm"},
        {valued_signature, "cannot be given a value"},
        {bad_number, "not a number"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.message);
        CHECK_THROWS_WITH_AS(add_field(f.store, c.request), doctest::Contains(c.message), Error);
    }
    CHECK(snapshot(f.store) == before);
}

TEST_CASE("add-field is allowed only on a draft") {
    test::StoreFixture f;
    const std::string id = create_envelope(f.store, reference_request()).id;
    f.store.db().exec("UPDATE envelopes SET status = 'sent'");
    try {
        add_field(f.store, field(id, "text", "client", "1", "10,10,100,20"));
        FAIL("added a field to a sent envelope");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::not_allowed);
        CHECK(exit_code_for(e.kind()) == ExitCode::not_allowed);
    }
}

TEST_CASE("a sender-fixed value needs no role and marks the field filled") {
    test::StoreFixture f;
    const std::string id = create_envelope(f.store, reference_request()).id;
    AddFieldRequest amount = field(id, "number", "", "1", "72,640,200,16");
    amount.role.reset();
    amount.value = "12 300,00";
    const Field added = add_field(f.store, amount);
    CHECK(added.filled);
    CHECK_FALSE(added.role);
    CHECK(added.value == "12 300,00");
    AddFieldRequest no_role = field(id, "text", "", "1", "72,600,200,16");
    no_role.role.reset();
    CHECK_THROWS_WITH(add_field(f.store, no_role), doctest::Contains("--role is missing"));
}

TEST_CASE("every change appends an event chained to the one before") {
    test::StoreFixture f;
    const std::string id = create_envelope(f.store, reference_request()).id;
    add_field(f.store, field(id, "signature", "company", "last", "72,600,180,50"));
    auto q = f.store.db().prepare("SELECT prev_hash, hash, action FROM events ORDER BY seq");
    REQUIRE(q.step());
    CHECK(q.text(0) == audit::k_genesis_hash);
    CHECK(q.text(2) == "created");
    const std::string first = q.text(1);
    REQUIRE(q.step());
    CHECK(q.text(0) == first);
    CHECK(q.text(2) == "field_added");
}

TEST_CASE("parse_expiry reads hours, days and weeks above zero and up to ten years") {
    CHECK(parse_expiry("48h") == Expiry{48, 'h'});
    CHECK(parse_expiry("14d") == Expiry{14, 'd'});
    CHECK(parse_expiry("2w") == Expiry{2, 'w'});
    CHECK(parse_expiry("520w") == Expiry{520, 'w'});
    CHECK(to_string(Expiry{14, 'd'}) == "14d");
    CHECK(nominal_seconds(Expiry{2, 'w'}) == 14 * 86400);
    for (const char* bad : {"", "d", "14", "0d", "-1d", "1.5d", "14 d", " 14d", "14D", "30m", "45s",
                            "1y", "600w", "99999999999999999999h"}) {
        CAPTURE(bad);
        CHECK_FALSE(parse_expiry(bad).has_value());
    }
}

TEST_CASE("an expiry in days ends at the local time it was sent; hours are exact") {
    // Poland goes to summer time on 2026-03-29 and back on 2026-10-25.
    const util::UnixTime spring = util::parse_rfc3339_utc("2026-03-27T09:00:00Z");  // 10:00 CET
    CHECK(expiry_end(Expiry{3, 'd'}, spring, "Europe/Warsaw") ==
          util::parse_rfc3339_utc("2026-03-30T08:00:00Z"));  // 10:00 CEST: 71 hours
    CHECK(expiry_end(Expiry{1, 'w'}, spring, "Europe/Warsaw") ==
          util::parse_rfc3339_utc("2026-04-03T08:00:00Z"));
    CHECK(expiry_end(Expiry{72, 'h'}, spring, "Europe/Warsaw") == spring + 72 * 3600);
    CHECK(expiry_end(Expiry{3, 'd'}, spring, "UTC") == spring + 3 * 86400);
    const util::UnixTime autumn = util::parse_rfc3339_utc("2026-10-23T08:00:00Z");  // 10:00 CEST
    CHECK(expiry_end(Expiry{3, 'd'}, autumn, "Europe/Warsaw") ==
          util::parse_rfc3339_utc("2026-10-26T09:00:00Z"));  // 10:00 CET: 73 hours
}

TEST_CASE("send sets expires_at from the envelope's own expiry, else from config.yaml") {
    test::StoreFixture f;
    const std::string own = create_envelope(f.store, reference_request()).id;
    const std::string plain = create_envelope(f.store, reference_request()).id;
    f.store.db().write([&] {
        f.store.db()
            .prepare("UPDATE envelopes SET expires_in = '3d', timezone = 'Europe/Warsaw' WHERE id = ?")
            .bind(1, own)
            .run();
    });
    CHECK(load_envelope(f.store, own).expires_in == Expiry{3, 'd'});
    CHECK(load_envelope(f.store, own).timezone == std::optional<std::string>("Europe/Warsaw"));
    CHECK_FALSE(load_envelope(f.store, plain).expires_in.has_value());

    const util::UnixTime sent = util::parse_rfc3339_utc("2026-03-27T09:00:00Z");
    const SentDocuments docs{std::string(64, 'a'), std::string(64, 'b')};
    for (const std::string& id : {own, plain}) {
        SendResult result;
        f.store.db().write([&] { record_sent(f.store, id, docs, sent, result); });
        CHECK(result.status == "sent");
    }
    CHECK(load_envelope(f.store, own).expires_at == util::parse_rfc3339_utc("2026-03-30T08:00:00Z"));
    CHECK(load_envelope(f.store, plain).expires_at ==
          sent + f.store.config().expires_in_days * 86400);
}

TEST_CASE("a store made before envelopes had their own expiry is upgraded and keeps its envelopes") {
    test::TempDir tmp;
    const auto file = tmp.path() / "signet.db";
    const std::vector<std::string>& all = store::schema_migrations();
    // Version 6: the last schema without envelopes.expires_in.
    const std::vector<std::string> v6(all.begin(), all.begin() + 6);
    {
        store::Database db(file, true);
        store::apply_migrations(db, v6, "old");
        REQUIRE(db.schema_version() == 6);
        db.exec("INSERT INTO documents (sha256, size, page_count, created_at) VALUES ('d', 1, 1, 0);"
                "INSERT INTO envelopes (id, title, status, owner, created_at, updated_at,"
                " waiting_since, document_sha256, current_sha256)"
                " VALUES ('oldenvel', 'Old', 'draft', 'anna', 0, 0, 0, 'd', 'd')");
    }
    store::Database db(file, true);
    store::apply_migrations(db, all, "old");
    CHECK(db.schema_version() == static_cast<int>(all.size()));
    EnvelopeRepository repo(db);
    const Envelope old = repo.load("oldenvel");
    CHECK(old.title == "Old");
    CHECK_FALSE(old.expires_in.has_value());

    Envelope e = old;
    e.id = "newenvel";
    e.expires_in = Expiry{2, 'w'};
    e.timezone = "Europe/Warsaw";
    db.write([&] { repo.insert(e, std::nullopt); });
    CHECK(repo.load("newenvel").expires_in == Expiry{2, 'w'});
    CHECK(repo.load("newenvel").timezone == std::optional<std::string>("Europe/Warsaw"));
    e.id = "nozone00";
    e.expires_in = Expiry{48, 'h'};
    e.timezone.reset();
    db.write([&] { repo.insert(e, std::nullopt); });
    CHECK(repo.load("nozone00").expires_in == Expiry{48, 'h'});
    CHECK_FALSE(repo.load("nozone00").timezone.has_value());
}
