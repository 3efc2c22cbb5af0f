// Private keys: generation and encrypted storage at rest.
#pragma once

#include "crypto/openssl.hpp"

#include <filesystem>
#include <string>
#include <string_view>

namespace signet::crypto {

// A new EC key on the NIST P-256 curve (prime256v1), the key type signet
// uses for its CAs, the seal and signers' certificates: every PDF validator
// in use supports it. Throws internal when OpenSSL fails.
EvpPkeyPtr generate_ec_p256_key();

// The private key as encrypted PKCS#8 PEM ("BEGIN ENCRYPTED PRIVATE KEY"):
// PBES2 with scrypt (N=2^14, r=8, p=1, 16-byte random salt) and AES-256-CBC,
// readable by `openssl pkey`. Throws bad_input when the passphrase is empty.
std::string encrypt_private_key_pem(EVP_PKEY* key, std::string_view passphrase);

// Reads an encrypted PKCS#8 PEM key. `what` names the key in messages (a
// quoted path). Throws Error(auth_failed, "wrong passphrase for <what>") when
// the passphrase does not decrypt it, and bad_input when the text is not an
// encrypted private key (an unencrypted key is refused too: keys are
// encrypted at rest).
EvpPkeyPtr decrypt_private_key_pem(std::string_view pem, std::string_view passphrase,
                                   const std::string& what);

// Writes the key to `path` as encrypt_private_key_pem() text, atomically and
// with mode 0600.
void write_private_key(const std::filesystem::path& path, EVP_PKEY* key,
                       std::string_view passphrase);

// Loads a key written by write_private_key(). Throws bad_input when the file
// cannot be read or is not an encrypted key, auth_failed for a wrong
// passphrase ("wrong passphrase for \"<path>\"").
EvpPkeyPtr load_private_key(const std::filesystem::path& path, std::string_view passphrase);

// True when the private key belongs to the certificate's public key.
bool key_matches_certificate(EVP_PKEY* key, X509* cert);

}  // namespace signet::crypto
