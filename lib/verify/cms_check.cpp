#include "verify/cms_check.hpp"

#include "crypto/certificate.hpp"
#include "crypto/cms.hpp"

#include <openssl/ts.h>

#include <cstring>
#include <ctime>

namespace signet::verify {
namespace {

using TstInfoPtr = crypto::OpensslPtr<TS_TST_INFO, TS_TST_INFO_free>;

const EVP_MD* strong_md(const X509_ALGOR* alg, std::string& name) {
    const ASN1_OBJECT* obj = nullptr;
    X509_ALGOR_get0(&obj, nullptr, nullptr, alg);
    const int nid = OBJ_obj2nid(obj);
    switch (nid) {
    case NID_sha256:
        name = "SHA-256";
        return EVP_sha256();
    case NID_sha384:
        name = "SHA-384";
        return EVP_sha384();
    case NID_sha512:
        name = "SHA-512";
        return EVP_sha512();
    case NID_sha3_256:
        name = "SHA3-256";
        return EVP_sha3_256();
    case NID_sha3_384:
        name = "SHA3-384";
        return EVP_sha3_384();
    case NID_sha3_512:
        name = "SHA3-512";
        return EVP_sha3_512();
    default:
        name = nid == NID_undef ? "unknown" : OBJ_nid2sn(nid);
        return nullptr;
    }
}

std::optional<util::UnixTime> asn1_time(const ASN1_TIME* t) {
    std::tm tm{};
    if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
        return std::nullopt;
    }
    return static_cast<util::UnixTime>(timegm(&tm));
}

std::string signer_email(X509* cert) {
    crypto::GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(
        X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
    for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
        const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names.get(), i);
        if (gn->type == GEN_EMAIL) {
            const ASN1_STRING* s = gn->d.rfc822Name;
            return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                               static_cast<std::size_t>(ASN1_STRING_length(s)));
        }
        if (gn->type == GEN_OTHERNAME && OBJ_obj2nid(gn->d.otherName->type_id) == NID_id_on_SmtpUTF8Mailbox &&
            gn->d.otherName->value->type == V_ASN1_UTF8STRING) {
            const ASN1_STRING* s = gn->d.otherName->value->value.utf8string;
            return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                               static_cast<std::size_t>(ASN1_STRING_length(s)));
        }
    }
    X509_NAME* subject = X509_get_subject_name(cert);
    const int idx = X509_NAME_get_index_by_NID(subject, NID_pkcs9_emailAddress, -1);
    if (idx >= 0) {
        unsigned char* utf8 = nullptr;
        const int len =
            ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, idx)));
        if (len >= 0) {
            std::string out(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(len));
            OPENSSL_free(utf8);
            return out;
        }
    }
    return {};
}

std::string issuer_line(X509* cert) {
    crypto::BioPtr bio = crypto::memory_bio();
    X509_NAME_print_ex(bio.get(), X509_get_issuer_name(cert), 0,
                       XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    return crypto::bio_contents(bio.get());
}

std::string openssl_reason(const std::string& what) {
    return crypto::openssl_error(what).what();
}

std::string hash_bytes(const EVP_MD* md, const unsigned char* data, std::size_t len) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (EVP_Digest(data, len, out, &n, md, nullptr) != 1) {
        throw crypto::openssl_error("cannot hash");
    }
    return std::string(reinterpret_cast<const char*>(out), n);
}

// A timestamp token (RFC 3161): its signature intact, its TSTInfo read.
struct Token {
    crypto::CmsPtr cms;
    TstInfoPtr info;
    crypto::X509Ptr tsa;
    std::vector<crypto::X509Ptr> certs;
    std::string problem;
};

