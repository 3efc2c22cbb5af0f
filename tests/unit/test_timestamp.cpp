// RFC 3161 signature timestamps (PAdES B-T): the request, the checks of a
// reply, the token in the CMS, and the configured command — against a TSA
// made here with OpenSSL's TS_RESP_CTX and against `openssl ts -reply`.
#include "crypto/certificate.hpp"
#include "crypto/cms.hpp"
#include "crypto/keys.hpp"
#include "crypto/timestamp.hpp"
#include "signet/error.hpp"
#include "support.hpp"
#include "util/fs.hpp"
#include "verify/cms_check.hpp"

#include <doctest/doctest.h>

#include <openssl/pem.h>
#include <openssl/ts.h>

#include <cmath>
#include <ctime>

using namespace signet;
using test::config_error;

namespace {

using TsReqPtr = crypto::OpensslPtr<TS_REQ, TS_REQ_free>;
using TsRespPtr = crypto::OpensslPtr<TS_RESP, TS_RESP_free>;
using TsRespCtxPtr = crypto::OpensslPtr<TS_RESP_CTX, TS_RESP_CTX_free>;
using TstInfoPtr = crypto::OpensslPtr<TS_TST_INFO, TS_TST_INFO_free>;
using Asn1ObjectPtr = crypto::OpensslPtr<ASN1_OBJECT, ASN1_OBJECT_free>;

// A certificate for `key` named CN=`cn`, signed by `issuer` (self-signed
// when null), with extensions given as openssl.cnf values.
crypto::X509Ptr make_certificate(X509* issuer, EVP_PKEY* issuer_key, EVP_PKEY* key, const char* cn,
                                 const std::vector<std::pair<int, const char*>>& extensions) {
    static long serial = 1;
    crypto::X509Ptr cert(X509_new());
    REQUIRE(cert);
    REQUIRE(X509_set_version(cert.get(), 2) == 1);
    REQUIRE(ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), ++serial) == 1);
    REQUIRE(X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) != nullptr);
    REQUIRE(X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400L * 365) != nullptr);
    X509_NAME* name = X509_get_subject_name(cert.get());
    REQUIRE(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                       reinterpret_cast<const unsigned char*>(cn), -1, -1, 0) == 1);
    REQUIRE(X509_set_issuer_name(cert.get(),
                                 issuer != nullptr ? X509_get_subject_name(issuer) : name) == 1);
    REQUIRE(X509_set_pubkey(cert.get(), key) == 1);
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer != nullptr ? issuer : cert.get(), cert.get(), nullptr, nullptr, 0);
    for (const auto& [nid, value] : extensions) {
        crypto::X509ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
        REQUIRE(ext);
        REQUIRE(X509_add_ext(cert.get(), ext.get(), -1) == 1);
    }
    REQUIRE(X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256()) > 0);
    return cert;
}

