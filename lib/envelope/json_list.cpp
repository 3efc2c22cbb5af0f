#include "envelope/json_list.hpp"

#include "delivery/outbox.hpp"
#include "envelope/envelope_json.hpp"
#include "signet/error.hpp"
#include "util/crypto_hash.hpp"
#include "util/fs.hpp"
#include "util/json.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <condition_variable>
#include <deque>
#include <memory>
#include <exception>
#include <mutex>
#include <thread>

namespace signet::envelope {
namespace {

namespace fs = std::filesystem;

// Collects output and hands it on in pieces of about k_chunk bytes, so that
// a listing of 100 000 envelopes needs little memory and few writes.
class Chunks {
public:
    explicit Chunks(const std::function<void(std::string_view)>& write) : m_write(write) {
        m_buffer.reserve(k_chunk + k_chunk / 8);
    }
    std::string& buffer() { return m_buffer; }
    void maybe_flush() {
        if (m_buffer.size() >= k_chunk) {
            flush();
        }
    }
    void flush() {
        if (!m_buffer.empty()) {
            m_write(m_buffer);
            m_buffer.clear();
        }
    }

private:
    static constexpr std::size_t k_chunk = std::size_t{1} << 20;
    const std::function<void(std::string_view)>& m_write;
    std::string m_buffer;
};

// Writes envelopes as JSON on a second thread while the calling thread
// reads the store: reading and writing each take about half the time of a
// listing from the rows. Envelopes are copied into a few reused batches,
// so memory stays small; the output is the same, in the same order.
class JsonListWriter {
public:
    JsonListWriter(util::JsonWriter& w, Chunks& out) : m_batches(k_batches) {
        for (Batch& b : m_batches) {
            b.envelopes.resize(k_batch_size);
            m_free.push_back(&b);
        }
        m_thread = std::thread([this, &w, &out] { run(w, out); });
    }
    ~JsonListWriter() { stop(); }
    JsonListWriter(const JsonListWriter&) = delete;
    JsonListWriter& operator=(const JsonListWriter&) = delete;

    void add(const Envelope& e) {
        if (m_current == nullptr) {
            std::unique_lock<std::mutex> lock(m_mutex);
            m_changed.wait(lock, [this] { return !m_free.empty() || m_error; });
            if (m_error) {
                std::rethrow_exception(m_error);
            }
            m_current = m_free.front();
            m_free.pop_front();
            m_current->count = 0;
        }
        m_current->envelopes[m_current->count++] = e;
        if (m_current->count == k_batch_size) {
            hand_over();
        }
    }

    // Writes what is left and waits for the thread; rethrows its error.
    void finish() {
        if (m_current != nullptr) {
            hand_over();
        }
        stop();
        if (m_error) {
            std::rethrow_exception(m_error);
        }
    }

private:
    static constexpr std::size_t k_batches = 4;
    static constexpr std::size_t k_batch_size = 256;
    struct Batch {
        std::vector<Envelope> envelopes;
        std::size_t count = 0;
    };

    void hand_over() {
        {
            const std::lock_guard<std::mutex> lock(m_mutex);
            m_full.push_back(m_current);
        }
        m_current = nullptr;
        m_changed.notify_all();
    }

    void stop() {
        {
            const std::lock_guard<std::mutex> lock(m_mutex);
            m_done = true;
        }
        m_changed.notify_all();
        if (m_thread.joinable()) {
            m_thread.join();
        }
    }

    void run(util::JsonWriter& w, Chunks& out) {
        for (;;) {
            Batch* batch = nullptr;
            {
                std::unique_lock<std::mutex> lock(m_mutex);
                m_changed.wait(lock, [this] { return !m_full.empty() || m_done; });
                if (m_full.empty()) {
                    return;
                }
                batch = m_full.front();
                m_full.pop_front();
            }
            std::exception_ptr error;
            try {
                for (std::size_t i = 0; i < batch->count && !m_error; ++i) {
                    write_envelope_json(w, batch->envelopes[i]);
                    out.maybe_flush();
                }
            } catch (...) {
                error = std::current_exception();
            }
            {
                const std::lock_guard<std::mutex> lock(m_mutex);
                if (error && !m_error) {
                    m_error = error;
                }
                m_free.push_back(batch);
            }
            m_changed.notify_all();
        }
    }

