// The crypto module: keys at rest, the passphrase prompt, the organisation
// PKI, signers' certificates, PKCS#12 and PAdES B-B CMS signatures. Checks
// go through OpenSSL directly or the openssl command, not through the module
// under test, wherever that is possible.
#include "crypto/certificate.hpp"
#include "crypto/cms.hpp"
#include "crypto/digest.hpp"
#include "crypto/keys.hpp"
#include "crypto/openssl.hpp"
#include "crypto/passphrase.hpp"
#include "crypto/pki.hpp"
#include "signet/error.hpp"
#include "support.hpp"
#include "util/crypto_hash.hpp"
#include "util/fs.hpp"

#include <doctest/doctest.h>

#include <openssl/ess.h>
#include <openssl/pem.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <ctime>
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <thread>
#include <unistd.h>

using namespace signet;
namespace fs = std::filesystem;

extern char** environ;

namespace {

const char* const k_pass = "correct horse battery staple";
const char* const k_org = "ACME Sp. z o.o. — Łódź";
constexpr util::UnixTime k_day = 24 * 60 * 60;

unsigned mode_of(const fs::path& p) {
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return st.st_mode & 0777;
}

util::UnixTime unix_time(const ASN1_TIME* t) {
    struct tm tm {};
    REQUIRE(ASN1_TIME_to_tm(t, &tm) == 1);
    return static_cast<util::UnixTime>(::timegm(&tm));
}

// Runs a command without a shell; its output goes to `log`. The exit status.
int run(const std::vector<std::string>& args, const fs::path& log) {
    std::vector<char*> argv;
    for (const auto& a : args) {
        argv.push_back(const_cast<char*>(a.c_str()));
    }
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    pid_t pid = 0;
    const int rc = ::posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    REQUIRE(rc == 0);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

// X509_verify_cert with purpose any and only `root` trusted: "" when the
// chain checks, else OpenSSL's reason.
std::string chain_problem(X509* leaf, const std::vector<X509*>& intermediates, X509* root,
                          std::optional<std::time_t> at = std::nullopt) {
    crypto::X509StorePtr store(X509_STORE_new());
    REQUIRE(X509_STORE_add_cert(store.get(), root) == 1);
    crypto::X509StackViewPtr untrusted(sk_X509_new_null());
    for (X509* c : intermediates) {
        sk_X509_push(untrusted.get(), c);
    }
    crypto::X509StoreCtxPtr ctx(X509_STORE_CTX_new());
    REQUIRE(X509_STORE_CTX_init(ctx.get(), store.get(), leaf, untrusted.get()) == 1);
    X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_ANY);
    if (at) {
        X509_STORE_CTX_set_time(ctx.get(), 0, *at);
    }
    if (X509_verify_cert(ctx.get()) == 1) {
        return "";
    }
    return X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()));
}

// The raw value and ASN.1 type of the subject entry `nid`.
std::pair<std::string, int> name_entry(X509* cert, int nid) {
    const X509_NAME* name = X509_get_subject_name(cert);
    const int idx = X509_NAME_get_index_by_NID(name, nid, -1);
    REQUIRE(idx >= 0);
    const ASN1_STRING* s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
    return {std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                        static_cast<std::size_t>(ASN1_STRING_length(s))),
            ASN1_STRING_type(s)};
}

bool is_critical(X509* cert, int nid) {
    const int idx = X509_get_ext_by_NID(cert, nid, -1);
    REQUIRE(idx >= 0);
    return X509_EXTENSION_get_critical(X509_get_ext(cert, idx)) == 1;
}

std::string bytes_of(const ASN1_OCTET_STRING* s) {
    REQUIRE(s != nullptr);
    return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                       static_cast<std::size_t>(ASN1_STRING_length(s)));
}

std::string authority_key_id(X509* cert) { return bytes_of(X509_get0_authority_key_id(cert)); }
std::string subject_key_id(X509* cert) { return bytes_of(X509_get0_subject_key_id(cert)); }

// subjectAltName entries as "email:..." and "URI:...".
std::vector<std::string> alt_names(X509* cert) {
    std::vector<std::string> out;
    crypto::GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(
        X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
    for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
        const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names.get(), i);
        int type = 0;
        const void* value = GENERAL_NAME_get0_value(gn, &type);
        if (type == GEN_OTHERNAME) {
            const OTHERNAME* other = gn->d.otherName;
            char oid[64];
            OBJ_obj2txt(oid, sizeof oid, other->type_id, 1);
            REQUIRE(other->value->type == V_ASN1_UTF8STRING);
            const ASN1_STRING* v = other->value->value.utf8string;
            out.push_back(std::string("othername:") + oid + ":" +
                          std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(v)),
                                      static_cast<std::size_t>(ASN1_STRING_length(v))));
            continue;
        }
        const auto* ia5 = static_cast<const ASN1_STRING*>(value);
        const std::string text(reinterpret_cast<const char*>(ASN1_STRING_get0_data(ia5)),
                               static_cast<std::size_t>(ASN1_STRING_length(ia5)));
        out.push_back((type == GEN_EMAIL ? "email:" : type == GEN_URI ? "URI:" : "other:") + text);
    }
    return out;
}

struct PkiFixture {
    test::TempDir tmp;
    fs::path dir = tmp.path() / "keys";
    util::UnixTime now = static_cast<util::UnixTime>(std::time(nullptr));
    crypto::OrganizationPki pki = crypto::OrganizationPki::create(dir, k_org, k_pass, now);
};

// A PKCS#12 file with `cred`'s key, certificate and chain (in the given order).
void write_p12(const fs::path& path, const crypto::Credential& cred, const char* pass,
               const std::vector<X509*>& chain) {
    crypto::X509StackViewPtr ca(sk_X509_new_null());
    for (X509* c : chain) {
        sk_X509_push(ca.get(), c);
    }
    crypto::Pkcs12Ptr p12(PKCS12_create(pass, "seal", cred.key.get(), cred.certificate.get(),
                                        ca.get(), 0, 0, 0, 0, 0));
    REQUIRE(p12);
    crypto::BioPtr out = crypto::memory_bio();
    REQUIRE(i2d_PKCS12_bio(out.get(), p12.get()) == 1);
    util::write_file_atomic(path, crypto::bio_contents(out.get()), 0600);
}