Token read_token(std::string_view der) {
    Token t;
    crypto::clear_openssl_errors();
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    t.cms.reset(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size())));
    if (!t.cms || OBJ_obj2nid(CMS_get0_type(t.cms.get())) != NID_pkcs7_signed ||
        OBJ_obj2nid(CMS_get0_eContentType(t.cms.get())) != NID_id_smime_ct_TSTInfo) {
        crypto::clear_openssl_errors();
        t.problem = "the timestamp token is not an RFC 3161 token";
        return t;
    }
    if (sk_CMS_SignerInfo_num(CMS_get0_SignerInfos(t.cms.get())) != 1) {
        t.problem = "the timestamp token does not have exactly one signer";
        return t;
    }
    crypto::BioPtr out = crypto::memory_bio();
    if (CMS_verify(t.cms.get(), nullptr, nullptr, nullptr, out.get(),
                   CMS_NO_SIGNER_CERT_VERIFY | CMS_BINARY) != 1) {
        t.problem = openssl_reason("the timestamp token's signature does not verify");
        return t;
    }
    const std::string tst = crypto::bio_contents(out.get());
    const auto* q = reinterpret_cast<const unsigned char*>(tst.data());
    t.info.reset(d2i_TS_TST_INFO(nullptr, &q, static_cast<long>(tst.size())));
    if (!t.info) {
        crypto::clear_openssl_errors();
        t.problem = "the timestamp token's TSTInfo does not parse";
        return t;
    }
    STACK_OF(X509)* signers = CMS_get0_signers(t.cms.get());
    if (signers != nullptr && sk_X509_num(signers) == 1) {
        t.tsa = crypto::share(sk_X509_value(signers, 0));
    }
    sk_X509_free(signers);
    crypto::X509StackPtr certs(CMS_get1_certs(t.cms.get()));
    for (int i = 0; certs && i < sk_X509_num(certs.get()); ++i) {
        t.certs.push_back(crypto::share(sk_X509_value(certs.get(), i)));
    }
    if (!t.tsa) {
        t.problem = "the timestamp token does not carry its TSA's certificate";
    }
    return t;
}

// Checks `t` over `imprint_data` (hashed with the token's algorithm) or a
// ready digest; sets the proven time and whether the TSA is trusted.
bool check_token(const Token& t, const std::string& digest, X509_STORE* trusted,
                 util::UnixTime& time, bool& tsa_trusted, std::string& problem) {
    const TS_MSG_IMPRINT* imprint = TS_TST_INFO_get_msg_imprint(t.info.get());
    const ASN1_OCTET_STRING* value = TS_MSG_IMPRINT_get_msg(const_cast<TS_MSG_IMPRINT*>(imprint));
    if (value == nullptr ||
        std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
                    static_cast<std::size_t>(ASN1_STRING_length(value))) != digest) {
        problem = "the timestamp does not cover this signature";
        return false;
    }
    const auto at = asn1_time(TS_TST_INFO_get_time(t.info.get()));
    if (!at) {
        problem = "the timestamp has no readable time";
        return false;
    }
    time = *at;
    std::vector<X509*> chain;
    for (const auto& c : t.certs) {
        chain.push_back(c.get());
    }
    const crypto::ChainCheck check =
        crypto::verify_certificate_chain(t.tsa.get(), chain, trusted, time);
    tsa_trusted = check.trusted;
    if (!check.trusted) {
        problem = "the timestamp authority \"" + crypto::subject_line(t.tsa.get()) +
                  "\" is not trusted: " + check.problem;
    } else if (X509_check_purpose(t.tsa.get(), X509_PURPOSE_TIMESTAMP_SIGN, 0) != 1) {
        // RFC 3161 2.3: only a certificate made for time stamping proves a time.
        crypto::clear_openssl_errors();
        tsa_trusted = false;
        problem = "the timestamp authority \"" + crypto::subject_line(t.tsa.get()) +
                  "\" signed with a certificate not made for time stamping (extended key "
                  "usage timeStamping, critical)";
    }
    return true;
}

}  // namespace

struct CmsCheck::State {
    std::string subfilter;
    crypto::CmsPtr cms;
    CMS_SignerInfo* si = nullptr;
    crypto::X509Ptr signer;
    std::vector<crypto::X509Ptr> certs;
    Token token;  // for a document timestamp
    std::string md_name;
    std::vector<std::string> problems;
};

CmsCheck::~CmsCheck() = default;

