// Shared test fixtures: a temporary directory that cleans up after itself,
// and a fresh store inside one.
#pragma once

#include "signet/error.hpp"
#include "store/config.hpp"
#include "store/store.hpp"
#include "util/fs.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace signet::test {

class TempDir {
public:
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "signet-test.XXXXXX").string();
        if (::mkdtemp(tmpl.data()) == nullptr) {
            throw std::runtime_error("mkdtemp failed");
        }
        m_path = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(m_path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return m_path; }

private:
    std::filesystem::path m_path;
};

// A new store in a temporary directory.
struct StoreFixture {
    TempDir tmp;
    std::filesystem::path dir = tmp.path() / "store";
    store::Store store = make();

    store::Store make() {
        store::Store::init(dir, std::string("ACME"));
        return store::Store(dir);
    }
};

inline std::filesystem::path fixture(const std::string& name) {
    return std::filesystem::path(SIGNET_FIXTURES) / name;
}

// The error that loading `yaml` as config.yaml gives, from "config.yaml:"
// on (its line and column, then what is wrong). Fails the test when the
// config loads, or fails with anything but bad_input.
inline std::string config_error(const std::string& yaml) {
    TempDir tmp;
    util::write_file_atomic(tmp.path() / "config.yaml", yaml, 0600);
    try {
        store::load_config(tmp.path() / "config.yaml");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::bad_input);
        const std::string text = e.what();
        const auto at = text.find("config.yaml:");
        return at == std::string::npos ? text : text.substr(at);
    }
    FAIL("no error for: " << yaml);
    return {};
}

}  // namespace signet::test