crypto::CmsPtr parse_cms(const std::string& der) {
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    crypto::CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size())));
    REQUIRE(cms);
    return cms;
}

CMS_SignerInfo* only_signer_info(CMS_ContentInfo* cms) {
    STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(cms);
    REQUIRE(sk_CMS_SignerInfo_num(infos) == 1);
    return sk_CMS_SignerInfo_value(infos, 0);
}

std::string signed_attr_bytes(CMS_SignerInfo* si, int nid, int type) {
    const auto* s = static_cast<const ASN1_STRING*>(
        CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(nid), -3, type));
    REQUIRE(s != nullptr);
    return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                       static_cast<std::size_t>(ASN1_STRING_length(s)));
}

std::string as_string(const crypto::Sha256Digest& d) {
    return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

// A signer with a certificate issued by the fixture's PKI.
struct SignerFixture : PkiFixture {
    crypto::EvpPkeyPtr key = crypto::generate_ec_p256_key();
    crypto::X509Ptr cert = pki.issue_signer_certificate(
        {"Пётр Иванов", std::string("piotr@example.com"), std::string("+48601234567")}, key.get(),
        now);
    std::string data = "%PDF-1.7 the signed byte ranges\n\r\n\0binary" + std::string(1000, '\xff');
    std::string cms = crypto::sign_cades_detached(crypto::sha256(data), cert.get(), key.get(),
                                                  pki.signer_chain());
};

}  // namespace

// ---------------------------------------------------------------- keys

TEST_CASE("crypto: a private key is written encrypted, mode 0600, and read back") {
    test::TempDir tmp;
    const auto path = tmp.path() / "a.key";
    auto key = crypto::generate_ec_p256_key();
    crypto::write_private_key(path, key.get(), k_pass);
    CHECK(mode_of(path) == 0600);
    const std::string pem = util::read_file(path);
    CHECK(pem.rfind("-----BEGIN ENCRYPTED PRIVATE KEY-----", 0) == 0);
    CHECK(pem.find("BEGIN PRIVATE KEY") == std::string::npos);
    auto back = crypto::load_private_key(path, k_pass);
    CHECK(EVP_PKEY_eq(key.get(), back.get()) == 1);
    CHECK(EVP_PKEY_is_a(back.get(), "EC") == 1);
    CHECK(EVP_PKEY_get_bits(back.get()) == 256);
}

TEST_CASE("crypto: a wrong passphrase for a key is an authentication failure naming the file") {
    test::TempDir tmp;
    const auto path = tmp.path() / "a.key";
    auto key = crypto::generate_ec_p256_key();
    crypto::write_private_key(path, key.get(), k_pass);
    try {
        crypto::load_private_key(path, "not the passphrase");
        FAIL("a wrong passphrase decrypted the key");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::auth_failed);
        CHECK(std::string(e.what()).find("wrong passphrase for") != std::string::npos);
        CHECK(std::string(e.what()).find("a.key") != std::string::npos);
    }
}

TEST_CASE("crypto: an unencrypted or broken key file is bad input, not a wrong passphrase") {
    test::TempDir tmp;
    auto key = crypto::generate_ec_p256_key();
    crypto::BioPtr out = crypto::memory_bio();
    REQUIRE(PEM_write_bio_PrivateKey(out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) ==
            1);
    const std::string plain = crypto::bio_contents(out.get());
    CHECK_THROWS_WITH_AS(crypto::decrypt_private_key_pem(plain, k_pass, "\"plain.key\""),
                         doctest::Contains("is not encrypted"), Error);
    try {
        crypto::decrypt_private_key_pem("hello", k_pass, "\"x.key\"");
        FAIL("text that is no key was read as one");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::bad_input);
    }
    CHECK_THROWS_AS(crypto::encrypt_private_key_pem(key.get(), ""), Error);
}

TEST_CASE("crypto: the openssl command reads an encrypted key with its passphrase") {
    test::TempDir tmp;
    const auto path = tmp.path() / "a.key";
    auto key = crypto::generate_ec_p256_key();
    crypto::write_private_key(path, key.get(), k_pass);
    ::setenv("SIGNET_TEST_KEY_PASS", k_pass, 1);
    CHECK(run({"openssl", "pkey", "-in", path.string(), "-passin", "env:SIGNET_TEST_KEY_PASS",
               "-noout"},
              tmp.path() / "log") == 0);
    ::setenv("SIGNET_TEST_KEY_PASS", "wrong", 1);
    CHECK(run({"openssl", "pkey", "-in", path.string(), "-passin", "env:SIGNET_TEST_KEY_PASS",
               "-noout"},
              tmp.path() / "log") != 0);
    ::unsetenv("SIGNET_TEST_KEY_PASS");
    // scrypt and AES-256-CBC, as documented.
    REQUIRE(run({"openssl", "asn1parse", "-in", path.string()}, tmp.path() / "asn1") == 0);
    const std::string asn1 = util::read_file(tmp.path() / "asn1");
    CHECK(asn1.find(":scrypt") != std::string::npos);
    CHECK(asn1.find(":aes-256-cbc") != std::string::npos);
}

// ---------------------------------------------------------------- passphrase

TEST_CASE("crypto: the key passphrase comes from SIGNET_KEY_PASSPHRASE when it is set") {
    crypto::PassphraseSource source{"SIGNET_TEST_PASSPHRASE", "/nonexistent/tty"};
    ::setenv("SIGNET_TEST_PASSPHRASE", "from the environment", 1);
    CHECK(crypto::key_passphrase("Passphrase: ", crypto::Confirm::yes, source) ==
          "from the environment");
    ::setenv("SIGNET_TEST_PASSPHRASE", "", 1);
    CHECK_THROWS_WITH_AS(crypto::key_passphrase("Passphrase: ", crypto::Confirm::no, source),
                         doctest::Contains("empty"), Error);
    ::unsetenv("SIGNET_TEST_PASSPHRASE");
}

