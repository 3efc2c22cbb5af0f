// Access tokens and one-time codes. Neither is ever stored in clear: both
// are derived when a message is rendered, from a key kept outside the
// database (keys/token.key), and the store holds only their hashes.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace signet::auth {

class TokenKey {
public:
    // Loads keys/token.key, creating it (32 random bytes, mode 0600) when
    // missing.
    static TokenKey load_or_create(const std::filesystem::path& keys_dir);

    explicit TokenKey(std::string key) : m_key(std::move(key)) {}

    // HMAC-SHA256 of `data` under the key, raw bytes.
    std::string mac(std::string_view data) const;

private:
    std::string m_key;
};

// The access token a party's invitation carries: 130 random-looking bits
// as 26 lowercase base32 characters, bound to one party of one envelope by
// what it is derived from. `nonce` is the party's invitation nonce, so a
// reminder repeats the same token and a new invitation gets a new one.
std::string derive_access_token(const TokenKey& key, std::string_view envelope_id,
                                std::string_view role, std::string_view nonce);

// What the store keeps of a token: SHA-256, hex. Tokens carry 128 bits or
// more, so an unkeyed hash cannot be searched.
std::string token_hash(std::string_view token);

// A one-time code: 6 digits derived from the code message's id.
std::string derive_code(const TokenKey& key, std::string_view code_message_id);

// What the store keeps of a code: a keyed hash (6 digits could be searched
// from a plain hash), bound to the envelope and party.
std::string code_hash(const TokenKey& key, std::string_view envelope_id, std::string_view role,
                      std::string_view code);

// Compares two strings in time that depends only on their lengths.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace signet::auth
