// The audit trail read and checked (lib/audit/trail.hpp): the hash chain,
// the details, the chain head sealed into a completed PDF (issue 3, item 8).
#include "audit/audit.hpp"
#include "audit/trail.hpp"
#include "envelope/organization.hpp"
#include "envelope/send.hpp"
#include "envelope/workflow.hpp"
#include "signet/error.hpp"
#include "support.hpp"
#include "test_verify_support.hpp"
#include "util/crypto_hash.hpp"
#include "util/fs.hpp"

#include <doctest/doctest.h>

#include <cstdlib>

using namespace signet;

namespace {

// A store with one envelope row (no parties) to hang events on.
struct TrailFixture {
    test::StoreFixture s;
    std::int64_t seq = 0;
    std::vector<std::string> heads;  // what append_event returned, in order

    TrailFixture() {
        store::Database& db = s.store.db();
        db.write([&] {
            db.prepare("INSERT INTO documents (sha256, size, page_count, created_at)"
                       " VALUES ('d0c', 1, 1, 0)")
                .run();
            db.prepare("INSERT INTO envelopes (id, title, status, owner, created_at, updated_at,"
                       " waiting_since, document_sha256, current_sha256)"
                       " VALUES ('abcd2345', 't', 'draft', 'alice', 0, 0, 0, 'd0c', 'd0c')")
                .run();
            seq = db.last_insert_rowid();
        });
        append("created", R"({"title":"Акт № 17","parties":2})", std::nullopt, std::string("d0c"));
        append("field_added", R"({"name":"sig","type":"signature","role":"client","page":1})");
        append("sent", R"({"prepared_sha256":"p","certified_sha256":"c"})", std::string("d0c"),
               std::string("c"));
    }

    void append(const std::string& action, const std::string& details,
                std::optional<std::string> before = std::nullopt,
                std::optional<std::string> after = std::nullopt) {
        audit::Actor actor{"alice", "alice", "host-1", "/dev/pts/3"};
        s.store.db().write([&] {
            heads.push_back(audit::append_event(s.store.db(), seq, actor,
                                                1795424400 + static_cast<std::int64_t>(heads.size()),
                                                {action, details, before, after}));
        });
    }

    std::vector<audit::Event> events() {
        std::vector<audit::Event> out;
        s.store.db().read([&] { out = audit::load_events(s.store.db(), seq); });
        return out;
    }
};

// Re-hashes every event from the first on, as someone who edited a row and
// wanted the chain to hold again would.
void rewrite_consistently(std::int64_t seq, std::vector<audit::Event>& events) {
    std::string prev = audit::k_genesis_hash;
    for (audit::Event& e : events) {
        e.prev_hash = prev;
        e.hash = audit::event_hash(seq, prev, e);
        prev = e.hash;
    }
}

std::string details_json(const audit::Event& e) {
    std::string out;
    util::JsonWriter w(out, false);
    w.begin_object();
    w.key("d");
    audit::write_details(w, e);
    w.end_object();
    return out;
}

}  // namespace

TEST_CASE("the chain check accepts the events append_event wrote and ends at its head") {
    TrailFixture f;
    const std::vector<audit::Event> events = f.events();
    REQUIRE(events.size() == 3);
    CHECK(events[0].prev_hash == audit::k_genesis_hash);
    const audit::ChainCheck chain = audit::check_chain(f.seq, events);
    CHECK(chain.intact);
    CHECK(chain.events == 3);
    CHECK(!chain.broken_at);
    CHECK(chain.problem.empty());
    CHECK(chain.recomputed == f.heads);
    CHECK(chain.head == f.heads.back());
    for (std::size_t i = 0; i < events.size(); ++i) {
        CHECK(events[i].hash == f.heads[i]);
        CHECK(audit::event_hash(f.seq, events[i].prev_hash, events[i]) == events[i].hash);
    }
}

