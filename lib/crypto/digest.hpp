// SHA-256 as raw bytes, in one piece or streamed: the signing flow hashes
// the signed byte ranges of a PDF itself and passes only the digest on.
#pragma once

#include "crypto/openssl.hpp"

#include <array>
#include <string_view>

namespace signet::crypto {

using Sha256Digest = std::array<unsigned char, 32>;

// SHA-256 of data.
Sha256Digest sha256(std::string_view data);

// SHA-256 over data given in pieces: update() any number of times, then
// finish() once. Throws internal when OpenSSL fails.
class Sha256 {
public:
    Sha256();
    void update(std::string_view data);
    Sha256Digest finish();

private:
    EvpMdCtxPtr m_ctx;
};

}  // namespace signet::crypto
