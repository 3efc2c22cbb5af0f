#include "store/database.hpp"

#include "signet/error.hpp"
#include "store/schema.hpp"

#include <sqlite3.h>

namespace signet::store {

namespace {
constexpr int k_busy_timeout_ms = 10000;
// Idle statements kept per SQL text (more than one only while the same
// query is open twice at once, as in a nested loop).
constexpr std::size_t k_idle_per_query = 4;
}

[[noreturn]] void throw_sqlite_error(sqlite3* db, int rc, std::string_view context) {
    const std::string message =
        std::string(context) + ": " + (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    const int primary = rc & 0xFF;
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
        throw Error(ErrorKind::busy, "the store is busy: " + message,
                    {"another signet process holds the store; try again"});
    }
    if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) {
        throw bad_input("the store's database is damaged: " + message);
    }
    throw internal_error("database error: " + message);
}

Statement::Statement(sqlite3* db, std::string_view sql) : m_db(db) {
    const int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &m_stmt, nullptr);
    if (rc != SQLITE_OK) {
        throw_sqlite_error(db, rc, "preparing a query");
    }
}

Statement::Statement(Database& owner, sqlite3* db, sqlite3_stmt* stmt, std::string sql)
    : m_db(db), m_stmt(stmt), m_owner(&owner), m_sql(std::move(sql)) {}

Statement::~Statement() {
    if (m_owner != nullptr && m_stmt != nullptr) {
        m_owner->release(std::move(m_sql), m_stmt);
    } else {
        sqlite3_finalize(m_stmt);
    }
}

Statement::Statement(Statement&& other) noexcept
    : m_db(other.m_db), m_stmt(other.m_stmt), m_owner(other.m_owner), m_sql(std::move(other.m_sql)) {
    other.m_stmt = nullptr;
}

Statement& Statement::bind(int index, std::string_view text) {
    const int rc = sqlite3_bind_text(m_stmt, index, text.data(), static_cast<int>(text.size()),
                                     SQLITE_TRANSIENT);
    if (rc != SQLITE_OK) {
        throw_sqlite_error(m_db, rc, "binding a value");
    }
    return *this;
}

Statement& Statement::bind(int index, std::int64_t n) {
    const int rc = sqlite3_bind_int64(m_stmt, index, n);
    if (rc != SQLITE_OK) {
        throw_sqlite_error(m_db, rc, "binding a value");
    }
    return *this;
}

Statement& Statement::bind(int index, double d) {
    const int rc = sqlite3_bind_double(m_stmt, index, d);
    if (rc != SQLITE_OK) {
        throw_sqlite_error(m_db, rc, "binding a value");
    }
    return *this;
}

Statement& Statement::bind(int index, const std::optional<std::string>& text) {
    return text ? bind(index, std::string_view(*text)) : bind_null(index);
}

Statement& Statement::bind(int index, const std::optional<std::int64_t>& n) {
    return n ? bind(index, *n) : bind_null(index);
}

Statement& Statement::bind_null(int index) {
    const int rc = sqlite3_bind_null(m_stmt, index);
    if (rc != SQLITE_OK) {
        throw_sqlite_error(m_db, rc, "binding a value");
    }
    return *this;
}

bool Statement::step() {
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW) {
        return true;
    }
    if (rc == SQLITE_DONE) {
        return false;
    }
    throw_sqlite_error(m_db, rc, "running a query");
}

void Statement::run() {
    while (step()) {
    }
    reset();
}

void Statement::reset() {
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
}

std::string_view Statement::text_view(int column) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, column));
    if (p == nullptr) {
        return {};
    }
    return std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, column)));
}

std::string Statement::text(int column) const { return std::string(text_view(column)); }

std::optional<std::string> Statement::optional_text(int column) const {
    if (is_null(column)) {
        return std::nullopt;
    }
    return text(column);
}

std::int64_t Statement::integer(int column) const { return sqlite3_column_int64(m_stmt, column); }

std::optional<std::int64_t> Statement::optional_integer(int column) const {
    if (is_null(column)) {
        return std::nullopt;
    }
    return integer(column);
}

double Statement::real(int column) const { return sqlite3_column_double(m_stmt, column); }

bool Statement::is_null(int column) const {
    return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
}

Database::Database(const std::filesystem::path& file, bool create) : m_file(file) {
    const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) |
                      SQLITE_OPEN_NOMUTEX;
    const int rc = sqlite3_open_v2(file.c_str(), &m_db, flags, nullptr);
    if (rc != SQLITE_OK) {
        const std::string why = m_db != nullptr ? sqlite3_errmsg(m_db) : sqlite3_errstr(rc);
        sqlite3_close(m_db);
        m_db = nullptr;
        throw bad_input("cannot open the store database \"" + file.string() + "\": " + why);
    }
    sqlite3_busy_timeout(m_db, k_busy_timeout_ms);
    sqlite3_extended_result_codes(m_db, 1);
    // WAL lets readers work beside one writer; synchronous=FULL makes each
    // commit survive a power loss, not only a process crash.
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=FULL");
    exec("PRAGMA foreign_keys=ON");
}

Database::~Database() {
    for (auto& [sql, statements] : m_idle) {
        for (sqlite3_stmt* stmt : statements) {
            sqlite3_finalize(stmt);
        }
    }
    sqlite3_close(m_db);
}

Statement Database::prepare(std::string_view sql) {
    std::string key(sql);
    auto it = m_idle.find(key);
    if (it != m_idle.end() && !it->second.empty()) {
        sqlite3_stmt* stmt = it->second.back();
        it->second.pop_back();
        return Statement(*this, m_db, stmt, std::move(key));
    }
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(m_db, key.data(), static_cast<int>(key.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(stmt);
        throw_sqlite_error(m_db, rc, "preparing a query");
    }
    return Statement(*this, m_db, stmt, std::move(key));
}

void Database::release(std::string sql, sqlite3_stmt* stmt) noexcept {
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    try {
        std::vector<sqlite3_stmt*>& idle = m_idle[std::move(sql)];
        if (idle.size() < k_idle_per_query) {
            idle.push_back(stmt);
            return;
        }
    } catch (...) {
        // Out of memory: the statement is finalized instead.
    }
    sqlite3_finalize(stmt);
}

void Database::exec(std::string_view sql) {
    char* err = nullptr;
    const std::string sql_text(sql);
    const int rc = sqlite3_exec(m_db, sql_text.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
        sqlite3_free(err);
        throw_sqlite_error(m_db, rc, "running \"" + sql_text.substr(0, 40) + "\"");
    }
}

void Database::transaction(const char* begin, const std::function<void()>& fn) {
    exec(begin);
    try {
        fn();
        exec("COMMIT");
    } catch (...) {
        sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
}

void Database::write(const std::function<void()>& fn) { transaction("BEGIN IMMEDIATE", fn); }

void Database::read(const std::function<void()>& fn) { transaction("BEGIN", fn); }

std::int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(m_db); }

int Database::changes() const { return sqlite3_changes(m_db); }

int Database::schema_version() {
    Statement exists = prepare(
        "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='schema_version'");
    exists.step();
    if (exists.integer(0) == 0) {
        return 0;
    }
    Statement version = prepare("SELECT max(version) FROM schema_version");
    return version.step() ? static_cast<int>(version.integer(0)) : 0;
}

int Database::newest_schema_version() { return static_cast<int>(schema_migrations().size()); }

void Database::migrate() { apply_migrations(*this, schema_migrations(), m_file.string()); }

}  // namespace signet::store