    std::vector<Batch> m_batches;
    std::deque<Batch*> m_free;  // guarded by m_mutex, as are the three below
    std::deque<Batch*> m_full;
    bool m_done = false;
    std::exception_ptr m_error;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    Batch* m_current = nullptr;  // being filled by the calling thread
    std::thread m_thread;
};

// The list written from the rows: what the cache must reproduce.
void write_from_rows(store::Database& db, const JsonListOptions& options, Chunks& out,
                     JsonListReport& report) {
    util::JsonWriter w(out.buffer(), options.pretty);
    w.begin_object();
    w.field("schema", 1);
    w.key("envelopes").begin_array();
    {
        JsonListWriter writer(w, out);
        for_each_envelope(db, options.filter, [&](const Envelope& e) {
            writer.add(e);
            ++report.envelopes;
        });
        writer.finish();
    }
    w.end_array();
    w.end_object();
    if (!options.pretty) {
        out.buffer() += '\n';  // the indented document ends with one too
    }
}

// A connection to the cache file, which is not the store's database: its
// own page size, no foreign keys, commits that need not survive a power
// loss (a lost cache is rebuilt).
class CacheDb {
public:
    CacheDb(const fs::path& file, int busy_timeout_ms) {
        const int rc = sqlite3_open_v2(
            file.c_str(), &m_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
            nullptr);
        if (rc != SQLITE_OK) {
            const std::string why = m_db != nullptr ? sqlite3_errmsg(m_db) : sqlite3_errstr(rc);
            sqlite3_close_v2(m_db);
            throw internal_error("cannot open \"" + file.string() + "\": " + why);
        }
        sqlite3_busy_timeout(m_db, busy_timeout_ms);
        sqlite3_extended_result_codes(m_db, 1);
        // page_size first: WAL fixes it.
        exec("PRAGMA page_size = 65536");
        exec("PRAGMA journal_mode = WAL");
        exec("PRAGMA synchronous = NORMAL");
    }
    ~CacheDb() { sqlite3_close_v2(m_db); }
    CacheDb(const CacheDb&) = delete;
    CacheDb& operator=(const CacheDb&) = delete;

    store::Statement prepare(std::string_view sql) { return store::Statement(m_db, sql); }
    void exec(const char* sql) {
        const int rc = sqlite3_exec(m_db, sql, nullptr, nullptr, nullptr);
        if (rc != SQLITE_OK) {
            store::throw_sqlite_error(m_db, rc, sql);
        }
    }

private:
    sqlite3* m_db = nullptr;
};

const char* const k_cache_schema =
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS envelope_json ("
    " envelope_seq INTEGER PRIMARY KEY, version INTEGER NOT NULL, json TEXT NOT NULL)";

bool cache_in_our_format(CacheDb& cache) {
    store::Statement q = cache.prepare("SELECT value FROM meta WHERE key = 'format'");
    return q.step() && q.text_view(0) == json_cache_format();
}

void remove_cache(const fs::path& file) {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm"}) {
        fs::remove(fs::path(file.string() + suffix), ec);
    }
}

// Opens the cache for reading, creating it when missing; nothing when it
// cannot be had (a store this user may only read, a busy or broken file,
// which is removed to be made again next time).
std::unique_ptr<CacheDb> open_cache(const fs::path& file) {
    for (int attempt = 0; attempt < 2; ++attempt) {
        try {
            util::make_private_dir(file.parent_path());
            // Private, as the store's files are; SQLite gives its -wal and
            // -shm files the mode of this one.
            const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
            if (fd >= 0) {
                ::close(fd);
            }
            auto cache = std::make_unique<CacheDb>(file, 2000);
            cache->exec(k_cache_schema);
            return cache;
        } catch (const Error& e) {
            if (e.kind() == ErrorKind::busy || attempt > 0) {
                return nullptr;
            }
            remove_cache(file);
        }
    }
    return nullptr;
}

// Writes newly made JSON into the cache from a second connection (the
// first is reading the cache in a snapshot of its own), in one transaction
// taken without waiting: while another listing writes, this one does not.
class CacheWriter {
public:
    explicit CacheWriter(fs::path file) : m_file(std::move(file)) {}
    ~CacheWriter() {
        if (m_cache) {
            try {
                m_cache->exec("ROLLBACK");
            } catch (const Error&) {
            }
        }
    }
    CacheWriter(const CacheWriter&) = delete;
    CacheWriter& operator=(const CacheWriter&) = delete;

