#include "crypto/cms.hpp"

#include "crypto/certificate.hpp"
#include "crypto/keys.hpp"

#include <openssl/ess.h>

#include <algorithm>
#include <cstring>

namespace signet::crypto {
namespace {

using EssSigningCertPtr = OpensslPtr<ESS_SIGNING_CERT, ESS_SIGNING_CERT_free>;
using EssSigningCertV2Ptr = OpensslPtr<ESS_SIGNING_CERT_V2, ESS_SIGNING_CERT_V2_free>;

std::string subject_for_message(X509* cert) { return "\"" + subject_line(cert) + "\""; }

// The signed attributes as the DER SET OF that the signature covers
// (RFC 5652 5.4): each attribute encoded, sorted by encoding, wrapped in a
// SET tag. OpenSSL writes the attributes in the same order (it sorts SET OF
// on output), and the self-check after signing proves that it did.
std::string encode_signed_attributes(CMS_SignerInfo* si) {
    std::vector<std::string> encoded;
    const int count = CMS_signed_get_attr_count(si);
    for (int i = 0; i < count; ++i) {
        X509_ATTRIBUTE* attr = CMS_signed_get_attr(si, i);
        const int len = i2d_X509_ATTRIBUTE(attr, nullptr);
        if (len <= 0) {
            throw openssl_error("cannot encode a signed attribute");
        }
        std::string der(static_cast<std::size_t>(len), '\0');
        auto* p = reinterpret_cast<unsigned char*>(der.data());
        i2d_X509_ATTRIBUTE(attr, &p);
        encoded.push_back(std::move(der));
    }
    std::sort(encoded.begin(), encoded.end(), [](const std::string& a, const std::string& b) {
        const int c = std::memcmp(a.data(), b.data(), std::min(a.size(), b.size()));
        return c != 0 ? c < 0 : a.size() < b.size();
    });
    std::string body;
    for (const auto& e : encoded) {
        body += e;
    }
    std::string out(1, '\x31');  // SET
    if (body.size() < 0x80) {
        out += static_cast<char>(body.size());
    } else {
        std::string len;
        for (std::size_t n = body.size(); n > 0; n >>= 8) {
            len.insert(len.begin(), static_cast<char>(n & 0xFFU));
        }
        out += static_cast<char>(0x80U | len.size());
        out += len;
    }
    return out + body;
}

// Signs the signed attributes again after they were edited: what
// CMS_SignerInfo_sign() does, except that it would put signingTime back.
struct Resigned {
    std::string signed_attributes;  // the DER SET that was signed
    std::string signature;
};

Resigned resign(CMS_SignerInfo* si, EVP_PKEY* key) {
    const std::string tbs = encode_signed_attributes(si);
    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    std::size_t sig_len = 0;
    const auto* data = reinterpret_cast<const unsigned char*>(tbs.data());
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &sig_len, data, tbs.size()) != 1) {
        throw openssl_error("cannot sign the signed attributes");
    }
    std::string sig(sig_len, '\0');
    auto* out = reinterpret_cast<unsigned char*>(sig.data());
    if (EVP_DigestSign(ctx.get(), out, &sig_len, data, tbs.size()) != 1 ||
        ASN1_STRING_set(CMS_SignerInfo_get0_signature(si), out, static_cast<int>(sig_len)) != 1) {
        throw openssl_error("cannot sign the signed attributes");
    }
    sig.resize(sig_len);
    return {tbs, sig};
}

std::string to_der(CMS_ContentInfo* cms) {
    const int len = i2d_CMS_ContentInfo(cms, nullptr);
    if (len <= 0) {
        throw openssl_error("cannot encode the CMS signature");
    }
    std::string der(static_cast<std::size_t>(len), '\0');
    auto* p = reinterpret_cast<unsigned char*>(der.data());
    i2d_CMS_ContentInfo(cms, &p);
    return der;
}

// Proof that the bytes signed in resign() are the bytes a verifier sees:
// the finished DER holds them (as the [0] IMPLICIT signedAttrs) and the
// signature over them, which verifies with the certificate's key. A byte
// search, not a parse: decoding the DER again decodes every certificate's
// key, which cost more than the signature itself in a bulk send.
void check_signed_attributes(const std::string& der, const Resigned& resigned, X509* signer) {
    std::string implicit = resigned.signed_attributes;
    implicit[0] = '\xA0';
    const bool present = der.find(implicit) != std::string::npos &&
                         der.find(resigned.signature) != std::string::npos;
    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    const auto* tbs = reinterpret_cast<const unsigned char*>(resigned.signed_attributes.data());
    const auto* sig = reinterpret_cast<const unsigned char*>(resigned.signature.data());
    if (!present || !ctx ||
        EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, X509_get0_pubkey(signer)) != 1 ||
        EVP_DigestVerify(ctx.get(), sig, resigned.signature.size(), tbs,
                         resigned.signed_attributes.size()) != 1) {
        throw openssl_error("the CMS signature does not verify after signing");
    }
}

