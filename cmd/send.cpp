// signet send: prepare, certify and send envelopes to their first parties,
// or one envelope per data row (--template FILE --bulk ROWS).
#include "app.hpp"

#include "envelope/send.hpp"
#include "templates/bulk.hpp"

#include <cstdio>
#include <cstdlib>
#include <unistd.h>

namespace signet::cli {
namespace {

// A progress line on stderr, redrawn in place (no colour: it needs none).
void draw_progress(std::size_t done, std::size_t total) {
    constexpr std::size_t k_width = 30;
    const std::size_t filled = total == 0 ? k_width : done * k_width / total;
    std::string line = "\rsending [";
    line += std::string(filled, '#') + std::string(k_width - filled, '.');
    line += "] " + std::to_string(done) + "/" + std::to_string(total) + " rows";
    std::fputs(line.c_str(), stderr);
    std::fflush(stderr);
}

void clear_progress() {
    std::fputs(("\r" + std::string(60, ' ') + "\r").c_str(), stderr);
    std::fflush(stderr);
}

// SIGNET_BENCH_PHASES=1: where the time went, on stderr (for tests/bench).
void print_phases(const templates::BulkReport& report) {
    const char* flag = std::getenv("SIGNET_BENCH_PHASES");
    if (flag == nullptr || *flag == '\0') {
        return;
    }
    double total = 0;
    for (const auto& phase : report.phases) {
        total += phase.second;
    }
    for (const auto& [name, seconds] : report.phases) {
        std::fprintf(stderr, "phase: %-20s %8.3f s %5.1f%%\n", name.c_str(), seconds,
                     total > 0 ? 100.0 * seconds / total : 0.0);
    }
    std::fprintf(stderr, "phase: %-20s %8.3f s\n", "total", total);
}

int send_bulk(const GlobalOptions& global, const std::string& template_file,
              const std::string& rows_file) {
    store::Store store = open_store(global);
    templates::BulkRequest request;
    request.template_file = template_file;
    request.data_file = rows_file;
    const bool progress = !global.quiet && ::isatty(STDERR_FILENO) != 0;
    if (progress) {
        request.progress = draw_progress;
    }
    templates::BulkReport report;
    try {
        report = templates::bulk_send(store, request);
    } catch (...) {
        if (progress) {
            clear_progress();
        }
        throw;
    }
    if (progress) {
        clear_progress();
    }
    print_phases(report);
    for (const std::string& warning : report.warnings) {
        std::fputs(("signet: warning: " + warning + "\n").c_str(), stderr);
    }
    if (global.json) {
        print_json([&](util::JsonWriter& w) {
            w.field("template", report.template_name);
            w.key("rows").begin_array();
            for (const auto& r : report.rows) {
                w.begin_object();
                w.field("line", r.line);
                w.field("key", r.key);
                if (r.envelope.empty()) {
                    w.key("envelope").null();
                } else {
                    w.field("envelope", r.envelope);
                }
                w.field("status", templates::to_string(r.status));
                if (r.error.empty()) {
                    w.key("error").null();
                } else {
                    w.field("error", r.error);
                }
                w.end_object();
            }
            w.end_array();
            w.field("new", report.sent_new);
            w.field("already_sent", report.already_sent);
            w.field("failed", report.failed);
        });
    } else if (!global.quiet) {
        if (global.verbose) {
            for (const auto& r : report.rows) {
                const std::string status = r.status == templates::BulkStatus::sent_new ? "sent"
                                           : r.status == templates::BulkStatus::already_sent
                                               ? "already sent"
                                               : "failed";
                print(r.where + ": " + (r.envelope.empty() ? "-" : r.envelope) + ": " + status +
                      " (" + r.key + ")\n");
            }
        }
        print(std::to_string(report.rows.size()) + (report.rows.size() == 1 ? " row" : " rows") +
              " of " + rows_file + ": " + std::to_string(report.sent_new) + " new, " +
              std::to_string(report.already_sent) + " already sent, " +
              std::to_string(report.failed) + " failed\n");
    }
    if (report.failed > 0) {
        std::string text = "signet: error: " + std::to_string(report.failed) + " of " +
                           std::to_string(report.rows.size()) + " rows failed\n";
        for (const auto& r : report.rows) {
            if (r.status == templates::BulkStatus::failed) {
                text += "hint: " + r.where + ": " + r.error + "\n";
            }
        }
        text += report.undelivered > 0
                    ? "hint: undelivered messages are kept; retry them with: signet deliver\n"
                    : "";
        text += "hint: run the same command again: rows already sent are skipped\n";
        std::fflush(stdout);
        std::fputs(text.c_str(), stderr);
        return static_cast<int>(ExitCode::temp_failure);
    }
    return 0;
}

}  // namespace

Command setup_send(CLI::App& app, const GlobalOptions& global) {
    auto ids = std::make_shared<std::vector<std::string>>();
    auto template_file = std::make_shared<std::string>();
    auto rows_file = std::make_shared<std::string>();
    CLI::App* sub = app.add_subcommand("send", "Send envelopes to the parties whose turn it is");
    sub->add_option("ENVELOPE", *ids, "Envelope ids (all are checked before any is sent)");
    sub->add_option("--template", *template_file,
                    "With --bulk: the template each row is made from (signet-template(5))")
        ->type_name("FILE");
    sub->add_option("--bulk", *rows_file,
                    "One envelope per row of this CSV, YAML or JSON file, sent once")
        ->type_name("FILE");
    sub->footer(
        "Example:\n"
        "  signet send k7q2m9xd\n"
        "  signet send --template templates/act-of-work.yaml --bulk deals.csv\n\n"
        "See signet-send(1).");

    return {sub, [ids, template_file, rows_file, &global] {
                if (!template_file->empty() || !rows_file->empty()) {
                    if (!ids->empty()) {
                        throw bad_input("give envelope ids or --template FILE --bulk ROWS, not both",
                                        {"see: signet send --help"});
                    }
                    if (rows_file->empty()) {
                        throw bad_input("--template needs --bulk ROWS: the data rows, one envelope each",
                                        {"to make one draft from a row: signet create --template FILE "
                                         "--data FILE"});
                    }
                    if (template_file->empty()) {
                        throw bad_input("--bulk needs --template FILE: the template each row fills",
                                        {"see: signet send --help"});
                    }
                    return send_bulk(global, *template_file, *rows_file);
                }
                if (ids->empty()) {
                    throw bad_input("name at least one envelope to send",
                                    {"or one envelope per data row: signet send --template FILE "
                                     "--bulk ROWS"});
                }
                store::Store store = open_store(global);
                const envelope::SendReport report = envelope::send_envelopes(store, *ids);
                const auto& results = report.envelopes;
                for (const auto& r : results) {
                    for (const auto& warning : r.warnings) {
                        std::fputs(("signet: warning: " + r.id + ": " + warning + "\n").c_str(),
                                   stderr);
                    }
                }
                if (global.json) {
                    print_json([&](util::JsonWriter& w) {
                        w.key("envelopes").begin_array();
                        for (const auto& r : results) {
                            w.begin_object();
                            w.field("id", r.id);
                            w.field("status", r.status);
                            w.field("already_sent", r.already_sent);
                            w.key("invited").begin_array();
                            for (const auto& role : r.invited) {
                                w.value(role);
                            }
                            w.end_array();
                            w.end_object();
                        }
                        w.end_array();
                    });
                } else if (!global.quiet) {
                    for (const auto& r : results) {
                        if (r.already_sent) {
                            print(r.id + ": already sent (" + r.status + ")\n");
                        } else {
                            print(r.id + ": sent; invited " + comma_list(r.invited) + "\n");
                        }
                    }
                }
                // Sent and recorded; only the delivery is left to retry.
                return report_undelivered(report.undelivered, "ENVELOPE");
            }};
}

}  // namespace signet::cli
