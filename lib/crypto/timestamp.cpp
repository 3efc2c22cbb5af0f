#include "crypto/timestamp.hpp"

#include "crypto/certificate.hpp"
#include "delivery/exec.hpp"
#include "signet/error.hpp"
#include "util/text.hpp"

#include <openssl/ts.h>

#include <chrono>

namespace signet::crypto {
namespace {

using TsReqPtr = OpensslPtr<TS_REQ, TS_REQ_free>;
using TsRespPtr = OpensslPtr<TS_RESP, TS_RESP_free>;
using TsMsgImprintPtr = OpensslPtr<TS_MSG_IMPRINT, TS_MSG_IMPRINT_free>;
using TsVerifyCtxPtr = OpensslPtr<TS_VERIFY_CTX, TS_VERIFY_CTX_free>;
using X509AlgorPtr = OpensslPtr<X509_ALGOR, X509_ALGOR_free>;

const char* const k_bad_reply = "the time-stamping service's reply";

template <class T, class Encode> std::string encode(const T* object, Encode i2d, const char* what) {
    const int len = i2d(object, nullptr);
    if (len <= 0) {
        throw openssl_error(std::string("cannot encode ") + what);
    }
    std::string der(static_cast<std::size_t>(len), '\0');
    auto* p = reinterpret_cast<unsigned char*>(der.data());
    i2d(object, &p);
    return der;
}

CmsPtr parse_cms(std::string_view der, const std::string& what) {
    clear_openssl_errors();
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size())));
    if (!cms) {
        throw openssl_error(what + " does not parse");
    }
    return cms;
}

CMS_SignerInfo* only_signer(CMS_ContentInfo* cms, const std::string& what) {
    STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(cms);
    if (infos == nullptr || sk_CMS_SignerInfo_num(infos) != 1) {
        throw internal_error(what + " does not have exactly one SignerInfo");
    }
    return sk_CMS_SignerInfo_value(infos, 0);
}

// Text from outside (a TSA's status text, a command's stderr) on one line:
// line breaks become "; ", other control characters spaces.
std::string one_line(std::string_view text) {
    std::string out;
    bool line_break = false;
    for (const char c : text) {
        if (c == '\n' || c == '\r') {
            line_break = !out.empty();
            continue;
        }
        if (line_break) {
            out += "; ";
            line_break = false;
        }
        const auto u = static_cast<unsigned char>(c);
        out += u < 0x20 || u == 0x7F ? ' ' : c;
    }
    return util::is_valid_utf8(out) ? out : std::string("(text that is not UTF-8)");
}

// "rejection (badAlg): unsupported algorithm" from a PKIStatusInfo.
std::string status_text(const TS_STATUS_INFO* info) {
    static const char* const k_status[] = {"granted",           "grantedWithMods",
                                           "rejection",         "waiting",
                                           "revocationWarning", "revocationNotification"};
    const long status = ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(info));
    std::string text =
        status >= 0 && status < 6 ? k_status[status] : "status " + std::to_string(status);
    static const std::pair<int, const char*> k_failures[] = {
        {TS_INFO_BAD_ALG, "badAlg"},
        {TS_INFO_BAD_REQUEST, "badRequest"},
        {TS_INFO_BAD_DATA_FORMAT, "badDataFormat"},
        {TS_INFO_TIME_NOT_AVAILABLE, "timeNotAvailable"},
        {TS_INFO_UNACCEPTED_POLICY, "unacceptedPolicy"},
        {TS_INFO_UNACCEPTED_EXTENSION, "unacceptedExtension"},
        {TS_INFO_ADD_INFO_NOT_AVAILABLE, "addInfoNotAvailable"},
        {TS_INFO_SYSTEM_FAILURE, "systemFailure"}};
    const ASN1_BIT_STRING* failure = TS_STATUS_INFO_get0_failure_info(info);
    std::string failures;
    for (const auto& [bit, name] : k_failures) {
        if (failure != nullptr && ASN1_BIT_STRING_get_bit(failure, bit) == 1) {
            failures += (failures.empty() ? "" : ", ") + std::string(name);
        }
    }
    if (!failures.empty()) {
        text += " (" + failures + ")";
    }
    const STACK_OF(ASN1_UTF8STRING)* texts = TS_STATUS_INFO_get0_text(info);
    for (int i = 0; texts != nullptr && i < sk_ASN1_UTF8STRING_num(texts); ++i) {
        const ASN1_UTF8STRING* s = sk_ASN1_UTF8STRING_value(texts, i);
        text += ": " +
                one_line(std::string_view(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                          static_cast<std::size_t>(ASN1_STRING_length(s))));
    }
    return text;
}

}  // namespace

