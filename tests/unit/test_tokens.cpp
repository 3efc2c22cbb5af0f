#include "auth/tokens.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <set>
#include <sys/stat.h>

using namespace signet;

TEST_CASE("the token key is created once, private, and reused") {
    test::TempDir tmp;
    const auto a = auth::TokenKey::load_or_create(tmp.path() / "keys");
    const auto b = auth::TokenKey::load_or_create(tmp.path() / "keys");
    CHECK(a.mac("x") == b.mac("x"));
    struct stat st {};
    REQUIRE(::stat((tmp.path() / "keys" / "token.key").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("access tokens carry 130 bits and are bound to the envelope, the party and the nonce") {
    const auth::TokenKey key(std::string(32, 'k'));
    const std::string t = auth::derive_access_token(key, "abcd2345", "client", "n1");
    CHECK(t.size() == 26);
    CHECK(t.find_first_not_of("abcdefghijklmnopqrstuvwxyz234567") == std::string::npos);
    CHECK(auth::derive_access_token(key, "abcd2345", "client", "n1") == t);
    std::set<std::string> others = {
        auth::derive_access_token(key, "abcd2346", "client", "n1"),
        auth::derive_access_token(key, "abcd2345", "company", "n1"),
        auth::derive_access_token(key, "abcd2345", "client", "n2"),
        auth::derive_access_token(auth::TokenKey(std::string(32, 'j')), "abcd2345", "client", "n1"),
    };
    CHECK(others.size() == 4);
    CHECK(others.count(t) == 0);
}

TEST_CASE("the stored token hash is not the token") {
    const std::string h = auth::token_hash("tokentokentokentokentokent");
    CHECK(h.size() == 64);
    CHECK(h.find("tokentoken") == std::string::npos);
}

TEST_CASE("one-time codes are six digits and their stored hash is keyed") {
    const auth::TokenKey key(std::string(32, 'k'));
    std::set<std::string> codes;
    for (int i = 0; i < 50; ++i) {
        const std::string c = auth::derive_code(key, "<m" + std::to_string(i) + "@signet>");
        CHECK(c.size() == 6);
        CHECK(c.find_first_not_of("0123456789") == std::string::npos);
        codes.insert(c);
    }
    CHECK(codes.size() > 45);
    const auth::TokenKey other(std::string(32, 'o'));
    CHECK(auth::code_hash(key, "e", "client", "123456") != auth::code_hash(other, "e", "client", "123456"));
    CHECK(auth::code_hash(key, "e", "client", "123456") != auth::code_hash(key, "e", "company", "123456"));
}

TEST_CASE("constant-time comparison compares whole strings") {
    CHECK(auth::constant_time_equal("abc", "abc"));
    CHECK_FALSE(auth::constant_time_equal("abc", "abd"));
    CHECK_FALSE(auth::constant_time_equal("abc", "abcd"));
}
