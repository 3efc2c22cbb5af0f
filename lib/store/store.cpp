#include "store/store.hpp"

#include "signet/error.hpp"
#include "util/crypto_hash.hpp"
#include "util/fs.hpp"
#include "util/text.hpp"
#include "util/time.hpp"

#include <cstdlib>
#include <sys/stat.h>
#include <unistd.h>

namespace signet::store {
namespace {

constexpr const char* k_database_file = "signet.db";
constexpr const char* k_config_file = "config.yaml";

bool store_exists(const fs::path& dir) {
    std::error_code ec;
    return fs::exists(dir / k_database_file, ec);
}

// Refuses a store that others can read, as ssh refuses loose key files: the
// store holds signed documents, personal data and (later) keys.
void require_private(const fs::path& dir) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) {
        throw bad_input("cannot read the store directory \"" + dir.string() + "\"");
    }
    if ((st.st_mode & 077) != 0) {
        throw bad_input("the store \"" + dir.string() + "\" is readable by other users",
                        {"make it private: chmod 700 '" + dir.string() + "'"});
    }
    if (st.st_uid != ::geteuid()) {
        throw bad_input("the store \"" + dir.string() + "\" belongs to another user");
    }
}

std::string read_meta(Database& db, const char* key) {
    Statement q = db.prepare("SELECT value FROM meta WHERE key = ?");
    q.bind(1, key);
    return q.step() ? q.text(0) : std::string();
}

}  // namespace

StoreLocation locate_store(const std::optional<std::string>& store_flag) {
    if (store_flag && !store_flag->empty()) {
        return {fs::path(*store_flag), "--store"};
    }
    if (const char* home = std::getenv("SIGNET_HOME"); home != nullptr && *home != '\0') {
        return {fs::path(home), "SIGNET_HOME"};
    }
    if (const char* data = std::getenv("XDG_DATA_HOME"); data != nullptr && *data == '/') {
        return {fs::path(data) / "signet", "default"};
    }
    return {util::home_dir() / ".local" / "share" / "signet", "default"};
}

InitResult Store::init(const fs::path& dir, const std::optional<std::string>& organization) {
    if (organization) {
        util::require_clean_line(*organization, "--org");
    }
    InitResult result;
    result.dir = dir;
    if (store_exists(dir)) {
        Store existing(dir);
        result.organization = existing.organization();
        if (organization && *organization != result.organization) {
            throw bad_input("the store \"" + dir.string() + "\" is already initialised for " +
                            (result.organization.empty()
                                 ? std::string("no organisation")
                                 : "the organisation \"" + result.organization + "\""));
        }
        return result;
    }
    std::error_code ec;
    if (fs::exists(dir, ec) && !fs::is_empty(dir, ec)) {
        // Never take over (and chmod) a directory that holds other things.
        throw bad_input("\"" + dir.string() + "\" exists and is not a signet store",
                        {"choose an empty or new directory for the store"});
    }
    util::make_private_dir(dir);
    util::make_private_dir(dir / "documents");
    util::make_private_dir(dir / "outbox");
    const fs::path config_file = dir / k_config_file;
    if (!fs::exists(config_file, ec)) {
        util::write_file_atomic(config_file, default_config_text(guess_config_defaults()));
    }
    {
        Database db(dir / k_database_file, /*create=*/true);
        db.migrate();
        db.write([&] {
            Statement put = db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)");
            put.bind(1, "organization").bind(2, organization.value_or("")).run();
            put.bind(1, "created_at").bind(2, util::rfc3339_utc(util::now())).run();
            put.bind(1, "store_id").bind(2, util::to_hex(util::random_bytes(16))).run();
        });
    }
    ::chmod((dir / k_database_file).c_str(), 0600);
    result.created = true;
    result.organization = organization.value_or("");
    return result;
}

Store::Store(const fs::path& dir) : m_dir(dir) {
    if (!store_exists(dir)) {
        throw bad_input("no signet store at \"" + dir.string() + "\"",
                        {"create one with: signet init (or pass --store DIR, or set SIGNET_HOME)"});
    }
    require_private(dir);
    m_config = load_config(dir / k_config_file);
    m_db = std::make_unique<Database>(dir / k_database_file, /*create=*/false);
    m_db->migrate();
}

std::string Store::organization() { return read_meta(*m_db, "organization"); }

fs::path Store::document_path(const std::string& sha256) const {
    return m_dir / "documents" / sha256.substr(0, 2) / (sha256 + ".pdf");
}

std::string Store::adopt_document(const fs::path& tmp, const std::string& sha256) {
    const fs::path path = document_path(sha256);
    util::make_private_dir(path.parent_path());
    util::publish_synced_file(tmp, path);
    return sha256;
}

fs::path Store::new_document_path() const {
    util::make_private_dir(m_dir / "documents");
    return util::temporary_path_beside(m_dir / "documents" / "new.pdf");
}

std::string Store::put_document(std::string_view bytes) {
    const std::string sha = util::sha256_hex(bytes);
    const fs::path path = document_path(sha);
    std::error_code ec;
    if (fs::exists(path, ec) && fs::file_size(path, ec) == bytes.size()) {
        return sha;
    }
    util::make_private_dir(path.parent_path());
    util::write_file_atomic(path, bytes, 0600);
    return sha;
}

}  // namespace signet::store
