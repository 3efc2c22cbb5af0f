// Checking a PDF signature's CMS (or a document timestamp's token) against
// a digest of the signed byte ranges computed elsewhere, while streaming:
// first parse() says which digest algorithm to hash with, then finish().
#pragma once

#include "crypto/openssl.hpp"
#include "util/time.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace signet::verify {

struct CmsResult {
    bool digest_ok = false;     // the signed digest matches the byte ranges
    bool signature_ok = false;  // the signature value verifies with the signer's key
    bool trusted = false;       // the signer chains to a trust anchor at `trust_time`
    std::string signer_cn;
    std::string signer_email;
    std::string signer_subject;
    std::string signer_issuer;
    std::string digest_algorithm;  // "SHA-256", ...
    std::optional<util::UnixTime> timestamp;  // a verified timestamp's time
    bool timestamp_trusted = false;           // its TSA chains to a trust anchor
    std::optional<util::UnixTime> trust_time;  // when the chain was checked
    bool time_proven = false;
    std::vector<std::string> reasons;  // each failed check, in words
};

class CmsCheck {
public:
    // Parses `der` for `subfilter` ("adbe.pkcs7.detached",
    // "ETSI.CAdES.detached" or "ETSI.RFC3161"). Problems found here are
    // kept for finish(); md() is then null when nothing can be hashed.
    CmsCheck(std::string_view der, const std::string& subfilter);
    ~CmsCheck();
    CmsCheck(const CmsCheck&) = delete;
    CmsCheck& operator=(const CmsCheck&) = delete;

    const EVP_MD* md() const { return m_md; }

    // Completes the checks with the digest of the signed ranges (raw bytes,
    // made with md()). `claimed` is the signature dictionary's /M.
    CmsResult finish(const std::string& digest, X509_STORE* trusted,
                     std::optional<util::UnixTime> claimed);

private:
    struct State;
    std::unique_ptr<State> m_state;
    const EVP_MD* m_md = nullptr;
};

}  // namespace signet::verify