    // True when the JSON was written (to be committed by commit()).
    bool put(std::int64_t seq, std::int64_t version, const std::string& json) {
        if (m_failed) {
            return false;
        }
        try {
            if (!m_cache) {
                begin();
            }
            m_insert->bind(1, seq).bind(2, version).bind(3, json).run();
            return true;
        } catch (const Error&) {
            fail();
            return false;
        }
    }

    void commit() {
        if (!m_cache) {
            return;
        }
        try {
            m_insert.reset();
            m_cache->exec("COMMIT");
            m_cache.reset();
        } catch (const Error&) {
            fail();
        }
    }

private:
    void begin() {
        m_cache = std::make_unique<CacheDb>(m_file, 0);
        m_cache->exec("BEGIN IMMEDIATE");
        if (!cache_in_our_format(*m_cache)) {
            // Made by another build: start again.
            m_cache->exec("DELETE FROM envelope_json");
            store::Statement format =
                m_cache->prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('format', ?)");
            format.bind(1, json_cache_format()).run();
        }
        m_insert = std::make_unique<store::Statement>(m_cache->prepare(
            "INSERT OR REPLACE INTO envelope_json (envelope_seq, version, json) VALUES (?,?,?)"));
    }

    void fail() {
        m_failed = true;
        m_insert.reset();
        m_cache.reset();  // closing rolls back
    }

