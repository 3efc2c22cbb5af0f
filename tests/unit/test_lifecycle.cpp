#include "audit/audit.hpp"
#include "auth/tokens.hpp"
#include "delivery/outbox.hpp"
#include "envelope/invite.hpp"
#include "envelope/lifecycle.hpp"
#include "envelope/organization.hpp"
#include "envelope/repository.hpp"
#include "envelope/workflow.hpp"
#include "signet/error.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

using namespace signet;
using namespace signet::envelope;

namespace {

constexpr util::UnixTime k_day = 86400;

// A draft with two parties, company (order 1, e-mail) then client (order
// 2, SMS only).
std::string make_draft(store::Store& s, const std::optional<std::string>& owner = std::nullopt) {
    CreateRequest r;
    r.pdf = test::fixture("contract.pdf");
    r.title = "Umowa № 7 — Łódź";
    r.party_specs = {
        "role=company,name=Anna Nowak,email=anna@acme.test,order=1",
        "role=client,name=Пётр Иванов,phone=+48 601 234 567,order=2",
    };
    r.owner = owner;
    return create_envelope(s, r).id;
}

// Makes the draft sent at `sent_at` (expiring 14 days later) and invites
// the first turn the way `send` does, without preparing the PDF.
void mark_sent(store::Store& s, const std::string& id, util::UnixTime sent_at) {
    s.db().write([&] {
        Envelope e = EnvelopeRepository(s.db()).load(id);
        const auto turn = next_turn(e);
        s.db()
            .prepare("UPDATE envelopes SET status = 'sent', expires_at = ?, waiting_since = ?,"
                     " waiting_for = ? WHERE seq = ?")
            .bind(1, sent_at + 14 * k_day)
            .bind(2, sent_at)
            .bind(3, roles_of(turn))
            .bind(4, e.seq)
            .run();
        e.expires_at = sent_at + 14 * k_day;
        std::vector<std::string> warnings;
        invite_parties(s, e, turn, {"invitation", e.document.current_sha256, ""},
                       audit::current_actor(), sent_at, warnings);
    });
}

// The access token the party's invitation carries, derived as the
// renderer does.
std::string token_of(store::Store& s, const std::string& id, const std::string& role) {
    auto q = s.db().prepare(
        "SELECT p.invitation_nonce FROM parties p JOIN envelopes e ON e.seq = p.envelope_seq"
        " WHERE e.id = ? AND p.role = ?");
    q.bind(1, id).bind(2, role);
    REQUIRE(q.step());
    return auth::derive_access_token(auth::TokenKey::load_or_create(keys_dir(s)), id, role,
                                     q.text(0));
}

std::string text_of(store::Store& s, const std::string& sql) {
    auto q = s.db().prepare(sql);
    return q.step() ? q.text(0) : std::string("(none)");
}

std::int64_t count_of(store::Store& s, const std::string& sql) {
    auto q = s.db().prepare(sql);
    q.step();
    return q.integer(0);
}

ErrorKind kind_of(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const Error& e) {
        return e.kind();
    }
    FAIL("no error thrown");
    return ErrorKind::internal;
}

// Keeps SIGNET_NOW set for one test.
struct FixedNow {
    explicit FixedNow(util::UnixTime t) { ::setenv("SIGNET_NOW", std::to_string(t).c_str(), 1); }
    ~FixedNow() { ::unsetenv("SIGNET_NOW"); }
    FixedNow(const FixedNow&) = delete;
    FixedNow& operator=(const FixedNow&) = delete;
};

constexpr util::UnixTime k_t0 = 1795424400;  // 2026-11-23T09:00:00Z

}  // namespace

TEST_CASE("parse_duration reads a whole number and one unit") {
    CHECK(parse_duration("45s") == 45);
    CHECK(parse_duration("30m") == 30 * 60);
    CHECK(parse_duration("12h") == 12 * 3600);
    CHECK(parse_duration("3d") == 3 * k_day);
    CHECK(parse_duration("2w") == 14 * k_day);
    CHECK(parse_duration("0d") == 0);
    CHECK(parse_duration("520w") == 520 * 7 * k_day);
    SUBCASE("anything else is bad input naming the option") {
        for (const char* bad : {"", "3", "d", "3x", "-3d", "3 d", " 3d", "3dd", "3.5d", "3D",
                                "1y", "600w", "99999999999999999999s"}) {
            CAPTURE(bad);
            try {
                parse_duration(bad);
                FAIL("accepted");
            } catch (const Error& e) {
                CHECK(e.kind() == ErrorKind::bad_input);
                CHECK(std::string(e.what()).rfind("--older-than: ", 0) == 0);
            }
        }
    }
}

