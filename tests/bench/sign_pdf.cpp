// bench_sign_pdf: the signing step of tests/bench/sign_bench.sh. Not a test
// and not installed.
//
//   bench_sign_pdf make DIR MEGABYTES SIG_PNG
//       Writes, in DIR: original.pdf (about MEGABYTES MB: one page per MB,
//       each with a 1 MB uncompressed image of noise, so nothing shrinks it),
//       prepared.pdf (pdf::prepare_document, as `signet send` does: the
//       seal's hidden field, the client's address field and signature field,
//       the completion field), certified.pdf (the seal's DocMDP signature,
//       as `send` does), keys/ (a crypto::OrganizationPki), and for
//       podofosign a signer's certificate and encrypted key (signer.crt,
//       signer.key, passphrase "bench") and sig.png.
//
//   bench_sign_pdf sign DIR OUT.pdf
//       One signing step as `signet sign` does it, on DIR/certified.pdf:
//       loads the PKI, makes the signer's key and certificate, fills the
//       address field's /V and appearance (embedded DejaVu subset), draws
//       the signature image on the signature widget, and signs the field
//       (PAdES B-B, FieldMDP lock) in one incremental update written to
//       OUT.pdf. With SIGNET_BENCH_PHASES=1 it prints each phase's time on
//       stderr.
#include "crypto/certificate.hpp"
#include "crypto/cms.hpp"
#include "crypto/keys.hpp"
#include "crypto/pki.hpp"
#include "pdf/appearance.hpp"
#include "pdf/document_info.hpp"
#include "pdf/incremental.hpp"
#include "pdf/png.hpp"
#include "pdf/prepare.hpp"
#include "signet/error.hpp"
#include "util/fs.hpp"
#include "util/time.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using namespace signet;

constexpr const char* k_passphrase = "bench";
constexpr int k_image_width = 1024;
constexpr int k_image_height = 341;  // 1024 * 341 * 3 bytes: about 1 MB

// Writes a PDF of `pages` pages, each showing its own image of noise.
void write_big_pdf(const fs::path& path, int pages) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    std::vector<std::size_t> offsets;  // offsets[id - 1]
    auto begin_object = [&](int id) {
        offsets.resize(static_cast<std::size_t>(id));
        offsets[static_cast<std::size_t>(id - 1)] = static_cast<std::size_t>(out.tellp());
        out << id << " 0 obj\n";
    };
    out << "%PDF-1.7\n%\xE2\xE3\xCF\xD3\n";
    // 1: catalog, 2: pages, then per page i: page 3+3i, content 4+3i, image 5+3i.
    begin_object(1);
    out << "<< /Type /Catalog /Pages 2 0 R >>\nendobj\n";
    begin_object(2);
    out << "<< /Type /Pages /Count " << pages << " /Kids [";
    for (int i = 0; i < pages; ++i) {
        out << ' ' << 3 + 3 * i << " 0 R";
    }
    out << " ] >>\nendobj\n";
    const std::size_t image_bytes = static_cast<std::size_t>(k_image_width) * k_image_height * 3;
    std::string pixels(image_bytes, '\0');
    std::uint64_t state = 0x9E3779B97F4A7C15ULL;
    for (int i = 0; i < pages; ++i) {
        const int page = 3 + 3 * i;
        begin_object(page);
        out << "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents " << page + 1
            << " 0 R /Resources << /XObject << /Im0 " << page + 2 << " 0 R >> >> >>\nendobj\n";
        const std::string content = "q 495 0 0 165 50 600 cm /Im0 Do Q\n";
        begin_object(page + 1);
        out << "<< /Length " << content.size() << " >>\nstream\n" << content << "\nendstream\nendobj\n";
        for (std::size_t k = 0; k + 8 <= pixels.size(); k += 8) {
            state ^= state << 13U;
            state ^= state >> 7U;
            state ^= state << 17U;
            std::memcpy(&pixels[k], &state, 8);
        }
        begin_object(page + 2);
        out << "<< /Type /XObject /Subtype /Image /Width " << k_image_width << " /Height "
            << k_image_height << " /ColorSpace /DeviceRGB /BitsPerComponent 8 /Length "
            << pixels.size() << " >>\nstream\n";
        out.write(pixels.data(), static_cast<std::streamsize>(pixels.size()));
        out << "\nendstream\nendobj\n";
    }
    const auto xref = static_cast<std::size_t>(out.tellp());
    out << "xref\n0 " << offsets.size() + 1 << "\n0000000000 65535 f \n";
    for (const std::size_t offset : offsets) {
        char entry[32];
        std::snprintf(entry, sizeof entry, "%010zu 00000 n \n", offset);
        out << entry;
    }
    out << "trailer\n<< /Size " << offsets.size() + 1 << " /Root 1 0 R >>\nstartxref\n" << xref
        << "\n%%EOF\n";
    if (!out.flush()) {
        throw internal_error("cannot write \"" + path.string() + "\"");
    }
}

pdf::CmsSigner signer_for(X509* certificate, EVP_PKEY* key, std::vector<X509*> chain) {
    return [=](const pdf::Sha256& digest) {
        return crypto::sign_cades_detached(digest, certificate, key, chain);
    };
}

