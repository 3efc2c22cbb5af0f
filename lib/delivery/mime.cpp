#include "delivery/mime.hpp"

#include "signet/error.hpp"
#include "util/crypto_hash.hpp"
#include "util/text.hpp"

#include <array>
#include <ctime>

namespace signet::delivery {
namespace {

constexpr std::size_t k_max_line = 78;          // RFC 5322's "SHOULD"
constexpr std::size_t k_max_encoded_line = 76;  // RFC 2047: lines with encoded-words
constexpr std::size_t k_max_word = 75;          // RFC 2047: one encoded-word
constexpr std::string_view k_word_open = "=?UTF-8?";
constexpr std::size_t k_word_overhead = 12;  // "=?UTF-8?B?" + "?="
constexpr const char* k_hex = "0123456789ABCDEF";

bool is_ascii(std::string_view s) {
    for (const char c : s) {
        if (static_cast<unsigned char>(c) >= 0x80) {
            return false;
        }
    }
    return true;
}

// Control characters (and line breaks) become spaces: a header is one line
// and no value may smuggle in another header.
std::string one_line(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        out += (u < 0x20 || u == 0x7F) ? ' ' : c;
    }
    return out;
}

// Splits UTF-8 text into whole characters (a malformed byte is its own unit).
std::vector<std::string_view> utf8_units(std::string_view s) {
    std::vector<std::string_view> units;
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = 1;
        if (c >= 0xF0) {
            n = 4;
        } else if (c >= 0xE0) {
            n = 3;
        } else if (c >= 0xC0) {
            n = 2;
        }
        if (i + n > s.size()) {
            n = 1;
        }
        for (std::size_t k = 1; k < n; ++k) {
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) {
                n = 1;
                break;
            }
        }
        units.push_back(s.substr(i, n));
        i += n;
    }
    return units;
}

// Q encoding's literal characters: in a phrase (a display name) RFC 2047
// 5(3) allows only letters, digits and !*+-/; in unstructured text (Subject)
// any printable ASCII but =, ?, _ and space.
bool q_literal(unsigned char c, bool phrase) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        return true;
    }
    if (phrase) {
        return c == '!' || c == '*' || c == '+' || c == '-' || c == '/';
    }
    return c > 0x20 && c < 0x7F && c != '=' && c != '?' && c != '_';
}

std::size_t q_cost(std::string_view unit, bool phrase) {
    std::size_t cost = 0;
    for (const char ch : unit) {
        const auto c = static_cast<unsigned char>(ch);
        cost += (c == ' ' || q_literal(c, phrase)) ? 1u : 3u;
    }
    return cost;
}

void append_q(std::string& out, std::string_view unit, bool phrase) {
    for (const char ch : unit) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == ' ') {
            out += '_';
        } else if (q_literal(c, phrase)) {
            out += ch;
        } else {
            out += '=';
            out += k_hex[c >> 4];
            out += k_hex[c & 0xF];
        }
    }
}

std::size_t b_length(std::size_t bytes) { return 4 * ((bytes + 2) / 3); }

// The text as encoded-words, one per line after the first, each whole
// characters only, so that every line stays within 76 columns.
std::string encode_words(std::string_view text, std::size_t used, bool phrase) {
    const auto units = utf8_units(text);
    std::size_t q_total = 0;
    for (const auto unit : units) {
        q_total += q_cost(unit, phrase);
    }
    const bool use_q = q_total <= b_length(text.size());

    std::string out;
    std::size_t budget = k_max_encoded_line > used ? k_max_encoded_line - used : 0;
    if (budget < k_word_overhead + 12) {
        out += "\r\n ";  // no room left on this line: start the value on the next
        budget = k_max_encoded_line - 1;
    }
    budget = std::min(budget, k_max_word);
    std::size_t i = 0;
    bool first = true;
    while (i < units.size()) {
        std::size_t bytes = 0;
        std::size_t q_len = 0;
        std::size_t j = i;
        std::size_t after_space = i;  // just after the last space that fits
        while (j < units.size()) {
            const std::size_t next_len = use_q ? q_len + q_cost(units[j], phrase)
                                               : b_length(bytes + units[j].size());
            if (k_word_overhead + next_len > budget && j > i) {
                break;
            }
            bytes += units[j].size();
            q_len = use_q ? next_len : 0;
            ++j;
            if (units[j - 1] == " ") {
                after_space = j;
            }
        }
        // Decoders drop the folding whitespace between encoded-words, so
        // words are split after a space (kept inside the first) where one
        // fits: a decoder that wrongly keeps the fold then shows two spaces,
        // never a word cut in two.
        if (j < units.size() && after_space > i) {
            j = after_space;
        }
        std::string chunk;
        for (std::size_t k = i; k < j; ++k) {
            chunk += units[k];
        }
        if (!first) {
            out += "\r\n ";
        }
        out += k_word_open;
        out += use_q ? "Q?" : "B?";
        if (use_q) {
            append_q(out, chunk, phrase);
        } else {
            out += base64_encode(chunk);
        }
        out += "?=";
        first = false;
        budget = std::min(k_max_encoded_line - 1, k_max_word);
        i = j;
    }
    return out;
}