TEST_CASE("check_reason takes one clean line of at most 500 bytes") {
    CHECK(check_reason("  Kwota w § 3 jest błędna — Сумма неверна ") ==
          "Kwota w § 3 jest błędna — Сумма неверна");
    std::string letters;  // 250 two-byte letters: 500 bytes
    for (int i = 0; i < 250; ++i) {
        letters += "ж";
    }
    CHECK(letters.size() == k_max_reason_bytes);
    CHECK(check_reason(letters) == letters);
    for (const std::string& bad :
         {std::string(""), std::string("   "), std::string("two\nlines"), std::string("tab\there"),
          std::string("bell\x07"), std::string("\xff\xfe broken"), letters + "ж"}) {
        CAPTURE(bad);
        CHECK(kind_of([&] { check_reason(bad); }) == ErrorKind::bad_input);
    }
}

TEST_CASE("expire_due ends overdue waiting envelopes once and tells the invited parties") {
    test::StoreFixture f;
    const std::string id = make_draft(f.store);
    const std::string draft = make_draft(f.store);
    mark_sent(f.store, id, k_t0);
    const std::int64_t events_before = count_of(f.store, "SELECT count(*) FROM events");

    SUBCASE("nothing is due before expires_at: no write at all") {
        CHECK(expire_due(f.store, k_t0 + 14 * k_day - 1) == 0);
        CHECK(count_of(f.store, "SELECT count(*) FROM events") == events_before);
        CHECK(text_of(f.store, "SELECT status FROM envelopes WHERE id = '" + id + "'") == "sent");
    }
    SUBCASE("at expires_at it expires") {
        CHECK(expire_due(f.store, k_t0 + 14 * k_day) == 1);
        const Envelope e = load_envelope(f.store, id);
        CHECK(e.status == EnvelopeStatus::expired);
        CHECK(e.waiting_for.empty());
        CHECK(e.waiting_since == k_t0 + 14 * k_day);
        CHECK(text_of(f.store, "SELECT action || ' ' || actor FROM events ORDER BY seq DESC") ==
              "expired signet");
        // The company was invited and is told; the client never heard of it.
        CHECK(count_of(f.store, "SELECT count(*) FROM messages WHERE kind = 'expired'") == 1);
        CHECK(text_of(f.store, "SELECT party_role || ' ' || recipient FROM messages"
                               " WHERE kind = 'expired'") == "company anna@acme.test");
        CHECK(load_envelope(f.store, draft).status == EnvelopeStatus::draft);

        SUBCASE("and only once") {
            CHECK(expire_due(f.store, k_t0 + 30 * k_day) == 0);
            CHECK(count_of(f.store, "SELECT count(*) FROM events WHERE action = 'expired'") == 1);
        }
    }
    SUBCASE("an envelope that ended otherwise is left alone") {
        f.store.db().exec("UPDATE envelopes SET status = 'completed' WHERE id = '" + id + "'");
        CHECK(expire_due(f.store, k_t0 + 30 * k_day) == 0);
    }
}

TEST_CASE("expire_due with nothing due takes no write lock") {
    test::StoreFixture f;
    mark_sent(f.store, make_draft(f.store), k_t0);
    // Another process holds the write lock: a check that wanted it would
    // wait out the busy timeout and fail.
    store::Database other(f.dir / "signet.db", false);
    other.exec("BEGIN IMMEDIATE");
    CHECK(expire_due(f.store, k_t0 + k_day) == 0);
    other.exec("ROLLBACK");
}