TEST_CASE("crypto: without the variable and without a terminal the error says to set it") {
    crypto::PassphraseSource source{"SIGNET_TEST_PASSPHRASE", "/nonexistent/tty"};
    ::unsetenv("SIGNET_TEST_PASSPHRASE");
    try {
        crypto::key_passphrase("Passphrase: ", crypto::Confirm::no, source);
        FAIL("a passphrase came from nowhere");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::bad_input);
        CHECK(std::string(e.what()).find("SIGNET_TEST_PASSPHRASE") != std::string::npos);
        REQUIRE(!e.hints().empty());
        CHECK(e.hints()[0].find("SIGNET_TEST_PASSPHRASE") != std::string::npos);
    }
    // A file that is not a terminal is no terminal either.
    test::TempDir tmp;
    util::write_file_atomic(tmp.path() / "not-a-tty", "secret\n", 0600);
    source.tty = tmp.path() / "not-a-tty";
    CHECK_THROWS_AS(crypto::key_passphrase("Passphrase: ", crypto::Confirm::no, source), Error);
}

namespace {

// A pseudo-terminal standing in for the user's terminal.
struct Pty {
    int master = -1;
    std::string slave_name;
    int slave = -1;  // held open so the terminal's settings persist between opens

    Pty() {
        master = ::posix_openpt(O_RDWR | O_NOCTTY);
        REQUIRE(master >= 0);
        REQUIRE(::grantpt(master) == 0);
        REQUIRE(::unlockpt(master) == 0);
        slave_name = ::ptsname(master);
        slave = ::open(slave_name.c_str(), O_RDWR | O_NOCTTY);
        REQUIRE(slave >= 0);
    }
    ~Pty() {
        ::close(slave);
        ::close(master);
    }
    bool echo_on() const {
        struct termios t {};
        REQUIRE(::tcgetattr(slave, &t) == 0);
        return (t.c_lflag & ECHO) != 0;
    }
    // Types `text` once echo is off, as a user would after the prompt.
    std::thread type_when_silent(std::string text) {
        return std::thread([this, text] {
            for (int i = 0; i < 500 && echo_on(); ++i) {
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            }
            const ssize_t n = ::write(master, text.data(), text.size());
            (void)n;
        });
    }
    std::string output() const {
        std::string out;
        char buf[256];
        ::fcntl(master, F_SETFL, O_NONBLOCK);
        ssize_t n = 0;
        while ((n = ::read(master, buf, sizeof buf)) > 0) {
            out.append(buf, static_cast<std::size_t>(n));
        }
        return out;
    }
};

}  // namespace

TEST_CASE("crypto: at a terminal the passphrase is read without echo and echo comes back") {
    ::unsetenv("SIGNET_TEST_PASSPHRASE");
    Pty pty;
    REQUIRE(pty.echo_on());
    crypto::PassphraseSource source{"SIGNET_TEST_PASSPHRASE", pty.slave_name};

    SUBCASE("one entry") {
        auto typist = pty.type_when_silent("sésame ouvre-toi\n");
        const std::string got =
            crypto::key_passphrase("Key passphrase: ", crypto::Confirm::no, source);
        typist.join();
        CHECK(got == "sésame ouvre-toi");
        CHECK(pty.echo_on());
        const std::string shown = pty.output();
        CHECK(shown.find("Key passphrase: ") != std::string::npos);
        CHECK(shown.find("sésame") == std::string::npos);
    }
    SUBCASE("confirmed") {
        auto typist = pty.type_when_silent("same\nsame\n");
        CHECK(crypto::key_passphrase("New passphrase: ", crypto::Confirm::yes, source) == "same");
        typist.join();
        CHECK(pty.echo_on());
    }
    SUBCASE("two different entries fail and still restore echo") {
        auto typist = pty.type_when_silent("one\ntwo\n");
        CHECK_THROWS_WITH_AS(
            crypto::key_passphrase("New passphrase: ", crypto::Confirm::yes, source),
            doctest::Contains("differ"), Error);
        typist.join();
        CHECK(pty.echo_on());
    }
    SUBCASE("an empty entry is refused") {
        auto typist = pty.type_when_silent("\n");
        CHECK_THROWS_WITH_AS(crypto::key_passphrase("Passphrase: ", crypto::Confirm::no, source),
                             doctest::Contains("empty"), Error);
        typist.join();
        CHECK(pty.echo_on());
    }
}

TEST_CASE("crypto: Ctrl-C at the passphrase prompt leaves the terminal echoing") {
    ::unsetenv("SIGNET_TEST_PASSPHRASE");
    Pty pty;
    crypto::PassphraseSource source{"SIGNET_TEST_PASSPHRASE", pty.slave_name};
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        // As in signet itself: default SIGINT (doctest installs its own handler).
        ::signal(SIGINT, SIG_DFL);
        const int null = ::open("/dev/null", O_WRONLY);
        ::dup2(null, 1);
        ::dup2(null, 2);
        try {
            crypto::key_passphrase("Passphrase: ", crypto::Confirm::no, source);
        } catch (...) {
        }
        ::_exit(3);  // reached only if SIGINT did not end the process
    }
    for (int i = 0; i < 500 && pty.echo_on(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    REQUIRE_FALSE(pty.echo_on());  // the child is at the prompt, echo off
    ::kill(child, SIGINT);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGINT);
    CHECK(pty.echo_on());
}

// ---------------------------------------------------------------- PKI