// Plain ASCII folded at spaces to stay within 78 columns where it can.
std::string fold_ascii(std::string_view text, std::size_t used) {
    std::string out;
    std::size_t column = used;
    std::size_t start = 0;
    bool first = true;
    while (start <= text.size()) {
        std::size_t end = text.find(' ', start);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        const std::string_view word = text.substr(start, end - start);
        if (!first) {
            if (column + 1 + word.size() > k_max_line && !word.empty()) {
                out += "\r\n";
                column = 0;
            }
            out += ' ';
            ++column;
        }
        out += word;
        column += word.size();
        first = false;
        start = end + 1;
    }
    return out;
}

std::size_t last_line_length(std::string_view s) {
    const auto nl = s.rfind('\n');
    return nl == std::string_view::npos ? s.size() : s.size() - nl - 1;
}

bool is_atext(unsigned char c) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        return true;
    }
    return std::string_view("!#$%&'*+-/=?^_`{|}~").find(static_cast<char>(c)) !=
           std::string_view::npos;
}

// RFC 2231 attribute-char: what a parameter value may hold unescaped.
bool is_attribute_char(unsigned char c) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        return true;
    }
    return std::string_view("!#$&+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

// A file name for a part: no path, no control characters, never empty.
std::string clean_filename(std::string_view name) {
    std::string out;
    for (const char c : one_line(name)) {
        out += (c == '/' || c == '\\') ? '_' : c;
    }
    out = util::trim(out);
    return out.empty() ? std::string("document.pdf") : out;
}

// `;` then the filename parameter on its own line(s): a quoted string when
// it is short ASCII, else RFC 2231 (filename*=UTF-8''..., split into
// filename*0*, filename*1*, ... continuations to keep lines short).
std::string filename_parameter(const std::string& name) {
    const bool plain = is_ascii(name) && name.find('"') == std::string::npos &&
                       name.find('\\') == std::string::npos;
    if (plain && 1 + 10 + name.size() + 2 <= k_max_line) {
        return ";\r\n filename=\"" + name + "\"";
    }
    std::vector<std::string> pieces;  // escaped, never splitting a %XX or a character
    for (const auto unit : utf8_units(name)) {
        std::string piece;
        for (const char ch : unit) {
            const auto c = static_cast<unsigned char>(ch);
            if (is_attribute_char(c)) {
                piece += ch;
            } else {
                piece += '%';
                piece += k_hex[c >> 4];
                piece += k_hex[c & 0xF];
            }
        }
        pieces.push_back(piece);
    }
    std::string whole = "UTF-8''";
    for (const auto& piece : pieces) {
        whole += piece;
    }
    if (1 + 11 + whole.size() + 1 <= k_max_line) {
        return ";\r\n filename*=" + whole;
    }
    std::vector<std::string> sections;
    std::string current = "UTF-8''";
    for (const auto& piece : pieces) {
        // " filename*NN*=" is at most 15 columns, then the section and ";".
        if (current.size() + piece.size() > k_max_line - 16 && !current.empty() &&
            current != "UTF-8''") {
            sections.push_back(current);
            current.clear();
        }
        current += piece;
    }
    sections.push_back(current);
    std::string out;
    for (std::size_t i = 0; i < sections.size(); ++i) {
        out += ";\r\n filename*" + std::to_string(i) + "*=" + sections[i];
    }
    return out;
}

std::string boundary() { return "=_signet_" + util::to_hex(util::random_bytes(12)); }

}  // namespace

std::string to_crlf(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 32);
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '\r') {
            out += "\r\n";
            if (i + 1 < text.size() && text[i + 1] == '\n') {
                ++i;
            }
        } else if (c == '\n') {
            out += "\r\n";
        } else {
            out += c;
        }
    }
    return out;
}

