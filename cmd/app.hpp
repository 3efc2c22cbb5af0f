// What every subcommand shares: the global options, opening the store, and
// writing to the terminal. Subcommands parse and print; lib/ does the work.
#pragma once

#include "envelope/lifecycle.hpp"
#include "signet/error.hpp"
#include "store/store.hpp"
#include "util/json.hpp"
#include "view/status_view.hpp"

#include <CLI/CLI.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace signet::cli {

struct GlobalOptions {
    std::optional<std::string> store;
    bool json = false;
    bool no_color = false;
    bool quiet = false;
    bool verbose = false;
};

// A registered subcommand: its CLI11 node and what runs when it is chosen.
// run() returns the exit code (0 on success); errors are thrown.
struct Command {
    CLI::App* app = nullptr;
    std::function<int()> run;
};

// Opens the store the global options point at.
store::Store open_store(const GlobalOptions& global);

// How output to stdout looks: colour only on a terminal, never with
// NO_COLOR or --no-color; the terminal's width (else $COLUMNS, else 80).
view::Style terminal_style(const GlobalOptions& global);

// Writes text to stdout as it is.
void print(std::string_view text);

// Prints a JSON document to stdout.
void print_json(const std::function<void(util::JsonWriter&)>& body);

// The items joined with ", " ("company, client"); "" when there are none.
std::string comma_list(const std::vector<std::string>& items);

// "; told company, client": the roles of the parties a notice went to, or
// `nobody` when it went to none.
std::string told(const std::vector<envelope::Notified>& notified, std::string_view nobody);

// The key "notified": an array of the parties a notice went to, each with
// its role and channel, and its address when `with_address`.
void write_notified(util::JsonWriter& w, const std::vector<envelope::Notified>& notified,
                    bool with_address);

// After a change that was recorded but whose messages were not all
// delivered: says on stderr that `undelivered` messages are kept, with the
// hint to retry them with `signet deliver` (first looking at `signet status
// STATUS_ARG` when one is given). Returns the exit code: 75 (temp_failure)
// when undelivered > 0, else 0 without a word.
int report_undelivered(int undelivered, std::string_view status_arg = {});

// The party's access token: --token, else SIGNET_TOKEN, else asked at the
// terminal without echo. Throws bad_input when none is given and there is
// no terminal.
std::string access_token(const std::optional<std::string>& flag);

// Subcommand registration, one per file in cmd/.
Command setup_init(CLI::App& app, const GlobalOptions& global);
Command setup_create(CLI::App& app, const GlobalOptions& global);
Command setup_add_field(CLI::App& app, const GlobalOptions& global);
Command setup_status(CLI::App& app, const GlobalOptions& global);
Command setup_send(CLI::App& app, const GlobalOptions& global);
Command setup_deliver(CLI::App& app, const GlobalOptions& global);
Command setup_template(CLI::App& app, const GlobalOptions& global);
Command setup_export(CLI::App& app, const GlobalOptions& global);
Command setup_verify(CLI::App& app, const GlobalOptions& global);
Command setup_sign(CLI::App& app, const GlobalOptions& global);
Command setup_decline(CLI::App& app, const GlobalOptions& global);
Command setup_void(CLI::App& app, const GlobalOptions& global);
Command setup_remind(CLI::App& app, const GlobalOptions& global);
Command setup_audit(CLI::App& app, const GlobalOptions& global);

}  // namespace signet::cli