std::string private_key_pem(EVP_PKEY* key) {
    crypto::BioPtr out = crypto::memory_bio();
    REQUIRE(PEM_write_bio_PrivateKey(out.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1);
    return crypto::bio_contents(out.get());
}

// A time-stamping authority: a root CA and a TSA certificate under it
// (extendedKeyUsage critical timeStamping), in memory and on disk with an
// openssl.cnf [tsa] section and a script that answers like a TSA client.
struct Tsa {
    test::TempDir tmp;
    crypto::EvpPkeyPtr ca_key = crypto::generate_ec_p256_key();
    crypto::X509Ptr ca = make_certificate(nullptr, nullptr, ca_key.get(), "Test TSA Root",
                                          {{NID_basic_constraints, "critical,CA:TRUE"},
                                           {NID_key_usage, "critical,keyCertSign,cRLSign"},
                                           {NID_subject_key_identifier, "hash"}});
    crypto::EvpPkeyPtr key = crypto::generate_ec_p256_key();
    crypto::X509Ptr cert = make_certificate(ca.get(), ca_key.get(), key.get(), "Test TSA",
                                            {{NID_basic_constraints, "critical,CA:FALSE"},
                                             {NID_key_usage, "critical,digitalSignature"},
                                             {NID_ext_key_usage, "critical,timeStamping"}});
    std::filesystem::path script = tmp.path() / "tsa.sh";

    Tsa() {
        const std::filesystem::path dir = tmp.path();
        util::write_file_atomic(dir / "tsa.crt", crypto::certificate_to_pem(cert.get()), 0600);
        util::write_file_atomic(dir / "tsa.key", private_key_pem(key.get()), 0600);
        util::write_file_atomic(dir / "ca.crt", crypto::certificate_to_pem(ca.get()), 0600);
        util::write_file_atomic(dir / "serial", "01\n", 0600);
        util::write_file_atomic(dir / "tsa.cnf",
                                "[ tsa ]\n"
                                "default_tsa = tsa_config\n"
                                "[ tsa_config ]\n"
                                "dir = " +
                                    dir.string() +
                                    "\n"
                                    "serial = $dir/serial\n"
                                    "signer_cert = $dir/tsa.crt\n"
                                    "signer_key = $dir/tsa.key\n"
                                    "certs = $dir/ca.crt\n"
                                    "signer_digest = sha256\n"
                                    "default_policy = 1.3.6.1.4.1.99999.1\n"
                                    "digests = sha256, sha384, sha512\n"
                                    "accuracy = secs:1\n"
                                    "ess_cert_id_alg = sha256\n",
                                0600);
        util::write_file_atomic(
            script,
            "#!/bin/sh\n"
            "# A TSA client: the TimeStampReq on stdin, the reply on stdout.\n"
            "set -e\n"
            "d=$(dirname \"$0\")\n"
            "cat > \"$d/query.tsq\"\n"
            "openssl ts -reply -config \"$d/tsa.cnf\" -queryfile \"$d/query.tsq\" "
            "-out \"$d/reply.tsr\" 2>\"$d/openssl.err\" || { cat \"$d/openssl.err\" >&2; exit 1; "
            "}\n"
            "cat \"$d/reply.tsr\"\n",
            0700);
    }

    // The reply of a TSA that accepts `digests`, made in this process.
    std::string respond(const std::string& request_der,
                        const std::vector<const EVP_MD*>& digests = {EVP_sha256()}) const {
        TsRespCtxPtr ctx(TS_RESP_CTX_new());
        REQUIRE(ctx);
        REQUIRE(TS_RESP_CTX_set_signer_cert(ctx.get(), cert.get()) == 1);
        REQUIRE(TS_RESP_CTX_set_signer_key(ctx.get(), key.get()) == 1);
        REQUIRE(TS_RESP_CTX_set_signer_digest(ctx.get(), EVP_sha256()) == 1);
        Asn1ObjectPtr policy(OBJ_txt2obj("1.3.6.1.4.1.99999.1", 1));
        REQUIRE(TS_RESP_CTX_set_def_policy(ctx.get(), policy.get()) == 1);
        for (const EVP_MD* md : digests) {
            REQUIRE(TS_RESP_CTX_add_md(ctx.get(), md) == 1);
        }
        crypto::BioPtr in = crypto::memory_bio(request_der);
        TsRespPtr resp(TS_RESP_create_response(ctx.get(), in.get()));
        REQUIRE(resp);
        const int len = i2d_TS_RESP(resp.get(), nullptr);
        REQUIRE(len > 0);
        std::string der(static_cast<std::size_t>(len), '\0');
        auto* p = reinterpret_cast<unsigned char*>(der.data());
        i2d_TS_RESP(resp.get(), &p);
        return der;
    }

    store::TimestampConfig config(std::vector<std::string> argv, int timeout = 20) const {
        store::TimestampConfig c;
        c.command = std::move(argv);
        c.timeout_seconds = timeout;
        return c;
    }
};

// A CMS signature (PAdES B-B) by a signer under its own root.
struct Signed {
    crypto::EvpPkeyPtr root_key = crypto::generate_ec_p256_key();
    crypto::X509Ptr root = make_certificate(
        nullptr, nullptr, root_key.get(), "Signer Root",
        {{NID_basic_constraints, "critical,CA:TRUE"}, {NID_key_usage, "critical,keyCertSign"}});
    crypto::EvpPkeyPtr key = crypto::generate_ec_p256_key();
    crypto::X509Ptr cert =
        make_certificate(root.get(), root_key.get(), key.get(), "Łukasz Żółć",
                         {{NID_key_usage, "critical,digitalSignature,nonRepudiation"}});
    std::string data = "%PDF-1.7 the signed byte ranges\n" + std::string(500, '\xfe');
    std::string cms = crypto::sign_cades_detached(crypto::sha256(data), cert.get(), key.get(), {});
};

crypto::CmsPtr parse_cms(const std::string& der) {
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    crypto::CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size())));
    REQUIRE(cms);
    return cms;
}