TEST_CASE("crypto: a new PKI chains the seal through the issuing CA to the root") {
    PkiFixture f;
    X509* root = f.pki.root_certificate();
    X509* issuing = f.pki.issuing_certificate();
    X509* seal = f.pki.seal().certificate.get();
    REQUIRE(root != nullptr);
    REQUIRE(issuing != nullptr);
    CHECK(X509_self_signed(root, 1) == 1);
    CHECK(chain_problem(issuing, {}, root) == "");
    CHECK(chain_problem(seal, {issuing}, root) == "");
    CHECK(chain_problem(seal, {}, root) != "");  // the issuing CA is needed in between

    // CA flags: root CA:TRUE critical; issuing CA pathlen 0; seal no CA.
    CHECK(X509_check_ca(root) == 1);
    CHECK(is_critical(root, NID_basic_constraints));
    CHECK(X509_get_pathlen(root) == -1);
    CHECK(X509_check_ca(issuing) == 1);
    CHECK(X509_get_pathlen(issuing) == 0);
    CHECK(X509_check_ca(seal) == 0);
    for (X509* ca : {root, issuing}) {
        CHECK(is_critical(ca, NID_key_usage));
        CHECK(X509_get_key_usage(ca) == (KU_KEY_CERT_SIGN | KU_CRL_SIGN));
    }
    // The seal chain as stored: issuing CA, then root.
    REQUIRE(f.pki.seal().chain.size() == 2);
    CHECK(X509_cmp(f.pki.seal().chain[0].get(), issuing) == 0);
    CHECK(X509_cmp(f.pki.seal().chain[1].get(), root) == 0);
    CHECK(f.pki.can_issue());
}

TEST_CASE("crypto: every PKI certificate has key identifiers linking it to its issuer") {
    PkiFixture f;
    X509* root = f.pki.root_certificate();
    X509* issuing = f.pki.issuing_certificate();
    X509* seal = f.pki.seal().certificate.get();
    CHECK(subject_key_id(root).size() == 20);
    CHECK(authority_key_id(root) == subject_key_id(root));
    CHECK(authority_key_id(issuing) == subject_key_id(root));
    CHECK(authority_key_id(seal) == subject_key_id(issuing));
    CHECK(subject_key_id(seal) != subject_key_id(issuing));
}

TEST_CASE("crypto: the seal is a document-signing certificate naming the organisation") {
    PkiFixture f;
    X509* seal = f.pki.seal().certificate.get();
    CHECK(name_entry(seal, NID_commonName) ==
          std::make_pair(std::string(k_org), V_ASN1_UTF8STRING));
    CHECK(name_entry(seal, NID_organizationName) ==
          std::make_pair(std::string(k_org), V_ASN1_UTF8STRING));
    CHECK(is_critical(seal, NID_key_usage));
    CHECK(X509_get_key_usage(seal) == (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION));
    CHECK(X509_get_extended_key_usage(seal) == XKU_SMIME);
    CHECK(name_entry(f.pki.root_certificate(), NID_commonName).first ==
          std::string(k_org) + " Root CA");
    CHECK(name_entry(f.pki.issuing_certificate(), NID_commonName).first ==
          std::string(k_org) + " Issuing CA");
}

TEST_CASE("crypto: Cyrillic and Polish organisation names survive as UTF8String") {
    for (const std::string org : {"ООО Вектор", "Zakład Żółć Gęślą Jaźń — Łódź"}) {
        CAPTURE(org);
        test::TempDir tmp;
        crypto::OrganizationPki::create(tmp.path() / "keys", org, k_pass,
                                        static_cast<util::UnixTime>(std::time(nullptr)));
        // Read back from the file, as another program would.
        auto certs = crypto::load_certificates(tmp.path() / "keys" / "seal.crt");
        CHECK(name_entry(certs[0].get(), NID_commonName) == std::make_pair(org, V_ASN1_UTF8STRING));
        CHECK(crypto::common_name(certs[0].get()) == org);
        CHECK(crypto::subject_line(certs[0].get()).find("CN=" + org) != std::string::npos);
    }
}

TEST_CASE("crypto: a long organisation name is shortened in the CA names only") {
    test::TempDir tmp;
    const std::string org = "Przedsiębiorstwo Handlowo-Usługowe Źdźbło Spółka z o.o. Łódź";
    auto pki = crypto::OrganizationPki::create(tmp.path() / "keys", org, k_pass,
                                               static_cast<util::UnixTime>(std::time(nullptr)));
    const std::string issuing_cn = crypto::common_name(pki.issuing_certificate());
    CHECK(issuing_cn.size() < org.size() + 11);
    CHECK(issuing_cn.find(" Issuing CA") != std::string::npos);
    CHECK(crypto::common_name(pki.seal().certificate.get()) == org);
    CHECK_THROWS_WITH_AS(
        crypto::OrganizationPki::create(tmp.path() / "k2", std::string(65, 'x'), k_pass, 0),
        doctest::Contains("longer than 64 characters"), Error);
}

TEST_CASE("crypto: the PKI's key files are private and encrypted") {
    PkiFixture f;
    CHECK(mode_of(f.dir) == 0700);
    for (const char* name : {"root.key", "issuing.key", "seal.key"}) {
        CAPTURE(name);
        CHECK(mode_of(f.dir / name) == 0600);
        const std::string pem = util::read_file(f.dir / name);
        CHECK(pem.rfind("-----BEGIN ENCRYPTED PRIVATE KEY-----", 0) == 0);
        CHECK_THROWS_AS(crypto::load_private_key(f.dir / name, "wrong"), Error);
    }
    for (const char* name : {"root.crt", "issuing.crt", "seal.crt"}) {
        CHECK(fs::exists(f.dir / name));
    }
}

TEST_CASE("crypto: loading the PKI with a wrong passphrase is an authentication failure") {
    PkiFixture f;
    try {
        crypto::OrganizationPki::load(f.dir, "wrong");
        FAIL("loaded with a wrong passphrase");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::auth_failed);
        CHECK(std::string(e.what()).find("wrong passphrase for") != std::string::npos);
    }
    auto loaded = crypto::OrganizationPki::load(f.dir, k_pass);
    CHECK(X509_cmp(loaded.root_certificate(), f.pki.root_certificate()) == 0);
    CHECK(X509_cmp(loaded.seal().certificate.get(), f.pki.seal().certificate.get()) == 0);
    CHECK(EVP_PKEY_eq(loaded.seal().key.get(), f.pki.seal().key.get()) == 1);
    CHECK(loaded.seal().chain.size() == 2);
    CHECK(loaded.can_issue());
}

