#include "envelope/contact.hpp"

#include "signet/error.hpp"
#include "util/text.hpp"

#include <phonenumbers/phonenumberutil.h>

namespace signet::envelope {
namespace {

bool is_atext(unsigned char c) {
    if (c >= 0x80) {
        return true;  // UTF-8 in internationalised addresses
    }
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
        return true;
    }
    return std::string_view("!#$%&'*+-/=?^_`{|}~").find(static_cast<char>(c)) !=
           std::string_view::npos;
}

bool valid_local_part(std::string_view local) {
    if (local.empty() || local.size() > 64 || local.front() == '.' || local.back() == '.' ||
        local.find("..") != std::string_view::npos) {
        return false;
    }
    for (const char c : local) {
        if (c != '.' && !is_atext(static_cast<unsigned char>(c))) {
            return false;
        }
    }
    return true;
}

bool valid_domain(std::string_view domain) {
    if (domain.empty() || domain.size() > 253 || domain.find('.') == std::string_view::npos) {
        return false;
    }
    std::size_t start = 0;
    while (start <= domain.size()) {
        const std::size_t dot = domain.find('.', start);
        const std::string_view label =
            domain.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
            return false;
        }
        for (const char ch : label) {
            const auto c = static_cast<unsigned char>(ch);
            const bool ok = c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '-';
            if (!ok) {
                return false;
            }
        }
        if (dot == std::string_view::npos) {
            // The top-level domain is not numeric and has two characters or more.
            const bool numeric = label.find_first_not_of("0123456789") == std::string_view::npos;
            return label.size() >= 2 && !numeric;
        }
        start = dot + 1;
    }
    return false;
}

}  // namespace

std::string normalise_email(std::string_view email, std::string_view what) {
    const std::string text = util::trim(email);
    util::require_clean_line(text, what);
    const auto at = text.rfind('@');
    const std::string_view view(text);
    if (at == std::string::npos || text.find('@') != at || !valid_local_part(view.substr(0, at)) ||
        !valid_domain(view.substr(at + 1))) {
        throw bad_input(std::string(what) + ": not a valid e-mail address: " + util::quoted(text),
                        {"write it as name@example.com"});
    }
    return text.substr(0, at + 1) + util::to_lower_ascii(text.substr(at + 1));
}

std::string normalise_phone(std::string_view phone, const std::string& default_region,
                            std::string_view what) {
    using i18n::phonenumbers::PhoneNumber;
    using i18n::phonenumbers::PhoneNumberUtil;
    const std::string text = util::trim(phone);
    util::require_clean_line(text, what);
    const bool international = text.rfind('+', 0) == 0 || text.rfind("00", 0) == 0;
    if (!international && default_region.empty()) {
        throw bad_input(std::string(what) + ": " + util::quoted(text) +
                            " has no country code and the store has no default region",
                        {"write it with the country code, e.g. +48 601 234 567, or set "
                         "phone_region in the store's config.yaml"});
    }
    const PhoneNumberUtil* util_ = PhoneNumberUtil::GetInstance();
    PhoneNumber number;
    const std::string region = default_region.empty() ? "ZZ" : default_region;
    // "0048 ..." is international too, but "00" is the exit code of only some
    // regions: libphonenumber cannot read it without one, so write it as "+".
    const std::string to_parse = text.rfind("00", 0) == 0 ? "+" + text.substr(2) : text;
    const auto rc = util_->Parse(to_parse, region, &number);
    if (rc != PhoneNumberUtil::NO_PARSING_ERROR || !util_->IsValidNumber(number)) {
        throw bad_input(std::string(what) + ": not a valid phone number: " + util::quoted(text),
                        {"write it with the country code, e.g. +48 601 234 567"});
    }
    std::string e164;
    util_->Format(number, PhoneNumberUtil::E164, &e164);
    return e164;
}

}  // namespace signet::envelope
