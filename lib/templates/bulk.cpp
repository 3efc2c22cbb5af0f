#include "templates/bulk.hpp"

#include "delivery/outbox.hpp"
#include "envelope/messages.hpp"
#include "envelope/organization.hpp"
#include "envelope/repository.hpp"
#include "envelope/send.hpp"
#include "signet/error.hpp"
#include "templates/instantiate.hpp"
#include "util/fs.hpp"
#include "util/json.hpp"
#include "util/text.hpp"
#include "util/time.hpp"
#include "util/work_pool.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <set>

namespace signet::templates {
namespace {

// Rows per write transaction: each commit is an fsync at the default
// durability, so rows share them; short enough that other writers (a
// signer, another bulk send) wait little.
constexpr std::size_t k_batch_rows = 128;
// Threads that make documents and write invitation files. Each document
// is mostly computation (qpdf, font subsets, the seal's signature) with two
// files, each synced with its directory, in between: a few threads per
// core keep the cores busy while some wait on the disk.
constexpr std::size_t k_io_threads = 16;
// The document threads' nice value above this thread's: the thread that writes
// the database is the one stage that cannot run in parallel, so it must
// not wait for a core (util::WorkPool).
constexpr int k_worker_nice = 5;
// Batches of drafts handed to the document threads ahead of the rows
// being recorded: enough that they never run dry while this thread writes.
constexpr std::size_t k_batches_ahead = 3;

class PhaseClock {
public:
    explicit PhaseClock(std::vector<std::pair<std::string, double>>& phases) : m_phases(phases) {}

    // Adds the time since the last mark to `phase`.
    void mark(const std::string& phase) {
        const auto now = std::chrono::steady_clock::now();
        const double seconds = std::chrono::duration<double>(now - m_last).count();
        m_last = now;
        auto it = std::find_if(m_phases.begin(), m_phases.end(),
                               [&](const auto& p) { return p.first == phase; });
        if (it == m_phases.end()) {
            m_phases.emplace_back(phase, seconds);
        } else {
            it->second += seconds;
        }
    }

private:
    std::vector<std::pair<std::string, double>>& m_phases;
    std::chrono::steady_clock::time_point m_last = std::chrono::steady_clock::now();
};

std::string owner_or_user(const std::optional<std::string>& owner) {
    const std::string o = owner ? util::trim(*owner) : util::current_user();
    util::require_clean_line(o, "--owner");
    return o;
}

// The row's key as the user wrote it: "NAME:KEY" without "NAME:".
std::string shown_key(const Template& t, const std::string& key) {
    return key.substr(std::min(key.size(), t.name.size() + 1));
}

// One row on its way: what it renders to and what the store holds for it.
struct Work {
    std::size_t row = 0;  // index into the rows and the report
    RenderedEnvelope rendered;
    std::string id;  // the envelope, once there is one
    std::optional<envelope::Envelope> draft;  // loaded to be sent
    util::UnixTime now = 0;                   // when its batch was created
    envelope::SentDocuments docs;
    bool documents_made = false;
    std::string error;  // making its documents failed
};

// Marks a row failed with why, on one line (a hook's stderr may hold several).
void fail(BulkRow& row, const std::string& error) {
    row.status = BulkStatus::failed;
    row.error.clear();
    for (const char c : util::trim(error)) {
        const bool space = c == '\n' || c == '\r' || c == '\t';
        if (!(space && !row.error.empty() && row.error.back() == ' ')) {
            row.error += space ? ' ' : c;
        }
    }
}

// Delivers due messages (any an interrupted run left, then this run's)
// and fails the rows whose message failed now: their envelope is sent, the
// message kept for a retry. When the store stays busy, the rows `sent_now`
// fail: their messages wait in the outbox for a re-run or `signet deliver`.
void deliver(store::Store& store, const delivery::Renderer& renderer, std::size_t limit,
             const std::vector<std::size_t>& sent_now, BulkReport& report) {
    delivery::DeliverOptions options;
    options.now = util::now();
    options.limit = limit;
    options.batch = k_batch_rows;
    options.parallel = k_io_threads;
    delivery::DeliveryReport delivered;
    try {
        delivered = delivery::deliver_pending(store, renderer, options);
    } catch (const Error& e) {
        for (const std::size_t i : sent_now) {
            if (report.rows[i].status == BulkStatus::sent_new) {
                fail(report.rows[i], std::string("sent, but its invitation is not delivered yet: ") + e.what());
            }
        }
        return;
    }
    std::map<std::string, std::size_t> row_by_envelope;
    for (const delivery::DeliveryAttempt& a : delivered.attempts) {
        if (a.delivered) {
            continue;
        }
        store::Statement q = store.db().prepare(
            "SELECT e.id FROM messages m JOIN envelopes e ON e.seq = m.envelope_seq"
            " WHERE m.message_id = ?");
        q.bind(1, a.message_id);
        if (!q.step()) {
            continue;
        }
        if (row_by_envelope.empty()) {
            for (std::size_t i = 0; i < report.rows.size(); ++i) {
                row_by_envelope.emplace(report.rows[i].envelope, i);
            }
        }
        const auto it = row_by_envelope.find(q.text(0));
        if (it == row_by_envelope.end()) {
            continue;  // not this file's
        }
        BulkRow& row = report.rows[it->second];
        if (row.status != BulkStatus::failed) {
            fail(row, std::string(row.status == BulkStatus::sent_new ? "sent" : "sent before") +
                          ", but the " + a.kind + " to " + a.to + " could not be delivered: " + a.error);
            ++report.undelivered;
        }
    }
}

// The rows to send, in batches: this thread creates a batch's drafts and
// hands them to the pool, then records and delivers whatever the pool has
// finished, so that the database work and the documents overlap.
struct Sender {
    store::Store& store;
    const Template& t;
    const std::vector<DataRow>& rows;
    BulkReport& report;
    PhaseClock& clock;
    const std::string& owner;
    std::size_t document_size;
    const crypto::OrganizationPki& pki;
    std::string organization;
    delivery::Renderer renderer;
    std::set<std::string> warnings;