TEST_CASE("an edited row breaks the chain at that event, naming it") {
    TrailFixture f;
    SUBCASE("edited in memory") {
        std::vector<audit::Event> events = f.events();
        events[1].details = R"({"name":"sig","type":"signature","role":"company","page":1})";
        const audit::ChainCheck chain = audit::check_chain(f.seq, events);
        CHECK(!chain.intact);
        CHECK(chain.broken_at == 2u);
        CHECK(chain.problem.find("event 2 (field_added)") != std::string::npos);
        CHECK(chain.problem.find("edited") != std::string::npos);
    }
    SUBCASE("edited in the database: any field, including the time") {
        f.s.store.db().exec("UPDATE events SET at = at + 1 WHERE action = 'sent'");
        const audit::ChainCheck chain = audit::check_chain(f.seq, f.events());
        CHECK(chain.broken_at == 3u);
        CHECK(chain.problem.find("event 3 (sent)") != std::string::npos);
    }
    SUBCASE("a doc hash set where there was none") {
        f.s.store.db().exec("UPDATE events SET doc_after = '' WHERE action = 'field_added'");
        // NULL and "" hash alike (as append_event writes them): not a break.
        CHECK(audit::check_chain(f.seq, f.events()).intact);
        f.s.store.db().exec("UPDATE events SET doc_after = 'x' WHERE action = 'field_added'");
        CHECK(audit::check_chain(f.seq, f.events()).broken_at == 2u);
    }
}

TEST_CASE("reordered, removed or inserted events break the chain") {
    TrailFixture f;
    std::vector<audit::Event> events = f.events();
    SUBCASE("the first two swapped") {
        std::swap(events[0], events[1]);
        const audit::ChainCheck chain = audit::check_chain(f.seq, events);
        CHECK(chain.broken_at == 1u);
        CHECK(chain.problem.find("genesis") != std::string::npos);
    }
    SUBCASE("the last two swapped") {
        std::swap(events[1], events[2]);
        const audit::ChainCheck chain = audit::check_chain(f.seq, events);
        CHECK(chain.broken_at == 2u);
        CHECK(chain.problem.find("event 2 (sent)") != std::string::npos);
        CHECK(chain.problem.find("not the hash of the event before") != std::string::npos);
    }
    SUBCASE("the middle one removed") {
        events.erase(events.begin() + 1);
        CHECK(audit::check_chain(f.seq, events).broken_at == 2u);
    }
    SUBCASE("the first one removed") {
        events.erase(events.begin());
        CHECK(audit::check_chain(f.seq, events).broken_at == 1u);
    }
    SUBCASE("another envelope's events do not hash alike") {
        CHECK(audit::check_chain(f.seq + 1, events).broken_at == 1u);
    }
    SUBCASE("no events at all") {
        const audit::ChainCheck chain = audit::check_chain(f.seq, {});
        CHECK(!chain.intact);
        CHECK(chain.head == audit::k_genesis_hash);
        CHECK(!chain.problem.empty());
    }
}

TEST_CASE("a chain rewritten consistently passes the chain check but re-computes another head") {
    TrailFixture f;
    std::vector<audit::Event> events = f.events();
    events[0].details = R"({"title":"another title","parties":2})";
    rewrite_consistently(f.seq, events);
    const audit::ChainCheck chain = audit::check_chain(f.seq, events);
    CHECK(chain.intact);
    // Only a head kept elsewhere (sealed in the PDF, sent to the parties) tells.
    CHECK(chain.recomputed[1] != f.heads[1]);
    CHECK(chain.head != f.heads.back());
}

TEST_CASE("event details are written back as the JSON object and summarised in short") {
    TrailFixture f;
    f.append("note", R"({"text":"a \"quoted\" line","n":-3,"x":1.5,"ok":true,"no":null,)"
                     R"("list":[1,"two",{"three":3}],"sha256":")" +
                         std::string(64, 'a') + R"("})");
    f.append("broken", "not json {");
    const std::vector<audit::Event> events = f.events();
    REQUIRE(events.size() == 5);
    const audit::Event& note = events[3];
    CHECK(details_json(note) ==
          R"({"d":{"text":"a \"quoted\" line","n":-3,"x":1.5,"ok":true,"no":null,)"
          R"("list":[1,"two",{"three":3}],"sha256":")" +
              std::string(64, 'a') + R"("}})");
    const std::string summary = audit::details_summary(note);
    CHECK(summary.find("text: a \"quoted\" line") != std::string::npos);
    CHECK(summary.find("list: [1,\"two\",{\"three\":3}]") != std::string::npos);
    const std::string short_sha = "sha256: aaaaaaaaaaaa…";  // shortened, and last
    CHECK(summary.rfind(short_sha) == summary.size() - short_sha.size());
    CHECK(audit::details_summary(events[0]) == "title: Акт № 17, parties: 2");
    // A row that is not JSON (edited by hand) is shown as it is.
    CHECK(events[4].details_tree.empty());
    CHECK(details_json(events[4]) == R"({"d":"not json {"})");
    CHECK(audit::details_summary(events[4]) == "not json {");
}

