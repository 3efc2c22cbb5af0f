// The certificate of completion and the text-page writer under it, checked
// with tools nobody here wrote: qpdf --check, poppler's pdftotext and pdfinfo.
#include "envelope/certificate.hpp"
#include "envelope/workflow.hpp"
#include "pdf/page_text.hpp"
#include "signet/error.hpp"
#include "support.hpp"
#include "util/fs.hpp"

#include <doctest/doctest.h>

#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <regex>

using namespace signet;

namespace {

struct Run {
    int status = -1;
    std::string output;
};

Run run(const std::string& command) {
    Run result;
    FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    REQUIRE(pipe != nullptr);
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) {
        result.output.append(buf, n);
    }
    const int raw = ::pclose(pipe);
    result.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    return result;
}

std::string quote(const std::filesystem::path& p) { return "'" + p.string() + "'"; }

// The PDF's text as pdftotext extracts it, after qpdf --check passed on it.
std::string checked_text(const std::filesystem::path& dir, const std::string& pdf) {
    const std::filesystem::path file = dir / "out.pdf";
    util::write_file_atomic(file, pdf);
    const Run check = run("qpdf --check " + quote(file));
    INFO(check.output);
    CHECK(check.status == 0);
    CHECK(check.output.find("No syntax or stream encoding errors") != std::string::npos);
    const Run text = run("pdftotext -enc UTF-8 " + quote(file) + " -");
    REQUIRE(text.status == 0);
    return text.output;
}

int page_count(const std::filesystem::path& dir, const std::string& pdf) {
    const std::filesystem::path file = dir / "pages.pdf";
    util::write_file_atomic(file, pdf);
    const Run info = run("pdfinfo " + quote(file));
    std::smatch m;
    static const std::regex pages(R"(Pages:\s+(\d+))");
    REQUIRE(std::regex_search(info.output, m, pages));
    return std::stoi(m[1]);
}

// A store in a given zone (Europe/Warsaw by default) for an organisation
// with a Polish name.
struct ZonedStore {
    test::TempDir tmp;
    std::filesystem::path dir = tmp.path() / "store";
    std::string zone;
    store::Store store;

    explicit ZonedStore(std::string z = "Europe/Warsaw") : zone(std::move(z)), store(make()) {}

    store::Store make() {
        store::Store::init(dir, std::string("Spółka Łódź sp. z o.o."));
        const std::filesystem::path config = dir / "config.yaml";
        std::string text = util::read_file(config);
        const auto at = text.find("\ntimezone: ");
        REQUIRE(at != std::string::npos);
        const auto end = text.find('\n', at + 1);
        text.replace(at + 1, end - at - 1, "timezone: " + zone);
        util::write_file_atomic(config, text);
        return store::Store(dir);
    }
};

const char* const k_prepared = "1111111111111111111111111111111111111111111111111111111111111111";
const char* const k_certified = "2222222222222222222222222222222222222222222222222222222222222222";
const char* const k_signed = "3333333333333333333333333333333333333333333333333333333333333333";

// An envelope as if sent on 2026-11-23 09:00 UTC and signed by its first
// party at 09:30 UTC: the rows send and sign leave, written directly.
std::string sent_and_signed_once(store::Store& store) {
    envelope::CreateRequest r;
    r.pdf = test::fixture("contract.pdf");
    r.title = "Umowa najmu — Łódź, ul. Piotrkowska 17";
    r.party_specs = {
        "role=director,name=Zażółć Gęślą Jaźń,email=dyrektor@spolka.test,order=1,"
        "stamp=required,auth=sms,phone=+48 601 234 567",
        "role=client,name=Пётр Иванов,phone=+48 602 345 678,order=2",
        "role=archive,name=Archiwum,email=archiwum@spolka.test,order=3,action=copy",
    };
    const std::string id = envelope::create_envelope(store, r).id;
    store.db().write([&] {
        store.db().exec(
            "UPDATE envelopes SET status = 'in_progress', current_sha256 = '" +
            std::string(k_signed) +
            "', revisions = 3, expires_at = 1796634000 WHERE id = '" + id + "';"
            "INSERT INTO revisions VALUES (1, 1, '" + k_prepared + "', 'prepared', NULL, 1795424400);"
            "INSERT INTO revisions VALUES (1, 2, '" + k_certified + "', 'certified', NULL, 1795424400);"
            "INSERT INTO revisions VALUES (1, 3, '" + k_signed + "', 'signed', 'director', 1795426200);"
            "UPDATE parties SET status = 'signed', invited_at = 1795424400, opened_at = 1795425000,"
            " acted_at = 1795426200, certificate_serial = '4F1A22C0DE' WHERE role = 'director';"
            "UPDATE parties SET status = 'invited', invited_at = 1795426200 WHERE role = 'client';"
            "INSERT INTO messages (message_id, envelope_seq, party_role, kind, channel, recipient,"
            " payload, created_at, next_attempt_at, delivered_at) VALUES"
            " ('m1', 1, 'director', 'invitation', 'mail', 'dyrektor@spolka.test', '{}',"
            "  1795424400, 1795424400, 1795424401),"
            " ('m2', 1, 'client', 'invitation', 'sms', '+48602345678', '{}',"
            "  1795426200, 1795426200, NULL);");
    });
    return id;
}

}  // namespace