    void run(const std::vector<Work*>& to_send, std::size_t done,
             const std::function<void(std::size_t, std::size_t)>& progress) {
        util::WorkPool<Work> pool(k_io_threads, [this](Work& w) {
            try {
                w.docs = envelope::prepare_and_certify(store, *w.draft, t.document_info.pages, pki,
                                                       organization, w.now);
                w.documents_made = true;
            } catch (const std::exception& e) {
                w.error = e.what();
            }
        }, k_worker_nice);
        auto finish = [&](std::size_t at_least) {
            std::vector<Work*> finished = pool.take(at_least);
            clock.mark("wait for documents");
            record_and_deliver(finished);
            done += finished.size();
            if (progress) {
                progress(done, rows.size());
            }
        };
        for (std::size_t start = 0; start < to_send.size(); start += k_batch_rows) {
            const std::size_t end = std::min(to_send.size(), start + k_batch_rows);
            const std::vector<Work*> batch(to_send.begin() + static_cast<std::ptrdiff_t>(start),
                                           to_send.begin() + static_cast<std::ptrdiff_t>(end));
            const std::vector<Work*> drafts = create_and_load(batch);
            done += batch.size() - drafts.size();  // failed, or sent meanwhile
            pool.submit(drafts);
            // A few batches in flight keep the workers busy while this
            // thread writes; more would only hold more rows unrecorded.
            if (pool.in_flight() > k_batches_ahead * k_batch_rows) {
                finish(pool.in_flight() - k_batches_ahead * k_batch_rows);
            }
        }
        while (pool.in_flight() > 0) {
            finish(k_batch_rows);
        }
    }

