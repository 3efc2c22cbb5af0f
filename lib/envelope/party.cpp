#include "envelope/party.hpp"

#include "envelope/contact.hpp"
#include "signet/error.hpp"
#include "util/fs.hpp"
#include "util/text.hpp"

#include <yaml-cpp/yaml.h>

#include <set>

namespace signet::envelope {
namespace {

const char* const k_keys_hint = "keys: role name email phone order kind stamp action auth";

bool is_role_name(std::string_view role) {
    if (role.empty() || role.size() > 32) {
        return false;
    }
    for (const char c : role) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
            return false;
        }
    }
    return true;
}

template <typename T>
T parse_choice(std::optional<T> parsed, std::string_view key, const std::string& value,
               std::string_view choices, std::string_view where) {
    if (!parsed) {
        throw bad_input(std::string(where) + ": " + std::string(key) + " must be " +
                        std::string(choices) + ", not " + util::quoted(value));
    }
    return *parsed;
}

int parse_order(const std::string& value, std::string_view where) {
    const bool digits = !value.empty() && value.size() <= 4 &&
                        value.find_first_not_of("0123456789") == std::string::npos;
    const int order = digits ? std::stoi(value) : 0;
    if (order < 1) {
        throw bad_input(std::string(where) + ": order must be a positive whole number, not " +
                        util::quoted(value));
    }
    return order;
}

}  // namespace

KeyValues split_spec(std::string_view spec, std::string_view where) {
    // Items as CSV fields; a quote may open the item or its value.
    std::vector<std::string> items;
    std::string item;
    bool quoted = false;
    bool was_quoted = false;
    for (std::size_t i = 0; i < spec.size(); ++i) {
        const char c = spec[i];
        if (quoted) {
            if (c == '"') {
                if (i + 1 < spec.size() && spec[i + 1] == '"') {
                    item += '"';
                    ++i;
                } else {
                    quoted = false;
                    if (i + 1 < spec.size() && spec[i + 1] != ',') {
                        throw bad_input(std::string(where) +
                                        ": text after a closing quote at character " +
                                        std::to_string(i + 2));
                    }
                }
            } else {
                item += c;
            }
        } else if (c == ',') {
            items.push_back(std::move(item));
            item.clear();
            was_quoted = false;
        } else if (c == '"' && !was_quoted &&
                   (item.empty() || (item.back() == '=' && item.find('=') == item.size() - 1))) {
            quoted = true;
            was_quoted = true;
        } else if (c == '"') {
            throw bad_input(std::string(where) + ": stray quote at character " +
                                std::to_string(i + 1),
                            {"quote the whole item or value: \"name=ACME, Inc.\""});
        } else {
            item += c;
        }
    }
    if (quoted) {
        throw bad_input(std::string(where) + ": unterminated quote");
    }
    items.push_back(std::move(item));

    KeyValues keys;
    for (std::size_t n = 0; n < items.size(); ++n) {
        const std::string& it = items[n];
        if (it.empty() && n + 1 == items.size() && n > 0) {
            continue;  // a trailing comma
        }
        const auto eq = it.find('=');
        if (eq == std::string::npos || eq == 0) {
            throw bad_input(std::string(where) + ": expected key=value, got " + util::quoted(it),
                            {k_keys_hint});
        }
        keys.push_back(KeyValue{util::trim(it.substr(0, eq)), it.substr(eq + 1), std::string(where)});
    }
    return keys;
}

