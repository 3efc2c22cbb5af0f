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

}  // namespace signet::cli