    fs::path m_file;
    std::unique_ptr<CacheDb> m_cache;
    std::unique_ptr<store::Statement> m_insert;
    bool m_failed = false;
};

// The compact list, each envelope from the cache when its version there is
// the envelope's, else from its rows (and then cached).
void write_from_cache(store::Store& store, const JsonListOptions& options, Chunks& out,
                      JsonListReport& report) {
    store::Database& db = store.db();
    const fs::path file = json_cache_file(store);
    db.read([&] {
        const auto pending = delivery::pending_by_envelope(db);
        const std::vector<PendingMessage> none;
        EnvelopeLoader loader(db);
        Envelope e;
        std::string computed;
        store::Statement envelopes =
            db.prepare("SELECT e.seq, v.version FROM envelopes e"
                       " LEFT JOIN envelope_versions v ON v.envelope_seq = e.seq" +
                       filter_sql(options.filter) + " ORDER BY e.seq");
        bind_filter(envelopes, options.filter);

        std::unique_ptr<CacheDb> cache = open_cache(file);
        std::unique_ptr<store::Statement> cached;
        bool cached_row = false;
        bool cache_broken = false;
        // Steps to the next cached JSON; a cache that fails to read is done
        // without from there on (the list stays right) and removed after.
        auto next_cached = [&] {
            try {
                cached_row = cached->step();
            } catch (const Error&) {
                cached_row = false;
                cache_broken = true;
            }
        };
        if (cache) {
            try {
                cache->exec("BEGIN");
                if (cache_in_our_format(*cache)) {
                    cached = std::make_unique<store::Statement>(
                        cache->prepare("SELECT envelope_seq, version, json FROM envelope_json"
                                       " ORDER BY envelope_seq"));
                    report.cache_used = true;
                    next_cached();
                }
            } catch (const Error&) {
                cache_broken = true;
            }
        }
        CacheWriter writer(file);

        std::string& buffer = out.buffer();
        buffer += "{\"schema\":1,\"envelopes\":[";
        while (envelopes.step()) {
            const std::int64_t seq = envelopes.integer(0);
            const std::optional<std::int64_t> version = envelopes.optional_integer(1);
            while (cached_row && cached->integer(0) < seq) {
                next_cached();
            }
            std::string_view stored;
            if (cached_row && version && cached->integer(0) == seq &&
                cached->integer(1) == *version) {
                stored = cached->text_view(2);
                ++report.from_cache;
            } else {
                if (!loader.load(seq, e)) {
                    throw internal_error("envelope " + std::to_string(seq) +
                                         " vanished while listing");
                }
                computed = stored_json(e);
                stored = computed;
                // No version: a row the triggers did not make; never cached.
                if (version && cache && writer.put(seq, *version, computed)) {
                    ++report.cached;
                }
            }
            if (report.envelopes++ > 0) {
                buffer += ',';
            }
            const auto undelivered = pending.find(seq);
            append_envelope_json(buffer, stored,
                                 undelivered == pending.end() ? none : undelivered->second);
            out.maybe_flush();
        }
        buffer += "]}\n";
        cached.reset();
        if (cache_broken) {
            cache.reset();
            remove_cache(file);
            return;  // the writer rolls back
        }
        if (cache) {
            try {
                cache->exec("COMMIT");  // the reading: lets the commit below checkpoint
            } catch (const Error&) {
            }
        }
        writer.commit();
    });
}

}  // namespace

fs::path json_cache_file(const store::Store& store) {
    return store.dir() / "cache" / "status.db";
}

std::string stored_json(const Envelope& e) {
    std::string out;
    util::JsonWriter w(out, /*pretty=*/false);
    w.begin_object();
    write_envelope_stored_keys(w, e);
    return out;  // the object stays open: "undelivered" follows
}

void append_envelope_json(std::string& out, std::string_view stored,
                          const std::vector<PendingMessage>& undelivered) {
    out += stored;
    if (undelivered.empty()) {
        out += ",\"undelivered\":[]}";
        return;
    }
    // What the writer of the whole envelope writes after the stored keys:
    // a comma, the key and the list, the closing brace.
    std::string rest;
    util::JsonWriter w(rest, /*pretty=*/false);
    w.begin_object();
    write_undelivered_key(w, undelivered);
    w.end_object();
    out += ',';
    out.append(rest, 1);  // without the "{" of rest's own object
}

const std::string& json_cache_format() {
    // A sample with every kind of value: its JSON changes when the way an
    // envelope is written does (a key added, renamed, reordered, a value
    // formatted differently), and so does the format.
    static const std::string format = [] {
        Envelope e;
        e.id = "k7q2m9xd";
        e.title = "Umowa \"7\" — Акт";
        e.status = EnvelopeStatus::in_progress;
        e.owner = "anna";
        e.created_at = 1795000000;
        e.expires_at = 1796000000;
        e.waiting_since = 1795500000;
        e.waiting_for = "client";
        e.document = {std::string(64, 'a'), std::string(64, 'b'), 3, 2};
        Party company;
        company.role = "company";
        company.name = "Anna Nowak";
        company.email = "anna@acme.test";
        company.kind = PartyKind::organization;
        company.stamp = StampRule::required;
        company.status = PartyStatus::signed_;
        Party client;
        client.role = "client";
        client.name = "Пётр";
        client.phone = "+48601234567";
        client.order = 2;
        client.auth = AuthMethod::sms;
        client.status = PartyStatus::invited;
        e.parties = {company, client};
        Field signature;
        signature.name = "company_signature";
        signature.type = FieldType::signature;
        signature.role = "company";
        signature.page = 3;
        signature.rect = {72, 90.5, 180.25, 50};
        signature.filled = true;
        Field text;
        text.name = "number";
        text.label = "No.";
        text.value = "7";
        text.required = false;
        e.fields = {signature, text};
        return "1-" + util::sha256_hex(stored_json(e)).substr(0, 16);
    }();
    return format;
}

JsonListReport write_envelope_list(store::Store& store, const JsonListOptions& options,
                                   const std::function<void(std::string_view)>& write) {
    if (options.filter.stage) {
        check_stage(*options.filter.stage);
    }
    JsonListReport report;
    Chunks out(write);
    if (!options.pretty && options.use_cache) {
        write_from_cache(store, options, out, report);
    } else {
        write_from_rows(store.db(), options, out, report);
    }
    out.flush();
    return report;
}

}  // namespace signet::envelope