TEST_CASE("crypto: create never replaces an existing CA") {
    PkiFixture f;
    const std::string before = util::read_file(f.dir / "root.crt");
    CHECK_THROWS_WITH_AS(crypto::OrganizationPki::create(f.dir, "Other", k_pass, f.now),
                         doctest::Contains("already holds a root CA"), Error);
    CHECK(util::read_file(f.dir / "root.crt") == before);
    CHECK(crypto::OrganizationPki::exists(f.dir));
    CHECK_FALSE(crypto::OrganizationPki::exists(f.tmp.path() / "nowhere"));
}

TEST_CASE("crypto: loading a directory without keys says how to create them") {
    test::TempDir tmp;
    CHECK_THROWS_WITH_AS(crypto::OrganizationPki::load(tmp.path(), k_pass),
                         doctest::Contains("no organisation seal"), Error);
    CHECK_THROWS_AS(crypto::load_trust_anchors(tmp.path()), Error);
}

// ---------------------------------------------------------------- signers

TEST_CASE("crypto: a signer's certificate names the signer and chains to the root") {
    PkiFixture f;
    auto pki = crypto::OrganizationPki::load(f.dir, k_pass);
    auto key = crypto::generate_ec_p256_key();
    auto cert = pki.issue_signer_certificate(
        {"Zażółć Gęślą", std::string("jan@example.pl"), std::string("+48601234567")}, key.get(),
        f.now);
    CHECK(chain_problem(cert.get(), pki.signer_chain(), pki.root_certificate()) == "");
    CHECK(X509_check_issued(pki.issuing_certificate(), cert.get()) == X509_V_OK);
    CHECK(name_entry(cert.get(), NID_commonName) ==
          std::make_pair(std::string("Zażółć Gęślą"), V_ASN1_UTF8STRING));
    CHECK(alt_names(cert.get()) ==
          std::vector<std::string>{"email:jan@example.pl", "URI:tel:+48601234567"});
    CHECK(is_critical(cert.get(), NID_key_usage));
    CHECK(X509_get_key_usage(cert.get()) == (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION));
    CHECK(X509_get_extended_key_usage(cert.get()) == XKU_SMIME);
    CHECK(X509_check_ca(cert.get()) == 0);
    CHECK(authority_key_id(cert.get()) == subject_key_id(pki.issuing_certificate()));
    CHECK(subject_key_id(cert.get()).size() == 20);
    CHECK(EVP_PKEY_eq(X509_get0_pubkey(cert.get()), key.get()) == 1);
    // Serial numbers: random, positive, at most 128 bits.
    crypto::BignumPtr serial(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert.get()), nullptr));
    CHECK(BN_is_negative(serial.get()) == 0);
    CHECK(BN_num_bits(serial.get()) <= 128);
    CHECK(BN_num_bits(serial.get()) > 64);
}

TEST_CASE("crypto: a Cyrillic signer without contacts gets a certificate without subjectAltName") {
    PkiFixture f;
    auto key = crypto::generate_ec_p256_key();
    auto cert = f.pki.issue_signer_certificate({"Пётр Ильич Чайковский", {}, {}}, key.get(), f.now);
    CHECK(crypto::common_name(cert.get()) == "Пётр Ильич Чайковский");
    CHECK(name_entry(cert.get(), NID_commonName).second == V_ASN1_UTF8STRING);
    CHECK(X509_get_ext_by_NID(cert.get(), NID_subject_alt_name, -1) < 0);
}

TEST_CASE("crypto: a non-ASCII email goes into the certificate as an SmtpUTF8Mailbox") {
    PkiFixture f;
    auto key = crypto::generate_ec_p256_key();
    auto cert = f.pki.issue_signer_certificate({"Пётр", std::string("пётр@почта.рф"), {}},
                                               key.get(), f.now);
    CHECK(alt_names(cert.get()) ==
          std::vector<std::string>{"othername:1.3.6.1.5.5.7.8.9:пётр@почта.рф"});
}

TEST_CASE("crypto: a signer's certificate follows the validity policy") {
    PkiFixture f;
    auto key = crypto::generate_ec_p256_key();
    auto cert = f.pki.issue_signer_certificate({"Anna", {}, {}}, key.get(), f.now);
    CHECK(unix_time(X509_get0_notBefore(cert.get())) == f.now - 300);
    CHECK(unix_time(X509_get0_notAfter(cert.get())) ==
          f.now + crypto::k_signer_validity_days * k_day);
    CHECK(unix_time(X509_get0_notAfter(f.pki.issuing_certificate())) ==
          f.now + crypto::k_issuing_validity_days * k_day);
    CHECK(unix_time(X509_get0_notAfter(f.pki.root_certificate())) ==
          f.now + crypto::k_root_validity_days * k_day);
    // Still valid nine years on (a validator checking at its current time).
    CHECK(chain_problem(cert.get(), f.pki.signer_chain(), f.pki.root_certificate(),
                        static_cast<std::time_t>(f.now + 9 * 365 * k_day)) == "");
    CHECK(chain_problem(cert.get(), f.pki.signer_chain(), f.pki.root_certificate(),
                        static_cast<std::time_t>(f.now + 11 * 365 * k_day)) != "");

    SUBCASE("never past the issuing CA") {
        const util::UnixTime later = f.now + 15 * 365 * k_day;
        auto late = f.pki.issue_signer_certificate({"Anna", {}, {}}, key.get(), later);
        CHECK(unix_time(X509_get0_notAfter(late.get())) ==
              unix_time(X509_get0_notAfter(f.pki.issuing_certificate())));
    }
    SUBCASE("not at all once the issuing CA has expired") {
        CHECK_THROWS_WITH_AS(
            f.pki.issue_signer_certificate({"Anna", {}, {}}, key.get(), f.now + 21 * 365 * k_day),
            doctest::Contains("expired"), Error);
    }
}