    // 1. A draft per row that has none, under the row's key: a run killed
    //    after this finds them and sends them. Returns the drafts to send.
    std::vector<Work*> create_and_load(const std::vector<Work*>& batch) {
        const util::UnixTime now = util::now();
        try {
            store.db().write([&] {
                envelope::EnvelopeRepository repo(store.db());
                for (Work* w : batch) {
                    w->now = now;
                    if (!w->id.empty()) {
                        continue;
                    }
                    const std::string& key = *w->rendered.key;
                    if (auto existing = repo.find_id_by_key(key)) {
                        w->id = *existing;  // made by another process meanwhile
                        continue;
                    }
                    envelope::Envelope e = w->rendered.envelope;
                    e.owner = owner;
                    e.created_at = now;
                    e.waiting_since = now;
                    const std::string details = util::json_object([&](util::JsonWriter& j) {
                        j.field("title", e.title);
                        j.field("owner", e.owner);
                        j.field("file", t.document.filename().string());
                        j.field("parties", static_cast<int>(e.parties.size()));
                        j.field("fields", static_cast<int>(e.fields.size()));
                        j.field("template", t.name);
                        j.field("row", rows[w->row].where());
                    });
                    insert_draft(store, e, key, t.document_info, document_size, details);
                    w->id = e.id;
                }
            });
        } catch (const Error& e) {
            for (Work* w : batch) {
                if (w->id.empty()) {
                    fail(report.rows[w->row], e.what());
                }
            }
        }
        clock.mark("create drafts");
        std::vector<Work*> drafts;
        envelope::EnvelopeRepository repo(store.db());
        for (Work* w : batch) {
            BulkRow& row = report.rows[w->row];
            row.envelope = w->id;
            if (w->id.empty()) {
                continue;
            }
            try {
                w->draft = repo.load(w->id);
                if (w->draft->status != envelope::EnvelopeStatus::draft) {
                    row.status = BulkStatus::already_sent;  // by another process meanwhile
                    continue;
                }
                envelope::check_ready(*w->draft);
                drafts.push_back(w);
            } catch (const Error& e) {
                fail(row, e.what());
            }
        }
        clock.mark("load drafts");
        return drafts;
    }

    // 2. Sent: revisions, audit events and invitations in one transaction,
    //    then the invitations delivered.
    void record_and_deliver(const std::vector<Work*>& finished) {
        for (Work* w : finished) {
            if (!w->documents_made) {
                fail(report.rows[w->row], w->error);
            }
        }
        try {
            store.db().write([&] {
                for (Work* w : finished) {
                    if (!w->documents_made) {
                        continue;
                    }
                    envelope::SendResult result;
                    envelope::record_sent(store, w->id, w->docs, w->now, result);
                    report.rows[w->row].status =
                        result.already_sent ? BulkStatus::already_sent : BulkStatus::sent_new;
                    warnings.insert(result.warnings.begin(), result.warnings.end());
                }
            });
        } catch (const Error& e) {
            for (Work* w : finished) {
                if (w->documents_made) {
                    fail(report.rows[w->row], e.what());
                }
            }
        }
        clock.mark("record sent");

        std::vector<std::size_t> sent_now;
        for (const Work* w : finished) {
            sent_now.push_back(w->row);
        }
        deliver(store, renderer, 2 * finished.size() * t.parties.size() + 16, sent_now, report);
        clock.mark("deliver");
    }
};

}  // namespace

std::string_view to_string(BulkStatus status) {
    switch (status) {
    case BulkStatus::sent_new: return "new";
    case BulkStatus::already_sent: return "already_sent";
    case BulkStatus::failed: return "failed";
    }
    return "failed";
}

BulkReport bulk_send(store::Store& store, const BulkRequest& request) {
    BulkReport report;
    PhaseClock clock(report.phases);

    // --- everything checked before anything is written -----------------------
    const Template t = require_template(request.template_file);
    report.template_name = t.name;
    if (!t.key) {
        throw bad_input("\"" + t.file.string() + "\" has no key: a bulk send needs one to know which "
                        "rows were sent before",
                        {"add a key that tells the rows apart, such as: key: \"{{deal.number}}\" "
                         "(see signet-template(5))"});
    }
    const std::vector<DataRow> rows = read_data_file(request.data_file);
    if (rows.empty()) {
        throw bad_input("\"" + request.data_file.string() + "\" has no rows");
    }
    const std::string owner = owner_or_user(request.owner);
    const std::string& region = store.config().phone_region;
    std::vector<Work> work(rows.size());
    std::vector<std::string> problems;
    std::map<std::string, int> lines_by_key;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        work[i].row = i;
        try {
            work[i].rendered = render_row(t, rows[i], region);
        } catch (const Error& e) {
            if (e.kind() != ErrorKind::bad_input) {
                throw;
            }
            problems.push_back(e.what());
            continue;
        }
        const std::string& key = *work[i].rendered.key;
        const auto [it, added] = lines_by_key.emplace(key, rows[i].line);
        if (!added) {
            problems.push_back(rows[i].where() + ": the key \"" + shown_key(t, key) +
                               "\" is also the key of line " + std::to_string(it->second) +
                               ": each row needs its own");
        }
    }
    if (!problems.empty()) {
        std::vector<std::string> hints = problems;
        hints.push_back("fix " + std::string(problems.size() == 1 ? "it" : "them") +
                        " and run the same command again");
        throw bad_input("\"" + request.data_file.string() + "\": " + std::to_string(problems.size()) +
                            " of " + std::to_string(rows.size()) +
                            (rows.size() == 1 ? " row is" : " rows are") +
                            " bad; nothing was created or sent",
                        hints);
    }
    report.rows.resize(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        BulkRow& r = report.rows[i];
        r.where = rows[i].where();
        r.line = rows[i].line;
        r.key = shown_key(t, *work[i].rendered.key);
    }
    clock.mark("check rows");

