// RFC 3161 signature timestamps (PAdES B-T): a TimeStampReq over the hash of
// a SignerInfo's signature value, sent to the configured time-stamping
// client, its reply checked, and the token added to the CMS as the unsigned
// attribute id-aa-signatureTimeStampToken (1.2.840.113549.1.9.16.2.14).
#pragma once

#include "crypto/digest.hpp"
#include "store/config.hpp"

#include <string>
#include <string_view>

namespace signet::crypto {

// A TimeStampReq ready to send, and what its reply must match.
struct TimestampRequest {
    std::string der;       // TimeStampReq: version 1, SHA-256 imprint, nonce, certReq true
    Sha256Digest imprint;  // the SHA-256 digest stamped
    std::string nonce;     // the nonce's big-endian bytes (64 random bits, positive)
};

// A request over `imprint` (a SHA-256 digest) with a fresh random nonce.
// Throws internal when OpenSSL fails.
TimestampRequest make_timestamp_request(const Sha256Digest& imprint);

// Checks a TimeStampResp (DER) against `request` and returns its token (a
// CMS ContentInfo, DER): status granted (or granted with modifications),
// version 1, the request's imprint and nonce, the token's signature intact
// with the TSA's certificate in it, and that certificate marked for time
// stamping (extended key usage timeStamping, critical). The TSA is not
// checked against a trust store: verify does that. Throws an Error of kind
// busy when the TSA refused (its status and text in the message), internal
// for a reply that does not parse or does not match.
std::string check_timestamp_response(std::string_view response_der,
                                     const TimestampRequest& request);

// The SHA-256 of the signature value of the one SignerInfo in `cms_der`:
// what a signature timestamp stamps. Throws internal for a CMS that does not
// parse or does not have exactly one SignerInfo.
Sha256Digest signature_value_sha256(std::string_view cms_der);

// `cms_der` with `token_der` added to its one SignerInfo as the unsigned
// attribute signatureTimeStampToken (replacing one that was there). The
// signed part stays byte for byte the same; the result is checked to parse
// and its signature to verify. Throws internal when it cannot.
std::string add_timestamp_token(std::string_view cms_der, std::string_view token_der);

// The whole step: a request over the signature value of `cms_der`, run
// through `tsa.command` (no shell; request on stdin, reply on stdout, killed
// after tsa.timeout_seconds), the reply checked, the token added. A command
// that cannot run, fails, times out or says nothing throws an Error of kind
// busy (exit status 75: try again later) whose first line carries its
// stderr; a bad reply throws as check_timestamp_response() does.
std::string add_signature_timestamp(std::string_view cms_der, const store::TimestampConfig& tsa);

}  // namespace signet::crypto
