#include "signet/error.hpp"
#include "store/schema.hpp"
#include "store/store.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace signet;

namespace {
unsigned mode_of(const std::filesystem::path& p) {
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return st.st_mode & 0777;
}

std::string pragma(store::Database& db, const char* name) {
    auto q = db.prepare(std::string("PRAGMA ") + name);
    REQUIRE(q.step());
    return q.text(0);
}
}  // namespace

TEST_CASE("init creates a private store with a database, config and folders") {
    test::TempDir tmp;
    const auto dir = tmp.path() / "a" / "store";
    const auto result = store::Store::init(dir, std::string("ACME Sp. z o.o."));
    CHECK(result.created);
    CHECK(mode_of(dir) == 0700);
    CHECK(mode_of(dir / "signet.db") == 0600);
    CHECK(mode_of(dir / "config.yaml") == 0600);
    CHECK(std::filesystem::is_directory(dir / "documents"));
    CHECK(std::filesystem::is_directory(dir / "outbox"));
    store::Store s(dir);
    CHECK(s.organization() == "ACME Sp. z o.o.");
}

TEST_CASE("the database runs in WAL mode with full sync and a busy timeout") {
    test::StoreFixture f;
    CHECK(pragma(f.store.db(), "journal_mode") == "wal");
    CHECK(pragma(f.store.db(), "synchronous") == "2");  // FULL
    CHECK(std::stoi(pragma(f.store.db(), "busy_timeout")) >= 5000);
    CHECK(pragma(f.store.db(), "foreign_keys") == "1");
}

TEST_CASE("init on an existing store is idempotent unless it names another organisation") {
    test::StoreFixture f;
    CHECK_FALSE(store::Store::init(f.dir, std::nullopt).created);
    CHECK_FALSE(store::Store::init(f.dir, std::string("ACME")).created);
    CHECK_THROWS_WITH_AS(store::Store::init(f.dir, std::string("Other")),
                         doctest::Contains("already initialised for the organisation \"ACME\""),
                         Error);
}

TEST_CASE("opening a missing store says how to create one") {
    test::TempDir tmp;
    try {
        store::Store s(tmp.path() / "nowhere");
        FAIL("opened a store that does not exist");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::bad_input);
        REQUIRE(!e.hints().empty());
        CHECK(e.hints()[0].find("signet init") != std::string::npos);
    }
    CHECK_FALSE(std::filesystem::exists(tmp.path() / "nowhere"));
}

TEST_CASE("a store that other users can read is refused") {
    test::StoreFixture f;
    ::chmod(f.dir.c_str(), 0755);
    CHECK_THROWS_WITH_AS(store::Store{f.dir}, doctest::Contains("readable by other users"), Error);
}

TEST_CASE("the store is found by --store, then SIGNET_HOME, then the XDG default") {
    ::setenv("SIGNET_HOME", "/tmp/from-env", 1);
    CHECK(store::locate_store(std::string("/tmp/from-flag")).dir == "/tmp/from-flag");
    CHECK(store::locate_store(std::nullopt).dir == "/tmp/from-env");
    ::unsetenv("SIGNET_HOME");
    ::setenv("XDG_DATA_HOME", "/tmp/xdg", 1);
    CHECK(store::locate_store(std::nullopt).dir == "/tmp/xdg/signet");
    ::unsetenv("XDG_DATA_HOME");
    CHECK(store::locate_store(std::nullopt).dir.string().find(".local/share/signet") !=
          std::string::npos);
}

TEST_CASE("migrations upgrade an older store step by step and refuse a newer one") {
    test::TempDir tmp;
    const auto file = tmp.path() / "db";
    const std::vector<std::string> v1 = {
        "CREATE TABLE schema_version (version INTEGER NOT NULL); CREATE TABLE t (a INTEGER);"};
    std::vector<std::string> v2 = v1;
    v2.push_back("ALTER TABLE t ADD COLUMN b TEXT NOT NULL DEFAULT 'x';");
    {
        store::Database db(file, true);
        store::apply_migrations(db, v1, "db");
        CHECK(db.schema_version() == 1);
        db.exec("INSERT INTO t (a) VALUES (7)");
    }
    {
        store::Database db(file, true);
        store::apply_migrations(db, v2, "db");
        CHECK(db.schema_version() == 2);
        auto q = db.prepare("SELECT a, b FROM t");
        REQUIRE(q.step());
        CHECK(q.integer(0) == 7);  // the data survived the upgrade
        CHECK(q.text(1) == "x");
    }
    {
        store::Database db(file, true);
        CHECK_THROWS_WITH_AS(store::apply_migrations(db, v1, "db"),
                             doctest::Contains("newer than this signet knows"), Error);
    }
}

