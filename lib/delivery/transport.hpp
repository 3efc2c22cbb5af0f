// How a rendered message leaves: a file in the store's outbox/ (the default)
// or a configured command (`msmtp -t`, `sendmail -t`, an SMS gateway
// script); and the hooks run when an envelope ends.
#pragma once

#include "delivery/exec.hpp"
#include "store/config.hpp"
#include "util/fs.hpp"
#include "util/time.hpp"

#include <filesystem>
#include <string>
#include <string_view>

namespace signet::delivery {

// One message ready to go: the output of rendering, never stored.
struct OutgoingMessage {
    std::string channel;     // "mail" or "sms"
    std::string kind;        // "invitation", "code", "completed", ...
    std::string message_id;  // "<id@signet.host>"
    std::string to;          // the mail address or the E.164 phone number
    std::string subject;     // for SIGNET_SUBJECT (mail: also in the message)
    std::string content;     // mail: the RFC 5322 message (CRLF); sms: the text
    util::UnixTime created_at = 0;  // when it was enqueued: names the outbox file
};

struct TransportResult {
    bool delivered = false;
    std::string error;             // why not, for messages.last_error
    std::filesystem::path file;    // the outbox transport: the file written
};

// "20261123T090751Z-invitation-abc123_signet.host.eml": sortable by time,
// the same for every retry of one message (a retry replaces the file).
std::string outbox_file_name(const OutgoingMessage& message);

// The outbox transport: writes the message into dir as an .eml (the mail
// as it is, CRLF) or .sms file ("To: NUMBER", then the text), mode 0600,
// atomically. Throws when it cannot write. With DirSync::by_caller the
// caller syncs dir (util::sync_dir) before it counts the file delivered.
std::filesystem::path write_to_outbox(const std::filesystem::path& dir,
                                      const OutgoingMessage& message,
                                      util::DirSync dir_sync = util::DirSync::now);

// The command transport: runs argv without a shell with the message on
// stdin — a mail with LF line ends, as `sendmail -t` and `msmtp -t` read it
// — and SIGNET_TO, SIGNET_SUBJECT, SIGNET_MESSAGE_ID, SIGNET_CHANNEL added
// to the environment. Exit 0 means delivered.
ExecResult send_by_command(const std::vector<std::string>& argv, int timeout_seconds,
                           const OutgoingMessage& message);

// Delivers through the channel's configured transport.
TransportResult deliver_message(const store::TransportConfig& transport,
                                const std::filesystem::path& outbox_dir,
                                const OutgoingMessage& message,
                                util::DirSync dir_sync = util::DirSync::now);

// Runs an end-of-envelope hook (hooks.completed, ...) with the envelope's
// JSON on stdin and SIGNET_EVENT, SIGNET_MESSAGE_ID (the same on a retry,
// for the receiver to drop duplicates) and, when given, SIGNET_ENVELOPE in
// the environment.
ExecResult run_hook(const store::HookConfig& hook, std::string_view event,
                    std::string_view envelope_json, std::string_view message_id,
                    std::string_view envelope_id);

}  // namespace signet::delivery