CMS_SignerInfo* only_signer(CMS_ContentInfo* cms) {
    STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(cms);
    REQUIRE(sk_CMS_SignerInfo_num(infos) == 1);
    return sk_CMS_SignerInfo_value(infos, 0);
}

std::string bytes_of(const ASN1_STRING* s) {
    REQUIRE(s != nullptr);
    return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                       static_cast<std::size_t>(ASN1_STRING_length(s)));
}

// The TSTInfo inside a token.
TstInfoPtr tst_info(const std::string& token) {
    crypto::CmsPtr cms = parse_cms(token);
    crypto::BioPtr out = crypto::memory_bio();
    REQUIRE(CMS_verify(cms.get(), nullptr, nullptr, nullptr, out.get(),
                       CMS_NO_SIGNER_CERT_VERIFY | CMS_BINARY) == 1);
    const std::string der = crypto::bio_contents(out.get());
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    TstInfoPtr info(d2i_TS_TST_INFO(nullptr, &p, static_cast<long>(der.size())));
    REQUIRE(info);
    return info;
}

// The Error a call throws (or a failed check).
template <class F> Error error_of(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        return e;
    }
    FAIL("no error");
    return internal_error("none");
}

std::string as_string(const crypto::Sha256Digest& d) {
    return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

}  // namespace

TEST_CASE(
    "timestamp: a request asks for a SHA-256 imprint with a nonce and the TSA's certificate") {
    const crypto::Sha256Digest digest = crypto::sha256("the signature value");
    const crypto::TimestampRequest request = crypto::make_timestamp_request(digest);
    const auto* p = reinterpret_cast<const unsigned char*>(request.der.data());
    TsReqPtr req(d2i_TS_REQ(nullptr, &p, static_cast<long>(request.der.size())));
    REQUIRE(req);
    CHECK(TS_REQ_get_version(req.get()) == 1);
    CHECK(TS_REQ_get_cert_req(req.get()) == 1);
    TS_MSG_IMPRINT* imprint = TS_REQ_get_msg_imprint(req.get());
    const ASN1_OBJECT* algorithm = nullptr;
    X509_ALGOR_get0(&algorithm, nullptr, nullptr, TS_MSG_IMPRINT_get_algo(imprint));
    CHECK(OBJ_obj2nid(algorithm) == NID_sha256);
    CHECK(bytes_of(TS_MSG_IMPRINT_get_msg(imprint)) == as_string(digest));
    CHECK(request.imprint == digest);
    const ASN1_INTEGER* nonce = TS_REQ_get_nonce(req.get());
    REQUIRE(nonce != nullptr);
    CHECK(request.nonce.size() == 8);
    CHECK(bytes_of(nonce) == request.nonce);
    CHECK(crypto::make_timestamp_request(digest).nonce != request.nonce);
}

TEST_CASE("timestamp: a granted reply gives a token whose TSTInfo stamps the request") {
    Tsa tsa;
    const crypto::TimestampRequest request = crypto::make_timestamp_request(crypto::sha256("x"));
    const std::string token = crypto::check_timestamp_response(tsa.respond(request.der), request);
    const TstInfoPtr info = tst_info(token);
    CHECK(bytes_of(TS_MSG_IMPRINT_get_msg(TS_TST_INFO_get_msg_imprint(info.get()))) ==
          as_string(request.imprint));
    CHECK(bytes_of(TS_TST_INFO_get_nonce(info.get())) == request.nonce);
    std::tm tm{};
    REQUIRE(ASN1_TIME_to_tm(TS_TST_INFO_get_time(info.get()), &tm) == 1);
    CHECK(std::abs(static_cast<double>(timegm(&tm) - std::time(nullptr))) < 120);
}

