#include "auth/tokens.hpp"

#include "signet/error.hpp"
#include "util/crypto_hash.hpp"
#include "util/fs.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <map>
#include <mutex>

namespace signet::auth {
namespace {

constexpr std::size_t k_key_bytes = 32;
constexpr std::size_t k_token_chars = 26;  // 26 * 5 = 130 bits

std::string base32(std::string_view bytes, std::size_t chars) {
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
    std::string out;
    unsigned buffer = 0;
    int bits = 0;
    for (const char ch : bytes) {
        buffer = (buffer << 8) | static_cast<unsigned char>(ch);
        bits += 8;
        while (bits >= 5 && out.size() < chars) {
            out += alphabet[(buffer >> (bits - 5)) & 31U];
            bits -= 5;
        }
    }
    return out;
}

}  // namespace

TokenKey TokenKey::load_or_create(const std::filesystem::path& keys_dir) {
    const auto file = keys_dir / "token.key";
    // Read once per process: every invitation and every rendering of one
    // asks for it (thousands in a bulk send), and signet never replaces it.
    static std::mutex mutex;
    static std::map<std::filesystem::path, std::string> loaded;
    const std::lock_guard<std::mutex> lock(mutex);
    if (const auto it = loaded.find(file); it != loaded.end()) {
        return TokenKey(it->second);
    }
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) {
        util::make_private_dir(keys_dir);
        util::write_file_atomic(file, util::random_bytes(k_key_bytes), 0600);
    }
    std::string key = util::read_file(file);
    if (key.size() != k_key_bytes) {
        throw internal_error("\"" + file.string() + "\" is damaged: expected " +
                             std::to_string(k_key_bytes) + " bytes");
    }
    loaded.emplace(file, key);
    return TokenKey(std::move(key));
}

std::string TokenKey::mac(std::string_view data) const {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (HMAC(EVP_sha256(), m_key.data(), static_cast<int>(m_key.size()),
             reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len) ==
        nullptr) {
        throw internal_error("HMAC failed");
    }
    return std::string(reinterpret_cast<const char*>(out), len);
}

std::string derive_access_token(const TokenKey& key, std::string_view envelope_id,
                                std::string_view role, std::string_view nonce) {
    const std::string input = "signet-token\n" + std::string(envelope_id) + "\n" +
                              std::string(role) + "\n" + std::string(nonce);
    return base32(key.mac(input), k_token_chars);
}

std::string token_hash(std::string_view token) { return util::sha256_hex(token); }

std::string derive_code(const TokenKey& key, std::string_view code_message_id) {
    const std::string mac = key.mac("signet-code\n" + std::string(code_message_id));
    std::uint64_t n = 0;
    for (std::size_t i = 0; i < 8; ++i) {
        n = (n << 8) | static_cast<unsigned char>(mac[i]);
    }
    std::string digits = std::to_string(n % 1000000U);
    return std::string(6 - digits.size(), '0') + digits;
}

std::string code_hash(const TokenKey& key, std::string_view envelope_id, std::string_view role,
                      std::string_view code) {
    return util::to_hex(key.mac("signet-code-hash\n" + std::string(envelope_id) + "\n" +
                                std::string(role) + "\n" + std::string(code)));
}

bool constant_time_equal(std::string_view a, std::string_view b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace signet::auth
