// The envelope store: a private directory holding signet.db, config.yaml,
// documents/ (PDF blobs addressed by SHA-256) and outbox/.
#pragma once

#include "store/config.hpp"
#include "store/database.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace signet::store {

namespace fs = std::filesystem;

// Where the store is and why there: "--store", "SIGNET_HOME" or "default".
struct StoreLocation {
    fs::path dir;
    std::string source;
};

// --store DIR, else $SIGNET_HOME, else $XDG_DATA_HOME/signet, else
// ~/.local/share/signet.
StoreLocation locate_store(const std::optional<std::string>& store_flag);

struct InitResult {
    fs::path dir;
    bool created = false;  // false: the store was already there
    std::string organization;
};

class Store {
public:
    // Creates the store in dir, or checks an existing one (CLI.md's
    // idempotency: an existing store is fine unless `organization` names a
    // different one). Upgrades an older schema.
    static InitResult init(const fs::path& dir, const std::optional<std::string>& organization);

    // Opens an existing store; throws bad_input (with a hint to run `signet
    // init`) when there is none, and upgrades an older schema.
    explicit Store(const fs::path& dir);

    const fs::path& dir() const { return m_dir; }
    Database& db() { return *m_db; }
    const Config& config() const { return m_config; }
    std::string organization();

    // Stores a PDF's bytes under their SHA-256 (once: the same bytes are not
    // written again) and returns the hash. Call before the transaction that
    // refers to it; an unreferenced blob is harmless.
    std::string put_document(std::string_view bytes);
    fs::path document_path(const std::string& sha256) const;
    // Moves a finished file (written beside documents/ with mode 0600 and
    // already flushed to disk, as pdf::IncrementalUpdate::write leaves it)
    // into the documents under its SHA-256 `sha256`; returns the hash.
    std::string adopt_document(const fs::path& tmp, const std::string& sha256);
    // A temporary path inside documents/ for a file about to be adopted.
    fs::path new_document_path() const;

    fs::path outbox_dir() const { return m_dir / "outbox"; }

private:
    fs::path m_dir;
    std::unique_ptr<Database> m_db;
    Config m_config;
};

}  // namespace signet::store
