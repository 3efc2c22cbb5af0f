// The transactional outbox. A message is recorded (enqueue) in the same
// write transaction as the state change that causes it, and delivered after
// commit (deliver_pending) — by the command that made it, by `signet
// deliver` and by later commands — at least once, with a stable Message-ID.
//
// A row holds only what rendering needs: the kind, envelope, party role,
// recipient, parameters and attachment references (documents by SHA-256).
// Never a token, a code or a rendered body: the workflow's Renderer makes
// the text at delivery time (deriving a token from the message id, say, as
// an HMAC under a store secret), and the text is not kept.
#pragma once

#include "delivery/mime.hpp"
#include "store/database.hpp"
#include "store/store.hpp"
#include "util/time.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace signet::delivery {

// mail and sms go to a party through delivery.mail / delivery.sms; hook runs
// hooks.<kind> (completed, declined, voided, expired) with `input` on stdin.
enum class Channel { mail, sms, hook };

std::string_view channel_name(Channel channel);
// Throws internal_error for an unknown name.
Channel parse_channel(std::string_view name);

// A document of the store (documents/, by SHA-256) to attach to a mail.
struct AttachmentRef {
    std::string sha256;
    std::string filename;  // as the recipient sees it, UTF-8: "Umowa – Łódź.pdf"
};

struct MessageRecord {
    std::string message_id;  // "" : enqueue() makes one with make_message_id()
    std::optional<std::int64_t> envelope_seq;
    std::string party_role;  // "" when the message is for no party (a hook)
    std::string kind;        // invitation, code, reminder, completed, declined, voided, ...
    Channel channel = Channel::mail;
    std::string recipient;       // mail: an address; sms: an E.164 number; hook: ""
    std::string recipient_name;  // the display name on To:, UTF-8; may be ""
    // What the renderer needs: envelope id, title, names, locale, subject
    // parameters ... Never a secret: the database is not the place for one.
    std::map<std::string, std::string> params;
    std::vector<AttachmentRef> attachments;
    std::string input;  // hook: the envelope's JSON, given on stdin
};

// A row of the outbox, as the renderer and status see it.
struct OutboxMessage {
    std::int64_t seq = 0;
    MessageRecord record;  // message_id filled in
    util::UnixTime created_at = 0;
    int attempts = 0;  // deliveries tried so far
    util::UnixTime next_attempt_at = 0;
    std::optional<std::string> last_error;
    std::optional<util::UnixTime> delivered_at;
};

// What the renderer returns for one message. Mail gets the record's
// attachments (read from documents/ and checked against their hash) and
// then `attachments` here; SMS uses only `text`.
struct RenderedMessage {
    std::string subject;
    std::string text;
    std::string language;  // the text's: "pl" (a mail's Content-Language); may be ""
    std::vector<MailAttachment> attachments;
};

// Makes the message's text at delivery time. May throw: the delivery then
// counts as failed, with the error kept and a retry scheduled.
using Renderer = std::function<RenderedMessage(const OutboxMessage&)>;

// A new RFC 5322 message id: "<26 random base32 characters@signet.HOST>".
std::string make_message_id();

// Records a message, due at once. Call it inside the write transaction of
// the change that causes it (Database::write): a rollback drops it too.
// Returns the message id. Throws internal_error outside a transaction or
// for an invalid record (no kind, a recipient that does not fit the
// channel, an attachment that is not a SHA-256).
std::string enqueue(store::Database& db, MessageRecord record,
                    util::UnixTime now = util::now());

// Records the hooks.<event> run for an envelope that ended, with its JSON
// for stdin, if config.yaml has such a hook; returns its message id, or ""
// when none is configured. Same transaction rule as enqueue().
std::string enqueue_hook(store::Database& db, const store::Config& config, std::string_view event,
                         std::optional<std::int64_t> envelope_seq, std::string_view envelope_id,
                         std::string envelope_json, util::UnixTime now = util::now());

// Seconds to wait after the n-th failed attempt (n >= 1): 1 minute,
// doubling, at most 6 hours.
std::int64_t retry_delay(int failed_attempts);

struct DeliverOptions {
    util::UnixTime now = 0;
    std::size_t limit = 100;     // at most this many attempts in one call
    bool ignore_backoff = false;  // also try messages whose retry time has not come
    // For callers that queue many messages at once (send --bulk): up to
    // `batch` messages are claimed in one write transaction and their
    // outcomes recorded in another, instead of two commits each; messages
    // for the outbox transport (files) are written on up to `parallel`
    // threads at once (each waits on its fsync). Commands and hooks still
    // run one at a time. The renderer must be safe to call from several
    // threads when `parallel` > 1.
    std::size_t batch = 1;
    std::size_t parallel = 1;
};

struct DeliveryAttempt {
    std::string message_id;
    std::string kind;
    std::string channel;
    std::string to;
    bool delivered = false;
    std::string error;                   // when not delivered
    util::UnixTime next_attempt_at = 0;  // when not delivered
    std::string file;                    // the outbox transport: the file written
};

struct DeliveryReport {
    int delivered = 0;
    int failed = 0;   // tried and left for a retry
    int pending = 0;  // undelivered in the store after this call
    std::vector<DeliveryAttempt> attempts;
};

// Delivers due messages, oldest first: for each, claims the row (a short
// write transaction, so that concurrent processes never take the same
// message at once), renders it, hands it to the channel's transport and
// records the outcome — delivered, or the error (the command's stderr,
// cut to a few KB) with the next attempt after retry_delay(). A process
// that dies mid-delivery leaves a claim that lapses after the transport's
// timeout and a minute: at least once, with the same Message-ID. Call it
// after commit, never inside a transaction. Each message is tried at most
// once per call.
DeliveryReport deliver_pending(store::Store& store, const Renderer& render,
                               const DeliverOptions& options);
DeliveryReport deliver_pending(store::Store& store, const Renderer& render, util::UnixTime now,
                               std::size_t limit);

// What status shows: an envelope's messages not yet delivered, oldest first.
struct PendingMessage {
    std::string message_id;
    std::string kind;
    std::string channel;
    std::string party_role;
    std::string to;  // address, number, or "" for a hook
    int attempts = 0;
    std::optional<std::string> last_error;
    util::UnixTime created_at = 0;
    util::UnixTime next_attempt_at = 0;
};

std::vector<PendingMessage> pending_for_envelope(store::Database& db, std::int64_t envelope_seq);

// Every envelope's undelivered messages, by envelope_seq (for listings).
std::map<std::int64_t, std::vector<PendingMessage>> pending_by_envelope(store::Database& db);

// Every undelivered message, oldest first (at most `limit`).
std::vector<PendingMessage> pending_messages(store::Database& db, std::size_t limit = 1000);

// How many messages are not delivered yet.
int count_pending(store::Database& db);

// One message, delivered or not; nullopt when there is no such id.
std::optional<OutboxMessage> find_message(store::Database& db, std::string_view message_id);

}  // namespace signet::delivery
