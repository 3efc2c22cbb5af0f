#include "crypto/pki.hpp"

#include "crypto/certificate.hpp"
#include "crypto/keys.hpp"
#include "util/fs.hpp"
#include "util/text.hpp"

#include <openssl/provider.h>

#include <algorithm>
#include <ctime>

namespace signet::crypto {
namespace {

namespace fs = std::filesystem;

const char* const k_root_crt = "root.crt";
const char* const k_root_key = "root.key";
const char* const k_issuing_crt = "issuing.crt";
const char* const k_issuing_key = "issuing.key";
const char* const k_seal_crt = "seal.crt";
const char* const k_seal_key = "seal.key";

// RFC 5280's upper bound for commonName and organizationName.
constexpr std::size_t k_max_name_chars = 64;
constexpr util::UnixTime k_seconds_per_day = 24 * 60 * 60;

std::string quoted_path(const fs::path& p) { return util::quoted(p.string()); }

std::size_t utf8_length(std::string_view s) {
    return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U;
    }));
}

// At most `max_chars` code points of s, cut at a code point boundary, with
// trailing spaces dropped.
std::string utf8_prefix(std::string_view s, std::size_t max_chars) {
    std::size_t chars = 0;
    std::size_t end = 0;
    while (end < s.size()) {
        if ((static_cast<unsigned char>(s[end]) & 0xC0U) != 0x80U) {
            if (chars == max_chars) {
                break;
            }
            ++chars;
        }
        ++end;
    }
    std::string out(s.substr(0, end));
    while (!out.empty() && out.back() == ' ') {
        out.pop_back();
    }
    return out;
}

void check_name(const std::string& value, const std::string& what) {
    util::require_clean_line(value, what);
    if (utf8_length(value) > k_max_name_chars) {
        throw bad_input(what +
                        " is longer than 64 characters, the most a certificate name holds: " +
                        util::quoted(value));
    }
}

void check_email(const std::string& email) {
    const auto at = email.find('@');
    const bool plain = util::is_valid_utf8(email) &&
                       util::find_control_char(email) == std::string::npos &&
                       email.find(' ') == std::string::npos;
    if (!plain || at == std::string::npos || at == 0 || at + 1 == email.size() ||
        email.find('@', at + 1) != std::string::npos || email.size() > 254) {
        throw bad_input("not an email address: " + util::quoted(email));
    }
}

bool is_ascii(std::string_view s) {
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

void check_phone(const std::string& phone) {
    const bool digits =
        phone.size() >= 3 && phone.size() <= 16 &&
        std::all_of(phone.begin() + 1, phone.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (phone.empty() || phone[0] != '+' || !digits || phone[1] == '0') {
        throw bad_input("the phone number " + util::quoted(phone) +
                        " is not in E.164 form (+ and up to 15 digits, e.g. +48601234567)");
    }
}

void check_key_type(EVP_PKEY* key, const std::string& what) {
    if (key == nullptr) {
        throw internal_error(what + ": no key");
    }
    if (EVP_PKEY_is_a(key, "EC") != 1 && EVP_PKEY_is_a(key, "RSA") != 1) {
        throw bad_input(what + " is a " + EVP_PKEY_get0_type_name(key) +
                        " key; signet signs with EC or RSA keys only");
    }
}

util::UnixTime to_unix_time(const ASN1_TIME* t) {
    struct tm tm {};
    if (ASN1_TIME_to_tm(t, &tm) != 1) {
        throw openssl_error("cannot read a certificate time");
    }
    return static_cast<util::UnixTime>(::timegm(&tm));
}

X509NamePtr utf8_name(const std::vector<std::pair<int, std::string>>& entries) {
    X509NamePtr name(X509_NAME_new());
    if (!name) {
        throw openssl_error("cannot create a certificate name");
    }
    for (const auto& [nid, value] : entries) {
        // The type given as V_ASN1_UTF8STRING is stored as is; an MBSTRING_*
        // type would let OpenSSL pick PrintableString or BMPString instead.
        if (X509_NAME_add_entry_by_NID(name.get(), nid, V_ASN1_UTF8STRING,
                                       reinterpret_cast<const unsigned char*>(value.data()),
                                       static_cast<int>(value.size()), -1, 0) != 1) {
            throw openssl_error("cannot set a certificate name");
        }
    }
    return name;
}

void set_random_serial(X509* cert) {
    BignumPtr bn(BN_new());
    do {
        if (!bn || BN_rand(bn.get(), 128, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1) {
            throw openssl_error("cannot make a serial number");
        }
    } while (BN_is_zero(bn.get()));
    if (BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) == nullptr) {
        throw openssl_error("cannot set a serial number");
    }
}

struct CertificateSpec {
    const X509_NAME* subject = nullptr;
    EVP_PKEY* public_key = nullptr;
    X509* issuer = nullptr;  // null: self-signed
    util::UnixTime not_before = 0;
    util::UnixTime not_after = 0;
    std::vector<std::pair<int, const char*>> extensions;  // nid and OpenSSL config value
    GENERAL_NAMES* alt_names = nullptr;
};

void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
    if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
        throw openssl_error(std::string("cannot add the certificate extension ") + OBJ_nid2sn(nid));
    }
}

