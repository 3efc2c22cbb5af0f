// signet: builds the command tree, runs the chosen subcommand, and maps
// every error to CLI.md's exit codes — the only place that does.
#include "app.hpp"
#include "signet/error.hpp"
#include "signet/version.hpp"

#include <cctype>
#include <clocale>
#include <cstdio>
#include <iostream>
#include <vector>

namespace {

void print_error(const std::string& message, const std::vector<std::string>& hints) {
    std::string text = "signet: error: " + message + "\n";
    for (const std::string& hint : hints) {
        text += "hint: " + hint + "\n";
    }
    std::fflush(stdout);
    std::fputs(text.c_str(), stderr);
}

int exit_status(signet::ExitCode code) { return static_cast<int>(code); }

}  // namespace

int main(int argc, char** argv) {
    using namespace signet;
    std::setlocale(LC_ALL, "C.UTF-8");

    CLI::App app{"signet: electronic-signature envelopes, local and scriptable", "signet"};
    app.footer(
        "Exit status: 0 success, 1 negative verdict, 2 bad usage or input, 3 untrusted,\n"
        "4 authentication failed, 5 not allowed now, 75 try again.\n"
        "See signet(1) and signet-COMMAND(1).");
    app.require_subcommand(1);
    // Global options may stand before or after the subcommand.
    app.fallthrough();
    app.set_version_flag("--version", std::string("signet ") + k_version);

    cli::GlobalOptions global;
    app.add_option("--store", global.store, "Store directory (else $SIGNET_HOME, else the default)")
        ->type_name("DIR");
    app.add_flag("--json", global.json, "Print one JSON document on stdout");
    app.add_flag("--no-color", global.no_color, "Never colour the output (as NO_COLOR does)");
    app.add_flag("-q,--quiet", global.quiet, "Print only what scripts need");
    app.add_flag("-v,--verbose", global.verbose, "Say more about what happens");

    const std::vector<cli::Command> commands = {
        cli::setup_init(app, global),
        cli::setup_create(app, global),
        cli::setup_add_field(app, global),
        cli::setup_status(app, global),
        cli::setup_send(app, global),
        cli::setup_sign(app, global),
        cli::setup_decline(app, global),
        cli::setup_void(app, global),
        cli::setup_remind(app, global),
        cli::setup_deliver(app, global),
        cli::setup_template(app, global),
        cli::setup_export(app, global),
        cli::setup_verify(app, global),
        cli::setup_audit(app, global),
    };

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e) == 0 ? 0 : exit_status(ExitCode::bad_input);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e) == 0 ? 0 : exit_status(ExitCode::bad_input);
    } catch (const CLI::CallForVersion& e) {
        app.exit(e);
        return 0;
    } catch (const CLI::ParseError& e) {
        const CLI::App* failed = &app;
        for (const auto& command : commands) {
            if (command.app->parsed()) {
                failed = command.app;
            }
        }
        const std::string name = failed == &app ? "signet" : "signet " + failed->get_name();
        if (failed == &app) {
            // A word where a subcommand belongs: name it rather than CLI11's
            // "A subcommand is required".
            for (int i = 1; i < argc; ++i) {
                const std::string arg = argv[i];
                if (arg == "--store") {
                    ++i;
                } else if (!arg.empty() && arg[0] != '-') {
                    std::string names;
                    for (const auto& command : commands) {
                        names += (names.empty() ? "" : " ") + command.app->get_name();
                    }
                    print_error("unknown command \"" + arg + "\"", {"commands: " + names});
                    return exit_status(ExitCode::bad_input);
                }
            }
        }
        std::string message = e.what();
        // CLI11 capitalises its messages; ours start in lowercase.
        if (message.size() > 1 && std::isupper(static_cast<unsigned char>(message[0])) &&
            std::islower(static_cast<unsigned char>(message[1]))) {
            message[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(message[0])));
        }
        print_error(message, {"see: " + name + " --help"});
        return exit_status(ExitCode::bad_input);
    }

    try {
        for (const auto& command : commands) {
            if (command.app->parsed()) {
                const int code = command.run();
                std::fflush(stdout);
                return code;
            }
        }
        return exit_status(ExitCode::bad_input);
    } catch (const Error& e) {
        print_error(e.what(), e.hints());
        return exit_status(exit_code_for(e.kind()));
    } catch (const std::exception& e) {
        print_error(std::string("internal error: ") + e.what(),
                    {"this is a bug in signet; please report it with the command you ran"});
        return exit_status(ExitCode::internal);
    }
}
