// signet audit: an envelope's audit trail as a timeline, or checked: the
// hash chain, the stored revisions and the chain head sealed at completion.
#include "app.hpp"

#include "audit/trail.hpp"
#include "util/text.hpp"
#include "util/time.hpp"

namespace signet::cli {
namespace {

// A stored value shown on a terminal: quoted with escapes when it holds
// control characters (a row edited by hand could hold anything).
std::string shown(const std::string& s) {
    return util::find_control_char(s) == std::string::npos && util::is_valid_utf8(s)
               ? s
               : util::quoted(s);
}

std::string short_hash(const std::optional<std::string>& h) {
    if (!h || h->empty()) {
        return "-";
    }
    return h->size() > 12 ? h->substr(0, 12) + "…" : *h;
}

std::string where_from(const std::string& terminal) {
    if (terminal.rfind("ssh ", 0) == 0) {
        return "SSH client " + shown(terminal.substr(4));
    }
    if (terminal.empty() || terminal == "-") {
        return "no terminal";
    }
    return "terminal " + shown(terminal);
}

void print_timeline(const audit::Timeline& t, bool verbose) {
    std::string out =
        t.envelope + " (" + t.status + "): " + std::to_string(t.events.size()) +
        " event(s), times in " +
        (util::is_utc_zone(t.timezone) ? std::string("UTC") : t.timezone + " and UTC") +
        "; chain head " + short_hash(t.chain_head) + "\n";
    std::size_t n = 0;
    for (const audit::Event& e : t.events) {
        ++n;
        out += "\n" + std::to_string(n) + ". " + util::format_zone_and_utc(e.at, t.timezone) +
               "  " + shown(e.action) + "\n";
        out += "   by " + shown(e.actor) + " (OS user " + shown(e.os_user) + ", host " +
               shown(e.host) + ", " + where_from(e.terminal) + ")\n";
        const std::string details = audit::details_summary(e);
        if (!details.empty() && details != "{}") {
            out += "   " + shown(details) + "\n";
        }
        if (e.doc_before || e.doc_after) {
            out += "   document " + short_hash(e.doc_before) + " → " + short_hash(e.doc_after) +
                   "\n";
        }
        if (verbose) {
            out += "   hash " + shown(e.hash) + "\n   prev " + shown(e.prev_hash) + "\n";
        }
    }
    print(out);
}

void print_timeline_json(const audit::Timeline& t) {
    print_json([&](util::JsonWriter& w) {
        w.field("envelope", t.envelope);
        w.key("events").begin_array();
        for (const audit::Event& e : t.events) {
            w.begin_object();
            w.field("seq", e.seq);
            w.field("at", util::rfc3339_utc(e.at));
            w.field("actor", e.actor);
            w.field("os_user", e.os_user);
            w.field("host", e.host);
            w.field("terminal", e.terminal);
            w.field("action", e.action);
            w.key("details");
            audit::write_details(w, e);
            w.key("doc_before").value_or_null(e.doc_before);
            w.key("doc_after").value_or_null(e.doc_after);
            w.field("prev_hash", e.prev_hash);
            w.field("hash", e.hash);
            w.end_object();
        }
        w.end_array();
        w.key("chain_head").value_or_null(t.chain_head);
    });
}

int print_check(const audit::TrailCheck& c, const GlobalOptions& global) {
    if (global.json) {
        print_json([&](util::JsonWriter& w) {
            w.field("envelope", c.envelope);
            w.field("ok", c.ok);
            w.key("checks").begin_array();
            for (const audit::CheckItem& item : c.checks) {
                w.begin_object();
                w.field("check", item.check);
                w.field("ok", item.ok);
                w.field("detail", item.detail);
                w.end_object();
            }
            w.end_array();
        });
    } else {
        std::string out;
        std::size_t failed = 0;
        if (!global.quiet) {
            for (const audit::CheckItem& item : c.checks) {
                out += (item.ok ? "ok    " : "FAIL  ") + util::pad_to_width(item.check, 12) +
                       shown(item.detail) + "\n";
            }
        }
        for (const audit::CheckItem& item : c.checks) {
            failed += item.ok ? 0 : 1;
        }
        out += c.envelope + ": " +
               (c.ok ? "the audit trail holds (" + std::to_string(c.checks.size()) +
                           " checks passed)"
                     : "the audit trail does NOT hold: " + std::to_string(failed) + " of " +
                           std::to_string(c.checks.size()) + " checks failed") +
               "\n";
        print(out);
    }
    return c.ok ? 0 : static_cast<int>(ExitCode::negative_verdict);
}

}  // namespace

Command setup_audit(CLI::App& app, const GlobalOptions& global) {
    struct Options {
        std::string id;
        bool check = false;
    };
    auto opts = std::make_shared<Options>();
    CLI::App* sub = app.add_subcommand("audit", "Show or check an envelope's audit trail");
    sub->add_option("ENVELOPE", opts->id, "Envelope id")->required();
    sub->add_flag("--check", opts->check,
                  "Check the hash chain, the stored revisions and the sealed chain head "
                  "(exit 1 when one fails)");
    sub->footer(
        "Without --check: every event, oldest first, with its time in the store's time\n"
        "zone and in UTC, who acted (OS user, host, terminal or SSH client), what was\n"
        "done and the document hashes before and after.\n\n"
        "Examples:\n"
        "  signet audit k7q2m9xd\n"
        "  signet audit k7q2m9xd --check\n"
        "  signet audit k7q2m9xd --json\n\n"
        "See signet-audit(1).");

    return {sub, [opts, &global] {
                store::Store store = open_store(global);
                if (opts->check) {
                    return print_check(audit::check_trail(store, opts->id), global);
                }
                const audit::Timeline t = audit::read_timeline(store, opts->id);
                if (global.json) {
                    print_timeline_json(t);
                } else {
                    print_timeline(t, global.verbose);
                }
                return 0;
            }};
}

}  // namespace signet::cli