Asn1OctetStringPtr key_identifier(X509* cert) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    // RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits.
    Asn1OctetStringPtr id(ASN1_OCTET_STRING_new());
    if (!id || X509_pubkey_digest(cert, EVP_sha1(), md, &len) != 1 ||
        ASN1_OCTET_STRING_set(id.get(), md, static_cast<int>(len)) != 1) {
        throw openssl_error("cannot compute a key identifier");
    }
    return id;
}

void add_key_identifiers(X509* cert, X509* issuer) {
    Asn1OctetStringPtr ski = key_identifier(cert);
    if (X509_add1_ext_i2d(cert, NID_subject_key_identifier, ski.get(), 0, X509V3_ADD_DEFAULT) !=
        1) {
        throw openssl_error("cannot add the subject key identifier");
    }
    OpensslPtr<AUTHORITY_KEYID, AUTHORITY_KEYID_free> akid(AUTHORITY_KEYID_new());
    if (!akid) {
        throw openssl_error("cannot add the authority key identifier");
    }
    if (issuer == nullptr) {
        akid->keyid = ski.release();
    } else if (const ASN1_OCTET_STRING* issuer_ski = X509_get0_subject_key_id(issuer)) {
        akid->keyid = ASN1_OCTET_STRING_dup(issuer_ski);
    } else {
        akid->keyid = key_identifier(issuer).release();
    }
    if (akid->keyid == nullptr || X509_add1_ext_i2d(cert, NID_authority_key_identifier, akid.get(),
                                                    0, X509V3_ADD_DEFAULT) != 1) {
        throw openssl_error("cannot add the authority key identifier");
    }
}

// A DER round trip: the certificate as a reader of the file will see it,
// with OpenSSL's cached extension data computed from the signed encoding.
X509Ptr reparsed(X509* cert) {
    return certificate_from_der(certificate_to_der(cert), "a new certificate");
}

X509Ptr make_certificate(const CertificateSpec& spec, EVP_PKEY* signing_key) {
    clear_openssl_errors();
    X509Ptr cert(X509_new());
    if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1) {
        throw openssl_error("cannot create a certificate");
    }
    set_random_serial(cert.get());
    const X509_NAME* issuer_name =
        spec.issuer != nullptr ? X509_get_subject_name(spec.issuer) : spec.subject;
    if (X509_set_subject_name(cert.get(), spec.subject) != 1 ||
        X509_set_issuer_name(cert.get(), issuer_name) != 1 ||
        ASN1_TIME_set(X509_getm_notBefore(cert.get()), static_cast<std::time_t>(spec.not_before)) ==
            nullptr ||
        ASN1_TIME_set(X509_getm_notAfter(cert.get()), static_cast<std::time_t>(spec.not_after)) ==
            nullptr ||
        X509_set_pubkey(cert.get(), spec.public_key) != 1) {
        throw openssl_error("cannot fill in a certificate");
    }
    X509* issuer = spec.issuer != nullptr ? spec.issuer : cert.get();
    for (const auto& [nid, value] : spec.extensions) {
        add_extension(cert.get(), issuer, nid, value);
    }
    if (spec.alt_names != nullptr &&
        X509_add1_ext_i2d(cert.get(), NID_subject_alt_name, spec.alt_names, 0,
                          X509V3_ADD_DEFAULT) != 1) {
        throw openssl_error("cannot add the subject alternative name");
    }
    add_key_identifiers(cert.get(), spec.issuer);
    if (X509_sign(cert.get(), signing_key, EVP_sha256()) <= 0) {
        throw openssl_error("cannot sign a certificate");
    }
    return reparsed(cert.get());
}