TEST_CASE("the timeline of an unknown envelope is not found") {
    TrailFixture f;
    CHECK_THROWS_AS(audit::read_timeline(f.s.store, "zzzzzzzz"), Error);
    try {
        audit::check_trail(f.s.store, "zzzzzzzz");
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::not_found);
    }
    const audit::Timeline t = audit::read_timeline(f.s.store, "abcd2345");
    CHECK(t.events.size() == 3);
    CHECK(t.chain_head == f.heads.back());
}

TEST_CASE("the completion /Reason names a head of 64 lowercase hex digits, nothing else") {
    const std::string head(64, 'c');
    CHECK(audit::completion_reason(head) == "signet completion; audit chain head " + head);
    CHECK(audit::parse_completion_reason(audit::completion_reason(head)) == head);
    CHECK(!audit::parse_completion_reason(audit::completion_reason(std::string(64, 'C'))));
    CHECK(!audit::parse_completion_reason(audit::completion_reason(std::string(63, 'c'))));
    CHECK(!audit::parse_completion_reason(audit::completion_reason(head + "0")));
    CHECK(!audit::parse_completion_reason(audit::completion_reason(std::string(64, 'g'))));
    CHECK(!audit::parse_completion_reason("completed; audit chain head " + head));
    CHECK(!audit::parse_completion_reason(""));
}

TEST_CASE("the sealed head is read from the completion signature's /Reason") {
    test::SignedFlow flow;
    flow.certify();
    flow.sign_as_client();
    const std::string head = util::sha256_hex("the chain before completion");

    SUBCASE("a completed PDF names its head") {
        pdf::IncrementalUpdate update(flow.signed_pdf);
        pdf::SignatureRequest request;
        request.field_name = audit::k_completion_field;
        request.name = "ACME Sp. z o.o. — Łódź";
        request.reason = audit::completion_reason(head);
        request.signing_time = util::now();
        const crypto::Credential& seal = flow.pki.seal();
        update.write(flow.completed, request,
                     test::cms_signer(seal.certificate.get(), seal.key.get(), seal.chain_pointers()));
        const audit::SealedHead sealed = audit::read_sealed_head(flow.completed);
        CHECK(sealed.field_found);
        CHECK(sealed.signed_field);
        CHECK(sealed.reason == audit::completion_reason(head));
        REQUIRE(sealed.head);
        CHECK(*sealed.head == head);
        CHECK(*sealed.head != util::sha256_hex("another chain"));  // a mismatching head
    }
    SUBCASE("another reason names no head") {
        flow.complete();  // "completed; audit chain head 0123abcd"
        const audit::SealedHead sealed = audit::read_sealed_head(flow.completed);
        CHECK(sealed.signed_field);
        CHECK(sealed.reason == "completed; audit chain head 0123abcd");
        CHECK(!sealed.head);
    }
    SUBCASE("before completion the field is there, unsigned") {
        const audit::SealedHead sealed = audit::read_sealed_head(flow.signed_pdf);
        CHECK(sealed.field_found);
        CHECK(!sealed.signed_field);
        CHECK(!sealed.head);
    }
    SUBCASE("a PDF without the field, and a file that is no PDF") {
        CHECK(!audit::read_sealed_head(test::fixture("contract.pdf")).field_found);
        const auto junk = flow.tmp.path() / "junk.pdf";
        util::write_file_atomic(junk, "not a PDF at all", 0600);
        CHECK_THROWS_AS(audit::read_sealed_head(junk), Error);
    }
}

namespace {

// A real envelope, sent, then completed by hand the way completion does it:
// the certified PDF sealed with the store's seal naming the chain head, a
// "completed" revision and event. (The signing steps in between are not
// needed for the trail's checks.)
struct CompletedEnvelope {
    test::TempDir tmp;
    std::filesystem::path dir = tmp.path() / "store";
    std::string id;
    std::string sealed_head;

    CompletedEnvelope() {
        ::setenv("SIGNET_KEY_PASSPHRASE", "unit-test-passphrase", 1);
        envelope::initialise({dir, std::string("ACME Sp. z o.o."), std::nullopt});
        store::Store store(dir);
        envelope::CreateRequest create;
        create.pdf = test::fixture("contract.pdf");
        create.title = "Umowa";
        create.party_specs = {"role=client,name=Jan Kowalski,email=jan@example.test"};
        id = envelope::create_envelope(store, create).id;
        envelope::AddFieldRequest field;
        field.envelope_id = id;
        field.type = "signature";
        field.role = std::string("client");
        field.page = "last";
        field.rect = "72,100,180,50";
        envelope::add_field(store, field);
        envelope::send_envelopes(store, {id});
    }
    ~CompletedEnvelope() { ::unsetenv("SIGNET_KEY_PASSPHRASE"); }
    CompletedEnvelope(const CompletedEnvelope&) = delete;
    CompletedEnvelope& operator=(const CompletedEnvelope&) = delete;