CmsCheck::CmsCheck(std::string_view der, const std::string& subfilter)
    : m_state(std::make_unique<State>()) {
    State& s = *m_state;
    s.subfilter = subfilter;
    if (subfilter == "ETSI.RFC3161") {
        s.token = read_token(der);
        if (!s.token.problem.empty()) {
            s.problems.push_back(s.token.problem);
            return;
        }
        const TS_MSG_IMPRINT* imprint = TS_TST_INFO_get_msg_imprint(s.token.info.get());
        m_md = strong_md(TS_MSG_IMPRINT_get_algo(const_cast<TS_MSG_IMPRINT*>(imprint)), s.md_name);
        if (m_md == nullptr) {
            s.problems.push_back("the timestamp uses the digest " + s.md_name +
                                 ", not SHA-256 or stronger");
        }
        s.signer = crypto::share(s.token.tsa.get());
        return;
    }
    crypto::clear_openssl_errors();
    crypto::BioPtr in = crypto::memory_bio(der);
    s.cms.reset(d2i_CMS_bio(in.get(), nullptr));
    if (!s.cms) {
        s.problems.push_back(openssl_reason("the CMS signature does not parse"));
        return;
    }
    if (OBJ_obj2nid(CMS_get0_type(s.cms.get())) != NID_pkcs7_signed) {
        s.problems.push_back("the CMS is not SignedData");
        return;
    }
    if (OBJ_obj2nid(CMS_get0_eContentType(s.cms.get())) != NID_pkcs7_data) {
        s.problems.push_back("the signed content type is not id-data");
        return;
    }
    if (CMS_is_detached(s.cms.get()) != 1) {
        s.problems.push_back("the CMS carries its content instead of signing it detached");
        return;
    }
    STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(s.cms.get());
    if (sk_CMS_SignerInfo_num(infos) != 1) {
        s.problems.push_back("the CMS has " + std::to_string(sk_CMS_SignerInfo_num(infos)) +
                             " SignerInfos instead of exactly one");
        return;
    }
    s.si = sk_CMS_SignerInfo_value(infos, 0);
    X509_ALGOR* digest_alg = nullptr;
    CMS_SignerInfo_get0_algs(s.si, nullptr, nullptr, &digest_alg, nullptr);
    const EVP_MD* md = digest_alg == nullptr ? nullptr : strong_md(digest_alg, s.md_name);
    if (md == nullptr) {
        s.problems.push_back("the signature uses the digest " + s.md_name +
                             ", not SHA-256 or stronger");
        return;
    }
    crypto::X509StackPtr certs(CMS_get1_certs(s.cms.get()));
    for (int i = 0; certs && i < sk_X509_num(certs.get()); ++i) {
        X509* cert = sk_X509_value(certs.get(), i);
        s.certs.push_back(crypto::share(cert));
        if (!s.signer && CMS_SignerInfo_cert_cmp(s.si, cert) == 0) {
            s.signer = crypto::share(cert);
        }
    }
    if (!s.signer) {
        s.problems.push_back("the CMS does not include the signer's certificate");
        return;
    }
    const bool has_ess =
        CMS_signed_get_attr_by_NID(s.si, NID_id_smime_aa_signingCertificateV2, -1) >= 0 ||
        CMS_signed_get_attr_by_NID(s.si, NID_id_smime_aa_signingCertificate, -1) >= 0;
    if (subfilter == "ETSI.CAdES.detached" || has_ess) {
        std::string problem;
        if (!crypto::ess_matches_signer(s.si, s.signer.get(), problem)) {
            s.problems.push_back(problem);
            return;
        }
    }
    m_md = md;
}

