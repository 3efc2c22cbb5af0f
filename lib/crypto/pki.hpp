// The organisation's PKI: a root CA, an issuing CA and the organisation seal,
// kept in a private directory (the store's keys/), and the certificates the
// issuing CA makes for each signer.
//
// Files in the directory (mode 0700; keys encrypted, mode 0600):
//   root.crt      root CA, self-signed
//   root.key      root CA key; signet never needs it after create(), so it
//                 can be moved offline
//   issuing.crt   issuing CA, signed by the root (pathlen:0)
//   issuing.key   issuing CA key: signs signers' certificates
//   seal.crt      organisation seal certificate, then its chain (issuing CA,
//                 root), nearest issuer first
//   seal.key      organisation seal key
// Serial numbers are 128-bit random positive integers, so no counter is kept.
#pragma once

#include "crypto/openssl.hpp"
#include "util/time.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace signet::crypto {

// Validity policy.
//
// Validators such as pdfsig check a signer's certificate at the current time
// unless the signature carries a trusted timestamp, so a certificate that
// has expired makes a years-old signature look invalid. Certificates are
// therefore long-lived: 10 years for signers and the seal, and the CAs
// outlive what they issue (issuing CA 20 years, root 30). A signer's
// certificate never outlives the issuing CA: its notAfter is capped at the
// issuing CA's. Every notBefore is 5 minutes in the past so that a validator
// whose clock is a little behind still accepts a certificate made just now.
inline constexpr util::UnixTime k_not_before_backdate_seconds = 5 * 60;
inline constexpr int k_signer_validity_days = 3653;   // 10 years
inline constexpr int k_seal_validity_days = 3653;     // 10 years
inline constexpr int k_issuing_validity_days = 7305;  // 20 years
inline constexpr int k_root_validity_days = 10958;    // 30 years

// Who a signer's certificate names.
struct SignerIdentity {
    std::string name;                  // subject CN, UTF-8, at most 64 characters
    std::optional<std::string> email;  // subjectAltName rfc822Name; a non-ASCII address
                                       // (RFC 6531) as SmtpUTF8Mailbox (RFC 8398)
    std::optional<std::string> phone;  // E.164 ("+48601234567"): subjectAltName URI "tel:+48..."
};

// A certificate, its private key and the certificates above it.
struct Credential {
    X509Ptr certificate;
    EvpPkeyPtr key;
    std::vector<X509Ptr> chain;  // issuers, nearest first (may end with a root)

    // The chain as borrowed pointers, for sign_cades_detached().
    std::vector<X509*> chain_pointers() const;
};

// Reads a PKCS#12 file (a signer's own certificate, or a seal to import):
// its key, the certificate of that key and the issuers of that certificate
// found in the file, nearest first (other certificates are dropped). Older
// files encrypted with RC2 or 3DES are read too. Throws auth_failed ("wrong
// passphrase for \"<path>\"") when the passphrase does not match, bad_input
// when the file is not PKCS#12 or lacks a key or its certificate.
Credential load_p12(const std::filesystem::path& path, std::string_view passphrase);

// The organisation's PKI loaded from its directory.
class OrganizationPki {
public:
    // Creates a root CA, an issuing CA and the seal certificate for
    // `organization` in `dir` (made with mode 0700 if missing), keys
    // encrypted with `passphrase`. Names are UTF8String: the root is
    // "CN=<organization> Root CA, O=<organization>", the issuing CA
    // "CN=<organization> Issuing CA, O=<organization>" (the organisation
    // shortened in the CN if needed to keep it within 64 characters), the
    // seal "CN=<organization>, O=<organization>". Throws bad_input when the
    // name is blank, not clean UTF-8 or longer than 64 characters, or when
    // `dir` already holds a root.crt (it never overwrites a CA). root.crt is
    // written last, so a create() that was interrupted can be run again.
    static OrganizationPki create(const std::filesystem::path& dir, const std::string& organization,
                                  std::string_view passphrase, util::UnixTime now);

    // Replaces the seal in `dir` with the key and certificate (and chain) of
    // a PKCS#12 file, the key encrypted with `store_passphrase`; the CAs, if
    // any, stay. Throws as load_p12(), and bad_input when the certificate has
    // expired or its key usage does not allow signing.
    static void import_seal_p12(const std::filesystem::path& dir,
                                const std::filesystem::path& p12_path,
                                std::string_view p12_passphrase, std::string_view store_passphrase);

    // Loads the certificates and the issuing and seal keys from `dir` (the
    // root key is not needed). The CAs are optional (a directory may hold
    // only an imported seal). Throws bad_input when `dir` has no seal or a
    // key does not belong to its certificate, auth_failed for a wrong
    // passphrase.
    static OrganizationPki load(const std::filesystem::path& dir, std::string_view passphrase);

    // True when `dir` holds a root CA or a seal.
    static bool exists(const std::filesystem::path& dir);

    X509* root_certificate() const { return m_root.get(); }        // null without CAs
    X509* issuing_certificate() const { return m_issuing.get(); }  // null without CAs
    const Credential& seal() const { return m_seal; }

    // True when this PKI has an issuing CA with its key.
    bool can_issue() const { return m_issuing && m_issuing_key; }

    // A certificate for one signer, signed by the issuing CA: CN = name
    // (UTF8String), subjectAltName with the email (rfc822Name, or
    // SmtpUTF8Mailbox when not ASCII) and the phone (URI "tel:+..."),
    // keyUsage digitalSignature and nonRepudiation (critical),
    // extendedKeyUsage emailProtection, validity as the policy above from
    // `now`. Throws bad_input for a name that is blank, not clean UTF-8 or
    // longer than 64 characters, a malformed email, a phone not in E.164, a
    // key that is neither EC nor RSA, when this PKI has no issuing CA or the
    // issuing CA has expired.
    X509Ptr issue_signer_certificate(const SignerIdentity& signer, EVP_PKEY* signer_public_key,
                                     util::UnixTime now) const;

    // The chain to send with a signer's certificate: issuing CA, root.
    std::vector<X509*> signer_chain() const;

    // The certificates a verifier should trust for this organisation: the
    // root, and the top of an imported seal's chain when it is self-signed.
    std::vector<X509*> trust_anchors() const;

private:
    X509Ptr m_root;
    X509Ptr m_issuing;
    EvpPkeyPtr m_issuing_key;
    Credential m_seal;
};

// The trust anchors of the PKI in `dir` (as OrganizationPki::trust_anchors()),
// read without a passphrase: for verifying. Throws bad_input when `dir`
// holds neither a root CA nor a seal.
std::vector<X509Ptr> load_trust_anchors(const std::filesystem::path& dir);

}  // namespace signet::crypto
