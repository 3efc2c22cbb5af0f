// Contacts: e-mail addresses and phone numbers, checked and normalised.
#pragma once

#include <string>
#include <string_view>

namespace signet::envelope {

// Checks an e-mail address (UTF-8 allowed, RFC 6531) and returns it with
// the domain lowercased. Throws bad_input naming `what`.
std::string normalise_email(std::string_view email, std::string_view what);

// Checks a phone number against the numbering plan and returns it in E.164
// ("+48601234567"). A national number needs `default_region` (ISO 3166
// alpha-2). Throws bad_input naming `what`.
std::string normalise_phone(std::string_view phone, const std::string& default_region,
                            std::string_view what);

}  // namespace signet::envelope