bool weak_digest(const X509_ALGOR* alg) {
    const ASN1_OBJECT* obj = nullptr;
    X509_ALGOR_get0(&obj, nullptr, nullptr, alg);
    switch (OBJ_obj2nid(obj)) {
    case NID_sha256:
    case NID_sha384:
    case NID_sha512:
    case NID_sha3_256:
    case NID_sha3_384:
    case NID_sha3_512:
        return false;
    default:
        return true;
    }
}

}  // namespace

// True when si has an ESS signing-certificate(-v2) attribute whose first
// certificate is `signer`; else false with the reason in `problem`.
bool ess_matches_signer(CMS_SignerInfo* si, X509* signer, std::string& problem) {
    const auto* v2 = static_cast<const ASN1_STRING*>(CMS_signed_get0_data_by_OBJ(
        si, OBJ_nid2obj(NID_id_smime_aa_signingCertificateV2), -3, V_ASN1_SEQUENCE));
    const auto* v1 = static_cast<const ASN1_STRING*>(CMS_signed_get0_data_by_OBJ(
        si, OBJ_nid2obj(NID_id_smime_aa_signingCertificate), -3, V_ASN1_SEQUENCE));
    if (v2 == nullptr && v1 == nullptr) {
        problem = "no ESS signing-certificate attribute (CAdES requires signing-certificate-v2)";
        return false;
    }
    EssSigningCertV2Ptr ssv2;
    EssSigningCertPtr ss;
    if (v2 != nullptr) {
        const unsigned char* p = ASN1_STRING_get0_data(v2);
        ssv2.reset(d2i_ESS_SIGNING_CERT_V2(nullptr, &p, ASN1_STRING_length(v2)));
    }
    if (v1 != nullptr) {
        const unsigned char* p = ASN1_STRING_get0_data(v1);
        ss.reset(d2i_ESS_SIGNING_CERT(nullptr, &p, ASN1_STRING_length(v1)));
    }
    if ((v2 != nullptr && !ssv2) || (v1 != nullptr && !ss)) {
        problem = "the ESS signing-certificate attribute does not parse";
        return false;
    }
    X509StackViewPtr chain(sk_X509_new_null());
    if (!chain || sk_X509_push(chain.get(), signer) <= 0) {
        throw openssl_error("cannot check the ESS signing-certificate attribute");
    }
    if (OSSL_ESS_check_signing_certs(ss.get(), ssv2.get(), chain.get(), 1) != 1) {
        problem = "the ESS signing-certificate attribute does not name the signer's certificate";
        return false;
    }
    return true;
}

std::string sign_cades_detached(const Sha256Digest& sha256_of_signed_bytes, X509* signer,
                                EVP_PKEY* key, const std::vector<X509*>& chain) {
    if (signer == nullptr || key == nullptr) {
        throw internal_error("sign_cades_detached: no signer certificate or key");
    }
    if (EVP_PKEY_is_a(key, "EC") != 1 && EVP_PKEY_is_a(key, "RSA") != 1) {
        throw bad_input(std::string("cannot sign with a ") + EVP_PKEY_get0_type_name(key) +
                        " key; signet signs with EC or RSA keys only");
    }
    if (!key_matches_certificate(key, signer)) {
        throw bad_input("the signing key does not belong to the certificate " +
                        subject_for_message(signer));
    }
    clear_openssl_errors();
    constexpr unsigned k_flags = CMS_DETACHED | CMS_BINARY | CMS_PARTIAL | CMS_NOSMIMECAP;
    CmsPtr cms(CMS_sign(nullptr, nullptr, nullptr, nullptr, k_flags));
    if (!cms) {
        throw openssl_error("cannot start a CMS signature");
    }
    // CMS_CADES adds ESS signing-certificate-v2 (SHA-256 of the certificate).
    CMS_SignerInfo* si = CMS_add1_signer(cms.get(), signer, key, EVP_sha256(), k_flags | CMS_CADES);
    if (si == nullptr) {
        throw openssl_error("cannot add the signer to the CMS signature");
    }
    std::vector<X509*> added = {signer};
    for (X509* cert : chain) {
        const bool dup = std::any_of(added.begin(), added.end(),
                                     [cert](X509* a) { return X509_cmp(a, cert) == 0; });
        if (dup) {
            continue;
        }
        if (CMS_add1_cert(cms.get(), cert) != 1) {
            throw openssl_error("cannot add a certificate to the CMS signature");
        }
        added.push_back(cert);
    }

    // OpenSSL 3.0 has no CMS_final_digest, and CMS_final would sign over
    // empty content (and add signingTime, which PAdES puts in /M) only for
    // that signature to be replaced: the attributes it adds, content-type
    // and message-digest, are added here and signed once, in resign().
    // CMS_dataInit still runs, for the version numbers it sets.
    if (BioPtr digests(CMS_dataInit(cms.get(), nullptr)); !digests) {
        throw openssl_error("cannot finish the CMS signature");
    }
    if (CMS_signed_add1_attr_by_NID(si, NID_pkcs9_contentType, V_ASN1_OBJECT,
                                    OBJ_nid2obj(NID_pkcs7_data), -1) != 1 ||
        CMS_signed_add1_attr_by_NID(si, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING,
                                    sha256_of_signed_bytes.data(),
                                    static_cast<int>(sha256_of_signed_bytes.size())) != 1) {
        throw openssl_error("cannot set the message digest");
    }
    const Resigned resigned = resign(si, key);
    std::string der = to_der(cms.get());
    check_signed_attributes(der, resigned, signer);
    return der;
}

