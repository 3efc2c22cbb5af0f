// verify against attacks, in-process (issue 4, item 4): the cases that the
// CLI corpus (tests/cli/verify_attacks.test.sh) reaches only from outside,
// and the failure modes found while building it: an object an update hides
// from its xref, a document too deep to map (which must fail closed, not
// look unreferenced), and a signer's own bookkeeping that is no attack.
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

// A page's content stream drawn over everything: the incremental-saving
// attack's payload.
std::string red_box() {
    const std::string data = "q 1 0 0 rg 90 600 420 90 re f Q\n";
    return "<< /Length " + std::to_string(data.size()) + " >>\nstream\n" + data + "\nendstream";
}

// The body of page 1 with its /Contents pointing at object `content`.
std::string page_with_contents(const std::string& bytes, int page, int content) {
    std::string body = test::object_body(bytes, page);
    const std::size_t at = body.find("/Contents");
    REQUIRE(at != std::string::npos);
    std::size_t end = body.find(" R", at);
    REQUIRE(end != std::string::npos);
    return body.substr(0, at) + "/Contents " + std::to_string(content) + " 0 R" + body.substr(end + 2);
}

}  // namespace

TEST_CASE("verify rejects an object an update hides from its xref") {
    SignedFlow flow;
    flow.all();
    std::string bytes = util::read_file(flow.completed);
    const int page = test::page_object(bytes, 1);
    // The new page definition sits in the update's bytes but no xref lists
    // it: a reader that rebuilds the xref by scanning shows it.
    const std::string hidden_page = page_with_contents(bytes, page, 900);
    std::string with_hidden = bytes + std::to_string(page) + " 0 obj\n" + hidden_page + "\nendobj\n";
    const std::string tampered = test::append_update(
        with_hidden, {{"900 0", red_box()}, {"901 0", "<< /Producer (x) >>"}}, "/Info 901 0 R");
    const verify::FileReport r = test::verify_bytes(flow, tampered);
    CHECK_MESSAGE(r.verdict == "invalid", dump(r));
    CHECK_MESSAGE(test::names(r, "is not in the revision's xref"), dump(r));
}

TEST_CASE("verify accepts the same update when nothing is hidden") {
    SignedFlow flow;
    flow.all();
    const std::string bytes = util::read_file(flow.completed);
    const std::string updated =
        test::append_update(bytes, {{"901 0", "<< /Producer (x) >>"}}, "/Info 901 0 R");
    const verify::FileReport r = test::verify_bytes(flow, updated);
    CHECK_MESSAGE(r.verdict == "valid", dump(r));
}

TEST_CASE("verify rejects a comment in an update that reads as an object") {
    SignedFlow flow;
    flow.all();
    const std::string bytes = util::read_file(flow.completed) + "%5 0 obj << /Evil true >> endobj\n";
    const std::string tampered =
        test::append_update(bytes, {{"901 0", "<< /Producer (x) >>"}}, "/Info 901 0 R");
    const verify::FileReport r = test::verify_bytes(flow, tampered);
    CHECK_MESSAGE(r.verdict == "invalid", dump(r));
    CHECK_MESSAGE(test::names(r, "holds what a repairing reader takes for an object"), dump(r));
}

TEST_CASE("verify names the first disallowed change in the signature's reason") {
    SignedFlow flow;
    flow.all();
    const std::string bytes = util::read_file(flow.completed);
    const int page = test::page_object(bytes, 1);
    const std::string tampered = test::append_update(
        bytes, {{"900 0", red_box()}, {std::to_string(page) + " 0", page_with_contents(bytes, page, 900)}});
    const verify::FileReport r = test::verify_bytes(flow, tampered);
    REQUIRE(r.verdict == "invalid");
    const auto& reasons = r.signatures.front().reasons;
    REQUIRE(!reasons.empty());
    CHECK_MESSAGE(reasons.back().find("modified after this signature: revision 6, " +
                                      std::to_string(page) + " 0 R: changed: page 1's /Contents") == 0,
                  reasons.back());
}

