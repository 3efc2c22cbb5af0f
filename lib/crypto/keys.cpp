#include "crypto/keys.hpp"

#include "util/fs.hpp"
#include "util/text.hpp"

#include <openssl/pem.h>
#include <openssl/rand.h>


namespace signet::crypto {
namespace {

// scrypt cost: N=2^14, r=8 takes 16 MiB and about 50 ms, like `openssl pkcs8
// -scrypt`. N=2^15 would exceed the 32 MiB that OpenSSL's PKCS#8 decoder
// allows scrypt by default, and then nothing could read the key back.
constexpr std::uint64_t k_scrypt_n = 1U << 14U;
constexpr std::uint64_t k_scrypt_r = 8;
constexpr std::uint64_t k_scrypt_p = 1;
constexpr int k_salt_bytes = 16;

using X509SigPtr = OpensslPtr<X509_SIG, X509_SIG_free>;
using Pkcs8InfoPtr = OpensslPtr<PKCS8_PRIV_KEY_INFO, PKCS8_PRIV_KEY_INFO_free>;
using X509AlgorPtr = OpensslPtr<X509_ALGOR, X509_ALGOR_free>;

int passphrase_length(std::string_view passphrase) {
    if (passphrase.empty()) {
        throw bad_input("the key passphrase is empty");
    }
    if (passphrase.size() > 4096) {
        throw bad_input("the key passphrase is too long (more than 4096 bytes)");
    }
    return static_cast<int>(passphrase.size());
}

}  // namespace

EvpPkeyPtr generate_ec_p256_key() {
    clear_openssl_errors();
    EvpPkeyPtr key(EVP_EC_gen("P-256"));
    if (!key) {
        throw openssl_error("cannot generate an EC P-256 key");
    }
    return key;
}

std::string encrypt_private_key_pem(EVP_PKEY* key, std::string_view passphrase) {
    const int pass_len = passphrase_length(passphrase);
    clear_openssl_errors();
    Pkcs8InfoPtr info(EVP_PKEY2PKCS8(key));
    if (!info) {
        throw openssl_error("cannot encode the private key");
    }
    unsigned char salt[k_salt_bytes];
    if (RAND_bytes(salt, k_salt_bytes) != 1) {
        throw openssl_error("the random number generator failed");
    }
    // A null IV asks OpenSSL for a random one.
    X509AlgorPtr pbe(PKCS5_pbe2_set_scrypt(EVP_aes_256_cbc(), salt, k_salt_bytes, nullptr,
                                           k_scrypt_n, k_scrypt_r, k_scrypt_p));
    if (!pbe) {
        throw openssl_error("cannot set up the key encryption");
    }
    X509SigPtr sealed(PKCS8_set0_pbe(passphrase.data(), pass_len, info.get(), pbe.get()));
    if (!sealed) {
        throw openssl_error("cannot encrypt the private key");
    }
    pbe.release();  // now owned by `sealed`
    BioPtr out = memory_bio();
    if (PEM_write_bio_PKCS8(out.get(), sealed.get()) != 1) {
        throw openssl_error("cannot write the encrypted private key");
    }
    return bio_contents(out.get());
}

EvpPkeyPtr decrypt_private_key_pem(std::string_view pem, std::string_view passphrase,
                                   const std::string& what) {
    const int pass_len = passphrase_length(passphrase);
    if (pem.find("-----BEGIN ENCRYPTED PRIVATE KEY-----") == std::string_view::npos) {
        if (pem.find("PRIVATE KEY-----") != std::string_view::npos) {
            throw bad_input(what + " is not encrypted",
                            {"signet keeps private keys encrypted with a passphrase"});
        }
        throw bad_input(what + " is not an encrypted private key (PKCS#8 PEM)");
    }
    clear_openssl_errors();
    BioPtr in = memory_bio(pem);
    X509SigPtr sealed(PEM_read_bio_PKCS8(in.get(), nullptr, nullptr, nullptr));
    if (!sealed) {
        throw openssl_error("cannot read the private key " + what, ErrorKind::bad_input);
    }
    Pkcs8InfoPtr info(PKCS8_decrypt(sealed.get(), passphrase.data(), pass_len));
    if (!info) {
        // CBC without a MAC: a wrong passphrase shows as bad padding or, rarely,
        // as garbage that does not parse. Either way the passphrase is wrong.
        clear_openssl_errors();
        throw Error(ErrorKind::auth_failed, "wrong passphrase for " + what);
    }
    EvpPkeyPtr key(EVP_PKCS82PKEY(info.get()));
    if (!key) {
        throw openssl_error("cannot decode the private key " + what, ErrorKind::bad_input);
    }
    return key;
}

void write_private_key(const std::filesystem::path& path, EVP_PKEY* key,
                       std::string_view passphrase) {
    util::write_file_atomic(path, encrypt_private_key_pem(key, passphrase), 0600);
}

EvpPkeyPtr load_private_key(const std::filesystem::path& path, std::string_view passphrase) {
    return decrypt_private_key_pem(util::read_file(path), passphrase, util::quoted(path.string()));
}

bool key_matches_certificate(EVP_PKEY* key, X509* cert) {
    const bool match = X509_check_private_key(cert, key) == 1;
    clear_openssl_errors();
    return match;
}

}  // namespace signet::crypto
