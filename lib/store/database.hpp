// A thin RAII layer over SQLite: one connection, prepared statements,
// write transactions that take the lock up front, and schema migrations.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace signet::store {

class Database;

class Statement {
public:
    Statement(sqlite3* db, std::string_view sql);
    ~Statement();
    Statement(Statement&& other) noexcept;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    Statement& operator=(Statement&&) = delete;

    // Parameters are 1-based, as in SQLite.
    Statement& bind(int index, std::string_view text);
    Statement& bind(int index, std::int64_t n);
    Statement& bind(int index, int n) { return bind(index, static_cast<std::int64_t>(n)); }
    Statement& bind(int index, double d);
    Statement& bind(int index, bool b) { return bind(index, static_cast<std::int64_t>(b)); }
    // Binds NULL when the optional is empty.
    Statement& bind(int index, const std::optional<std::string>& text);
    Statement& bind(int index, const std::optional<std::int64_t>& n);
    Statement& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
    Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
    Statement& bind_null(int index);

    // Advances; true while there is a row.
    bool step();
    // Runs a statement that returns no rows.
    void run();
    void reset();

    std::string text(int column) const;
    std::string_view text_view(int column) const;  // valid until the next step
    std::optional<std::string> optional_text(int column) const;
    std::int64_t integer(int column) const;
    std::optional<std::int64_t> optional_integer(int column) const;
    double real(int column) const;
    bool is_null(int column) const;

private:
    friend class Database;
    // A statement of Database::prepare's cache, given back to it when done.
    Statement(Database& owner, sqlite3* db, sqlite3_stmt* stmt, std::string sql);

    sqlite3* m_db;
    sqlite3_stmt* m_stmt = nullptr;
    Database* m_owner = nullptr;
    std::string m_sql;  // the cache's key, when m_owner is set
};

class Database {
public:
    // Opens (creating if asked) the database file with the store's settings:
    // WAL, synchronous=FULL, foreign keys, a busy timeout.
    Database(const std::filesystem::path& file, bool create);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    // A prepared statement for sql. Statements are kept after use (reset,
    // bindings cleared) and handed out again for the same text, so a query
    // run once per envelope is compiled once per connection. A Statement
    // must not outlive its Database.
    Statement prepare(std::string_view sql);
    void exec(std::string_view sql);

    // Runs fn inside BEGIN IMMEDIATE ... COMMIT: the write lock is taken up
    // front, so two writers never deadlock upgrading a read lock. Rolls back
    // and rethrows when fn throws. Not reentrant.
    void write(const std::function<void()>& fn);

    // Runs fn inside a read transaction: one consistent snapshot.
    void read(const std::function<void()>& fn);

    std::int64_t last_insert_rowid() const;
    int changes() const;

    // The schema version recorded in the store (0 for a new file).
    int schema_version();

    // Brings the schema to the newest version this build knows, one
    // migration per transaction. Refuses a store made by a newer build.
    void migrate();

    static int newest_schema_version();

    sqlite3* handle() { return m_db; }

private:
    friend class Statement;
    // Takes back a statement of the cache (reset, bindings cleared).
    void release(std::string sql, sqlite3_stmt* stmt) noexcept;

    // Runs fn between `begin` and COMMIT, rolling back when it throws.
    void transaction(const char* begin, const std::function<void()>& fn);

    sqlite3* m_db = nullptr;
    std::unordered_map<std::string, std::vector<sqlite3_stmt*>> m_idle;  // by SQL text
    std::filesystem::path m_file;
};

// Throws the signet error matching an SQLite result code (busy → 75).
[[noreturn]] void throw_sqlite_error(sqlite3* db, int rc, std::string_view context);

}  // namespace signet::store
