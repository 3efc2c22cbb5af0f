#include "app.hpp"

#include "crypto/passphrase.hpp"
#include "util/json.hpp"
#include "util/time.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sys/ioctl.h>
#include <unistd.h>

namespace signet::cli {

store::Store open_store(const GlobalOptions& global) {
    return store::Store(store::locate_store(global.store).dir);
}

view::Style terminal_style(const GlobalOptions& global) {
    view::Style style;
    style.now = util::now();
    const bool tty = ::isatty(STDOUT_FILENO) != 0;
    const char* no_color = std::getenv("NO_COLOR");
    const char* term = std::getenv("TERM");
    style.colour = tty && !global.no_color && (no_color == nullptr || *no_color == '\0') &&
                   !(term != nullptr && std::strcmp(term, "dumb") == 0);
    style.width = 80;
    winsize ws{};
    if (tty && ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
        style.width = ws.ws_col;
    } else if (const char* columns = std::getenv("COLUMNS"); columns != nullptr) {
        const long n = std::strtol(columns, nullptr, 10);
        if (n >= 20 && n <= 1000) {
            style.width = static_cast<std::size_t>(n);
        }
    }
    return style;
}

std::string access_token(const std::optional<std::string>& flag) {
    if (flag) {
        return *flag;
    }
    crypto::PassphraseSource source;
    source.env_var = "SIGNET_TOKEN";
    source.file_env_var = "";
    source.what = "access token";
    return crypto::key_passphrase("Access token (from your invitation): ", crypto::Confirm::no,
                                  source);
}

void print(std::string_view text) { std::fwrite(text.data(), 1, text.size(), stdout); }

void print_json(const std::function<void(util::JsonWriter&)>& body) {
    std::string out;
    util::JsonWriter w(out);
    w.begin_object();
    w.field("schema", 1);
    body(w);
    w.end_object();
    print(out);
}

std::string comma_list(const std::vector<std::string>& items) {
    std::string out;
    for (const std::string& item : items) {
        out += (out.empty() ? "" : ", ") + item;
    }
    return out;
}

std::string told(const std::vector<envelope::Notified>& notified, std::string_view nobody) {
    std::vector<std::string> roles;
    for (const envelope::Notified& n : notified) {
        roles.push_back(n.role);
    }
    return roles.empty() ? std::string(nobody) : "; told " + comma_list(roles);
}

void write_notified(util::JsonWriter& w, const std::vector<envelope::Notified>& notified,
                    bool with_address) {
    w.key("notified").begin_array();
    for (const envelope::Notified& n : notified) {
        w.begin_object();
        w.field("role", n.role);
        w.field("channel", n.channel);
        if (with_address) {
            w.field("to", n.to);
        }
        w.end_object();
    }
    w.end_array();
}

int report_undelivered(int undelivered, std::string_view status_arg) {
    if (undelivered <= 0) {
        return 0;
    }
    const std::string hint = status_arg.empty()
                                 ? std::string("hint: retry with: signet deliver\n")
                                 : "hint: see signet status " + std::string(status_arg) +
                                       ", then retry with: signet deliver\n";
    std::fputs(("signet: error: " + std::to_string(undelivered) +
                " message(s) could not be delivered; they are kept\n" + hint)
                   .c_str(),
               stderr);
    return static_cast<int>(ExitCode::temp_failure);
}

}  // namespace signet::cli
