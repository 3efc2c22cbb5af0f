// X.509 certificates: reading, writing, naming, trust stores and chain checks.
#pragma once

#include "crypto/digest.hpp"
#include "crypto/openssl.hpp"
#include "util/time.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace signet::crypto {

// A new owning handle to a certificate someone else holds (X509_up_ref).
X509Ptr share(X509* cert);

// Every certificate in PEM text, in order. `what` names the source in
// messages. Throws bad_input when there is none or one does not parse.
std::vector<X509Ptr> certificates_from_pem(std::string_view pem, const std::string& what);

// Every certificate in a PEM file (see certificates_from_pem()).
std::vector<X509Ptr> load_certificates(const std::filesystem::path& path);

// One DER certificate. Throws bad_input naming `what` when it does not parse.
X509Ptr certificate_from_der(std::string_view der, const std::string& what);

// The certificate as PEM ("BEGIN CERTIFICATE") and as DER.
std::string certificate_to_pem(X509* cert);
std::string certificate_to_der(X509* cert);

// SHA-256 of the certificate's DER encoding (what ESS signing-certificate-v2
// and certificate fingerprints hash).
Sha256Digest certificate_sha256(X509* cert);

// The serial number in lowercase hex ("5e3f…"), as certificates of
// completion and audit events name a signer's certificate.
std::string serial_hex(X509* cert);

// The subject's commonName as UTF-8 (whatever string type it is stored as),
// or "" when there is none.
std::string common_name(X509* cert);

// The subject as one line in RFC 2253 order with UTF-8 kept as is
// ("CN=Пётр,O=ACME"), for messages and reports.
std::string subject_line(X509* cert);

// A trust store holding `anchors`, with purpose "any": document-signing
// certificates need not carry S/MIME or TLS extended key usages.
X509StorePtr make_trust_store(const std::vector<X509*>& anchors);

// The result of a certificate chain check.
struct ChainCheck {
    bool trusted = false;
    std::string problem;  // OpenSSL's reason when not trusted, e.g. "certificate has expired"
};

// Checks that `leaf` chains to a certificate in `trusted` through
// `intermediates` (purpose any), at time `at` or now. Never throws for a
// certificate that does not verify: the reason is in the result.
ChainCheck verify_certificate_chain(X509* leaf, const std::vector<X509*>& intermediates,
                                    X509_STORE* trusted,
                                    std::optional<util::UnixTime> at = std::nullopt);

}  // namespace signet::crypto