TimestampRequest make_timestamp_request(const Sha256Digest& imprint) {
    clear_openssl_errors();
    TimestampRequest request;
    request.imprint = imprint;
    TsReqPtr req(TS_REQ_new());
    TsMsgImprintPtr message(TS_MSG_IMPRINT_new());
    X509AlgorPtr algorithm(X509_ALGOR_new());
    BignumPtr nonce_bn(BN_new());
    if (!req || !message || !algorithm || !nonce_bn ||
        X509_ALGOR_set0(algorithm.get(), OBJ_nid2obj(NID_sha256), V_ASN1_NULL, nullptr) != 1 ||
        TS_MSG_IMPRINT_set_algo(message.get(), algorithm.get()) != 1 ||
        TS_MSG_IMPRINT_set_msg(message.get(), const_cast<unsigned char*>(imprint.data()),
                               static_cast<int>(imprint.size())) != 1 ||
        TS_REQ_set_version(req.get(), 1) != 1 ||
        TS_REQ_set_msg_imprint(req.get(), message.get()) != 1 ||
        TS_REQ_set_cert_req(req.get(), 1) != 1 ||
        // 64 random bits, the top one set: a positive INTEGER of 8 bytes.
        BN_rand(nonce_bn.get(), 64, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) != 1) {
        throw openssl_error("cannot make a timestamp request");
    }
    Asn1IntegerPtr nonce(BN_to_ASN1_INTEGER(nonce_bn.get(), nullptr));
    if (!nonce || TS_REQ_set_nonce(req.get(), nonce.get()) != 1) {
        throw openssl_error("cannot make a timestamp request");
    }
    request.nonce.assign(static_cast<std::size_t>(BN_num_bytes(nonce_bn.get())), '\0');
    BN_bn2bin(nonce_bn.get(), reinterpret_cast<unsigned char*>(request.nonce.data()));
    request.der = encode(req.get(), i2d_TS_REQ, "the timestamp request");
    return request;
}

std::string check_timestamp_response(std::string_view response_der,
                                     const TimestampRequest& request) {
    clear_openssl_errors();
    const auto* p = reinterpret_cast<const unsigned char*>(response_der.data());
    TsRespPtr resp(d2i_TS_RESP(nullptr, &p, static_cast<long>(response_der.size())));
    if (!resp) {
        throw openssl_error(std::string(k_bad_reply) + " is not an RFC 3161 TimeStampResp (" +
                            std::to_string(response_der.size()) + " bytes)");
    }
    const TS_STATUS_INFO* info = TS_RESP_get_status_info(resp.get());
    const long status = ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(info));
    if (status != TS_STATUS_GRANTED && status != TS_STATUS_GRANTED_WITH_MODS) {
        throw Error(ErrorKind::busy,
                    "the time-stamping service gave no timestamp: " + status_text(info));
    }
    PKCS7* token = TS_RESP_get_token(resp.get());
    if (token == nullptr || TS_RESP_get_tst_info(resp.get()) == nullptr) {
        throw internal_error(std::string(k_bad_reply) + " grants a timestamp but holds no token");
    }

    // Version, imprint and nonce as asked; no trust store here.
    const auto* q = reinterpret_cast<const unsigned char*>(request.der.data());
    TsReqPtr req(d2i_TS_REQ(nullptr, &q, static_cast<long>(request.der.size())));
    if (!req) {
        throw openssl_error("the timestamp request does not parse");
    }
    TsVerifyCtxPtr ctx(TS_REQ_to_TS_VERIFY_CTX(req.get(), nullptr));
    if (!ctx) {
        throw openssl_error("cannot check the timestamp");
    }
    TS_VERIFY_CTX_set_flags(ctx.get(), TS_VFY_VERSION | TS_VFY_IMPRINT | TS_VFY_NONCE);
    if (TS_RESP_verify_token(ctx.get(), token) != 1) {
        throw openssl_error(std::string(k_bad_reply) + " does not answer the request");
    }

    // The token's own signature, by a certificate made for time stamping.
    const std::string token_der = encode(token, i2d_PKCS7, "the timestamp token");
    CmsPtr cms = parse_cms(token_der, std::string(k_bad_reply) + "'s token");
    if (OBJ_obj2nid(CMS_get0_eContentType(cms.get())) != NID_id_smime_ct_TSTInfo) {
        throw internal_error(std::string(k_bad_reply) + "'s token does not hold a TSTInfo");
    }
    only_signer(cms.get(), std::string(k_bad_reply) + "'s token");
    clear_openssl_errors();
    BioPtr out = memory_bio();
    if (CMS_verify(cms.get(), nullptr, nullptr, nullptr, out.get(),
                   CMS_NO_SIGNER_CERT_VERIFY | CMS_BINARY) != 1) {
        throw openssl_error(std::string(k_bad_reply) +
                            "'s token does not verify (its TSA certificate must be in it)");
    }
    X509StackViewPtr signers(CMS_get0_signers(cms.get()));
    X509* tsa =
        signers && sk_X509_num(signers.get()) == 1 ? sk_X509_value(signers.get(), 0) : nullptr;
    if (tsa == nullptr) {
        throw internal_error(std::string(k_bad_reply) + "'s token does not name its signer");
    }
    if (X509_check_purpose(tsa, X509_PURPOSE_TIMESTAMP_SIGN, 0) != 1) {
        clear_openssl_errors();
        throw internal_error(std::string(k_bad_reply) + " is signed by \"" + subject_line(tsa) +
                             "\", a certificate not made for time stamping (it needs the "
                             "critical extended key usage timeStamping)");
    }
    return token_der;
}

