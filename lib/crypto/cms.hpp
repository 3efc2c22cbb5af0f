// CMS signatures for PDF: PAdES baseline B-B (/SubFilter ETSI.CAdES.detached).
#pragma once

#include "crypto/digest.hpp"
#include "crypto/openssl.hpp"
#include "util/time.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace signet::crypto {

// A detached CMS SignedData, DER-encoded, over content whose SHA-256 is
// `sha256_of_signed_bytes` (the caller hashes the signed bytes itself, e.g.
// while streaming a PDF's byte ranges). eContentType id-data; exactly one
// SignerInfo (SHA-256) whose signed attributes are content-type,
// message-digest and ESS signing-certificate-v2, and no signingTime (PAdES
// puts the claimed time in the signature dictionary's /M). The certificates
// are the signer's followed by `chain`, each once. Throws bad_input when
// `key` does not belong to `signer` or is neither EC nor RSA, internal when
// OpenSSL fails.
std::string sign_cades_detached(const Sha256Digest& sha256_of_signed_bytes, X509* signer,
                                EVP_PKEY* key, const std::vector<X509*>& chain);

// True when `si` has an ESS signing-certificate(-v2) attribute whose first
// certificate is `signer`; else false with the reason in `problem`.
bool ess_matches_signer(CMS_SignerInfo* si, X509* signer, std::string& problem);

// What verify_cades_detached() found.
struct CadesVerification {
    bool intact = false;   // structure, ESS signing certificate and signature over the data check
    bool trusted = false;  // and the signer chains to the trust store (purpose any)
    X509Ptr signer;        // the signer's certificate, when the CMS has it
    std::vector<std::string> problems;  // one line per failed check, empty when trusted
};

// Checks a detached CMS signature over `data` (BER is accepted): SignedData
// with id-data content left out, exactly one SignerInfo, no MD5 or SHA-1, an
// ESS signing-certificate(-v2) attribute matching the signer certificate
// carried in the CMS, CMS_verify over the data with CMS_BINARY, then the
// signer's chain (using the CMS's certificates) against `trusted` with
// purpose any, at `at` or now. Never throws for a bad signature: the
// verdict and reasons are in the result.
CadesVerification verify_cades_detached(std::string_view der, std::string_view data,
                                        X509_STORE* trusted,
                                        std::optional<util::UnixTime> at = std::nullopt);

}  // namespace signet::crypto