TEST_CASE("crypto: a certificate is refused for names and contacts it cannot carry") {
    PkiFixture f;
    auto key = crypto::generate_ec_p256_key();
    auto refused = [&](crypto::SignerIdentity who, const std::string& why) {
        CAPTURE(why);
        try {
            f.pki.issue_signer_certificate(who, key.get(), f.now);
            FAIL("issued a certificate for a bad identity");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::bad_input);
            CHECK(std::string(e.what()).find(why) != std::string::npos);
        }
    };
    refused({"", {}, {}}, "name");
    refused({"Anna\nBob", {}, {}}, "control character");
    refused({std::string(65, 'A'), {}, {}}, "longer than 64");
    refused({"Anna", std::string("anna.example.com"), {}}, "not an email");
    refused({"Anna", std::string("a@b@c"), {}}, "not an email");
    refused({"Anna", std::string("a b@c.pl"), {}}, "not an email");
    refused({"Anna", {}, std::string("601234567")}, "E.164");
    refused({"Anna", {}, std::string("+48 601 234 567")}, "E.164");
    // 64 characters of Cyrillic (128 bytes) are fine: the limit is in characters.
    std::string cyr;
    for (int i = 0; i < 64; ++i) {
        cyr += "Ж";
    }
    CHECK_NOTHROW(f.pki.issue_signer_certificate({cyr, {}, {}}, key.get(), f.now));
}

// ---------------------------------------------------------------- PKCS#12

TEST_CASE("crypto: a seal imported from PKCS#12 replaces the seal and keeps its chain") {
    PkiFixture f;
    PkiFixture other;  // another organisation's PKI plays the outside CA
    const auto p12 = f.tmp.path() / "seal.p12";
    // The chain in the file in the wrong order: load_p12 sorts it.
    write_p12(p12, other.pki.seal(), "p12 pass",
              {other.pki.root_certificate(), other.pki.issuing_certificate()});

    crypto::OrganizationPki::import_seal_p12(f.dir, p12, "p12 pass", k_pass);
    CHECK(mode_of(f.dir / "seal.key") == 0600);
    CHECK(util::read_file(f.dir / "seal.key").find("ENCRYPTED PRIVATE KEY") != std::string::npos);

    auto pki = crypto::OrganizationPki::load(f.dir, k_pass);
    CHECK(X509_cmp(pki.seal().certificate.get(), other.pki.seal().certificate.get()) == 0);
    CHECK(EVP_PKEY_eq(pki.seal().key.get(), other.pki.seal().key.get()) == 1);
    REQUIRE(pki.seal().chain.size() == 2);
    CHECK(X509_cmp(pki.seal().chain[0].get(), other.pki.issuing_certificate()) == 0);
    CHECK(X509_cmp(pki.seal().chain[1].get(), other.pki.root_certificate()) == 0);
    // Our CAs stay, and the imported seal's root becomes a trust anchor too.
    CHECK(X509_cmp(pki.root_certificate(), f.pki.root_certificate()) == 0);
    CHECK(pki.can_issue());
    const auto anchors = pki.trust_anchors();
    REQUIRE(anchors.size() == 2);
    CHECK(X509_cmp(anchors[1], other.pki.root_certificate()) == 0);
    CHECK(crypto::load_trust_anchors(f.dir).size() == 2);
}

TEST_CASE("crypto: a PKCS#12 with a wrong passphrase is an authentication failure") {
    PkiFixture f;
    const auto p12 = f.tmp.path() / "seal.p12";
    write_p12(p12, f.pki.seal(), "p12 pass", {});
    try {
        crypto::load_p12(p12, "wrong");
        FAIL("a wrong passphrase opened the PKCS#12 file");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::auth_failed);
        CHECK(std::string(e.what()).find("wrong passphrase for") != std::string::npos);
    }
    auto cred = crypto::load_p12(p12, "p12 pass");
    CHECK(X509_cmp(cred.certificate.get(), f.pki.seal().certificate.get()) == 0);
    CHECK(cred.chain.empty());
    util::write_file_atomic(f.tmp.path() / "junk.p12", "not pkcs12", 0600);
    CHECK_THROWS_WITH_AS(crypto::load_p12(f.tmp.path() / "junk.p12", "x"),
                         doctest::Contains("is not a PKCS#12"), Error);
}

TEST_CASE("crypto: an old RC2-encrypted PKCS#12 from another tool is read") {
    PkiFixture f;
    ::setenv("SIGNET_TEST_KEY_PASS", k_pass, 1);
    const auto p12 = f.tmp.path() / "legacy.p12";
    const int rc =
        run({"openssl", "pkcs12", "-export", "-legacy", "-inkey", (f.dir / "seal.key").string(),
             "-in", (f.dir / "seal.crt").string(), "-passin", "env:SIGNET_TEST_KEY_PASS",
             "-passout", "pass:old tool", "-out", p12.string()},
            f.tmp.path() / "log");
    ::unsetenv("SIGNET_TEST_KEY_PASS");
    if (rc != 0) {
        MESSAGE("openssl cannot write legacy PKCS#12 here: ",
                util::read_file(f.tmp.path() / "log"));
        return;
    }
    auto cred = crypto::load_p12(p12, "old tool");
    CHECK(X509_cmp(cred.certificate.get(), f.pki.seal().certificate.get()) == 0);
    CHECK(cred.chain.size() == 2);
}

// ---------------------------------------------------------------- CMS