void add_ia5_name(GENERAL_NAMES* names, int type, const std::string& value) {
    OpensslPtr<GENERAL_NAME, GENERAL_NAME_free> name(GENERAL_NAME_new());
    OpensslPtr<ASN1_IA5STRING, ASN1_IA5STRING_free> text(ASN1_IA5STRING_new());
    if (!name || !text ||
        ASN1_STRING_set(text.get(), value.data(), static_cast<int>(value.size())) != 1) {
        throw openssl_error("cannot build a subject alternative name");
    }
    GENERAL_NAME_set0_value(name.get(), type, text.release());
    if (sk_GENERAL_NAME_push(names, name.get()) <= 0) {
        throw openssl_error("cannot build a subject alternative name");
    }
    name.release();
}

// An internationalised address (RFC 6531) as an SmtpUTF8Mailbox otherName
// (RFC 8398): rfc822Name is IA5String and cannot hold it. RFC 8398 wants an
// ASCII local part with rfc822Name and an A-label domain; without an IDNA
// library such addresses go here too, which validators display just the same.
void add_utf8_mailbox(GENERAL_NAMES* names, const std::string& email) {
    OpensslPtr<GENERAL_NAME, GENERAL_NAME_free> name(GENERAL_NAME_new());
    OpensslPtr<ASN1_OBJECT, ASN1_OBJECT_free> oid(OBJ_txt2obj("1.3.6.1.5.5.7.8.9", 1));
    OpensslPtr<ASN1_TYPE, ASN1_TYPE_free> value(ASN1_TYPE_new());
    OpensslPtr<ASN1_UTF8STRING, ASN1_UTF8STRING_free> text(ASN1_UTF8STRING_new());
    if (!name || !oid || !value || !text ||
        ASN1_STRING_set(text.get(), email.data(), static_cast<int>(email.size())) != 1) {
        throw openssl_error("cannot build a subject alternative name");
    }
    ASN1_TYPE_set(value.get(), V_ASN1_UTF8STRING, text.release());
    if (GENERAL_NAME_set0_othername(name.get(), oid.get(), value.get()) != 1) {
        throw openssl_error("cannot build a subject alternative name");
    }
    oid.release();
    value.release();
    if (sk_GENERAL_NAME_push(names, name.get()) <= 0) {
        throw openssl_error("cannot build a subject alternative name");
    }
    name.release();
}

// End-entity extensions shared by the seal and signers' certificates.
// emailProtection is what NSS (pdfsig, Firefox, Thunderbird) requires of a
// CMS signer's certificate when it has an extendedKeyUsage at all; Adobe
// accepts it for document signing too.
const std::vector<std::pair<int, const char*>> k_end_entity_extensions = {
    {NID_basic_constraints, "critical,CA:FALSE"},
    {NID_key_usage, "critical,digitalSignature,nonRepudiation"},
    {NID_ext_key_usage, "emailProtection"},
};

bool same_certificate(X509* a, X509* b) { return X509_cmp(a, b) == 0; }

std::string pem_chain(const Credential& cred) {
    std::string pem = certificate_to_pem(cred.certificate.get());
    for (const auto& cert : cred.chain) {
        pem += certificate_to_pem(cert.get());
    }
    return pem;
}

Credential load_credential(const fs::path& crt, const fs::path& key, std::string_view passphrase) {
    auto certs = load_certificates(crt);
    Credential cred;
    cred.certificate = std::move(certs.front());
    for (std::size_t i = 1; i < certs.size(); ++i) {
        cred.chain.push_back(std::move(certs[i]));
    }
    cred.key = load_private_key(key, passphrase);
    if (!key_matches_certificate(cred.key.get(), cred.certificate.get())) {
        throw bad_input(quoted_path(key) + " does not belong to the certificate in " +
                        quoted_path(crt));
    }
    return cred;
}

// The top of a seal's chain when it is a self-signed certificate other than
// the root: an anchor of its own (an imported seal's CA). Else null.
X509* seal_chain_anchor(X509* root, const std::vector<X509Ptr>& seal_chain) {
    if (seal_chain.empty()) {
        return nullptr;
    }
    X509* top = seal_chain.back().get();
    const bool anchor =
        X509_self_signed(top, 0) == 1 && (root == nullptr || !same_certificate(top, root));
    clear_openssl_errors();
    return anchor ? top : nullptr;
}

}  // namespace

