// Shared test fixtures: a temporary directory that cleans up after itself,
// and a fresh store inside one.
#pragma once

#include "store/store.hpp"
#include "util/fs.hpp"

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

}  // namespace signet::test
