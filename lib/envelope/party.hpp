// Parties from the command line (--party SPEC) and from files
// (--party-file YAML or JSON), validated the same way.
#pragma once

#include "envelope/model.hpp"

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace signet::envelope {

// One key=value of a party, with the place it came from for errors
// ("--party 2", or "parties.yaml:5:3" for a key in a file).
struct KeyValue {
    std::string key;
    std::string value;
    std::string where;
};
using KeyValues = std::vector<KeyValue>;

// Splits a SPEC "key=value,key=value" as docker --mount does: items are
// comma-separated, and an item (or a value after "=") with a comma or a
// quote is double-quoted CSV style, "" standing for one quote. Throws
// bad_input naming `where`.
KeyValues split_spec(std::string_view spec, std::string_view where);

// Builds a party from keys and values; checks every key and value. `where`
// names the place in errors ("--party 2", "parties.yaml:4:5").
Party party_from_keys(const KeyValues& keys, const std::string& phone_region,
                      std::string_view where);

Party parse_party_spec(std::string_view spec, const std::string& phone_region,
                       std::string_view where);

// Reads a YAML or JSON list of parties (each a mapping with the SPEC keys).
// Errors name the file, line and column.
std::vector<Party> read_party_file(const std::filesystem::path& file,
                                   const std::string& phone_region);

// Checks the parties together: at least one, roles unique, at least one
// party that signs or approves.
void check_parties(const std::vector<Party>& parties);

}  // namespace signet::envelope