CmsResult CmsCheck::finish(const std::string& digest, X509_STORE* trusted,
                           std::optional<util::UnixTime> claimed) {
    State& s = *m_state;
    CmsResult r;
    r.digest_algorithm = s.md_name;
    if (s.signer) {
        r.signer_cn = crypto::common_name(s.signer.get());
        r.signer_email = signer_email(s.signer.get());
        r.signer_subject = crypto::subject_line(s.signer.get());
        r.signer_issuer = issuer_line(s.signer.get());
    }
    r.reasons = s.problems;
    if (m_md == nullptr || !r.reasons.empty()) {
        return r;
    }
    std::vector<X509*> intermediates;
    if (s.subfilter == "ETSI.RFC3161") {
        util::UnixTime time = 0;
        bool tsa_trusted = false;
        std::string problem;
        r.signature_ok = true;  // read_token() verified the token's signature
        if (!check_token(s.token, digest, trusted, time, tsa_trusted, problem)) {
            r.reasons.push_back("the document timestamp does not match the signed bytes");
            return r;
        }
        r.digest_ok = true;
        r.timestamp = time;
        r.timestamp_trusted = tsa_trusted;
        r.trusted = tsa_trusted;
        r.trust_time = time;
        r.time_proven = tsa_trusted;
        if (!problem.empty()) {
            r.reasons.push_back(problem);
        }
        return r;
    }

    // The digest: the messageDigest attribute, or the signature over the
    // content itself when there are no signed attributes.
    const bool has_attrs = CMS_signed_get_attr_count(s.si) > 0;
    EVP_PKEY* key = X509_get0_pubkey(s.signer.get());
    if (has_attrs) {
        const auto* md_attr = static_cast<const ASN1_OCTET_STRING*>(CMS_signed_get0_data_by_OBJ(
            s.si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3, V_ASN1_OCTET_STRING));
        const auto* type_attr = static_cast<const ASN1_OBJECT*>(CMS_signed_get0_data_by_OBJ(
            s.si, OBJ_nid2obj(NID_pkcs9_contentType), -3, V_ASN1_OBJECT));
        if (md_attr == nullptr) {
            r.reasons.push_back("the signed attributes lack the message digest");
        } else if (std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(md_attr)),
                               static_cast<std::size_t>(ASN1_STRING_length(md_attr))) != digest) {
            r.reasons.push_back("the signed digest does not match the signed byte ranges: the "
                                "bytes were changed after signing");
        } else {
            r.digest_ok = true;
        }
        if (type_attr == nullptr || OBJ_obj2nid(type_attr) != NID_pkcs7_data) {
            r.reasons.push_back("the signed attributes lack content-type id-data");
            r.digest_ok = false;
        }
        crypto::clear_openssl_errors();
        CMS_SignerInfo_set1_signer_cert(s.si, s.signer.get());
        if (CMS_SignerInfo_verify(s.si) == 1) {
            r.signature_ok = true;
        } else {
            r.reasons.push_back(openssl_reason("the signature value does not verify"));
        }
    } else {
        r.digest_ok = true;  // the digest is only inside the signature value
        const ASN1_OCTET_STRING* sig = CMS_SignerInfo_get0_signature(s.si);
        crypto::EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new(key, nullptr));
        crypto::clear_openssl_errors();
        if (ctx && EVP_PKEY_verify_init(ctx.get()) == 1 &&
            EVP_PKEY_CTX_set_signature_md(ctx.get(), m_md) == 1 &&
            EVP_PKEY_verify(ctx.get(), ASN1_STRING_get0_data(sig),
                            static_cast<std::size_t>(ASN1_STRING_length(sig)),
                            reinterpret_cast<const unsigned char*>(digest.data()),
                            digest.size()) == 1) {
            r.signature_ok = true;
        } else {
            crypto::clear_openssl_errors();
            r.digest_ok = false;
            r.reasons.push_back("the signature does not verify over the signed byte ranges: "
                                "the bytes were changed after signing");
        }
    }

    // A signature timestamp proves when the signature existed.
    const auto* token_der = static_cast<const ASN1_STRING*>(CMS_unsigned_get0_data_by_OBJ(
        s.si, OBJ_nid2obj(NID_id_smime_aa_timeStampToken), -3, V_ASN1_SEQUENCE));
    if (token_der != nullptr) {
        const Token t = read_token(std::string_view(
            reinterpret_cast<const char*>(ASN1_STRING_get0_data(token_der)),
            static_cast<std::size_t>(ASN1_STRING_length(token_der))));
        if (!t.problem.empty()) {
            r.reasons.push_back(t.problem);
        } else {
            std::string token_md;
            const TS_MSG_IMPRINT* imprint = TS_TST_INFO_get_msg_imprint(t.info.get());
            const EVP_MD* md =
                strong_md(TS_MSG_IMPRINT_get_algo(const_cast<TS_MSG_IMPRINT*>(imprint)), token_md);
            const ASN1_OCTET_STRING* sig = CMS_SignerInfo_get0_signature(s.si);
            util::UnixTime time = 0;
            bool tsa_trusted = false;
            std::string problem;
            if (md == nullptr) {
                r.reasons.push_back("the timestamp uses the digest " + token_md +
                                    ", not SHA-256 or stronger");
            } else if (!check_token(t,
                                    hash_bytes(md, ASN1_STRING_get0_data(sig),
                                               static_cast<std::size_t>(ASN1_STRING_length(sig))),
                                    trusted, time, tsa_trusted, problem)) {
                r.reasons.push_back(problem);
            } else {
                r.timestamp = time;
                r.timestamp_trusted = tsa_trusted;
                if (!problem.empty()) {
                    r.reasons.push_back(problem);
                }
            }
        }
    }

    for (const auto& c : s.certs) {
        intermediates.push_back(c.get());
    }
    if (r.timestamp && r.timestamp_trusted) {
        r.trust_time = r.timestamp;
        r.time_proven = true;
    } else {
        r.trust_time = claimed;
    }
    const crypto::ChainCheck chain =
        crypto::verify_certificate_chain(s.signer.get(), intermediates, trusted, r.trust_time);
    r.trusted = chain.trusted;
    if (!chain.trusted) {
        r.reasons.push_back("the signer's certificate \"" + r.signer_subject +
                            "\" does not chain to a trust anchor: " + chain.problem);
    }
    return r;
}

}  // namespace signet::verify
