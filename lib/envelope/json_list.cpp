#include "envelope/json_list.hpp"

#include "delivery/outbox.hpp"
#include "envelope/envelope_json.hpp"
#include "signet/error.hpp"
#include "util/crypto_hash.hpp"
#include "util/json.hpp"

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

namespace signet::envelope {
namespace {

constexpr const char* k_format_key = "envelope_json_format";
// At most this many stale envelopes are written from their rows one by one
// in a cached listing (about 50 µs each); with more, the whole list is
// written from the rows in one merged scan, as if there were no cache.
constexpr std::int64_t k_max_stale_in_cached_list = 2000;
// A refresh with more stale rows than this reads them in one merged scan
// rather than one envelope at a time.
constexpr std::int64_t k_bulk_refresh = 200;

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

std::optional<std::string> stored_format(store::Database& db) {
    store::Statement q = db.prepare("SELECT value FROM meta WHERE key = ?");
    q.bind(1, k_format_key);
    if (q.step()) {
        return q.text(0);
    }
    return std::nullopt;
}

std::int64_t count_stale(store::Database& db) {
    store::Statement q = db.prepare("SELECT count(*) FROM envelope_json WHERE json IS NULL");
    q.step();
    return q.integer(0);
}

// The list from the cache, when it can be used: in this build's format and
// with few stale rows (else false, and nothing written). Envelopes without
// a cached JSON are written from their rows and listed in report.stale.
bool write_from_cache(store::Database& db, const JsonListOptions& options, Chunks& out,
                      JsonListReport& report) {
    bool used = false;
    db.read([&] {
        if (stored_format(db) != json_cache_format()) {
            report.refresh_wanted = true;
            return;
        }
        const std::int64_t stale = count_stale(db);
        report.refresh_wanted = stale > 0;
        if (stale > k_max_stale_in_cached_list) {
            return;
        }
        used = true;
        const auto pending = delivery::pending_by_envelope(db);
        const std::vector<PendingMessage> none;
        EnvelopeRepository repository(db);
        store::Statement q =
            db.prepare("SELECT e.seq, j.json FROM envelopes e"
                       " LEFT JOIN envelope_json j ON j.envelope_seq = e.seq" +
                       filter_sql(options.filter) + " ORDER BY e.seq");
        bind_filter(q, options.filter);
        std::string& buffer = out.buffer();
        buffer += "{\"schema\":1,\"envelopes\":[";
        std::string computed;
        while (q.step()) {
            const std::int64_t seq = q.integer(0);
            std::string_view stored;
            if (q.is_null(1)) {
                const std::optional<Envelope> e = repository.load_by_seq(seq);
                if (!e) {
                    throw internal_error("envelope " + std::to_string(seq) +
                                         " vanished while listing");
                }
                computed = stored_json(*e);
                stored = computed;
                report.stale.push_back(seq);
                report.refresh_wanted = true;
            } else {
                stored = q.text_view(1);
                ++report.from_cache;
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
    });
    return used;
}

}  // namespace

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

JsonListReport write_envelope_list(store::Database& db, const JsonListOptions& options,
                                   const std::function<void(std::string_view)>& write) {
    if (options.filter.stage) {
        check_stage(*options.filter.stage);
    }
    JsonListReport report;
    Chunks out(write);
    if (!options.pretty && options.use_cache && write_from_cache(db, options, out, report)) {
        report.cache_used = true;
    } else {
        write_from_rows(db, options, out, report);
    }
    out.flush();
    return report;
}

std::int64_t refresh_json_cache(store::Database& db, const std::vector<std::int64_t>& also) {
    std::int64_t filled = 0;
    db.write([&] {
        if (stored_format(db) != json_cache_format()) {
            // Made by another build (or never filled): start again.
            db.exec("UPDATE envelope_json SET json = NULL WHERE json IS NOT NULL");
            db.exec("INSERT INTO envelope_json (envelope_seq, json) SELECT seq, NULL"
                    " FROM envelopes WHERE seq NOT IN (SELECT envelope_seq FROM envelope_json)");
            db.prepare("INSERT INTO meta (key, value) VALUES (?, ?)"
                       " ON CONFLICT (key) DO UPDATE SET value = excluded.value")
                .bind(1, k_format_key)
                .bind(2, json_cache_format())
                .run();
        }
        store::Statement add = db.prepare(
            "INSERT INTO envelope_json (envelope_seq, json) SELECT ?1, NULL"
            " WHERE EXISTS (SELECT 1 FROM envelopes WHERE seq = ?1)"
            " AND NOT EXISTS (SELECT 1 FROM envelope_json WHERE envelope_seq = ?1)");
        for (const std::int64_t seq : also) {
            add.bind(1, seq).run();
        }
        // Rows of envelopes deleted behind the triggers' back.
        db.exec("DELETE FROM envelope_json WHERE json IS NULL"
                " AND NOT EXISTS (SELECT 1 FROM envelopes WHERE seq = envelope_seq)");
        if (count_stale(db) > k_bulk_refresh) {
            // The stale rows are replaced, not updated: a row growing from
            // NULL to a kilobyte or two moves its neighbours each time,
            // while new rows in seq order fill pages one after another.
            db.exec("CREATE TEMP TABLE IF NOT EXISTS json_refresh (seq INTEGER PRIMARY KEY)");
            db.exec("DELETE FROM temp.json_refresh");
            db.exec("INSERT INTO temp.json_refresh (seq)"
                    " SELECT envelope_seq FROM envelope_json WHERE json IS NULL");
            db.exec("DELETE FROM envelope_json WHERE json IS NULL");
            store::Statement insert =
                db.prepare("INSERT INTO envelope_json (envelope_seq, json) VALUES (?, ?)");
            scan_envelopes(
                db, " WHERE e.seq IN (SELECT seq FROM temp.json_refresh)",
                [](store::Statement&) {},
                [&](const Envelope& e) {
                    insert.bind(1, e.seq).bind(2, stored_json(e)).run();
                    ++filled;
                });
            db.exec("DROP TABLE temp.json_refresh");
            return;
        }
        store::Statement update =
            db.prepare("UPDATE envelope_json SET json = ? WHERE envelope_seq = ?");
        std::vector<std::int64_t> stale;
        store::Statement q =
            db.prepare("SELECT envelope_seq FROM envelope_json WHERE json IS NULL");
        while (q.step()) {
            stale.push_back(q.integer(0));
        }
        EnvelopeRepository repository(db);
        for (const std::int64_t seq : stale) {
            if (const std::optional<Envelope> e = repository.load_by_seq(seq)) {
                update.bind(1, stored_json(*e)).bind(2, e->seq).run();
                ++filled;
            }
        }
    });
    return filled;
}

std::optional<std::int64_t> try_refresh_json_cache(store::Database& db,
                                                   const std::vector<std::int64_t>& also) {
    // Not worth waiting for: the next listing will try again.
    store::Statement timeout = db.prepare("PRAGMA busy_timeout");
    timeout.step();
    const std::int64_t saved = timeout.integer(0);
    db.exec("PRAGMA busy_timeout = 0");
    std::optional<std::int64_t> filled;
    try {
        filled = refresh_json_cache(db, also);
    } catch (const Error&) {
        // Busy, or a store this user may read but not write: the listing
        // was right without the cache and stays so.
    }
    db.exec("PRAGMA busy_timeout = " + std::to_string(saved));
    return filled;
}

}  // namespace signet::envelope