TEST_CASE("the certificate names the envelope, every revision's SHA-256 and each party") {
    ZonedStore f;
    const std::string id = sent_and_signed_once(f.store);
    const std::string pdf = envelope::completion_certificate_pdf(f.store, id);
    const std::string text = checked_text(f.tmp.path(), pdf);
    INFO(text);
    CHECK(text.find("Certificate of completion") != std::string::npos);
    CHECK(text.find(id) != std::string::npos);
    CHECK(text.find("Umowa najmu — Łódź, ul. Piotrkowska 17") != std::string::npos);
    CHECK(text.find("Spółka Łódź sp. z o.o.") != std::string::npos);
    CHECK(text.find("in progress") != std::string::npos);
    for (const char* sha : {k_prepared, k_certified, k_signed}) {
        CHECK(text.find(sha) != std::string::npos);
    }
    CHECK(text.find("signed by director") != std::string::npos);
    // Names in any script come out as they went in.
    CHECK(text.find("Zażółć Gęślą Jaźń") != std::string::npos);
    CHECK(text.find("Пётр Иванов") != std::string::npos);
    CHECK(text.find("dyrektor@spolka.test · +48601234567") != std::string::npos);
    CHECK(text.find("one-time code by SMS") != std::string::npos);
    CHECK(text.find("none (receives a copy only)") != std::string::npos);
    CHECK(text.find("4F1A22C0DE") != std::string::npos);
    // Times in the store's zone, named, and in UTC: 09:30 UTC is 10:30 CET.
    CHECK(text.find("Europe/Warsaw") != std::string::npos);
    CHECK(text.find("2026-11-23 10:30:00 CET (UTC+01:00) · 2026-11-23 09:30:00 UTC") !=
          std::string::npos);
    CHECK(text.find("2026-11-23 10:10:00 CET") != std::string::npos);  // opened
    // The channel each party was invited on, and whether it got there.
    CHECK(text.find("e-mail, invitation delivered 2026-11-23 10:00:01 CET") != std::string::npos);
    CHECK(text.find("SMS, invitation not delivered yet") != std::string::npos);
    CHECK(text.find("none yet (receives the result)") != std::string::npos);
    CHECK(text.find("Completed") != std::string::npos);
    CHECK(text.find("not yet") != std::string::npos);
}

TEST_CASE("the certificate carries the audit chain head") {
    ZonedStore f("Etc/UTC");
    envelope::CreateRequest r;
    r.pdf = test::fixture("contract.pdf");
    r.title = "Chain";
    r.party_specs = {"role=client,name=Jan,email=jan@example.test"};
    const std::string id = envelope::create_envelope(f.store, r).id;
    auto q = f.store.db().prepare("SELECT hash FROM events ORDER BY seq DESC LIMIT 1");
    REQUIRE(q.step());
    const std::string head = q.text(0);
    const std::string text =
        checked_text(f.tmp.path(), envelope::completion_certificate_pdf(f.store, id));
    CHECK(text.find(head) != std::string::npos);
    // A store in UTC shows UTC times alone.
    CHECK(text.find(" UTC") != std::string::npos);
    CHECK(text.find("(UTC+") == std::string::npos);
    CHECK(text.find("Times are in UTC.") != std::string::npos);
    CHECK(text.find("None yet: the envelope has not been sent.") != std::string::npos);
}

