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

#include <algorithm>
#include <cstdlib>
#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <thread>

namespace signet::templates {
namespace {

// Rows per write transaction: each commit is an fsync at the default
// durability, so rows share them; short enough that other writers (a
// signer, another bulk send) wait little.
constexpr std::size_t k_batch_rows = 128;
// Threads that make documents and write invitation files. The work waits
// on fsync far more than it computes (each document is two files, each
// synced with its directory), and the disk serves many syncs at once.
constexpr std::size_t k_io_threads = 32;

// Runs fn(i) for every i below n on up to `threads` threads, the calling
// one included. fn must not throw.
template <typename Fn>
void parallel_for(std::size_t n, std::size_t threads, const Fn& fn) {
    std::atomic<std::size_t> next{0};
    auto work = [&] {
        for (std::size_t i = next++; i < n; i = next++) {
            fn(i);
        }
    };
    std::vector<std::thread> pool;
    for (std::size_t t = 1; t < std::min(threads, n); ++t) {
        pool.emplace_back(work);
    }
    work();
    for (std::thread& t : pool) {
        t.join();
    }
}

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
    envelope::SentDocuments docs;
    bool documents_made = false;
    std::string error;  // making its documents failed
};

void fail(BulkRow& row, const std::string& error) {
    row.status = BulkStatus::failed;
    row.error = error;
}

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
        const std::vector<pdf::PageInfo>& pages = t.document_info.pages;
        clock.mark("store the PDF");
        // The key passphrase is asked for and the key decrypted once.
        const crypto::OrganizationPki pki = envelope::load_pki(store);
        const delivery::Renderer renderer = envelope::message_renderer(store);
        const std::string organization = store.organization();
        std::set<std::string> warnings;
        clock.mark("load keys");

        for (std::size_t start = 0; start < to_send.size(); start += k_batch_rows) {
            const std::size_t end = std::min(to_send.size(), start + k_batch_rows);
            const util::UnixTime now = util::now();

            // 1. A draft per row that has none, under the row's key: a run
            //    killed after this finds them and sends them.
            try {
                store.db().write([&] {
                    envelope::EnvelopeRepository repo(store.db());
                    for (std::size_t i = start; i < end; ++i) {
                        Work& w = *to_send[i];
                        if (!w.id.empty()) {
                            continue;
                        }
                        const std::string& key = *w.rendered.key;
                        if (auto existing = repo.find_id_by_key(key)) {
                            w.id = *existing;  // made by another process meanwhile
                            continue;
                        }
                        envelope::Envelope e = w.rendered.envelope;
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
                            j.field("row", rows[w.row].where());
                        });
                        insert_draft(store, e, key, t.document_info, bytes.size(), details);
                        w.id = e.id;
                    }
                });
            } catch (const Error& e) {
                for (std::size_t i = start; i < end; ++i) {
                    if (to_send[i]->id.empty()) {
                        fail(report.rows[to_send[i]->row], e.what());
                    }
                }
            }
            clock.mark("create drafts");

            // 2. Its prepared and certified documents: files only, on
            //    several threads (the drafts are read here, on this one).
            std::vector<Work*> drafts;
            for (std::size_t i = start; i < end; ++i) {
                Work& w = *to_send[i];
                BulkRow& row = report.rows[w.row];
                row.envelope = w.id;
                if (w.id.empty()) {
                    continue;
                }
                try {
                    envelope::EnvelopeRepository repo(store.db());
                    w.draft = repo.load(w.id);
                    if (w.draft->status != envelope::EnvelopeStatus::draft) {
                        row.status = BulkStatus::already_sent;  // by another process meanwhile
                        continue;
                    }
                    envelope::check_ready(*w.draft);
                    drafts.push_back(&w);
                } catch (const Error& e) {
                    fail(row, e.what());
                }
            }
            clock.mark("load drafts");
            parallel_for(drafts.size(), std::getenv("XT") ? std::stoul(std::getenv("XT")) : k_io_threads, [&](std::size_t i) {
                Work& w = *drafts[i];
                try {
                    w.docs = envelope::prepare_and_certify(store, *w.draft, pages, pki, organization, now);
                    w.documents_made = true;
                } catch (const std::exception& e) {
                    w.error = e.what();
                }
            });
            for (Work* w : drafts) {
                if (!w->documents_made) {
                    fail(report.rows[w->row], w->error);
                }
            }
            clock.mark("prepare and certify");

            // 3. Sent: revisions, audit events, invitations queued.
            try {
                store.db().write([&] {
                    for (std::size_t i = start; i < end; ++i) {
                        Work& w = *to_send[i];
                        if (!w.documents_made) {
                            continue;
                        }
                        envelope::SendResult result;
                        envelope::record_sent(store, w.id, w.docs, now, result);
                        report.rows[w.row].status =
                            result.already_sent ? BulkStatus::already_sent : BulkStatus::sent_new;
                        warnings.insert(result.warnings.begin(), result.warnings.end());
                    }
                });
            } catch (const Error& e) {
                for (std::size_t i = start; i < end; ++i) {
                    if (to_send[i]->documents_made) {
                        fail(report.rows[to_send[i]->row], e.what());
                    }
                }
            }
            clock.mark("record sent");

            // 4. The invitations delivered (messages queued before first).
            delivery::DeliverOptions deliver;
            deliver.now = util::now();
            deliver.limit = 2 * (end - start) * t.parties.size() + 16;
            deliver.batch = k_batch_rows;
            deliver.parallel = k_io_threads;
            const delivery::DeliveryReport delivered =
                delivery::deliver_pending(store, renderer, deliver);
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
                const std::string id = q.text(0);
                for (std::size_t i = start; i < end; ++i) {
                    BulkRow& row = report.rows[to_send[i]->row];
                    if (row.envelope == id && row.status == BulkStatus::sent_new) {
                        fail(row, "sent, but the " + a.kind + " to " + a.to +
                                      " could not be delivered: " + a.error);
                        ++report.undelivered;
                    }
                }
            }
            clock.mark("deliver");
            done += end - start;
            if (request.progress) {
                request.progress(done, rows.size());
            }
        }
        report.warnings.assign(warnings.begin(), warnings.end());
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
