// Preparing a document and signing it in incremental updates, checked with
// tools nobody here wrote: qpdf --check and poppler's pdfsig.
#include "crypto/certificate.hpp"
#include "crypto/cms.hpp"
#include "crypto/keys.hpp"
#include "crypto/pki.hpp"
#include "pdf/appearance.hpp"
#include "pdf/document_info.hpp"
#include "pdf/incremental.hpp"
#include "pdf/png.hpp"
#include "pdf/prepare.hpp"
#include "support.hpp"
#include "util/crypto_hash.hpp"
#include "util/fs.hpp"

#include <doctest/doctest.h>

#include <array>
#include <cstdio>

using namespace signet;

namespace {

// Runs a shell command of the test's own making and returns its output.
std::string run(const std::string& command, int* status = nullptr) {
    std::string out;
    FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::array<char, 4096> buf{};
    while (std::fgets(buf.data(), static_cast<int>(buf.size()), pipe) != nullptr) {
        out += buf.data();
    }
    const int rc = ::pclose(pipe);
    if (status != nullptr) {
        *status = WEXITSTATUS(rc);
    }
    return out;
}

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
        ++n;
    }
    return n;
}

pdf::CmsSigner signer_for(X509* certificate, EVP_PKEY* key, std::vector<X509*> chain) {
    return [=](const pdf::Sha256& digest) {
        return crypto::sign_cades_detached(digest, certificate, key, chain);
    };
}

struct Scenario {
    test::TempDir tmp;
    crypto::OrganizationPki pki = crypto::OrganizationPki::create(
        tmp.path() / "keys", "ACME Sp. z o.o. — Łódź", "secret", util::now());
    std::filesystem::path prepared = tmp.path() / "prepared.pdf";
    std::filesystem::path certified = tmp.path() / "certified.pdf";
    std::filesystem::path signed_pdf = tmp.path() / "signed.pdf";

    void prepare(const std::string& fixture) {
        const auto info = pdf::read_document_info(util::read_file(test::fixture(fixture)), fixture);
        const pdf::DisplayedPage last = info.pages.back().displayed();
        const pdf::DisplayedPage first = info.pages.front().displayed();
        std::vector<pdf::WidgetSpec> widgets = {
            {"signet_certification", pdf::WidgetKind::signature, 1, first, {}, true, {}, std::nullopt},
            {"client_address", pdf::WidgetKind::text, 1, first, {72, 80, 250, 18}, false, {}, std::nullopt},
            {"client_agrees", pdf::WidgetKind::checkbox, 1, first, {340, 80, 14, 14}, false, {}, std::nullopt},
            {"client_signature", pdf::WidgetKind::signature, static_cast<int>(info.pages.size()),
             last, {300, 140, 180, 50}, false, {"client_address", "client_agrees"}, std::nullopt},
        };
        pdf::prepare_document(test::fixture(fixture), widgets, prepared);
    }

    void certify() {
        pdf::IncrementalUpdate update(prepared);
        pdf::SignatureRequest request;
        request.field_name = "signet_certification";
        request.name = "ACME Sp. z o.o. — Łódź";
        request.reason = "prepared for signing";
        request.signing_time = util::now();
        request.docmdp = 2;
        const crypto::Credential& seal = pki.seal();
        update.write(certified, request,
                     signer_for(seal.certificate.get(), seal.key.get(), seal.chain_pointers()));
    }

    void sign_as_client() {
        pdf::IncrementalUpdate update(certified);
        QPDF& q = update.qpdf();
        QPDFObjectHandle address = update.field("client_address");
        address.replaceKey("/V", QPDFObjectHandle::newUnicodeString("ul. Żółć 5, Łódź"));
        pdf::apply_appearance(address, pdf::text_appearance(q, "ul. Żółć 5, Łódź", 250, 18, 0, false));
        update.touch(address);
        QPDFObjectHandle agrees = update.field("client_agrees");
        agrees.replaceKey("/V", QPDFObjectHandle::newName("/Yes"));
        pdf::apply_appearance(agrees, pdf::checkbox_appearance(q, true, 14, 14, 0));
        update.touch(agrees);
        QPDFObjectHandle signature = update.field("client_signature");
        pdf::apply_appearance(signature,
                              pdf::image_appearance(q, pdf::load_png(test::fixture("sig.png")),
                                                    180, 50, 0));
        update.touch(signature);

        auto key = crypto::generate_ec_p256_key();
        auto certificate = pki.issue_signer_certificate(
            {"Пётр Иванов", std::string("petr@example.ru"), std::string("+48601234567")}, key.get(),
            util::now());
        pdf::SignatureRequest request;
        request.field_name = "client_signature";
        request.name = "Пётр Иванов";
        request.signing_time = util::now();
        request.lock_fields = {"client_address", "client_agrees"};
        update.write(signed_pdf, request,
                     signer_for(certificate.get(), key.get(), pki.signer_chain()));
    }
};

}  // namespace

