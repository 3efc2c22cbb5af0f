// Shared by the verify tests: signet's own multi-party PDFs made with the
// library (prepare, certify with the seal, a party's signing step, the
// completion seal), and a writer of hand-made incremental updates for
// tampered variants.
#pragma once

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
#include "util/fs.hpp"
#include "verify/verify.hpp"

#include <map>
#include <string>
#include <vector>

namespace signet::test {

inline pdf::CmsSigner cms_signer(X509* certificate, EVP_PKEY* key, std::vector<X509*> chain) {
    return [=](const pdf::Sha256& digest) {
        return crypto::sign_cades_detached(digest, certificate, key, chain);
    };
}

// signet's flow on a fixture: prepared, certified (DocMDP P 2), signed by
// the client (values, appearances, FieldMDP lock), sealed at completion.
struct SignedFlow {
    TempDir tmp;
    crypto::OrganizationPki pki = crypto::OrganizationPki::create(
        tmp.path() / "keys", "ACME Sp. z o.o. — Łódź", "secret", util::now());
    std::filesystem::path prepared = tmp.path() / "prepared.pdf";
    std::filesystem::path certified = tmp.path() / "certified.pdf";
    std::filesystem::path signed_pdf = tmp.path() / "signed.pdf";
    std::filesystem::path completed = tmp.path() / "completed.pdf";

    explicit SignedFlow(const std::string& fixture_name = "contract.pdf") {
        const auto info =
            pdf::read_document_info(util::read_file(fixture(fixture_name)), fixture_name);
        const pdf::DisplayedPage last = info.pages.back().displayed();
        const pdf::DisplayedPage first = info.pages.front().displayed();
        std::vector<pdf::WidgetSpec> widgets = {
            {"signet_certification", pdf::WidgetKind::signature, 1, first, {}, true, {}, std::nullopt},
            {"client_address", pdf::WidgetKind::text, 1, first, {72, 80, 250, 18}, false, {}, std::nullopt},
            {"client_agrees", pdf::WidgetKind::checkbox, 1, first, {340, 80, 14, 14}, false, {}, std::nullopt},
            {"amount", pdf::WidgetKind::text, 1, first, {72, 120, 200, 16}, false, {}, std::string("12 300,00")},
            {"client_signature", pdf::WidgetKind::signature, static_cast<int>(info.pages.size()),
             last, {300, 140, 180, 50}, false, {"client_address", "client_agrees"}, std::nullopt},
            {"signet_completion", pdf::WidgetKind::signature, 1, first, {}, true, {}, std::nullopt},
        };
        pdf::prepare_document(fixture(fixture_name), widgets, prepared);
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
                     cms_signer(seal.certificate.get(), seal.key.get(), seal.chain_pointers()));
    }

    void sign_as_client(const std::string& address = "ul. Żółć 5, Łódź") {
        pdf::IncrementalUpdate update(certified);
        QPDF& q = update.qpdf();
        QPDFObjectHandle field = update.field("client_address");
        field.replaceKey("/V", QPDFObjectHandle::newUnicodeString(address));
        pdf::apply_appearance(field, pdf::text_appearance(q, address, 250, 18, 0, false));
        update.touch(field);
        QPDFObjectHandle agrees = update.field("client_agrees");
        agrees.replaceKey("/V", QPDFObjectHandle::newName("/Yes"));
        pdf::apply_appearance(agrees, pdf::checkbox_appearance(q, true, 14, 14, 0));
        update.touch(agrees);
        QPDFObjectHandle signature = update.field("client_signature");
        pdf::apply_appearance(signature, pdf::image_appearance(
                                             q, pdf::load_png(fixture("sig.png")), 180, 50, 0));
        update.touch(signature);
        auto key = crypto::generate_ec_p256_key();
        auto certificate = pki.issue_signer_certificate(
            {"Пётр Иванов", std::string("petr@example.ru"), std::string("+48601234567")},
            key.get(), util::now());
        pdf::SignatureRequest request;
        request.field_name = "client_signature";
        request.name = "Пётр Иванов";
        request.signing_time = util::now();
        request.lock_fields = {"client_address", "client_agrees"};
        update.write(signed_pdf, request,
                     cms_signer(certificate.get(), key.get(), pki.signer_chain()));
    }

    void complete() {
        pdf::IncrementalUpdate update(signed_pdf);
        pdf::SignatureRequest request;
        request.field_name = "signet_completion";
        request.name = "ACME Sp. z o.o. — Łódź";
        request.reason = "completed; audit chain head 0123abcd";
        request.signing_time = util::now();
        const crypto::Credential& seal = pki.seal();
        update.write(completed, request,
                     cms_signer(seal.certificate.get(), seal.key.get(), seal.chain_pointers()));
    }

    void all() {
        certify();
        sign_as_client();
        complete();
    }

    crypto::X509StorePtr trust() const {
        return crypto::make_trust_store(pki.trust_anchors());
    }

    verify::FileReport verify(const std::filesystem::path& path) const {
        return verify::verify_file(path, trust().get());
    }
};

// Appends an incremental update to `bytes`: `objects` maps "N G" to the
// object's body (what goes between "obj" and "endobj"); `trailer_extra` is
// added to the trailer. /Prev, /Size and /Root come from the last revision.
std::string append_update(const std::string& bytes, const std::map<std::string, std::string>& objects,
                          const std::string& trailer_extra = "",
                          const std::vector<std::string>& freed = {});

// The body of object "N G" as the last revision defines it (between "obj"
// and "endobj"), read with qpdf.
std::string object_body(const std::string& bytes, int number);

// The object number of a field by name in the last revision.
int field_object(const std::string& bytes, const std::string& name);

// The object number of page `n` (1-based).
int page_object(const std::string& bytes, int n);

// Writes `bytes` to `path` and returns the report.
verify::FileReport verify_bytes(const SignedFlow& flow, const std::string& bytes,
                                const std::string& name = "tampered.pdf");

// True when some refused change or reason mentions `what`.
bool names(const verify::FileReport& report, const std::string& what);

}  // namespace signet::test