    // --- what the store holds already -----------------------------------------
    std::vector<Work*> to_send;
    store.db().read([&] {
        store::Statement q =
            store.db().prepare("SELECT id, status FROM envelopes WHERE idempotency_key = ?");
        for (Work& w : work) {
            q.bind(1, *w.rendered.key);
            if (q.step()) {
                w.id = q.text(0);
                report.rows[w.row].envelope = w.id;
                if (q.text_view(1) != "draft") {
                    report.rows[w.row].status = BulkStatus::already_sent;
                }
            }
            q.reset();
            if (report.rows[w.row].status != BulkStatus::already_sent) {
                to_send.push_back(&w);
            }
        }
    });
    clock.mark("look up keys");
    std::size_t done = rows.size() - to_send.size();
    if (request.progress) {
        request.progress(done, rows.size());
    }

    if (!to_send.empty()) {
        // The original, stored once for every row (content-addressed).
        const std::string bytes = util::read_file(t.document);
        if (store.put_document(bytes) != t.document_sha256) {
            throw bad_input("\"" + t.document.string() + "\" changed while it was read; try again");
        }
        clock.mark("store the PDF");
        // The key passphrase is asked for and the key decrypted once.
        const crypto::OrganizationPki pki = envelope::load_pki(store);
        clock.mark("load keys");
        Sender sender{store, t, rows, report, clock, owner, bytes.size(), pki, store.organization(),
                      envelope::message_renderer(store), {}};
        sender.run(to_send, done, request.progress);
        report.warnings.assign(sender.warnings.begin(), sender.warnings.end());
    }
    // Messages an interrupted run recorded but did not deliver: the re-run
    // finishes them too.
    if (const int pending = delivery::count_pending(store.db()); pending > 0) {
        deliver(store, envelope::message_renderer(store), static_cast<std::size_t>(pending) + 16, {},
                report);
        clock.mark("deliver");
    }

    for (const BulkRow& r : report.rows) {
        switch (r.status) {
        case BulkStatus::sent_new: ++report.sent_new; break;
        case BulkStatus::already_sent: ++report.already_sent; break;
        case BulkStatus::failed: ++report.failed; break;
        }
    }
    return report;
}

}  // namespace signet::templates