TEST_CASE("timestamp: a reply to another request or that is not a reply is refused as bad") {
    Tsa tsa;
    const crypto::TimestampRequest asked = crypto::make_timestamp_request(crypto::sha256("x"));
    SUBCASE("another nonce") {
        crypto::TimestampRequest other = crypto::make_timestamp_request(crypto::sha256("x"));
        const Error e =
            error_of([&] { crypto::check_timestamp_response(tsa.respond(other.der), asked); });
        CHECK(e.kind() == ErrorKind::internal);
        CHECK(std::string(e.what()).find("does not answer the request") != std::string::npos);
        CHECK(std::string(e.what()).find("nonce") != std::string::npos);
    }
    SUBCASE("another imprint") {
        crypto::TimestampRequest other = crypto::make_timestamp_request(crypto::sha256("y"));
        const Error e =
            error_of([&] { crypto::check_timestamp_response(tsa.respond(other.der), asked); });
        CHECK(e.kind() == ErrorKind::internal);
        CHECK(std::string(e.what()).find("imprint") != std::string::npos);
    }
    SUBCASE("not DER") {
        const Error e =
            error_of([&] { crypto::check_timestamp_response("<html>502</html>", asked); });
        CHECK(e.kind() == ErrorKind::internal);
        CHECK(std::string(e.what()).find("is not an RFC 3161 TimeStampResp") != std::string::npos);
    }
}

TEST_CASE("timestamp: a TSA that refuses is a temporary failure naming its status") {
    Tsa tsa;
    const crypto::TimestampRequest request = crypto::make_timestamp_request(crypto::sha256("x"));
    const Error e = error_of([&] {
        crypto::check_timestamp_response(tsa.respond(request.der, {EVP_sha512()}), request);
    });
    CHECK(e.kind() == ErrorKind::busy);
    CHECK(exit_code_for(e.kind()) == ExitCode::temp_failure);
    CHECK(std::string(e.what()).find("rejection (badAlg)") != std::string::npos);
}

TEST_CASE("timestamp: the token goes into the unsigned attributes; the signature stays valid") {
    Tsa tsa;
    Signed s;
    const crypto::TimestampRequest request =
        crypto::make_timestamp_request(crypto::signature_value_sha256(s.cms));
    const std::string token = crypto::check_timestamp_response(tsa.respond(request.der), request);
    const std::string stamped = crypto::add_timestamp_token(s.cms, token);
    CHECK(stamped.size() > s.cms.size() + token.size());

    crypto::CmsPtr cms = parse_cms(stamped);
    CMS_SignerInfo* si = only_signer(cms.get());
    CHECK(CMS_unsigned_get_attr_count(si) == 1);
    const Asn1ObjectPtr signature_time_stamp_token(OBJ_txt2obj("1.2.840.113549.1.9.16.2.14", 1));
    CHECK(bytes_of(static_cast<const ASN1_STRING*>(CMS_unsigned_get0_data_by_OBJ(
              si, signature_time_stamp_token.get(), -3, V_ASN1_SEQUENCE))) == token);
    // The signed part is what it was: same signature value, same imprint.
    CHECK(crypto::signature_value_sha256(stamped) == crypto::signature_value_sha256(s.cms));

    // Once more replaces the token rather than adding a second one.
    CHECK(CMS_unsigned_get_attr_count(
              only_signer(parse_cms(crypto::add_timestamp_token(stamped, token)).get())) == 1);

    crypto::X509StorePtr trust = crypto::make_trust_store({s.root.get(), tsa.ca.get()});
    const crypto::CadesVerification v = crypto::verify_cades_detached(stamped, s.data, trust.get());
    CHECK(v.intact);
    CHECK(v.trusted);

    // verify reads the proven time and checks the signer at that time.
    verify::CmsCheck check(stamped, "ETSI.CAdES.detached");
    REQUIRE(check.md() != nullptr);
    const verify::CmsResult r = check.finish(as_string(crypto::sha256(s.data)), trust.get(), 0);
    CHECK(r.reasons.empty());
    CHECK(r.trusted);
    REQUIRE(r.timestamp.has_value());
    CHECK(r.time_proven);
    CHECK(r.trust_time == r.timestamp);
    CHECK(std::abs(static_cast<double>(*r.timestamp - std::time(nullptr))) < 120);

    // Without the TSA's root the time is not proven.
    crypto::X509StorePtr signer_only = crypto::make_trust_store({s.root.get()});
    verify::CmsCheck again(stamped, "ETSI.CAdES.detached");
    const verify::CmsResult u = again.finish(as_string(crypto::sha256(s.data)), signer_only.get(),
                                             static_cast<util::UnixTime>(std::time(nullptr)));
    CHECK_FALSE(u.time_proven);
    CHECK(u.trusted);
}