std::string base64_encode(std::string_view data, std::size_t line_length) {
    static constexpr char k_alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve(b_length(data.size()) + (line_length > 0 ? data.size() / line_length * 2 : 0));
    std::size_t column = 0;
    auto put = [&](char c) {
        if (line_length > 0 && column == line_length) {
            out += "\r\n";
            column = 0;
        }
        out += c;
        ++column;
    };
    std::size_t i = 0;
    for (; i + 3 <= data.size(); i += 3) {
        const unsigned n = (static_cast<unsigned>(static_cast<unsigned char>(data[i])) << 16) |
                           (static_cast<unsigned>(static_cast<unsigned char>(data[i + 1])) << 8) |
                           static_cast<unsigned>(static_cast<unsigned char>(data[i + 2]));
        put(k_alphabet[(n >> 18) & 63]);
        put(k_alphabet[(n >> 12) & 63]);
        put(k_alphabet[(n >> 6) & 63]);
        put(k_alphabet[n & 63]);
    }
    const std::size_t rest = data.size() - i;
    if (rest > 0) {
        unsigned n = static_cast<unsigned>(static_cast<unsigned char>(data[i])) << 16;
        if (rest == 2) {
            n |= static_cast<unsigned>(static_cast<unsigned char>(data[i + 1])) << 8;
        }
        put(k_alphabet[(n >> 18) & 63]);
        put(k_alphabet[(n >> 12) & 63]);
        put(rest == 2 ? k_alphabet[(n >> 6) & 63] : '=');
        put('=');
    }
    return out;
}

std::string quoted_printable_encode(std::string_view text) {
    const std::string crlf = to_crlf(text);
    std::string out;
    std::size_t line_start = 0;
    while (line_start <= crlf.size()) {
        std::size_t line_end = crlf.find("\r\n", line_start);
        const bool last = line_end == std::string::npos;
        if (last) {
            line_end = crlf.size();
        }
        const std::string_view line(crlf.data() + line_start, line_end - line_start);
        std::size_t column = 0;
        for (std::size_t i = 0; i < line.size(); ++i) {
            const auto c = static_cast<unsigned char>(line[i]);
            const bool at_end = i + 1 == line.size();
            std::string token;
            if ((c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !at_end)) {
                token = static_cast<char>(c);
            } else {
                token = {'=', k_hex[c >> 4], k_hex[c & 0xF]};
            }
            // 75 characters and the "=" of a soft break make 76.
            if (column + token.size() > 75 && !(at_end && column + token.size() <= 76)) {
                out += "=\r\n";
                column = 0;
            }
            out += token;
            column += token.size();
        }
        if (last) {
            break;
        }
        out += "\r\n";
        line_start = line_end + 2;
    }
    return out;
}

bool is_valid_address(std::string_view address) {
    const auto at = address.rfind('@');
    if (at == std::string_view::npos || at == 0 || at + 1 == address.size()) {
        return false;
    }
    if (address.size() > 254) {
        return false;
    }
    for (const char ch : address) {
        const auto c = static_cast<unsigned char>(ch);
        if (c <= 0x20 || c >= 0x7F || ch == '<' || ch == '>' || ch == '"' || ch == '(' ||
            ch == ')' || ch == ',' || ch == ';' || ch == '\\' || ch == '[' || ch == ']') {
            return false;
        }
    }
    return address.find('@') == at;
}

MailAddress parse_mailbox(std::string_view text, std::string_view what) {
    const std::string clean = util::trim(text);
    auto fail = [&]() -> Error {
        return bad_input(std::string(what) + ": not a mail address: " + util::quoted(clean),
                         {"write it as name@example.com or \"Name <name@example.com>\""});
    };
    if (util::find_control_char(clean) != std::string::npos || !util::is_valid_utf8(clean)) {
        throw fail();
    }
    MailAddress mailbox;
    const auto open = clean.rfind('<');
    if (open == std::string::npos) {
        mailbox.address = clean;
    } else {
        if (clean.back() != '>') {
            throw fail();
        }
        mailbox.address = clean.substr(open + 1, clean.size() - open - 2);
        std::string name = util::trim(std::string_view(clean).substr(0, open));
        if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
            std::string unquoted;
            for (std::size_t i = 1; i + 1 < name.size(); ++i) {
                if (name[i] == '\\' && i + 2 < name.size()) {
                    ++i;
                }
                unquoted += name[i];
            }
            name = unquoted;
        }
        mailbox.name = name;
    }
    if (!is_valid_address(mailbox.address)) {
        throw fail();
    }
    return mailbox;
}

std::string encode_header_text(std::string_view text, std::size_t used) {
    const std::string line = one_line(text);
    if (is_ascii(line) && line.find("=?") == std::string::npos) {
        return fold_ascii(line, used);
    }
    return encode_words(line, used, /*phrase=*/false);
}

