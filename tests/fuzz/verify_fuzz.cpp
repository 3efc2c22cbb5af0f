// libFuzzer target over signet verify (issue 4, item 8): PDF bytes in, a
// verdict out. Each input is written to one temporary file and verified with
// verify::verify_file, the entry `signet verify` uses for every file, against
// an empty trust store. A crash, a hang (-timeout), memory beyond
// -rss_limit_mb or a verdict outside the four CLI.md names fails the run.
//
// Built with clang only (-fsanitize=fuzzer,address,undefined): see
// tests/fuzz/CMakeLists.txt; run by the ctest test fuzz.verify_short and,
// longer, as signet-verify(1) FUZZING says.
#include "crypto/certificate.hpp"
#include "verify/store_check.hpp"
#include "verify/verify.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <unistd.h>

namespace signet::verify {

// verify_file never looks at a store; verify_files, in the same object file,
// does. The fuzzer links without the store module (SQLite, the audit trail).
StoreCheck check_against_store(const std::filesystem::path&,
                               const std::optional<std::filesystem::path>&) {
    std::abort();
}

}  // namespace signet::verify

namespace {

struct Scratch {
    std::string path;
    int fd = -1;
    signet::crypto::X509StorePtr trust = signet::crypto::make_trust_store({});

    Scratch() {
        const char* dir = std::getenv("TMPDIR");
        path = std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") + "/signet-verify-fuzz.XXXXXX";
        fd = ::mkstemp(path.data());
        if (fd < 0) {
            std::perror("verify_fuzz: mkstemp");
            std::abort();
        }
    }
    ~Scratch() {
        ::close(fd);
        ::unlink(path.c_str());
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static Scratch scratch;
    if (::ftruncate(scratch.fd, 0) != 0 ||
        ::pwrite(scratch.fd, data, size, 0) != static_cast<ssize_t>(size)) {
        std::perror("verify_fuzz: write");
        std::abort();
    }
    const signet::verify::FileReport report =
        signet::verify::verify_file(scratch.path, scratch.trust.get());
    const std::string& v = report.verdict;
    if (v != "valid" && v != "untrusted" && v != "invalid" && v != "error") {
        std::fprintf(stderr, "verify_fuzz: verdict \"%s\"\n", v.c_str());
        std::abort();
    }
    // Nothing can chain to an empty trust store: a "valid" verdict here is
    // a verifier that failed open.
    if (v == "valid") {
        std::fprintf(stderr, "verify_fuzz: valid with no trust anchor\n");
        std::abort();
    }
    for (const auto& s : report.signatures) {
        if (s.verdict != "invalid" && (!s.digest_ok || !s.signature_ok || !s.structure_ok)) {
            std::fprintf(stderr, "verify_fuzz: signature %d is %s but not intact\n", s.index,
                         s.verdict.c_str());
            std::abort();
        }
    }
    return 0;
}