TEST_CASE("timestamp: a token over another signature is reported by verify") {
    Tsa tsa;
    Signed s;
    Signed other;
    const crypto::TimestampRequest request =
        crypto::make_timestamp_request(crypto::signature_value_sha256(other.cms));
    const std::string token = crypto::check_timestamp_response(tsa.respond(request.der), request);
    const std::string stamped = crypto::add_timestamp_token(s.cms, token);
    crypto::X509StorePtr trust = crypto::make_trust_store({s.root.get(), tsa.ca.get()});
    verify::CmsCheck check(stamped, "ETSI.CAdES.detached");
    const verify::CmsResult r = check.finish(as_string(crypto::sha256(s.data)), trust.get(), 0);
    CHECK_FALSE(r.timestamp.has_value());
    REQUIRE_FALSE(r.reasons.empty());
    CHECK(r.reasons.front().find("does not cover this signature") != std::string::npos);
}

TEST_CASE("timestamp: the configured command is run without a shell: openssl ts -reply") {
    Tsa tsa;
    Signed s;
    const std::string stamped =
        crypto::add_signature_timestamp(s.cms, tsa.config({tsa.script.string()}));
    crypto::CmsPtr cms = parse_cms(stamped);
    const auto* token = static_cast<const ASN1_STRING*>(CMS_unsigned_get0_data_by_OBJ(
        only_signer(cms.get()), OBJ_nid2obj(NID_id_smime_aa_timeStampToken), -3, V_ASN1_SEQUENCE));
    REQUIRE(token != nullptr);
    const TstInfoPtr info = tst_info(bytes_of(token));
    CHECK(bytes_of(TS_MSG_IMPRINT_get_msg(TS_TST_INFO_get_msg_imprint(info.get()))) ==
          as_string(crypto::signature_value_sha256(s.cms)));
    crypto::X509StorePtr trust = crypto::make_trust_store({s.root.get(), tsa.ca.get()});
    CHECK(crypto::verify_cades_detached(stamped, s.data, trust.get()).trusted);
}

TEST_CASE("timestamp: a command that fails is a temporary failure carrying its stderr") {
    Tsa tsa;
    Signed s;
    SUBCASE("exit status") {
        const Error e = error_of([&] {
            crypto::add_signature_timestamp(
                s.cms, tsa.config({"sh", "-c",
                                   "echo 'tsa.example.test: connection refused' >&2; "
                                   "echo 'second line' >&2; exit 7"}));
        });
        CHECK(e.kind() == ErrorKind::busy);
        const std::string what = e.what();
        CHECK(what.find("exited with status 7") != std::string::npos);
        CHECK(what.find("tsa.example.test: connection refused; second line") != std::string::npos);
        CHECK(what.find('\n') == std::string::npos);
    }
    SUBCASE("no such program") {
        const Error e = error_of([&] {
            crypto::add_signature_timestamp(s.cms, tsa.config({"/nonexistent/tsa-client"}));
        });
        CHECK(e.kind() == ErrorKind::busy);
        CHECK(std::string(e.what()).find("No such file or directory") != std::string::npos);
    }
    SUBCASE("timeout") {
        const Error e = error_of([&] {
            crypto::add_signature_timestamp(s.cms, tsa.config({"sleep", "30"}, 1));
        });
        CHECK(e.kind() == ErrorKind::busy);
        CHECK(std::string(e.what()).find("timed out") != std::string::npos);
    }
    SUBCASE("no reply") {
        const Error e =
            error_of([&] { crypto::add_signature_timestamp(s.cms, tsa.config({"true"})); });
        CHECK(e.kind() == ErrorKind::busy);
        CHECK(std::string(e.what()).find("gave no reply") != std::string::npos);
    }
    SUBCASE("a reply that is not one is a bad reply, not a temporary failure") {
        const Error e = error_of([&] {
            crypto::add_signature_timestamp(s.cms, tsa.config({"echo", "<html>"}));
        });
        CHECK(e.kind() == ErrorKind::internal);
    }
}

