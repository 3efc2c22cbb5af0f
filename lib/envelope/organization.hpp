// The organisation behind a store: the store itself plus its keys (root CA,
// issuing CA, seal, token key) in the store's keys/ directory.
#pragma once

#include "crypto/pki.hpp"
#include "store/store.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace signet::envelope {

struct InitRequest {
    std::filesystem::path dir;
    std::optional<std::string> organization;  // default: the store's, else the host name
    std::optional<std::filesystem::path> seal_p12;  // import the seal instead of making one
};

struct InitResult {
    std::filesystem::path dir;
    bool created = false;       // the store was made now
    bool keys_created = false;  // the keys were made (or imported) now
    std::string organization;
};

// Creates the store and the organisation's keys, or checks an existing
// store (CLI.md's idempotency), adding keys to a store made before signet
// had them. The key passphrase comes from SIGNET_KEY_PASSPHRASE or the
// terminal (asked twice), never from the command line; a PKCS#12 file's own
// passphrase from SIGNET_P12_PASSPHRASE or the terminal.
InitResult initialise(const InitRequest& request);

// The store's keys directory.
std::filesystem::path keys_dir(const store::Store& store);

// Loads the organisation's PKI, asking for the key passphrase as above.
crypto::OrganizationPki load_pki(const store::Store& store);

}  // namespace signet::envelope