int make(const fs::path& dir, int megabytes, const fs::path& sig_png) {
    fs::create_directories(dir);
    const util::UnixTime now = util::now();
    const fs::path original = dir / "original.pdf";
    write_big_pdf(original, megabytes);

    // Preparing needs the pages' boxes, which `create` records from the bytes.
    const pdf::DocumentInfo info =
        pdf::read_document_info(util::read_file(original), original.string());
    const pdf::DisplayedPage first = info.pages.front().displayed();
    const pdf::DisplayedPage last = info.pages.back().displayed();
    const std::vector<pdf::WidgetSpec> widgets = {
        {"signet_certification", pdf::WidgetKind::signature, 1, first, {}, true, {}, std::nullopt},
        {"client_address", pdf::WidgetKind::text, static_cast<int>(info.pages.size()), last,
         {72, 200, 250, 18}, false, {}, std::nullopt},
        {"client_signature", pdf::WidgetKind::signature, static_cast<int>(info.pages.size()), last,
         {300, 140, 180, 50}, false, {"client_address"}, std::nullopt},
        {"signet_completion", pdf::WidgetKind::signature, 1, first, {}, true, {}, std::nullopt},
    };
    pdf::prepare_document(original, widgets, dir / "prepared.pdf");

    const crypto::OrganizationPki pki =
        crypto::OrganizationPki::create(dir / "keys", "Bench Sp. z o.o.", k_passphrase, now);
    {
        pdf::IncrementalUpdate update(dir / "prepared.pdf");
        pdf::SignatureRequest request;
        request.field_name = "signet_certification";
        request.name = "Bench Sp. z o.o.";
        request.reason = "Prepared for signing";
        request.signing_time = now;
        request.docmdp = 2;
        const crypto::Credential& seal = pki.seal();
        update.write(dir / "certified.pdf", request,
                     signer_for(seal.certificate.get(), seal.key.get(), seal.chain_pointers()));
    }

    // podofosign's signer: a certificate from the same issuing CA, its key
    // encrypted as signet encrypts keys (so both sides decrypt one key).
    auto key = crypto::generate_ec_p256_key();
    auto certificate = pki.issue_signer_certificate(
        {"Pod O. Fo", std::string("podofo@example.com"), std::nullopt}, key.get(), now);
    util::write_file_atomic(dir / "signer.crt", crypto::certificate_to_pem(certificate.get()));
    crypto::write_private_key(dir / "signer.key", key.get(), k_passphrase);
    fs::copy_file(sig_png, dir / "sig.png", fs::copy_options::overwrite_existing);
    std::printf("%s: %ju bytes; prepared.pdf %ju, certified.pdf %ju\n", original.c_str(),
                static_cast<std::uintmax_t>(fs::file_size(original)),
                static_cast<std::uintmax_t>(fs::file_size(dir / "prepared.pdf")),
                static_cast<std::uintmax_t>(fs::file_size(dir / "certified.pdf")));
    return 0;
}

class Phases {
public:
    Phases() : m_on(std::getenv("SIGNET_BENCH_PHASES") != nullptr) {}
    void mark(const char* what) {
        const auto now = std::chrono::steady_clock::now();
        if (m_on) {
            std::fprintf(stderr, "  %-34s %8.1f ms\n", what,
                         std::chrono::duration<double, std::milli>(now - m_last).count());
        }
        m_last = now;
    }

private:
    bool m_on;
    std::chrono::steady_clock::time_point m_last = std::chrono::steady_clock::now();
};

int sign(const fs::path& dir, const fs::path& output) {
    Phases phases;
    const util::UnixTime now = util::now();
    const crypto::OrganizationPki pki = crypto::OrganizationPki::load(dir / "keys", k_passphrase);
    phases.mark("load the PKI (scrypt)");
    auto key = crypto::generate_ec_p256_key();
    auto certificate = pki.issue_signer_certificate(
        {"Пётр Иванов", std::string("petr@example.ru"), std::string("+48601234567")}, key.get(),
        now);
    phases.mark("signer key and certificate");

    pdf::IncrementalUpdate update(dir / "certified.pdf");
    phases.mark("open the PDF");
    QPDF& q = update.qpdf();
    QPDFObjectHandle address = update.field("client_address");
    address.replaceKey("/V", QPDFObjectHandle::newUnicodeString("ul. Żółć 5, 90-001 Łódź"));
    pdf::apply_appearance(address,
                          pdf::text_appearance(q, "ul. Żółć 5, 90-001 Łódź", 250, 18, 0, false));
    update.touch(address);
    phases.mark("text value and appearance");
    QPDFObjectHandle signature = update.field("client_signature");
    pdf::apply_appearance(signature,
                          pdf::image_appearance(q, pdf::load_png(dir / "sig.png"), 180, 50, 0));
    update.touch(signature);
    phases.mark("signature image appearance");

    pdf::SignatureRequest request;
    request.field_name = "client_signature";
    request.name = "Пётр Иванов";
    request.signing_time = now;
    request.lock_fields = {"client_address"};
    const pdf::UpdateResult result =
        update.write(output, request, signer_for(certificate.get(), key.get(), pki.signer_chain()));
    phases.mark("write, hash, sign, fsync, rename");
    std::printf("%s %zu\n", result.sha256.c_str(), result.size);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const std::vector<std::string> args(argv + 1, argv + argc);
        if (args.size() == 4 && args[0] == "make") {
            return make(args[1], std::stoi(args[2]), args[3]);
        }
        if (args.size() == 3 && args[0] == "sign") {
            return sign(args[1], args[2]);
        }
        std::fputs("usage: bench_sign_pdf make DIR MEGABYTES SIG_PNG\n"
                   "       bench_sign_pdf sign DIR OUT.pdf\n",
                   stderr);
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_sign_pdf: %s\n", e.what());
        return 1;
    }
}