Party party_from_keys(const KeyValues& keys, const std::string& phone_region,
                      std::string_view where_view) {
    const std::string where(where_view);
    Party party;
    std::set<std::string> seen;
    bool has_kind = false;
    std::optional<std::string> auth;
    for (const auto& [key, raw, key_where] : keys) {
        if (!seen.insert(key).second) {
            throw bad_input(key_where + ": " + key + " is given twice");
        }
        const std::string at = key_where + ": " + key;
        if (util::find_control_char(raw) != std::string::npos || !util::is_valid_utf8(raw)) {
            throw bad_input(at + " contains a control character or invalid UTF-8: " +
                            util::quoted(raw));
        }
        const std::string value = util::trim(raw);
        if (key == "role") {
            if (!is_role_name(value)) {
                throw bad_input(at + " must be lowercase letters, digits and _, not " +
                                util::quoted(value));
            }
            party.role = value;
        } else if (key == "name") {
            util::require_clean_line(value, at);
            party.name = value;
        } else if (key == "email") {
            party.email = normalise_email(value, at);
        } else if (key == "phone") {
            party.phone = normalise_phone(value, phone_region, at);
        } else if (key == "order") {
            party.order = parse_order(value, key_where);
        } else if (key == "kind") {
            party.kind = parse_choice(parse_party_kind(value), key, value,
                                      "person or organization", key_where);
            has_kind = true;
        } else if (key == "stamp") {
            party.stamp =
                parse_choice(parse_stamp_rule(value), key, value, "required or none", key_where);
        } else if (key == "action") {
            party.action = parse_choice(parse_party_action(value), key, value,
                                        "sign, approve or copy", key_where);
        } else if (key == "auth") {
            party.auth =
                parse_choice(parse_auth_method(value), key, value, "email or sms", key_where);
            auth = value;
        } else {
            throw bad_input(key_where + ": unknown key " + util::quoted(key), {k_keys_hint});
        }
    }
    if (party.role.empty()) {
        throw bad_input(where + ": role is missing", {"e.g. role=client"});
    }
    if (party.name.empty()) {
        throw bad_input(where + ": name is missing", {"e.g. \"name=Anna Nowak\""});
    }
    if (!party.email && !party.phone) {
        throw bad_input(where + ": give an email or a phone so the party can be reached");
    }
    if (!auth) {
        party.auth = party.email ? AuthMethod::email : AuthMethod::sms;
    } else if (party.auth == AuthMethod::sms && !party.phone) {
        throw bad_input(where + ": auth=sms needs a phone");
    } else if (party.auth == AuthMethod::email && !party.email) {
        throw bad_input(where + ": auth=email needs an email");
    }
    if (party.stamp == StampRule::required && party.action != PartyAction::sign) {
        throw bad_input(where + ": stamp=required needs action=sign");
    }
    if (party.stamp == StampRule::required && !has_kind) {
        party.kind = PartyKind::organization;  // only organisations stamp
    }
    return party;
}

Party parse_party_spec(std::string_view spec, const std::string& phone_region,
                       std::string_view where) {
    return party_from_keys(split_spec(spec, where), phone_region, where);
}

std::vector<Party> read_party_file(const std::filesystem::path& file,
                                   const std::string& phone_region) {
    auto place = [&](const YAML::Mark& m) {
        return file.string() + ":" + std::to_string(m.line + 1) + ":" +
               std::to_string(m.column + 1);
    };
    // Read first: a directory or an unreadable file is bad input, with the reason.
    const std::string text = util::read_file(file);
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        throw bad_input(place(e.mark) + ": " + e.msg);
    }
    if (root.IsMap() && root["parties"]) {
        root = root["parties"];
    }
    if (!root.IsSequence()) {
        throw bad_input(place(root.Mark()) + ": expected a list of parties");
    }
    std::vector<Party> parties;
    for (const YAML::Node& entry : root) {
        if (!entry.IsMap()) {
            throw bad_input(place(entry.Mark()) + ": expected a mapping such as role: client");
        }
        KeyValues keys;
        for (const auto& kv : entry) {
            if (!kv.second.IsScalar()) {
                throw bad_input(place(kv.second.Mark()) + ": " + kv.first.as<std::string>() +
                                " must be a single value");
            }
            keys.push_back(KeyValue{kv.first.as<std::string>(), kv.second.as<std::string>(),
                                    place(kv.first.Mark())});
        }
        parties.push_back(party_from_keys(keys, phone_region, place(entry.Mark())));
    }
    return parties;
}

void check_parties(const std::vector<Party>& parties) {
    if (parties.empty()) {
        throw bad_input("an envelope needs at least one party",
                        {"add one: --party \"role=client,name=Anna Nowak,email=anna@example.com\""});
    }
    std::set<std::string> roles;
    bool someone_acts = false;
    for (const Party& p : parties) {
        if (!roles.insert(p.role).second) {
            throw bad_input("the role \"" + p.role + "\" is given to two parties",
                            {"each party needs its own role, e.g. company and client"});
        }
        someone_acts = someone_acts || p.action != PartyAction::copy;
    }
    if (!someone_acts) {
        throw bad_input("every party only receives a copy: at least one must sign or approve");
    }
}

}  // namespace signet::envelope