TEST_CASE("crypto: SHA-256 over pieces equals SHA-256 over the whole") {
    const std::string data(100000, 'q');
    crypto::Sha256 h;
    for (std::size_t i = 0; i < data.size(); i += 4096) {
        h.update(std::string_view(data).substr(i, 4096));
    }
    CHECK(h.finish() == crypto::sha256(data));
    CHECK(util::to_hex(as_string(crypto::sha256(""))) ==
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("crypto: a CAdES signature has one SignerInfo, the given digest and no signingTime") {
    SignerFixture f;
    auto cms = parse_cms(f.cms);
    CHECK(OBJ_obj2nid(CMS_get0_type(cms.get())) == NID_pkcs7_signed);
    CHECK(OBJ_obj2nid(CMS_get0_eContentType(cms.get())) == NID_pkcs7_data);
    CHECK(CMS_is_detached(cms.get()) == 1);
    CMS_SignerInfo* si = only_signer_info(cms.get());
    CHECK(CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1) < 0);
    CHECK(signed_attr_bytes(si, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING) ==
          as_string(crypto::sha256(f.data)));
    const auto* content_type = static_cast<const ASN1_OBJECT*>(
        CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_contentType), -3, V_ASN1_OBJECT));
    REQUIRE(content_type != nullptr);
    CHECK(OBJ_obj2nid(content_type) == NID_pkcs7_data);
    // Exactly content-type, message-digest and signing-certificate-v2.
    CHECK(CMS_signed_get_attr_count(si) == 3);
    CHECK(CMS_signed_get_attr_by_NID(si, NID_id_smime_aa_signingCertificateV2, -1) >= 0);
    X509_ALGOR* dig = nullptr;
    CMS_SignerInfo_get0_algs(si, nullptr, nullptr, &dig, nullptr);
    const ASN1_OBJECT* dig_obj = nullptr;
    X509_ALGOR_get0(&dig_obj, nullptr, nullptr, dig);
    CHECK(OBJ_obj2nid(dig_obj) == NID_sha256);
    CHECK(CMS_SignerInfo_cert_cmp(si, f.cert.get()) == 0);
}

TEST_CASE("crypto: the signing-certificate-v2 attribute holds the signer certificate's hash") {
    SignerFixture f;
    auto cms = parse_cms(f.cms);
    CMS_SignerInfo* si = only_signer_info(cms.get());
    const std::string ess =
        signed_attr_bytes(si, NID_id_smime_aa_signingCertificateV2, V_ASN1_SEQUENCE);
    // The SHA-256 of the DER certificate, computed here independently.
    crypto::Sha256 h;
    std::string der(static_cast<std::size_t>(i2d_X509(f.cert.get(), nullptr)), '\0');
    auto* p = reinterpret_cast<unsigned char*>(der.data());
    i2d_X509(f.cert.get(), &p);
    h.update(der);
    CHECK(ess.find(as_string(h.finish())) != std::string::npos);
    CHECK(ess.find(as_string(crypto::certificate_sha256(f.pki.issuing_certificate()))) ==
          std::string::npos);

    const auto* q = reinterpret_cast<const unsigned char*>(ess.data());
    ESS_SIGNING_CERT_V2* v2 = d2i_ESS_SIGNING_CERT_V2(nullptr, &q, static_cast<long>(ess.size()));
    REQUIRE(v2 != nullptr);
    crypto::X509StackViewPtr signer(sk_X509_new_null());
    sk_X509_push(signer.get(), f.cert.get());
    CHECK(OSSL_ESS_check_signing_certs(nullptr, v2, signer.get(), 1) == 1);
    crypto::X509StackViewPtr other(sk_X509_new_null());
    sk_X509_push(other.get(), f.pki.seal().certificate.get());
    CHECK(OSSL_ESS_check_signing_certs(nullptr, v2, other.get(), 1) != 1);
    ESS_SIGNING_CERT_V2_free(v2);
    crypto::clear_openssl_errors();
}

TEST_CASE("crypto: the signature verifies over the data whose digest was signed, and only that") {
    SignerFixture f;
    auto store = crypto::make_trust_store({f.pki.root_certificate()});

    const auto good = crypto::verify_cades_detached(f.cms, f.data, store.get());
    CHECK(good.intact);
    CHECK(good.trusted);
    CHECK(good.problems.empty());
    REQUIRE(good.signer);
    CHECK(X509_cmp(good.signer.get(), f.cert.get()) == 0);

    std::string tampered = f.data;
    tampered[5] = 'X';
    const auto bad = crypto::verify_cades_detached(f.cms, tampered, store.get());
    CHECK_FALSE(bad.intact);
    CHECK_FALSE(bad.trusted);
    REQUIRE(!bad.problems.empty());
    CHECK(bad.problems[0].find("does not verify") != std::string::npos);

    // And by OpenSSL's CMS_verify directly, with its own trust store.
    auto cms = parse_cms(f.cms);
    crypto::X509StorePtr raw_store(X509_STORE_new());
    X509_STORE_add_cert(raw_store.get(), f.pki.root_certificate());
    X509_STORE_set_purpose(raw_store.get(), X509_PURPOSE_ANY);
    crypto::BioPtr content = crypto::memory_bio(f.data);
    CHECK(CMS_verify(cms.get(), nullptr, raw_store.get(), content.get(), nullptr,
                     CMS_BINARY | CMS_DETACHED | CMS_CADES) == 1);
    crypto::BioPtr wrong = crypto::memory_bio(tampered);
    CHECK(CMS_verify(cms.get(), nullptr, raw_store.get(), wrong.get(), nullptr,
                     CMS_BINARY | CMS_DETACHED) != 1);
    crypto::clear_openssl_errors();
}

TEST_CASE("crypto: the chain certificates are included once each") {
    SignerFixture f;
    X509* issuing = f.pki.issuing_certificate();
    X509* root = f.pki.root_certificate();
    const std::string der = crypto::sign_cades_detached(
        crypto::sha256(f.data), f.cert.get(), f.key.get(), {issuing, root, issuing, f.cert.get()});
    auto cms = parse_cms(der);
    crypto::X509StackPtr certs(CMS_get1_certs(cms.get()));
    REQUIRE(sk_X509_num(certs.get()) == 3);
    int signer = 0;
    int issuers = 0;
    int roots = 0;
    for (int i = 0; i < 3; ++i) {
        X509* c = sk_X509_value(certs.get(), i);
        signer += X509_cmp(c, f.cert.get()) == 0 ? 1 : 0;
        issuers += X509_cmp(c, issuing) == 0 ? 1 : 0;
        roots += X509_cmp(c, root) == 0 ? 1 : 0;
    }
    CHECK(signer == 1);
    CHECK(issuers == 1);
    CHECK(roots == 1);
}