TEST_CASE("a prepared, certified and signed PDF passes qpdf --check and pdfsig calls both "
          "signatures valid") {
    for (const char* fixture : {"contract.pdf", "objstreams.pdf", "rotated.pdf"}) {
        CAPTURE(fixture);
        Scenario s;
        s.prepare(fixture);
        // A classic cross-reference table, no object streams: the original
        // kept byte for byte when it has them, else normalised.
        const std::string prepared = util::read_file(s.prepared);
        CHECK(prepared.find("/ObjStm") == std::string::npos);
        CHECK(prepared.find("\nxref\n") != std::string::npos);
        const std::string original = util::read_file(test::fixture(fixture));
        const bool classic = std::string(fixture) != "objstreams.pdf";
        CHECK(classic == (prepared.compare(0, original.size(), original) == 0));
        s.certify();
        s.sign_as_client();

        // Each update only appends: the earlier revisions are prefixes.
        const std::string certified = util::read_file(s.certified);
        const std::string signed_bytes = util::read_file(s.signed_pdf);
        CHECK(certified.compare(0, prepared.size(), prepared) == 0);
        CHECK(signed_bytes.compare(0, certified.size(), certified) == 0);

        int status = -1;
        const std::string check = run("qpdf --check '" + s.signed_pdf.string() + "'", &status);
        CHECK_MESSAGE(status == 0, check);
        CHECK(check.find("No syntax or stream encoding errors") != std::string::npos);

        const std::string report = run("pdfsig '" + s.signed_pdf.string() + "'");
        CHECK_MESSAGE(count(report, "Signature is Valid.") == 2, report);
        CHECK(report.find("Пётр Иванов") != std::string::npos);
        CHECK(report.find("ETSI.CAdES.detached") != std::string::npos);
    }
}

TEST_CASE("a damaged original is prepared from a repaired copy, never appended to") {
    // The table ends the file as it should, but object 1 is not where it
    // says: qpdf repairs that when it reads the object.
    Scenario s;
    const std::string original = util::read_file(test::fixture("contract.pdf"));
    std::string broken = original;
    const auto table = broken.rfind("\nxref\n");
    REQUIRE(table != std::string::npos);
    const auto entry = broken.find("\n", broken.find("\n", table + 6) + 1) + 1;  // object 1
    const long offset = std::stol(broken.substr(entry, 10));
    char shifted[24];
    std::snprintf(shifted, sizeof shifted, "%010ld", offset + 3);
    broken.replace(entry, 10, std::string(shifted, 10));
    const std::filesystem::path damaged = s.tmp.path() / "damaged.pdf";
    util::write_file_atomic(damaged, broken);
    const auto info = pdf::read_document_info(original, "contract.pdf");
    const pdf::DisplayedPage first = info.pages.front().displayed();
    pdf::prepare_document(damaged,
                          {{"client_address", pdf::WidgetKind::text, 1, first, {72, 80, 250, 18},
                            false, {}, std::string("ul. Żółć 5")}},
                          s.prepared);
    const std::string prepared = util::read_file(s.prepared);
    CHECK(prepared.compare(0, broken.size(), broken) != 0);
    int status = -1;
    const std::string check = run("qpdf --check '" + s.prepared.string() + "'", &status);
    CHECK_MESSAGE(status == 0, check);
    CHECK(check.find("No syntax or stream encoding errors") != std::string::npos);
    CHECK(check.find("WARNING") == std::string::npos);
}

TEST_CASE("pdfsig trusts signet's signatures once the organisation's root is trusted") {
    Scenario s;
    s.prepare("contract.pdf");
    s.certify();
    s.sign_as_client();
    const auto nss = s.tmp.path() / "nss";
    std::filesystem::create_directories(nss);
    run("certutil -N -d sql:" + nss.string() + " --empty-password");
    run("certutil -A -d sql:" + nss.string() + " -n root -t C,C,C -i '" +
        (s.tmp.path() / "keys" / "root.crt").string() + "'");
    const std::string report = run("pdfsig -nssdir sql:" + nss.string() + " '" +
                                   s.signed_pdf.string() + "'");
    CHECK_MESSAGE(count(report, "Certificate is Trusted.") == 2, report);
}

TEST_CASE("the signed byte ranges cover the whole file except the signature's hex string") {
    Scenario s;
    s.prepare("contract.pdf");
    s.certify();
    pdf::IncrementalUpdate update(s.certified);
    pdf::SignatureRequest request;
    request.field_name = "client_signature";
    request.signing_time = util::now();
    auto key = crypto::generate_ec_p256_key();
    auto certificate = s.pki.issue_signer_certificate({"Jan", std::nullopt, std::nullopt},
                                                      key.get(), util::now());
    const pdf::UpdateResult result = update.write(
        s.signed_pdf, request, signer_for(certificate.get(), key.get(), s.pki.signer_chain()));
    const std::string bytes = util::read_file(s.signed_pdf);
    CHECK(result.size == bytes.size());
    CHECK(result.sha256 == util::sha256_hex(bytes));
    const auto& r = result.byte_range;
    CHECK(r[0] == 0);
    CHECK(bytes[r[1]] == '<');
    CHECK(bytes[r[2] - 1] == '>');
    CHECK(r[2] + r[3] == bytes.size());
    // The CMS verifies over exactly those bytes.
    const std::string hex = bytes.substr(r[1] + 1, r[2] - r[1] - 2);
    std::string der;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
        der += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
    }
    const std::string data = bytes.substr(0, r[1]) + bytes.substr(r[2]);
    auto anchors = s.pki.trust_anchors();
    auto store = crypto::make_trust_store(anchors);
    // Trailing zero padding after the DER is ignored by a BER/DER parser.
    const auto verdict = crypto::verify_cades_detached(der, data, store.get());
    CHECK(verdict.intact);
    CHECK(verdict.trusted);
}

TEST_CASE("signing a field that is already signed is refused") {
    Scenario s;
    s.prepare("contract.pdf");
    s.certify();
    pdf::IncrementalUpdate update(s.certified);
    pdf::SignatureRequest request;
    request.field_name = "signet_certification";
    CHECK_THROWS_WITH(update.write(s.signed_pdf, request, {}),
                      doctest::Contains("already signed"));
}