    store::Store open() { return store::Store(dir); }

    void complete(const std::optional<std::string>& reason_head = std::nullopt) {
        store::Store store = open();
        std::string certified;
        std::int64_t seq = 0;
        store.db().read([&] {
            auto q = store.db().prepare("SELECT seq, current_sha256 FROM envelopes WHERE id = ?");
            q.bind(1, id);
            REQUIRE(q.step());
            seq = q.integer(0);
            certified = q.text(1);
            auto h = store.db().prepare(
                "SELECT hash FROM events WHERE envelope_seq = ? ORDER BY seq DESC LIMIT 1");
            h.bind(1, seq);
            REQUIRE(h.step());
            sealed_head = h.text(0);
        });
        const crypto::OrganizationPki pki = envelope::load_pki(store);
        pdf::IncrementalUpdate update(store.document_path(certified));
        pdf::SignatureRequest request;
        request.field_name = audit::k_completion_field;
        request.name = "ACME Sp. z o.o.";
        request.reason = audit::completion_reason(reason_head.value_or(sealed_head));
        request.signing_time = util::now();
        const crypto::Credential& seal = pki.seal();
        const auto out = tmp.path() / "final.pdf";
        update.write(out, request,
                     test::cms_signer(seal.certificate.get(), seal.key.get(), seal.chain_pointers()));
        const std::string final_sha = store.put_document(util::read_file(out));
        store.db().write([&] {
            store.db()
                .prepare("INSERT INTO revisions (envelope_seq, number, sha256, kind, party_role,"
                         " created_at) VALUES (?, 3, ?, 'completed', NULL, 0)")
                .bind(1, seq)
                .bind(2, final_sha)
                .run();
            store.db()
                .prepare("UPDATE envelopes SET status = 'completed', current_sha256 = ?,"
                         " revisions = 3 WHERE seq = ?")
                .bind(1, final_sha)
                .bind(2, seq)
                .run();
            audit::append_event(store.db(), seq, audit::current_actor(), util::now(),
                                {"completed", util::json_object([&](util::JsonWriter& w) {
                                     w.field("sealed_chain_head", sealed_head);
                                     w.field("sha256", final_sha);
                                 }),
                                 certified, final_sha});
        });
    }

    std::int64_t seq() {
        store::Store store = open();
        auto q = store.db().prepare("SELECT seq FROM envelopes WHERE id = ?");
        q.bind(1, id);
        q.step();
        return q.integer(0);
    }

    // Edits the first event's details and re-hashes the whole chain.
    void rewrite_chain() {
        store::Store store = open();
        const std::int64_t s = seq();
        std::vector<audit::Event> events;
        store.db().read([&] { events = audit::load_events(store.db(), s); });
        events[0].details = R"({"title":"Another contract"})";
        rewrite_consistently(s, events);
        store.db().write([&] {
            for (const audit::Event& e : events) {
                store.db()
                    .prepare("UPDATE events SET details = ?, prev_hash = ?, hash = ? WHERE seq = ?")
                    .bind(1, e.details)
                    .bind(2, e.prev_hash)
                    .bind(3, e.hash)
                    .bind(4, e.seq)
                    .run();
            }
        });
    }
};

const audit::CheckItem& item(const audit::TrailCheck& c, const std::string& name) {
    for (const auto& i : c.checks) {
        if (i.check == name) {
            return i;
        }
    }
    FAIL("no check " << name);
    throw std::logic_error("unreachable");
}

std::string dump(const audit::TrailCheck& c) {
    std::string out;
    for (const auto& i : c.checks) {
        out += (i.ok ? "ok " : "FAIL ") + i.check + ": " + i.detail + "\n";
    }
    return out;
}

}  // namespace

