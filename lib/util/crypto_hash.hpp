// Hashes and randomness from OpenSSL.
#pragma once

#include <string>
#include <string_view>

namespace signet::util {

// SHA-256 of data as 64 lowercase hex digits.
std::string sha256_hex(std::string_view data);

// n bytes from the operating system's CSPRNG.
std::string random_bytes(std::size_t n);

std::string to_hex(std::string_view bytes);

}  // namespace signet::util
