// signet status: one envelope in detail, the list, or the board.
#include "app.hpp"

#include "envelope/envelope_json.hpp"
#include "envelope/repository.hpp"
#include "envelope/workflow.hpp"

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace signet::cli {
namespace {

// Streams output in chunks so that listing 100 000 envelopes needs little
// memory.
class ChunkedOutput {
public:
    std::string& buffer() { return m_buffer; }
    void maybe_flush() {
        if (m_buffer.size() >= (1u << 20)) {
            flush();
        }
    }
    void flush() {
        print(m_buffer);
        m_buffer.clear();
    }

private:
    std::string m_buffer;
};

// Writes envelopes as JSON on a second thread while the calling thread
// reads the store: reading and writing each take about half the time of a
// big listing. Envelopes are copied into a few reused batches, so memory
// stays small; the output is the same, in the same order.
class JsonListWriter {
public:
    JsonListWriter(util::JsonWriter& w, ChunkedOutput& out) : m_batches(k_batches) {
        for (Batch& b : m_batches) {
            b.envelopes.resize(k_batch_size);
            m_free.push_back(&b);
        }
        m_thread = std::thread([this, &w, &out] { run(w, out); });
    }
    ~JsonListWriter() { stop(); }
    JsonListWriter(const JsonListWriter&) = delete;
    JsonListWriter& operator=(const JsonListWriter&) = delete;

    void add(const envelope::Envelope& e) {
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
        std::vector<envelope::Envelope> envelopes;
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

    void run(util::JsonWriter& w, ChunkedOutput& out) {
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
                    envelope::write_envelope_json(w, batch->envelopes[i]);
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

}  // namespace

Command setup_status(CLI::App& app, const GlobalOptions& global) {
    struct Options {
        std::string envelope;
        std::optional<std::string> stage;
        std::optional<std::string> owner;
        bool board = false;
        int limit = 5;
    };
    auto opts = std::make_shared<Options>();
    CLI::App* sub = app.add_subcommand("status", "Show an envelope, the list, or the board");
    sub->add_option("ENVELOPE", opts->envelope, "Show this envelope in detail");
    sub->add_option("--stage", opts->stage,
                    "draft sent in_progress waiting completed declined voided expired")
        ->type_name("STAGE");
    sub->add_option("--owner", opts->owner, "Only envelopes sent by NAME")->type_name("NAME");
    sub->add_flag("--board", opts->board, "Stages as columns, longest-waiting first");
    sub->add_option("--limit", opts->limit, "Envelopes shown per board column (default 5)")
        ->type_name("N")
        ->check(CLI::Range(1, 1000));
    sub->footer(
        "Examples:\n"
        "  signet status k7q2m9xd\n"
        "  signet status --stage waiting --json\n"
        "  signet status --board\n\n"
        "See signet-status(1).");

    return {sub, [opts, &global] {
                store::Store store = open_store(global);
                const view::Style style = terminal_style(global);
                envelope::ListFilter filter{opts->stage, opts->owner};
                if (filter.stage) {
                    envelope::check_stage(*filter.stage);
                }
                if (!opts->envelope.empty()) {
                    if (opts->board || filter.stage || filter.owner) {
                        throw bad_input("an envelope id cannot be combined with --board, --stage "
                                        "or --owner");
                    }
                    const envelope::Envelope e = envelope::load_envelope(store, opts->envelope);
                    if (global.json) {
                        print_json(
                            [&](util::JsonWriter& w) { envelope::write_envelope_keys(w, e); });
                    } else {
                        print(view::render_detail(e, style));
                    }
                    return 0;
                }
                if (opts->board) {
                    const auto columns = envelope::load_board(store.db(), filter, opts->limit);
                    if (global.json) {
                        print_json([&](util::JsonWriter& w) {
                            w.key("columns").begin_array();
                            for (const auto& c : columns) {
                                w.begin_object();
                                w.field("title", c.title);
                                w.field("count", c.count);
                                w.key("envelopes").begin_array();
                                for (const auto& e : c.top) {
                                    w.begin_object();
                                    w.field("id", e.id);
                                    w.field("title", e.title);
                                    w.field("waiting_since", util::rfc3339_utc(e.waiting_since));
                                    w.end_object();
                                }
                                w.end_array();
                                w.end_object();
                            }
                            w.end_array();
                        });
                    } else {
                        print(view::render_board(columns, style));
                    }
                    return 0;
                }
                ChunkedOutput out;
                if (global.json) {
                    util::JsonWriter w(out.buffer());
                    w.begin_object();
                    w.field("schema", 1);
                    w.key("envelopes").begin_array();
                    {
                        JsonListWriter writer(w, out);
                        envelope::for_each_envelope(
                            store.db(), filter,
                            [&](const envelope::Envelope& e) { writer.add(e); });
                        writer.finish();
                    }
                    w.end_array();
                    w.end_object();
                } else {
                    out.buffer() += view::render_list_header(style);
                    std::size_t count = 0;
                    envelope::for_each_envelope(store.db(), filter, [&](const envelope::Envelope& e) {
                        out.buffer() += view::render_list_row(e, style);
                        ++count;
                        out.maybe_flush();
                    });
                    if (count == 0 && !global.quiet) {
                        out.buffer() += "(no envelopes";
                        out.buffer() += filter.stage || filter.owner ? " match)\n" : " yet)\n";
                    }
                }
                out.flush();
                return 0;
            }};
}

}  // namespace signet::cli