Sha256Digest signature_value_sha256(std::string_view cms_der) {
    CmsPtr cms = parse_cms(cms_der, "the CMS signature to timestamp");
    CMS_SignerInfo* si = only_signer(cms.get(), "the CMS signature to timestamp");
    const ASN1_OCTET_STRING* value = CMS_SignerInfo_get0_signature(si);
    if (value == nullptr || ASN1_STRING_length(value) <= 0) {
        throw internal_error("the CMS signature to timestamp has no signature value");
    }
    return sha256(std::string_view(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
                                   static_cast<std::size_t>(ASN1_STRING_length(value))));
}

std::string add_timestamp_token(std::string_view cms_der, std::string_view token_der) {
    if (token_der.empty() || token_der.front() != '\x30') {
        throw internal_error("the timestamp token is not a DER SEQUENCE");
    }
    CmsPtr cms = parse_cms(cms_der, "the CMS signature to timestamp");
    CMS_SignerInfo* si = only_signer(cms.get(), "the CMS signature to timestamp");
    for (int idx = CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, -1); idx >= 0;
         idx = CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, -1)) {
        X509_ATTRIBUTE_free(CMS_unsigned_delete_attr(si, idx));
    }
    // V_ASN1_SEQUENCE: the bytes are the whole encoding, written as they are.
    if (CMS_unsigned_add1_attr_by_NID(si, NID_id_smime_aa_timeStampToken, V_ASN1_SEQUENCE,
                                      token_der.data(), static_cast<int>(token_der.size())) != 1) {
        throw openssl_error("cannot add the timestamp to the CMS signature");
    }
    std::string der = encode(cms.get(), i2d_CMS_ContentInfo, "the timestamped CMS signature");

    // Read back: the signature still verifies and the token is there as given.
    CmsPtr back = parse_cms(der, "the timestamped CMS signature");
    CMS_SignerInfo* back_si = only_signer(back.get(), "the timestamped CMS signature");
    const auto* attr = static_cast<const ASN1_STRING*>(CMS_unsigned_get0_data_by_OBJ(
        back_si, OBJ_nid2obj(NID_id_smime_aa_timeStampToken), -3, V_ASN1_SEQUENCE));
    if (CMS_set1_signers_certs(back.get(), nullptr, 0) < 1 || CMS_SignerInfo_verify(back_si) != 1 ||
        attr == nullptr ||
        std::string_view(reinterpret_cast<const char*>(ASN1_STRING_get0_data(attr)),
                         static_cast<std::size_t>(ASN1_STRING_length(attr))) != token_der) {
        throw openssl_error("the CMS signature does not verify after adding the timestamp");
    }
    return der;
}

std::string add_signature_timestamp(std::string_view cms_der, const store::TimestampConfig& tsa) {
    const TimestampRequest request = make_timestamp_request(signature_value_sha256(cms_der));
    delivery::ExecRequest exec;
    exec.argv = tsa.command;
    exec.input = request.der;
    exec.timeout = std::chrono::seconds(tsa.timeout_seconds);
    exec.capture_stdout = true;
    const delivery::ExecResult result = delivery::run_command(exec);
    const std::string program = tsa.command.empty() ? std::string() : tsa.command.front();
    const std::vector<std::string> hints = {
        "the command is config.yaml's timestamp setting; try again once it works",
        "an envelope whose completion seal failed is sealed by `signet deliver`"};
    if (!result.ok()) {
        throw Error(ErrorKind::busy,
                    "cannot get a timestamp: " + one_line(result.describe(program)), hints);
    }
    if (result.stdout_bytes.empty()) {
        std::string what = util::quoted(program) + " gave no reply on its standard output";
        if (!result.stderr_text.empty()) {
            what += ": " + result.stderr_text;
        }
        throw Error(ErrorKind::busy, "cannot get a timestamp: " + one_line(what), hints);
    }
    if (result.stdout_truncated) {
        throw internal_error(std::string(k_bad_reply) + " is longer than " +
                             std::to_string(exec.stdout_limit) + " bytes");
    }
    return add_timestamp_token(cms_der, check_timestamp_response(result.stdout_bytes, request));
}

}  // namespace signet::crypto
