// Hashing byte ranges of a file in one streaming pass: every signature's
// ranges at once, sharing the work where their ranges agree (the long
// common prefix of a big document is hashed once per digest algorithm).
#pragma once

#include "verify/source.hpp"

#include <openssl/evp.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace signet::verify {

struct RangeDigest {
    const EVP_MD* md = nullptr;                                   // nullptr: skipped
    std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;  // [begin, end), ordered
};

// The digest of each request's ranges (raw bytes; empty for a skipped
// request). Reads the file once, in order, with a small fixed buffer.
std::vector<std::string> digest_ranges(const PdfFile& file, const std::vector<RangeDigest>& requests);

}  // namespace signet::verify