std::string encode_display_name(std::string_view name, std::size_t used) {
    const std::string line = util::trim(one_line(name));
    if (!is_ascii(line) || line.find("=?") != std::string::npos) {
        return encode_words(line, used, /*phrase=*/true);
    }
    bool atoms = !line.empty();
    for (const char ch : line) {
        if (ch != ' ' && !is_atext(static_cast<unsigned char>(ch))) {
            atoms = false;
            break;
        }
    }
    if (atoms) {
        return fold_ascii(line, used);
    }
    std::string quoted = "\"";
    for (const char ch : line) {
        if (ch == '"' || ch == '\\') {
            quoted += '\\';
        }
        quoted += ch;
    }
    quoted += '"';
    return quoted;
}

std::string format_mailbox(const MailAddress& mailbox, std::size_t used) {
    if (!is_valid_address(mailbox.address)) {
        throw bad_input("not a mail address: " + util::quoted(mailbox.address));
    }
    if (util::trim(one_line(mailbox.name)).empty()) {
        return mailbox.address;
    }
    std::string out = encode_display_name(mailbox.name, used);
    const std::size_t column = out.find('\n') == std::string::npos ? used + out.size()
                                                                   : last_line_length(out);
    const std::string angle = "<" + mailbox.address + ">";
    out += column + 1 + angle.size() > k_max_line ? "\r\n " : " ";
    out += angle;
    return out;
}

std::string rfc5322_date(util::UnixTime t) {
    const std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    ::gmtime_r(&tt, &tm);
    static constexpr std::array<const char*, 7> k_days = {"Sun", "Mon", "Tue", "Wed",
                                                          "Thu", "Fri", "Sat"};
    static constexpr std::array<const char*, 12> k_months = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000",
                  k_days[static_cast<std::size_t>(tm.tm_wday)], tm.tm_mday,
                  k_months[static_cast<std::size_t>(tm.tm_mon)], tm.tm_year + 1900, tm.tm_hour,
                  tm.tm_min, tm.tm_sec);
    return buf;
}

std::string build_message(const MailMessage& message) {
    if (message.to.empty()) {
        throw bad_input("a mail message needs at least one recipient");
    }
    std::string out;
    out += "From: " + format_mailbox(message.from, 6) + "\r\n";
    out += "To: ";
    for (std::size_t i = 0; i < message.to.size(); ++i) {
        if (i > 0) {
            out += ",\r\n ";
        }
        out += format_mailbox(message.to[i], i == 0 ? 4 : 1);
    }
    out += "\r\n";
    out += "Subject: " + encode_header_text(message.subject, 9) + "\r\n";
    out += "Date: " + rfc5322_date(message.date) + "\r\n";
    out += "Message-ID: " + one_line(message.message_id) + "\r\n";
    if (!message.language.empty()) {
        out += "Content-Language: " + one_line(message.language) + "\r\n";
    }
    out += "MIME-Version: 1.0\r\n";
    // RFC 3834: automatic replies (vacation notices) should not answer this.
    out += "Auto-Submitted: auto-generated\r\n";

    const std::string text = to_crlf(message.text);
    bool plain = is_ascii(text);
    for (std::size_t start = 0; plain && start < text.size();) {
        auto end = text.find("\r\n", start);
        if (end == std::string::npos) {
            end = text.size();
        }
        plain = end - start <= k_max_line;
        start = end + 2;
    }
    std::string text_part = "Content-Type: text/plain; charset=UTF-8\r\n";
    if (plain) {
        text_part += "Content-Transfer-Encoding: 7bit\r\n\r\n" + text;
    } else {
        text_part += "Content-Transfer-Encoding: quoted-printable\r\n\r\n" +
                     quoted_printable_encode(message.text);
    }
    if (text_part.size() < 2 || text_part.compare(text_part.size() - 2, 2, "\r\n") != 0) {
        text_part += "\r\n";
    }

    if (message.attachments.empty()) {
        out += text_part;
        return out;
    }
    const std::string mark = boundary();
    out += "Content-Type: multipart/mixed;\r\n boundary=\"" + mark + "\"\r\n";
    out += "\r\n";
    out += "This is a message in MIME format.\r\n";
    out += "\r\n--" + mark + "\r\n";
    out += text_part;
    for (const auto& attachment : message.attachments) {
        const std::string name = clean_filename(attachment.filename);
        out += "\r\n--" + mark + "\r\n";
        out += "Content-Type: " + one_line(attachment.content_type) + "\r\n";
        out += "Content-Disposition: attachment" + filename_parameter(name) + "\r\n";
        out += "Content-Transfer-Encoding: base64\r\n";
        out += "\r\n";
        out += base64_encode(attachment.data, 76);
        out += "\r\n";
    }
    out += "\r\n--" + mark + "--\r\n";
    return out;
}

}  // namespace signet::delivery