std::vector<X509*> Credential::chain_pointers() const {
    std::vector<X509*> out;
    out.reserve(chain.size());
    for (const auto& cert : chain) {
        out.push_back(cert.get());
    }
    return out;
}

Credential load_p12(const fs::path& path, std::string_view passphrase) {
    const std::string what = quoted_path(path);
    const std::string bytes = util::read_file(path);
    clear_openssl_errors();
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    Pkcs12Ptr p12(d2i_PKCS12(nullptr, &p, static_cast<long>(bytes.size())));
    if (!p12) {
        clear_openssl_errors();
        throw bad_input(what + " is not a PKCS#12 (.p12, .pfx) file");
    }
    // PKCS12_parse() wants a C string.
    std::string pass(passphrase);
    const int pass_len = static_cast<int>(pass.size());
    if (PKCS12_mac_present(p12.get()) == 1) {
        const bool ok = pass.empty() ? PKCS12_verify_mac(p12.get(), nullptr, 0) == 1 ||
                                           PKCS12_verify_mac(p12.get(), "", 0) == 1
                                     : PKCS12_verify_mac(p12.get(), pass.c_str(), pass_len) == 1;
        if (!ok) {
            OPENSSL_cleanse(pass.data(), pass.size());
            clear_openssl_errors();
            throw Error(ErrorKind::auth_failed, "wrong passphrase for " + what);
        }
    }
    EVP_PKEY* raw_key = nullptr;
    X509* raw_cert = nullptr;
    STACK_OF(X509)* raw_ca = nullptr;
    bool parsed = PKCS12_parse(p12.get(), pass.c_str(), &raw_key, &raw_cert, &raw_ca) == 1;
    if (!parsed) {
        // Files exported by older tools encrypt with RC2-40, which OpenSSL 3
        // keeps in its legacy provider; loading it adds algorithms for
        // reading only, the default provider stays in use.
        clear_openssl_errors();
        if (OSSL_PROVIDER_try_load(nullptr, "legacy", 1) != nullptr) {
            parsed = PKCS12_parse(p12.get(), pass.c_str(), &raw_key, &raw_cert, &raw_ca) == 1;
        }
    }
    OPENSSL_cleanse(pass.data(), pass.size());
    EvpPkeyPtr key(raw_key);
    X509Ptr cert(raw_cert);
    X509StackPtr ca(raw_ca);
    if (!parsed) {
        throw openssl_error("cannot read " + what, ErrorKind::bad_input);
    }
    if (!key || !cert) {
        throw bad_input(what + " does not hold a private key with its certificate");
    }
    if (!key_matches_certificate(key.get(), cert.get())) {
        throw bad_input("the private key in " + what + " does not belong to its certificate");
    }
    // The issuers, nearest first, found by walking up from the certificate.
    std::vector<X509Ptr> pool;
    while (ca && sk_X509_num(ca.get()) > 0) {
        X509Ptr c(sk_X509_shift(ca.get()));
        if (!same_certificate(c.get(), cert.get())) {
            pool.push_back(std::move(c));
        }
    }
    Credential cred;
    X509* current = cert.get();
    while (X509_self_signed(current, 0) != 1) {
        const auto it = std::find_if(pool.begin(), pool.end(), [current](const X509Ptr& c) {
            return X509_check_issued(c.get(), current) == X509_V_OK;
        });
        if (it == pool.end()) {
            break;
        }
        cred.chain.push_back(std::move(*it));
        pool.erase(it);
        current = cred.chain.back().get();
    }
    clear_openssl_errors();
    cred.certificate = std::move(cert);
    cred.key = std::move(key);
    return cred;
}