TEST_CASE("crypto: the openssl command verifies the signature over the data") {
    SignerFixture f;
    const auto dir = f.tmp.path();
    util::write_file_atomic(dir / "sig.der", f.cms, 0600);
    util::write_file_atomic(dir / "data.bin", f.data, 0600);
    util::write_file_atomic(dir / "other.bin", f.data + "x", 0600);
    const auto root = (f.dir / "root.crt").string();
    auto verify = [&](const char* data, std::vector<std::string> extra) {
        std::vector<std::string> args = {"openssl",  "cms",
                                         "-verify",  "-binary",
                                         "-inform",  "DER",
                                         "-in",      (dir / "sig.der").string(),
                                         "-content", (dir / data).string(),
                                         "-CAfile",  root,
                                         "-out",     (dir / "out").string()};
        args.insert(args.end(), extra.begin(), extra.end());
        return run(args, dir / "log");
    };
    CHECK_MESSAGE(verify("data.bin", {"-purpose", "any"}) == 0, util::read_file(dir / "log"));
    // emailProtection makes the default S/MIME purpose accept it too.
    CHECK_MESSAGE(verify("data.bin", {}) == 0, util::read_file(dir / "log"));
    CHECK(verify("other.bin", {"-purpose", "any"}) != 0);
    // cmsout shows no signingTime attribute.
    REQUIRE(run({"openssl", "cms", "-cmsout", "-print", "-noout", "-inform", "DER", "-in",
                 (dir / "sig.der").string()},
                dir / "print") == 0);
    const std::string printed = util::read_file(dir / "print");
    CHECK(printed.find("signingTime") == std::string::npos);
    CHECK(printed.find("id-smime-aa-signingCertificateV2") != std::string::npos);
    CHECK(printed.find("messageDigest") != std::string::npos);
}

TEST_CASE("crypto: a streamed digest of a large file signs like any other") {
    SignerFixture f;
    std::string big(5 * 1024 * 1024, '\0');
    for (std::size_t i = 0; i < big.size(); ++i) {
        big[i] = static_cast<char>((i * 7919U) & 0xFFU);
    }
    crypto::Sha256 h;
    for (std::size_t i = 0; i < big.size(); i += 65536) {
        h.update(std::string_view(big).substr(i, 65536));
    }
    const std::string der =
        crypto::sign_cades_detached(h.finish(), f.cert.get(), f.key.get(), f.pki.signer_chain());
    auto store = crypto::make_trust_store({f.pki.root_certificate()});
    CHECK(crypto::verify_cades_detached(der, big, store.get()).trusted);
}

TEST_CASE("crypto: the organisation seal and an RSA key sign too") {
    PkiFixture f;
    auto store = crypto::make_trust_store(f.pki.trust_anchors());
    const std::string data = "completion";
    SUBCASE("seal") {
        const auto& seal = f.pki.seal();
        const std::string der = crypto::sign_cades_detached(
            crypto::sha256(data), seal.certificate.get(), seal.key.get(), seal.chain_pointers());
        const auto v = crypto::verify_cades_detached(der, data, store.get());
        CHECK(v.trusted);
        CHECK(crypto::common_name(v.signer.get()) == k_org);
    }
    SUBCASE("RSA signer") {
        crypto::EvpPkeyPtr rsa(EVP_RSA_gen(2048));
        REQUIRE(rsa);
        auto cert = f.pki.issue_signer_certificate({"Rsa Signer", {}, {}}, rsa.get(), f.now);
        const std::string der = crypto::sign_cades_detached(crypto::sha256(data), cert.get(),
                                                            rsa.get(), f.pki.signer_chain());
        const auto v = crypto::verify_cades_detached(der, data, store.get());
        CHECK(v.trusted);
        CHECK(v.problems.empty());
        auto cms = parse_cms(der);
        CHECK(CMS_signed_get_attr_by_NID(only_signer_info(cms.get()), NID_pkcs9_signingTime, -1) <
              0);
    }
}

TEST_CASE("crypto: verification tells an intact but untrusted signature from a broken one") {
    SignerFixture f;
    PkiFixture stranger;
    auto foreign_store = crypto::make_trust_store({stranger.pki.root_certificate()});
    const auto v = crypto::verify_cades_detached(f.cms, f.data, foreign_store.get());
    CHECK(v.intact);
    CHECK_FALSE(v.trusted);
    REQUIRE(v.problems.size() == 1);
    CHECK(v.problems[0].find("not trusted") != std::string::npos);
    CHECK(v.problems[0].find("Пётр Иванов") != std::string::npos);

    auto store = crypto::make_trust_store({f.pki.root_certificate()});
    const auto expired =
        crypto::verify_cades_detached(f.cms, f.data, store.get(), f.now + 11 * 365 * k_day);
    CHECK(expired.intact);
    CHECK_FALSE(expired.trusted);
    CHECK(expired.problems[0].find("expired") != std::string::npos);

    const auto garbage = crypto::verify_cades_detached("not a cms", f.data, store.get());
    CHECK_FALSE(garbage.intact);
    CHECK(!garbage.problems.empty());
    CHECK_FALSE(garbage.signer);
}

TEST_CASE("crypto: a key that does not belong to the certificate is refused") {
    SignerFixture f;
    auto stranger = crypto::generate_ec_p256_key();
    CHECK_THROWS_WITH_AS(
        crypto::sign_cades_detached(crypto::sha256(f.data), f.cert.get(), stranger.get(), {}),
        doctest::Contains("does not belong"), Error);
}

TEST_CASE("crypto: OpenSSL errors become messages naming what failed and why") {
    crypto::clear_openssl_errors();
    const unsigned char junk[] = {0x30, 0x03, 0x02, 0x01};
    const unsigned char* p = junk;
    CHECK(d2i_X509(nullptr, &p, sizeof junk) == nullptr);
    const Error e = crypto::openssl_error("cannot read \"x.crt\"", ErrorKind::bad_input);
    CHECK(e.kind() == ErrorKind::bad_input);
    const std::string msg = e.what();
    CHECK(msg.rfind("cannot read \"x.crt\": ", 0) == 0);
    CHECK(msg.find("asn1") != std::string::npos);
    CHECK(msg.find("error:") == std::string::npos);
    // The queue is empty afterwards.
    CHECK(std::string(crypto::openssl_error("next").what()) == "next");
}