TEST_CASE("a failed write transaction leaves nothing behind") {
    test::StoreFixture f;
    auto& db = f.store.db();
    CHECK_THROWS(db.write([&] {
        db.exec("INSERT INTO meta (key, value) VALUES ('probe', '1')");
        throw bad_input("stop");
    }));
    auto q = db.prepare("SELECT count(*) FROM meta WHERE key = 'probe'");
    q.step();
    CHECK(q.integer(0) == 0);
}

TEST_CASE("concurrent writers in several processes never fail with a locked database") {
    test::StoreFixture f;
    constexpr int k_processes = 4;
    constexpr int k_writes = 50;
    std::vector<pid_t> children;
    for (int p = 0; p < k_processes; ++p) {
        const pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            int status = 0;
            try {
                store::Store s(f.dir);
                for (int i = 0; i < k_writes; ++i) {
                    s.db().write([&] {
                        // Read then write inside one transaction: the classic
                        // lost-update pattern if locks were taken lazily.
                        auto read = s.db().prepare(
                            "SELECT coalesce((SELECT value FROM meta WHERE key='n'), '0')");
                        read.step();
                        const int n = std::stoi(read.text(0));
                        s.db().prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('n', ?)")
                            .bind(1, std::to_string(n + 1))
                            .run();
                    });
                }
            } catch (...) {
                status = 1;
            }
            ::_exit(status);
        }
        children.push_back(pid);
    }
    for (const pid_t pid : children) {
        int status = 0;
        ::waitpid(pid, &status, 0);
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 0);
    }
    auto q = f.store.db().prepare("SELECT value FROM meta WHERE key='n'");
    REQUIRE(q.step());
    CHECK(q.text(0) == std::to_string(k_processes * k_writes));  // no update lost
}

TEST_CASE("the same document bytes are stored once under their SHA-256") {
    test::StoreFixture f;
    const std::string a = f.store.put_document("%PDF-1.4 one");
    const std::string b = f.store.put_document("%PDF-1.4 one");
    CHECK(a == b);
    CHECK(a.size() == 64);
    CHECK(std::filesystem::exists(f.store.document_path(a)));
    CHECK(mode_of(f.store.document_path(a)) == 0600);
    std::size_t files = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(f.dir / "documents")) {
        files += entry.is_regular_file() ? 1U : 0U;
    }
    CHECK(files == 1);
}

TEST_CASE("config.yaml errors name the file, line and column") {
    test::TempDir tmp;
    const auto file = tmp.path() / "config.yaml";
    std::ofstream(file) << "phone_region: PL\ntimezone: Mars/Olympus\n";
    CHECK_THROWS_WITH_AS(store::load_config(file),
                         doctest::Contains("config.yaml:2:11: unknown time zone"), Error);
    std::ofstream(file) << "phone_region: PL\ncolour: blue\n";
    CHECK_THROWS_WITH(store::load_config(file), doctest::Contains("config.yaml:2:1: unknown setting"));
    std::ofstream(file) << "phone_region: PL\ntimezone: Europe/Warsaw\ndate_format: \"%d.%m.%Y\"\n"
                           "expires_in: 30d\nlocale: pl\n";
    const auto config = store::load_config(file);
    CHECK(config.phone_region == "PL");
    CHECK(config.timezone == "Europe/Warsaw");
    CHECK(config.expires_in_days == 30);
    CHECK(config.locale == "pl");
}

TEST_CASE("the config init writes is commented and reads back as written") {
    test::StoreFixture f;
    const std::string text = util::read_file(f.dir / "config.yaml");
    CHECK(text.find("# Region for phone numbers") != std::string::npos);
    CHECK(text.find("phone_region:") != std::string::npos);
    CHECK(text.find("timezone:") != std::string::npos);
    CHECK(text.find("date_format:") != std::string::npos);
    CHECK_NOTHROW(store::load_config(f.dir / "config.yaml"));
}
