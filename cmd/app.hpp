// What every subcommand shares: the global options, opening the store, and
// writing to the terminal. Subcommands parse and print; lib/ does the work.
#pragma once

#include "signet/error.hpp"
#include "store/store.hpp"
#include "util/json.hpp"
#include "view/status_view.hpp"

#include <CLI/CLI.hpp>

#include <functional>
#include <optional>
#include <string>

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