TEST_CASE("the certificate is the same bytes for the same store state") {
    ZonedStore f;
    const std::string id = sent_and_signed_once(f.store);
    const std::string first = envelope::completion_certificate_pdf(f.store, id);
    CHECK(first == envelope::completion_certificate_pdf(f.store, id));
    CHECK(first.rfind("%PDF-", 0) == 0);
    // A classic cross-reference table, no object streams.
    CHECK(first.find("\nxref\n") != std::string::npos);
    CHECK(first.find("/ObjStm") == std::string::npos);
    // And a change in the store shows.
    f.store.db().exec("UPDATE parties SET opened_at = opened_at + 1 WHERE role = 'director'");
    CHECK(first != envelope::completion_certificate_pdf(f.store, id));
}

TEST_CASE("the certificate can be made inside the caller's transaction") {
    ZonedStore f;
    const std::string id = sent_and_signed_once(f.store);
    std::string pdf;
    f.store.db().write([&] {
        f.store.db().exec("UPDATE envelopes SET status = 'completed'");
        f.store.db().exec("UPDATE parties SET certificate_serial = 'ABCDEF0123'"
                          " WHERE role = 'client'");
        pdf = envelope::completion_certificate_pdf(f.store, id);
    });
    const std::string text = checked_text(f.tmp.path(), pdf);
    // It sees the transaction's own changes.
    CHECK(text.find("ABCDEF0123") != std::string::npos);
    CHECK(text.find("completed") != std::string::npos);
}

TEST_CASE("the certificate of an unknown envelope is not found") {
    test::StoreFixture f;
    try {
        envelope::completion_certificate_pdf(f.store, "nosuchid");
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::not_found);
        CHECK(std::string(e.what()).find("nosuchid") != std::string::npos);
    }
}

TEST_CASE("the certificate of an envelope with many parties runs over several pages") {
    test::StoreFixture f;
    envelope::CreateRequest r;
    r.pdf = test::fixture("contract.pdf");
    r.title = "Many";
    for (int i = 1; i <= 14; ++i) {
        r.party_specs.push_back("role=p" + std::to_string(i) + ",name=Участник " +
                                std::to_string(i) + ",email=p" + std::to_string(i) +
                                "@example.test,order=" + std::to_string(i));
    }
    const std::string id = envelope::create_envelope(f.store, r).id;
    const std::string pdf = envelope::completion_certificate_pdf(f.store, id);
    CHECK(page_count(f.tmp.path(), pdf) >= 2);
    const std::string text = checked_text(f.tmp.path(), pdf);
    CHECK(text.find("Участник 14") != std::string::npos);
    CHECK(text.find("page 1 of ") != std::string::npos);
}

TEST_CASE("text pages wrap long text inside the margins and keep every character") {
    test::TempDir tmp;
    pdf::TextPages pages;
    std::string words;
    for (int i = 0; i < 60; ++i) {
        words += "słowo" + std::to_string(i) + " ";
    }
    pages.paragraph(words);
    const std::string unbroken(200, 'x');
    pages.paragraph(unbroken, {pdf::PageFont::mono, 9, 0});
    pages.paragraph("first line\nsecond line", {pdf::PageFont::bold, 12, 0});
    const std::string bytes = pages.write({"Zkouška", "", "test", ""});
    const std::filesystem::path file = tmp.path() / "wrap.pdf";
    util::write_file_atomic(file, bytes);
    CHECK(run("qpdf --check " + quote(file)).status == 0);
    // Every word lies inside the page's margins.
    const Run boxes = run("pdftotext -bbox " + quote(file) + " -");
    static const std::regex word(R"re(<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)")re");
    int words_seen = 0;
    for (auto it = std::sregex_iterator(boxes.output.begin(), boxes.output.end(), word);
         it != std::sregex_iterator(); ++it) {
        ++words_seen;
        CHECK(std::stod((*it)[1]) >= 56.0);
        CHECK(std::stod((*it)[2]) <= 595.276 - 56.0);
    }
    CHECK(words_seen > 60);
    const Run text = run("pdftotext " + quote(file) + " -");
    std::string joined;
    for (char c : text.output) {
        if (c != '\n') {
            joined += c;
        }
    }
    CHECK(joined.find(unbroken) != std::string::npos);
    CHECK(text.output.find("słowo59") != std::string::npos);
    CHECK(text.output.find("first line\nsecond line") != std::string::npos);
    CHECK_THROWS_AS(pages.write({}), Error);
}
