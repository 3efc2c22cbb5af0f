// Hashes and randomness from OpenSSL.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace signet::util {

// SHA-256 of data as 64 lowercase hex digits.
std::string sha256_hex(std::string_view data);

// SHA-256 of a file's contents, read in chunks, as 64 lowercase hex digits.
std::string sha256_file_hex(const std::filesystem::path& path);

// n bytes from the operating system's CSPRNG.
std::string random_bytes(std::size_t n);

std::string to_hex(std::string_view bytes);

}  // namespace signet::util
