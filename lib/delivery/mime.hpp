// RFC 5322 messages with MIME (RFC 2045-2047, RFC 2231): UTF-8 text,
// encoded-word headers and PDF attachments, as mail programs expect them on
// stdin (`msmtp -t`, `sendmail -t`) or in an .eml file.
#pragma once

#include "util/time.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace signet::delivery {

// One mailbox: "Пётр Иванов <p@example.ru>" is {"Пётр Иванов", "p@example.ru"}.
struct MailAddress {
    std::string name;     // display name, UTF-8; may be empty
    std::string address;  // addr-spec, printable ASCII: local@domain
};

struct MailAttachment {
    std::string filename;  // UTF-8; non-ASCII names are sent as RFC 2231 filename*
    std::string content_type = "application/pdf";
    std::string data;  // the bytes
};

struct MailMessage {
    MailAddress from;
    std::vector<MailAddress> to;
    std::string subject;     // UTF-8, one line
    std::string text;        // the text/plain body, UTF-8, \n or \r\n line ends
    std::string message_id;  // "<id@host>", stable across retries
    util::UnixTime date = 0;
    std::vector<MailAttachment> attachments;
    std::string language;  // Content-Language (RFC 3282): "pl"; none when empty
};

// Parses "Name <local@domain>", "\"Name, Inc.\" <local@domain>" or a bare
// "local@domain". Throws bad_input naming `what` when it is not a mailbox
// (no @, spaces or control characters in the address, unbalanced <>).
MailAddress parse_mailbox(std::string_view text, std::string_view what);

// True when address is a plain addr-spec signet can put in a header:
// printable ASCII without spaces, quotes or <>, one @ with text on both sides.
bool is_valid_address(std::string_view address);

// The whole message with CRLF line ends: From, To, Subject, Date,
// Message-ID, MIME-Version, Auto-Submitted, then a text/plain part alone or,
// with attachments, a multipart/mixed body (the text part first, then each
// attachment base64-encoded in 76-column lines). Header lines stay within
// 78 columns. Throws bad_input for an invalid address.
std::string build_message(const MailMessage& message);

// A header's value as RFC 2047 encoded-words ("=?UTF-8?B?...?=" or
// "=?UTF-8?Q?...?="), folded with CRLF SP so that no line is longer than 76
// columns; `used` is how many columns the line already holds before the
// value ("Subject: " is 9). Plain ASCII text is returned folded at spaces,
// not encoded.
std::string encode_header_text(std::string_view text, std::size_t used);

// A display name as a header phrase: as it is when it is a plain atom
// sequence, in quotes when it holds specials, encoded-words when non-ASCII.
std::string encode_display_name(std::string_view name, std::size_t used);

// "Name <address>" for a header (or just the address when there is no name).
std::string format_mailbox(const MailAddress& mailbox, std::size_t used);

// RFC 5322 date: "Mon, 23 Nov 2026 09:07:51 +0000".
std::string rfc5322_date(util::UnixTime t);

// Base64 (RFC 4648), in lines of at most `line_length` characters joined by
// CRLF (0: one line), ending without a line break.
std::string base64_encode(std::string_view data, std::size_t line_length = 0);

// Quoted-printable (RFC 2045) of UTF-8 text with CRLF line breaks; lines of
// at most 76 characters with soft breaks.
std::string quoted_printable_encode(std::string_view text);

// Turns \n, \r\n and lone \r into CRLF.
std::string to_crlf(std::string_view text);

}  // namespace signet::delivery