OrganizationPki OrganizationPki::create(const fs::path& dir, const std::string& organization,
                                        std::string_view passphrase, util::UnixTime now) {
    check_name(organization, "the organisation name");
    if (fs::exists(dir / k_root_crt)) {
        throw bad_input(quoted_path(dir) + " already holds a root CA",
                        {"signet never replaces an organisation's CA"});
    }
    util::make_private_dir(dir);

    const util::UnixTime not_before = now - k_not_before_backdate_seconds;
    EvpPkeyPtr root_key = generate_ec_p256_key();
    EvpPkeyPtr issuing_key = generate_ec_p256_key();
    EvpPkeyPtr seal_key = generate_ec_p256_key();

    const std::size_t room = k_max_name_chars - std::string_view(" Issuing CA").size();
    const std::string short_org = utf8_prefix(organization, room);

    CertificateSpec root_spec;
    const X509NamePtr root_name =
        utf8_name({{NID_commonName, short_org + " Root CA"}, {NID_organizationName, organization}});
    root_spec.subject = root_name.get();
    root_spec.public_key = root_key.get();
    root_spec.not_before = not_before;
    root_spec.not_after = now + k_root_validity_days * k_seconds_per_day;
    root_spec.extensions = {{NID_basic_constraints, "critical,CA:TRUE"},
                            {NID_key_usage, "critical,keyCertSign,cRLSign"}};
    X509Ptr root = make_certificate(root_spec, root_key.get());

    CertificateSpec issuing_spec;
    const X509NamePtr issuing_name = utf8_name(
        {{NID_commonName, short_org + " Issuing CA"}, {NID_organizationName, organization}});
    issuing_spec.subject = issuing_name.get();
    issuing_spec.public_key = issuing_key.get();
    issuing_spec.issuer = root.get();
    issuing_spec.not_before = not_before;
    issuing_spec.not_after = now + k_issuing_validity_days * k_seconds_per_day;
    issuing_spec.extensions = {{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
                               {NID_key_usage, "critical,keyCertSign,cRLSign"}};
    X509Ptr issuing = make_certificate(issuing_spec, root_key.get());

    CertificateSpec seal_spec;
    const X509NamePtr seal_name =
        utf8_name({{NID_commonName, organization}, {NID_organizationName, organization}});
    seal_spec.subject = seal_name.get();
    seal_spec.public_key = seal_key.get();
    seal_spec.issuer = issuing.get();
    seal_spec.not_before = not_before;
    seal_spec.not_after = now + k_seal_validity_days * k_seconds_per_day;
    seal_spec.extensions = k_end_entity_extensions;
    X509Ptr seal = make_certificate(seal_spec, issuing_key.get());

    OrganizationPki pki;
    pki.m_seal.certificate = std::move(seal);
    pki.m_seal.key = std::move(seal_key);
    pki.m_seal.chain.push_back(share(issuing.get()));
    pki.m_seal.chain.push_back(share(root.get()));

    write_private_key(dir / k_root_key, root_key.get(), passphrase);
    write_private_key(dir / k_issuing_key, issuing_key.get(), passphrase);
    write_private_key(dir / k_seal_key, pki.m_seal.key.get(), passphrase);
    util::write_file_atomic(dir / k_issuing_crt, certificate_to_pem(issuing.get()), 0600);
    util::write_file_atomic(dir / k_seal_crt, pem_chain(pki.m_seal), 0600);
    // Last: its presence marks a complete PKI.
    util::write_file_atomic(dir / k_root_crt, certificate_to_pem(root.get()), 0600);

    pki.m_root = std::move(root);
    pki.m_issuing = std::move(issuing);
    pki.m_issuing_key = std::move(issuing_key);
    return pki;
}

void OrganizationPki::import_seal_p12(const fs::path& dir, const fs::path& p12_path,
                                      std::string_view p12_passphrase,
                                      std::string_view store_passphrase) {
    Credential cred = load_p12(p12_path, p12_passphrase);
    X509* cert = cred.certificate.get();
    const std::string what = "the certificate in " + quoted_path(p12_path);
    check_key_type(cred.key.get(), "the key in " + quoted_path(p12_path));
    const std::uint32_t usage = X509_get_key_usage(cert);
    if (usage != UINT32_MAX && (usage & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)) == 0) {
        throw bad_input(what + " is not for signing (its key usage lacks digitalSignature and "
                               "nonRepudiation)");
    }
    if (X509_cmp_current_time(X509_get0_notAfter(cert)) < 0) {
        throw bad_input(what + " has expired");
    }
    clear_openssl_errors();
    util::make_private_dir(dir);
    // The key first: load() notices a key that does not match its certificate.
    write_private_key(dir / k_seal_key, cred.key.get(), store_passphrase);
    util::write_file_atomic(dir / k_seal_crt, pem_chain(cred), 0600);
}