TEST_CASE("check_trail: a sent envelope holds; a consistent rewrite passes, a damaged revision "
          "does not") {
    CompletedEnvelope e;
    store::Store store = e.open();
    audit::TrailCheck c = audit::check_trail(store, e.id);
    CHECK_MESSAGE(c.ok, dump(c));
    REQUIRE(c.checks.size() == 4);
    CHECK(c.checks[0].check == "chain");
    CHECK(c.checks[1].check == "revisions");
    CHECK(item(c, "seal").detail.find("not completed") != std::string::npos);

    e.rewrite_chain();
    c = audit::check_trail(store, e.id);
    CHECK_MESSAGE(c.ok, dump(c));  // nothing sealed yet: it cannot tell

    std::string certified;
    store.db().read([&] {
        auto q = store.db().prepare("SELECT sha256 FROM revisions WHERE number = 2");
        q.step();
        certified = q.text(0);
    });
    util::write_file_atomic(store.document_path(certified), "damaged", 0600);
    c = audit::check_trail(store, e.id);
    CHECK(!c.ok);
    CHECK(!item(c, "revisions").ok);
    CHECK(item(c, "revisions").detail.find("revision 2 (certified)") != std::string::npos);
    std::filesystem::remove(store.document_path(certified));
    c = audit::check_trail(store, e.id);
    CHECK(item(c, "revisions").detail.find("is missing") != std::string::npos);
}

TEST_CASE("check_trail: the head sealed at completion catches a chain rewritten consistently") {
    CompletedEnvelope e;
    e.complete();
    store::Store store = e.open();
    audit::TrailCheck c = audit::check_trail(store, e.id);
    REQUIRE_MESSAGE(c.ok, dump(c));
    CHECK(item(c, "seal").detail.find("covers the whole file") != std::string::npos);
    CHECK(item(c, "sealed_head").detail.find("before event") != std::string::npos);

    SUBCASE("a rewritten chain") {
        e.rewrite_chain();
        c = audit::check_trail(store, e.id);
        CHECK(item(c, "chain").ok);
        CHECK(item(c, "seal").ok);
        CHECK(!item(c, "sealed_head").ok);
        CHECK(item(c, "sealed_head").detail.find("changed after it was sealed") !=
              std::string::npos);
        CHECK(!c.ok);
    }
    SUBCASE("the completed event removed and the status changed back") {
        store.db().exec("DELETE FROM events WHERE action = 'completed'");
        store.db().exec("UPDATE envelopes SET status = 'in_progress'");
        c = audit::check_trail(store, e.id);
        CHECK(!item(c, "sealed_head").ok);
        CHECK(item(c, "sealed_head").detail.find("no \"completed\" event") != std::string::npos);
    }
    SUBCASE("a /Reason forged in an unsigned update after the seal") {
        std::string final_sha;
        store.db().read([&] {
            auto q = store.db().prepare("SELECT current_sha256 FROM envelopes");
            q.step();
            final_sha = q.text(0);
        });
        pdf::IncrementalUpdate update(store.document_path(final_sha));
        QPDFObjectHandle v = update.field(audit::k_completion_field).getKey("/V");
        v.replaceKey("/Reason", QPDFObjectHandle::newUnicodeString(
                                    audit::completion_reason(std::string(64, 'e'))));
        update.touch(v);
        const auto forged = e.tmp.path() / "forged.pdf";
        update.write(forged);
        const std::string forged_sha = store.put_document(util::read_file(forged));
        store.db().write([&] {
            store.db().prepare("UPDATE revisions SET sha256 = ? WHERE number = 3").bind(1, forged_sha).run();
            store.db().prepare("UPDATE envelopes SET current_sha256 = ?").bind(1, forged_sha).run();
        });
        CHECK(*audit::read_sealed_head(store.document_path(forged_sha)).head == std::string(64, 'e'));
        c = audit::check_trail(store, e.id);
        CHECK(item(c, "revisions").ok);
        CHECK(!item(c, "seal").ok);
        CHECK(item(c, "seal").detail.find("does not cover the whole file") != std::string::npos);
        CHECK(!c.ok);
    }
    SUBCASE("the final PDF missing") {
        std::string final_sha;
        store.db().read([&] {
            auto q = store.db().prepare("SELECT current_sha256 FROM envelopes");
            q.step();
            final_sha = q.text(0);
        });
        std::filesystem::remove(store.document_path(final_sha));
        c = audit::check_trail(store, e.id);
        CHECK(!item(c, "seal").ok);
        CHECK(!item(c, "sealed_head").ok);
    }
}

TEST_CASE("check_trail: a seal naming another head fails") {
    CompletedEnvelope e;
    e.complete(std::string(64, 'b'));
    store::Store store = e.open();
    const audit::TrailCheck c = audit::check_trail(store, e.id);
    CHECK(item(c, "chain").ok);
    CHECK(item(c, "seal").ok);
    CHECK(!item(c, "sealed_head").ok);
    CHECK(item(c, "sealed_head").detail.find("bbbbbbbbbbbbbbbb") != std::string::npos);
}