TEST_CASE("a page tree too deep to map fails closed") {
    // The fixture with its one page 70 levels down the page tree: deeper
    // than verify maps. A change there must not pass as "nothing refers to
    // it".
    test::TempDir tmp;
    const std::string original = util::read_file(test::fixture("contract.pdf"));
    const int page = test::page_object(original, 1);
    std::map<std::string, std::string> objects;
    const int first = 500;
    const int depth = 70;
    for (int i = 0; i < depth; ++i) {
        const std::string parent = i == 0 ? "" : " /Parent " + std::to_string(first + i - 1) + " 0 R";
        const std::string kid = i + 1 < depth ? std::to_string(first + i + 1) : std::to_string(page);
        objects[std::to_string(first + i) + " 0"] =
            "<< /Type /Pages /Count 1 /Kids [" + kid + " 0 R]" + parent + " >>";
    }
    std::string page_body = test::object_body(original, page);
    const std::size_t at = page_body.find("/Parent");
    REQUIRE(at != std::string::npos);
    page_body = page_body.substr(0, at) + "/Parent " + std::to_string(first + depth - 1) + " 0 R" +
                page_body.substr(page_body.find(" R", at) + 2);
    objects[std::to_string(page) + " 0"] = page_body;
    std::string root = test::object_body(original, 1);
    const std::size_t pages_at = root.find("/Pages");
    REQUIRE(pages_at != std::string::npos);
    root = root.substr(0, pages_at) + "/Pages " + std::to_string(first) + " 0 R" +
           root.substr(root.find(" R", pages_at) + 2);
    objects["1 0"] = root;
    const auto deep = tmp.path() / "deep.pdf";
    util::write_file_atomic(deep, test::append_update(original, objects));

    SignedFlow flow(deep.string());
    flow.all();
    const verify::FileReport untouched = flow.verify(flow.completed);
    CAPTURE(dump(untouched));
    const std::string bytes = util::read_file(flow.completed);
    const int deep_page = test::page_object(bytes, 1);
    const std::string tampered = test::append_update(
        bytes, {{"900 0", red_box()},
                {std::to_string(deep_page) + " 0", page_with_contents(bytes, deep_page, 900)}});
    const verify::FileReport r = test::verify_bytes(flow, tampered);
    CHECK_MESSAGE(r.verdict == "invalid", dump(r));
}

TEST_CASE("a form dictionary written into the catalog is judged key by key") {
    // Moving /AcroForm into the catalog as a direct dictionary hides its
    // keys from the object-by-object comparison: an /XFA form (which some
    // viewers show instead of the pages) must still be refused.
    SignedFlow flow;
    flow.all();
    const std::string bytes = util::read_file(flow.completed);
    QPDF q;
    q.setSuppressWarnings(true);
    q.processMemoryFile("completed.pdf", bytes.data(), bytes.size());
    QPDFObjectHandle root = q.getRoot();
    QPDFObjectHandle form = root.getKey("/AcroForm").shallowCopy();
    QPDFObjectHandle catalog = root.shallowCopy();
    SUBCASE("with an XFA form: refused") {
        form.replaceKey("/XFA", QPDFObjectHandle::newString("<xdp:xdp/>"));
        catalog.replaceKey("/AcroForm", form);
        const std::string tampered = test::append_update(
            bytes, {{std::to_string(root.getObjectID()) + " 0", catalog.unparse()}});
        const verify::FileReport r = test::verify_bytes(flow, tampered);
        CHECK_MESSAGE(r.verdict == "invalid", dump(r));
        CHECK_MESSAGE(test::names(r, "the form dictionary's /XFA"), dump(r));
    }
    SUBCASE("the same keys: allowed") {
        catalog.replaceKey("/AcroForm", form);
        const std::string moved = test::append_update(
            bytes, {{std::to_string(root.getObjectID()) + " 0", catalog.unparse()}});
        const verify::FileReport r = test::verify_bytes(flow, moved);
        CHECK_MESSAGE(r.verdict == "valid", dump(r));
    }
}

TEST_CASE("form filling is allowed where a later signature covers it, not after the last one") {
    // A field nobody locked, filled after the certification: with no
    // signature after it, nobody vouches for what it now shows (a shadow
    // "replace" through a planted field); once the client signs on top,
    // the client does.
    SignedFlow flow;
    flow.certify();
    const std::string bytes = util::read_file(flow.certified);
    const int amount = test::field_object(bytes, "amount");
    REQUIRE(amount != 0);
    std::string body = test::object_body(bytes, amount);
    const std::size_t v = body.find("/V (");
    REQUIRE(v != std::string::npos);
    body = body.substr(0, v) + "/V (99 999,00)" + body.substr(body.find(')', v) + 1);
    const std::string filled = test::append_update(bytes, {{std::to_string(amount) + " 0", body}});

    const verify::FileReport after_last = test::verify_bytes(flow, filled);
    CHECK_MESSAGE(after_last.verdict == "invalid", dump(after_last));
    CHECK_MESSAGE(test::names(after_last, "form filling that no signature covers"), dump(after_last));

    util::write_file_atomic(flow.certified, filled);
    flow.sign_as_client();
    const verify::FileReport covered = flow.verify(flow.signed_pdf);
    CHECK_MESSAGE(covered.verdict == "valid", dump(covered));
}

TEST_CASE("a file with more revisions than verify analyses is invalid, not slow") {
    // Every revision is opened on its own: the work grows with the square
    // of their number, so thousands of tiny updates would hang the check.
    SignedFlow flow;
    flow.certify();
    std::string bytes = util::read_file(flow.certified);
    for (int i = 0; i < 260; ++i) {
        bytes = test::append_update(bytes, {{"901 0", "<< /Producer (" + std::to_string(i) + ") >>"}},
                                    "/Info 901 0 R");
    }
    const verify::FileReport r = test::verify_bytes(flow, bytes);
    CHECK_MESSAGE(r.verdict == "invalid", dump(r));
    CHECK_MESSAGE(test::names(r, "more than the 256 verify analyses"), dump(r));
}
