// Where the passphrase that unlocks the store's private keys comes from:
// never argv, which other users can read in /proc.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace signet::crypto {

// The environment variable that holds the key passphrase for scripts.
inline constexpr const char* k_passphrase_env = "SIGNET_KEY_PASSPHRASE";

// Whether a passphrase typed at the terminal is asked twice (for new keys).
enum class Confirm { no, yes };

// Where key_passphrase() looks; the defaults are the real ones, tests point
// them elsewhere.
struct PassphraseSource {
    std::string env_var = k_passphrase_env;
    std::filesystem::path tty = "/dev/tty";
    // A variable naming a file whose first line is the secret (for services
    // such as the SSH signing host, where the environment is set by a
    // wrapper); "" for none. Read only when env_var is not set.
    std::string file_env_var = "SIGNET_KEY_PASSPHRASE_FILE";
    std::string what = "key passphrase";  // names the secret in messages
};

// The key passphrase: the value of SIGNET_KEY_PASSPHRASE when it is set,
// else the first line of the file SIGNET_KEY_PASSPHRASE_FILE names, else
// read from the controlling terminal with echo off after printing `prompt`
// there (asked twice with Confirm::yes). Echo is restored however reading
// ends, including SIGINT, SIGTERM, SIGHUP and SIGQUIT during the prompt.
// Throws bad_input when there is no terminal (saying to set
// SIGNET_KEY_PASSPHRASE), when the passphrase is empty, when the file cannot
// be read, or when the two entries differ. Any other secret a command reads
// the same way (an access token from SIGNET_TOKEN) uses a source of its own.
std::string key_passphrase(std::string_view prompt, Confirm confirm = Confirm::no,
                           const PassphraseSource& source = {});

}  // namespace signet::crypto
