// signet status: one envelope in detail, the list, or the board.
#include "app.hpp"

#include "envelope/envelope_json.hpp"
#include "envelope/json_list.hpp"
#include "envelope/lifecycle.hpp"
#include "envelope/repository.hpp"
#include "envelope/workflow.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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

// The list as JSON: indented on a terminal, else compact and from the
// cache of each envelope's JSON (envelope/json_list.hpp).
void print_json_list(store::Store& store, const envelope::ListFilter& filter) {
    envelope::JsonListOptions options;
    options.filter = filter;
    options.pretty = ::isatty(STDOUT_FILENO) != 0;
    // A pipe of 1 MB instead of 64 kB: the reader (jq, a script) then wakes
    // for each of the writer's chunks, not sixteen times per chunk. Best
    // effort; the kernel may refuse past its per-user limit.
    struct stat out {};
    if (::fstat(STDOUT_FILENO, &out) == 0 && S_ISFIFO(out.st_mode)) {
        ::fcntl(STDOUT_FILENO, F_SETPIPE_SZ, 1 << 20);
    }
    envelope::write_envelope_list(store, options, [](std::string_view piece) { print(piece); });
}

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
                envelope::expire_due(store, util::now());  // "on the next command"
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
                if (global.json) {
                    print_json_list(store, filter);
                    return 0;
                }
                ChunkedOutput out;
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
                out.flush();
                return 0;
            }};
}

}  // namespace signet::cli