CadesVerification verify_cades_detached(std::string_view der, std::string_view data,
                                        X509_STORE* trusted, std::optional<util::UnixTime> at) {
    CadesVerification result;
    auto fail = [&result](std::string problem) {
        result.problems.push_back(std::move(problem));
        return std::move(result);
    };
    clear_openssl_errors();
    BioPtr in = memory_bio(der);
    CmsPtr cms(d2i_CMS_bio(in.get(), nullptr));
    if (!cms) {
        return fail(openssl_error("the CMS signature does not parse").what());
    }
    if (OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_pkcs7_signed) {
        return fail("the CMS is not SignedData");
    }
    if (OBJ_obj2nid(CMS_get0_eContentType(cms.get())) != NID_pkcs7_data) {
        return fail("the signed content type is not id-data");
    }
    if (CMS_is_detached(cms.get()) != 1) {
        return fail("the CMS carries its content instead of signing it detached");
    }
    STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(cms.get());
    if (sk_CMS_SignerInfo_num(infos) != 1) {
        return fail("the CMS has " + std::to_string(sk_CMS_SignerInfo_num(infos)) +
                    " SignerInfos instead of exactly one");
    }
    CMS_SignerInfo* si = sk_CMS_SignerInfo_value(infos, 0);
    X509_ALGOR* digest_alg = nullptr;
    CMS_SignerInfo_get0_algs(si, nullptr, nullptr, &digest_alg, nullptr);
    if (digest_alg == nullptr || weak_digest(digest_alg)) {
        return fail("the signature uses a digest that is not SHA-256 or stronger");
    }
    X509StackPtr certs(CMS_get1_certs(cms.get()));
    for (int i = 0; certs && i < sk_X509_num(certs.get()); ++i) {
        X509* cert = sk_X509_value(certs.get(), i);
        if (CMS_SignerInfo_cert_cmp(si, cert) == 0) {
            result.signer = share(cert);
            break;
        }
    }
    if (!result.signer) {
        return fail("the CMS does not include the signer's certificate");
    }
    std::string problem;
    if (!ess_matches_signer(si, result.signer.get(), problem)) {
        return fail(problem);
    }
    clear_openssl_errors();
    BioPtr content = memory_bio(data.empty() ? std::string_view("", 0) : data);
    const unsigned flags = CMS_BINARY | CMS_DETACHED | CMS_NO_SIGNER_CERT_VERIFY;
    if (CMS_verify(cms.get(), nullptr, nullptr, content.get(), nullptr, flags) != 1) {
        return fail(openssl_error("the signature does not verify over the signed data").what());
    }
    result.intact = true;

    std::vector<X509*> untrusted;
    for (int i = 0; certs && i < sk_X509_num(certs.get()); ++i) {
        untrusted.push_back(sk_X509_value(certs.get(), i));
    }
    const ChainCheck chain = verify_certificate_chain(result.signer.get(), untrusted, trusted, at);
    result.trusted = chain.trusted;
    if (!chain.trusted) {
        result.problems.push_back("the signer's certificate " +
                                  subject_for_message(result.signer.get()) +
                                  " is not trusted: " + chain.problem);
    }
    return result;
}

}  // namespace signet::crypto