// ---------------------------------------------------------------- config.yaml

TEST_CASE("timestamp: config.yaml's timestamp command is read; without it signatures are B-B") {
    test::TempDir tmp;
    const auto file = tmp.path() / "config.yaml";
    util::write_file_atomic(file, "locale: en\n", 0600);
    CHECK_FALSE(store::load_config(file).timestamp.has_value());
    util::write_file_atomic(file, "timestamp:\n", 0600);
    CHECK_FALSE(store::load_config(file).timestamp.has_value());
    util::write_file_atomic(
        file, "timestamp: [/usr/local/bin/tsa-client, --url, \"https://tsa.test\"]\n", 0600);
    auto config = store::load_config(file);
    REQUIRE(config.timestamp.has_value());
    CHECK(config.timestamp->command ==
          std::vector<std::string>{"/usr/local/bin/tsa-client", "--url", "https://tsa.test"});
    CHECK(config.timestamp->timeout_seconds == 20);
    util::write_file_atomic(file, "timestamp:\n  command: [tsa-client]\n  timeout: 5\n", 0600);
    config = store::load_config(file);
    REQUIRE(config.timestamp.has_value());
    CHECK(config.timestamp->command == std::vector<std::string>{"tsa-client"});
    CHECK(config.timestamp->timeout_seconds == 5);
}

TEST_CASE("timestamp: a bad timestamp setting is bad input naming file, line and column") {
    CHECK(config_error("timestamp: /usr/bin/tsa --url x\n") ==
          "config.yaml:1:12: timestamp must be a list of arguments, not one string");
    CHECK(config_error("timestamp: []\n") ==
          "config.yaml:1:12: timestamp must be a list of arguments such as [msmtp, -t]");
    CHECK(config_error("timestamp:\n  timeout: 5\n") ==
          "config.yaml:2:3: timestamp needs a command list");
    CHECK(config_error("timestamp:\n  command: [x]\n  timeout: never\n") ==
          "config.yaml:3:12: timestamp.timeout must be a number of seconds from 1 to 3600");
    CHECK(config_error("timestamp:\n  command: [x]\n  url: https://tsa.test\n") ==
          "config.yaml:3:3: unknown setting \"timestamp.url\"");
    CHECK(config_error("timestamp:\n  command: [\"\"]\n") ==
          "config.yaml:2:12: timestamp.command: the program name is empty");
}

TEST_CASE("timestamp: the default config.yaml has a commented example that works uncommented") {
    const std::string text = store::default_config_text(store::Config{});
    test::TempDir tmp;
    const auto file = tmp.path() / "config.yaml";
    util::write_file_atomic(file, text, 0600);
    CHECK_FALSE(store::load_config(file).timestamp.has_value());
    const auto at = text.find("\n#timestamp:");
    REQUIRE(at != std::string::npos);
    std::string uncommented = text;
    uncommented.erase(at + 1, 1);
    util::write_file_atomic(file, uncommented, 0600);
    const auto config = store::load_config(file);
    REQUIRE(config.timestamp.has_value());
    CHECK(config.timestamp->command == std::vector<std::string>{"/usr/local/bin/tsa-client"});
    CHECK(config.timestamp->timeout_seconds == 20);
}