TEST_CASE("decline ends the envelope, spends the token and tells every party") {
    test::StoreFixture f;
    const FixedNow now(k_t0 + 3600);
    const std::string id = make_draft(f.store);
    mark_sent(f.store, id, k_t0);
    const std::string token = token_of(f.store, id, "company");

    SUBCASE("a bad reason is refused before anything") {
        CHECK(kind_of([&] { decline_envelope(f.store, {id, token, "a\tb"}); }) ==
              ErrorKind::bad_input);
        CHECK(load_envelope(f.store, id).status == EnvelopeStatus::sent);
    }
    SUBCASE("a wrong token fails authentication") {
        CHECK(kind_of([&] { decline_envelope(f.store, {id, "wrong", "no"}); }) ==
              ErrorKind::auth_failed);
    }
    SUBCASE("declined") {
        const DeclineResult r =
            decline_envelope(f.store, {id, token, "Сумма неверна — kwota błędna"});
        CHECK(r.role == "company");
        REQUIRE(r.notified.size() == 2);
        CHECK(r.notified[0].channel == "mail");
        CHECK(r.notified[1].channel == "sms");
        const Envelope e = load_envelope(f.store, id);
        CHECK(e.status == EnvelopeStatus::declined);
        CHECK(e.waiting_for.empty());
        CHECK(e.parties[0].status == PartyStatus::declined);
        CHECK(text_of(f.store, "SELECT action || ' ' || actor FROM events ORDER BY seq DESC") ==
              "declined party:company");
        CHECK(text_of(f.store, "SELECT details FROM events ORDER BY seq DESC").find(
                  "Сумма неверна — kwota błędna") != std::string::npos);
        CHECK(count_of(f.store, "SELECT count(*) FROM messages WHERE kind = 'declined'") == 2);
        // Twice: the token is spent.
        CHECK(kind_of([&] { decline_envelope(f.store, {id, token, "again"}); }) ==
              ErrorKind::auth_failed);
    }
}

TEST_CASE("void is the owner's, and only before the envelope ends") {
    test::StoreFixture f;
    const FixedNow now(k_t0 + 3600);
    const std::string id = make_draft(f.store, std::string("anna"));
    mark_sent(f.store, id, k_t0);
    CHECK(kind_of([&] { void_envelope(f.store, {id, "wrong deal", std::string("piotr")}); }) ==
          ErrorKind::not_allowed);
    const VoidResult r = void_envelope(f.store, {id, "wrong deal", std::string("anna")});
    CHECK(r.previous_status == "sent");
    REQUIRE(r.notified.size() == 1);  // only the company was invited
    CHECK(r.notified[0].role == "company");
    CHECK(load_envelope(f.store, id).status == EnvelopeStatus::voided);
    CHECK(kind_of([&] { void_envelope(f.store, {id, "again", std::string("anna")}); }) ==
          ErrorKind::not_allowed);
    // Its token now opens an ended envelope.
    CHECK(kind_of([&] {
              decline_envelope(f.store, {id, token_of(f.store, id, "company"), "late"});
          }) == ErrorKind::not_allowed);
}

TEST_CASE("remind repeats the invitation's token to the parties invited long enough ago") {
    test::StoreFixture f;
    const FixedNow now(k_t0 + 2 * k_day);
    const std::string id = make_draft(f.store);
    const std::string draft = make_draft(f.store);
    mark_sent(f.store, id, k_t0);
    const std::string nonce =
        text_of(f.store, "SELECT invitation_nonce FROM parties WHERE role = 'company'"
                         " AND invitation_nonce IS NOT NULL");

    CHECK(kind_of([&] { remind(f.store, {{draft}, std::nullopt}); }) == ErrorKind::not_allowed);
    CHECK(kind_of([&] { remind(f.store, {{id, draft}, std::nullopt}); }) ==
          ErrorKind::not_allowed);
    CHECK(count_of(f.store, "SELECT count(*) FROM messages WHERE kind = 'reminder'") == 0);

    RemindReport r = remind(f.store, {{}, 3 * k_day});
    CHECK(r.envelopes.empty());
    CHECK(r.reminded == 0);

    r = remind(f.store, {{}, k_day});
    REQUIRE(r.envelopes.size() == 1);
    CHECK(r.envelopes[0].id == id);
    CHECK(r.envelopes[0].roles == std::vector<std::string>{"company"});
    CHECK(count_of(f.store, "SELECT count(*) FROM messages WHERE kind = 'reminder'") == 1);
    CHECK(count_of(f.store, "SELECT count(*) FROM events WHERE action = 'reminded'") == 1);
    // Same nonce, so the same token.
    CHECK(text_of(f.store, "SELECT invitation_nonce FROM parties WHERE role = 'company'"
                           " AND invitation_nonce IS NOT NULL") == nonce);

    SUBCASE("named, with nobody due, it says so") {
        r = remind(f.store, {{id}, 3 * k_day});
        REQUIRE(r.envelopes.size() == 1);
        CHECK(r.envelopes[0].roles.empty());
    }
}
