#include "envelope/model.hpp"

#include <array>
#include <utility>

namespace signet::envelope {
namespace {

template <typename E, std::size_t N>
using Names = std::array<std::pair<E, std::string_view>, N>;

constexpr Names<EnvelopeStatus, 7> k_envelope_status = {{
    {EnvelopeStatus::draft, "draft"},
    {EnvelopeStatus::sent, "sent"},
    {EnvelopeStatus::in_progress, "in_progress"},
    {EnvelopeStatus::completed, "completed"},
    {EnvelopeStatus::declined, "declined"},
    {EnvelopeStatus::voided, "voided"},
    {EnvelopeStatus::expired, "expired"},
}};
constexpr Names<PartyKind, 2> k_party_kind = {{
    {PartyKind::person, "person"},
    {PartyKind::organization, "organization"},
}};
constexpr Names<PartyAction, 3> k_party_action = {{
    {PartyAction::sign, "sign"},
    {PartyAction::approve, "approve"},
    {PartyAction::copy, "copy"},
}};
constexpr Names<AuthMethod, 2> k_auth_method = {{
    {AuthMethod::email, "email"},
    {AuthMethod::sms, "sms"},
}};
constexpr Names<StampRule, 2> k_stamp_rule = {{
    {StampRule::none, "none"},
    {StampRule::required, "required"},
}};
constexpr Names<PartyStatus, 8> k_party_status = {{
    {PartyStatus::waiting, "waiting"},
    {PartyStatus::invited, "invited"},
    {PartyStatus::opened, "opened"},
    {PartyStatus::signed_, "signed"},
    {PartyStatus::approved, "approved"},
    {PartyStatus::copied, "copied"},
    {PartyStatus::declined, "declined"},
    {PartyStatus::locked, "locked"},
}};
constexpr Names<FieldType, 10> k_field_type = {{
    {FieldType::signature, "signature"},
    {FieldType::initials, "initials"},
    {FieldType::stamp, "stamp"},
    {FieldType::date_signed, "date_signed"},
    {FieldType::text, "text"},
    {FieldType::multiline, "multiline"},
    {FieldType::number, "number"},
    {FieldType::checkbox, "checkbox"},
    {FieldType::email, "email"},
    {FieldType::name, "name"},
}};

template <typename E, std::size_t N>
std::string_view name_of(const Names<E, N>& names, E value) {
    for (const auto& [v, name] : names) {
        if (v == value) {
            return name;
        }
    }
    return "?";
}

template <typename E, std::size_t N>
std::optional<E> value_of(const Names<E, N>& names, std::string_view s) {
    for (const auto& [v, name] : names) {
        if (name == s) {
            return v;
        }
    }
    return std::nullopt;
}

}  // namespace

std::string_view to_string(EnvelopeStatus s) { return name_of(k_envelope_status, s); }
std::string_view to_string(PartyKind k) { return name_of(k_party_kind, k); }
std::string_view to_string(PartyAction a) { return name_of(k_party_action, a); }
std::string_view to_string(AuthMethod a) { return name_of(k_auth_method, a); }
std::string_view to_string(StampRule s) { return name_of(k_stamp_rule, s); }
std::string_view to_string(PartyStatus s) { return name_of(k_party_status, s); }
std::string_view to_string(FieldType t) { return name_of(k_field_type, t); }

std::optional<EnvelopeStatus> parse_envelope_status(std::string_view s) {
    return value_of(k_envelope_status, s);
}
std::optional<PartyKind> parse_party_kind(std::string_view s) { return value_of(k_party_kind, s); }
std::optional<PartyAction> parse_party_action(std::string_view s) {
    return value_of(k_party_action, s);
}
std::optional<AuthMethod> parse_auth_method(std::string_view s) {
    return value_of(k_auth_method, s);
}
std::optional<StampRule> parse_stamp_rule(std::string_view s) { return value_of(k_stamp_rule, s); }
std::optional<PartyStatus> parse_party_status(std::string_view s) {
    return value_of(k_party_status, s);
}
std::optional<FieldType> parse_field_type(std::string_view s) { return value_of(k_field_type, s); }

std::string field_type_names() {
    std::string out;
    for (const auto& [v, name] : k_field_type) {
        if (!out.empty()) {
            out += ", ";
        }
        out += name;
    }
    return out;
}

bool is_final(EnvelopeStatus s) {
    return s == EnvelopeStatus::completed || s == EnvelopeStatus::declined ||
           s == EnvelopeStatus::voided || s == EnvelopeStatus::expired;
}

bool Expiry::operator==(const Expiry& other) const {
    return count == other.count && unit == other.unit;
}

std::optional<Expiry> parse_expiry(std::string_view text) {
    if (text.size() < 2) {
        return std::nullopt;
    }
    std::int64_t unit_seconds = 0;
    switch (text.back()) {
    case 'h': unit_seconds = 3600; break;
    case 'd': unit_seconds = 86400; break;
    case 'w': unit_seconds = 7 * 86400; break;
    default: return std::nullopt;
    }
    constexpr std::int64_t k_max_seconds = 10LL * 366 * 86400;
    std::int64_t count = 0;
    for (std::size_t i = 0; i + 1 < text.size(); ++i) {
        if (text[i] < '0' || text[i] > '9') {
            return std::nullopt;
        }
        count = count * 10 + (text[i] - '0');
        if (count * unit_seconds > k_max_seconds) {
            return std::nullopt;
        }
    }
    if (count == 0) {
        return std::nullopt;
    }
    return Expiry{count, text.back()};
}

std::string to_string(const Expiry& e) { return std::to_string(e.count) + e.unit; }

std::int64_t nominal_seconds(const Expiry& e) {
    return e.count * (e.unit == 'h' ? 3600 : e.unit == 'w' ? 7 * 86400 : 86400);
}

util::UnixTime expiry_end(const Expiry& e, util::UnixTime sent, const std::string& zone) {
    if (e.unit == 'h') {
        return sent + e.count * 3600;
    }
    const std::int64_t days = e.unit == 'w' ? 7 * e.count : e.count;
    return util::add_days_in_zone(sent, days, zone);
}

const Party* Envelope::find_party(std::string_view role) const {
    for (const Party& p : parties) {
        if (p.role == role) {
            return &p;
        }
    }
    return nullptr;
}

const Field* Envelope::find_field(std::string_view name) const {
    for (const Field& f : fields) {
        if (f.name == name) {
            return &f;
        }
    }
    return nullptr;
}

}  // namespace signet::envelope
