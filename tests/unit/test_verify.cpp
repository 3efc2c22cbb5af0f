// signet verify on signet's own PDFs: every step of the flow is valid with
// the organisation's root trusted, untrusted without it, and the checks say
// what they found.
#include "test_verify_support.hpp"

#include "verify/report.hpp"

#include <doctest/doctest.h>

using namespace signet;
using test::SignedFlow;

namespace {

std::string dump(const verify::FileReport& r) {
    verify::VerifyReport v;
    v.files.push_back(r);
    return verify::render_text(v, true);
}

}  // namespace

TEST_CASE("signet's own PDFs are valid at every step, signature by signature") {
    for (const char* fixture : {"contract.pdf", "objstreams.pdf", "rotated.pdf"}) {
        CAPTURE(fixture);
        SignedFlow flow(fixture);
        flow.all();
        const verify::FileReport certified = flow.verify(flow.certified);
        CHECK_MESSAGE(certified.verdict == "valid", dump(certified));
        const verify::FileReport signed_pdf = flow.verify(flow.signed_pdf);
        CHECK_MESSAGE(signed_pdf.verdict == "valid", dump(signed_pdf));
        const verify::FileReport done = flow.verify(flow.completed);
        REQUIRE_MESSAGE(done.verdict == "valid", dump(done));
        REQUIRE(done.signatures.size() == 3);
        CHECK(done.revisions == 5);  // the original, prepared, certified, signed, sealed
        const auto& cert = done.signatures[0];
        CHECK(cert.field == "signet_certification");
        CHECK(cert.certification);
        CHECK(cert.docmdp == 2);
        CHECK(cert.revision == 3);
        CHECK(cert.subfilter == "ETSI.CAdES.detached");
        CHECK(cert.signer == "ACME Sp. z o.o. — Łódź");
        CHECK(!cert.modified_after.empty());
        const auto& client = done.signatures[1];
        CHECK(client.field == "client_signature");
        CHECK(client.signer == "Пётр Иванов");
        CHECK(client.signer_email == "petr@example.ru");
        CHECK(!client.certification);
        CHECK(client.revision == 4);
        CHECK(client.locks == std::vector<std::string>{"client_address", "client_agrees"});
        const auto& seal = done.signatures[2];
        CHECK(seal.field == "signet_completion");
        CHECK(seal.covers_whole_file);
        CHECK(seal.modified_after.empty());
        for (const auto& s : done.signatures) {
            CHECK(s.digest_ok);
            CHECK(s.signature_ok);
            CHECK(s.trusted);
            CHECK(s.covers_whole_revision);
            CHECK(!s.time_proven);
            for (const auto& c : s.modified_after) {
                CHECK_MESSAGE(c.allowed, (c.object + ": " + c.change));
            }
        }
    }
}

TEST_CASE("without the organisation's root the same PDF is intact but untrusted") {
    SignedFlow flow;
    flow.all();
    auto empty = crypto::make_trust_store({});
    const verify::FileReport r = verify::verify_file(flow.completed, empty.get());
    CHECK_MESSAGE(r.verdict == "untrusted", dump(r));
    for (const auto& s : r.signatures) {
        CHECK(s.verdict == "untrusted");
        CHECK(s.digest_ok);
        CHECK(!s.trusted);
    }
}

TEST_CASE("an unsigned PDF is invalid and a text file is an error") {
    SignedFlow flow;
    const verify::FileReport unsigned_pdf = flow.verify(test::fixture("contract.pdf"));
    CHECK(unsigned_pdf.verdict == "invalid");
    CHECK(test::names(unsigned_pdf, "no signature"));
    const verify::FileReport prepared = flow.verify(flow.prepared);
    CHECK(prepared.verdict == "invalid");
    const auto text = flow.tmp.path() / "notes.txt";
    util::write_file_atomic(text, "just some text\n");
    CHECK(flow.verify(text).verdict == "error");
    CHECK(flow.verify(flow.tmp.path() / "missing.pdf").verdict == "error");
}

TEST_CASE("PDF dates parse with their zone") {
    CHECK(verify::parse_pdf_date("D:20261123090000Z") == 1795424400);
    CHECK(verify::parse_pdf_date("D:20261123100000+01'00'") == 1795424400);
    CHECK(verify::parse_pdf_date("D:20261123040000-05'00'") == 1795424400);
    CHECK(!verify::parse_pdf_date("D:2026xx23"));
}