OrganizationPki OrganizationPki::load(const fs::path& dir, std::string_view passphrase) {
    if (!fs::exists(dir / k_seal_crt)) {
        throw bad_input("no organisation seal in " + quoted_path(dir),
                        {"create the organisation's keys with `signet init`"});
    }
    OrganizationPki pki;
    pki.m_seal = load_credential(dir / k_seal_crt, dir / k_seal_key, passphrase);
    if (fs::exists(dir / k_root_crt)) {
        pki.m_root = std::move(load_certificates(dir / k_root_crt).front());
    }
    if (fs::exists(dir / k_issuing_crt)) {
        Credential issuing = load_credential(dir / k_issuing_crt, dir / k_issuing_key, passphrase);
        pki.m_issuing = std::move(issuing.certificate);
        pki.m_issuing_key = std::move(issuing.key);
    }
    return pki;
}

bool OrganizationPki::exists(const fs::path& dir) {
    return fs::exists(dir / k_root_crt) || fs::exists(dir / k_seal_crt);
}

X509Ptr OrganizationPki::issue_signer_certificate(const SignerIdentity& signer,
                                                  EVP_PKEY* signer_public_key,
                                                  util::UnixTime now) const {
    if (!can_issue()) {
        throw bad_input("the organisation's keys have no issuing CA to certify signers",
                        {"sign with the signer's own PKCS#12 file instead"});
    }
    check_name(signer.name, "the signer's name");
    check_key_type(signer_public_key, "the signer's key");
    GeneralNamesPtr alt_names(GENERAL_NAMES_new());
    if (!alt_names) {
        throw openssl_error("cannot build a subject alternative name");
    }
    if (signer.email) {
        check_email(*signer.email);
        if (is_ascii(*signer.email)) {
            add_ia5_name(alt_names.get(), GEN_EMAIL, *signer.email);
        } else {
            add_utf8_mailbox(alt_names.get(), *signer.email);
        }
    }
    if (signer.phone) {
        check_phone(*signer.phone);
        add_ia5_name(alt_names.get(), GEN_URI, "tel:" + *signer.phone);
    }
    const util::UnixTime ca_not_after = to_unix_time(X509_get0_notAfter(m_issuing.get()));
    if (ca_not_after <= now) {
        throw bad_input("the issuing CA in the organisation's keys has expired");
    }

    const X509NamePtr subject = utf8_name({{NID_commonName, signer.name}});
    CertificateSpec spec;
    spec.subject = subject.get();
    spec.public_key = signer_public_key;
    spec.issuer = m_issuing.get();
    spec.not_before = now - k_not_before_backdate_seconds;
    spec.not_after = std::min(now + k_signer_validity_days * k_seconds_per_day, ca_not_after);
    spec.extensions = k_end_entity_extensions;
    if (sk_GENERAL_NAME_num(alt_names.get()) > 0) {
        spec.alt_names = alt_names.get();
    }
    return make_certificate(spec, m_issuing_key.get());
}

std::vector<X509*> OrganizationPki::signer_chain() const {
    std::vector<X509*> chain;
    if (m_issuing) {
        chain.push_back(m_issuing.get());
    }
    if (m_root) {
        chain.push_back(m_root.get());
    }
    return chain;
}

std::vector<X509*> OrganizationPki::trust_anchors() const {
    std::vector<X509*> out;
    if (m_root) {
        out.push_back(m_root.get());
    }
    if (X509* extra = seal_chain_anchor(m_root.get(), m_seal.chain)) {
        out.push_back(extra);
    }
    return out;
}

std::vector<X509Ptr> load_trust_anchors(const fs::path& dir) {
    X509Ptr root;
    if (fs::exists(dir / k_root_crt)) {
        root = std::move(load_certificates(dir / k_root_crt).front());
    }
    std::vector<X509Ptr> seal_chain;
    if (fs::exists(dir / k_seal_crt)) {
        seal_chain = load_certificates(dir / k_seal_crt);
        seal_chain.erase(seal_chain.begin());
    }
    std::vector<X509Ptr> anchors;
    if (X509* extra = seal_chain_anchor(root.get(), seal_chain)) {
        anchors.push_back(share(extra));
    }
    if (root) {
        anchors.insert(anchors.begin(), std::move(root));
    }
    if (anchors.empty()) {
        throw bad_input("no trust anchor in " + quoted_path(dir),
                        {"create the organisation's keys with `signet init`"});
    }
    return anchors;
}

}  // namespace signet::crypto
