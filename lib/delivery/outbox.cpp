#include "delivery/outbox.hpp"

#include "delivery/transport.hpp"
#include "signet/error.hpp"
#include "util/crypto_hash.hpp"
#include "util/fs.hpp"
#include "util/json.hpp"
#include "util/text.hpp"

#include <algorithm>
#include <atomic>
#include <sqlite3.h>
#include <thread>
#include <unistd.h>

namespace signet::delivery {
namespace {

constexpr std::size_t k_max_error = 4096;     // bytes of last_error kept
constexpr std::int64_t k_claim_margin = 60;   // seconds a claim outlives the timeout
constexpr std::int64_t k_max_delay = 6 * 3600;

// --- the payload: a small JSON object ------------------------------------

// Only what the payload holds: objects, arrays, strings (numbers, booleans
// and null are read and ignored). Written by encode_payload below.
struct JsonValue {
    enum class Type { null, scalar, string, array, object };
    Type type = Type::null;
    std::string text;
    std::vector<JsonValue> items;
    std::vector<std::pair<std::string, JsonValue>> members;

    const JsonValue* get(std::string_view name) const {
        for (const auto& [key, value] : members) {
            if (key == name) {
                return &value;
            }
        }
        return nullptr;
    }
    std::string string_or_empty(std::string_view name) const {
        const JsonValue* v = get(name);
        return v != nullptr && v->type == Type::string ? v->text : std::string();
    }
};

class JsonReader {
public:
    explicit JsonReader(std::string_view text) : m_text(text) {}

    JsonValue document() {
        JsonValue v = value();
        skip_space();
        if (m_pos != m_text.size()) {
            fail();
        }
        return v;
    }

private:
    [[noreturn]] void fail() const {
        throw internal_error("a message in the outbox has a damaged payload (at byte " +
                             std::to_string(m_pos) + ")");
    }
    void skip_space() {
        while (m_pos < m_text.size() && (m_text[m_pos] == ' ' || m_text[m_pos] == '\n' ||
                                         m_text[m_pos] == '\r' || m_text[m_pos] == '\t')) {
            ++m_pos;
        }
    }
    char peek() {
        skip_space();
        if (m_pos >= m_text.size()) {
            fail();
        }
        return m_text[m_pos];
    }
    void expect(char c) {
        if (peek() != c) {
            fail();
        }
        ++m_pos;
    }
    unsigned hex4() {
        if (m_pos + 4 > m_text.size()) {
            fail();
        }
        unsigned n = 0;
        for (int i = 0; i < 4; ++i) {
            const char c = m_text[m_pos++];
            n <<= 4;
            if (c >= '0' && c <= '9') {
                n |= static_cast<unsigned>(c - '0');
            } else if (c >= 'a' && c <= 'f') {
                n |= static_cast<unsigned>(c - 'a' + 10);
            } else if (c >= 'A' && c <= 'F') {
                n |= static_cast<unsigned>(c - 'A' + 10);
            } else {
                fail();
            }
        }
        return n;
    }
    std::string string() {
        expect('"');
        std::string out;
        for (;;) {
            if (m_pos >= m_text.size()) {
                fail();
            }
            const char c = m_text[m_pos++];
            if (c == '"') {
                return out;
            }
            if (c != '\\') {
                out += c;
                continue;
            }
            if (m_pos >= m_text.size()) {
                fail();
            }
            const char e = m_text[m_pos++];
            switch (e) {
            case '"': out += '"'; break;
            case '\\': out += '\\'; break;
            case '/': out += '/'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'n': out += '\n'; break;
            case 'r': out += '\r'; break;
            case 't': out += '\t'; break;
            case 'u': {
                unsigned cp = hex4();
                if (cp >= 0xD800 && cp < 0xDC00 && m_pos + 6 <= m_text.size() &&
                    m_text[m_pos] == '\\' && m_text[m_pos + 1] == 'u') {
                    m_pos += 2;
                    const unsigned low = hex4();
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                }
                util::append_utf8(out, cp);
                break;
            }
            default: fail();
            }
        }
    }
    JsonValue value() {
        JsonValue v;
        const char c = peek();
        if (c == '{') {
            v.type = JsonValue::Type::object;
            ++m_pos;
            if (peek() == '}') {
                ++m_pos;
                return v;
            }
            for (;;) {
                std::string key = string();
                expect(':');
                v.members.emplace_back(std::move(key), value());
                if (peek() == ',') {
                    ++m_pos;
                    continue;
                }
                expect('}');
                return v;
            }
        }
        if (c == '[') {
            v.type = JsonValue::Type::array;
            ++m_pos;
            if (peek() == ']') {
                ++m_pos;
                return v;
            }
            for (;;) {
                v.items.push_back(value());
                if (peek() == ',') {
                    ++m_pos;
                    continue;
                }
                expect(']');
                return v;
            }
        }
        if (c == '"') {
            v.type = JsonValue::Type::string;
            v.text = string();
            return v;
        }
        const std::size_t start = m_pos;
        while (m_pos < m_text.size() && std::string_view(",]} \n\r\t").find(m_text[m_pos]) ==
                                            std::string_view::npos) {
            ++m_pos;
        }
        if (m_pos == start) {
            fail();
        }
        v.text = std::string(m_text.substr(start, m_pos - start));
        v.type = v.text == "null" ? JsonValue::Type::null : JsonValue::Type::scalar;
        return v;
    }

    std::string_view m_text;
    std::size_t m_pos = 0;
};

std::string encode_payload(const MessageRecord& record) {
    std::string out;
    util::JsonWriter w(out, /*pretty=*/false);
    w.begin_object();
    if (!record.recipient_name.empty()) {
        w.field("name", record.recipient_name);
    }
    w.key("params").begin_object();
    for (const auto& [key, value] : record.params) {
        w.field(key, value);
    }
    w.end_object();
    if (!record.attachments.empty()) {
        w.key("attachments").begin_array();
        for (const auto& a : record.attachments) {
            w.begin_object();
            w.field("sha256", a.sha256);
            w.field("filename", a.filename);
            w.end_object();
        }
        w.end_array();
    }
    if (!record.input.empty()) {
        w.field("input", record.input);
    }
    w.end_object();
    return out;
}

void decode_payload(std::string_view text, MessageRecord& record) {
    const JsonValue doc = JsonReader(text).document();
    record.recipient_name = doc.string_or_empty("name");
    if (const JsonValue* params = doc.get("params"); params != nullptr) {
        for (const auto& [key, value] : params->members) {
            record.params[key] = value.text;
        }
    }
    if (const JsonValue* list = doc.get("attachments"); list != nullptr) {
        for (const auto& item : list->items) {
            record.attachments.push_back(
                {item.string_or_empty("sha256"), item.string_or_empty("filename")});
        }
    }
    record.input = doc.string_or_empty("input");
}

// --- rows ----------------------------------------------------------------

constexpr const char* k_columns =
    "seq, message_id, envelope_seq, party_role, kind, channel, recipient, payload, created_at, "
    "attempts, next_attempt_at, last_error, delivered_at";

OutboxMessage read_row(const store::Statement& q) {
    OutboxMessage m;
    m.seq = q.integer(0);
    m.record.message_id = q.text(1);
    m.record.envelope_seq = q.optional_integer(2);
    m.record.party_role = q.text(3);
    m.record.kind = q.text(4);
    m.record.channel = parse_channel(q.text_view(5));
    m.record.recipient = q.text(6);
    decode_payload(q.text_view(7), m.record);
    m.created_at = q.integer(8);
    m.attempts = static_cast<int>(q.integer(9));
    m.next_attempt_at = q.integer(10);
    m.last_error = q.optional_text(11);
    m.delivered_at = q.optional_integer(12);
    return m;
}

PendingMessage to_pending(const OutboxMessage& m) {
    PendingMessage p;
    p.message_id = m.record.message_id;
    p.kind = m.record.kind;
    p.channel = std::string(channel_name(m.record.channel));
    p.party_role = m.record.party_role;
    p.to = m.record.recipient;
    p.attempts = m.attempts;
    p.last_error = m.last_error;
    p.created_at = m.created_at;
    p.next_attempt_at = m.next_attempt_at;
    return p;
}

bool is_e164(std::string_view phone) {
    if (phone.size() < 4 || phone.size() > 16 || phone[0] != '+') {
        return false;
    }
    for (std::size_t i = 1; i < phone.size(); ++i) {
        if (phone[i] < '0' || phone[i] > '9') {
            return false;
        }
    }
    return true;
}

bool is_sha256_hex(std::string_view s) {
    if (s.size() != 64) {
        return false;
    }
    for (const char c : s) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return true;
}

bool is_kind(std::string_view kind) {
    if (kind.empty() || kind.size() > 40) {
        return false;
    }
    for (const char c : kind) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) {
            return false;
        }
    }
    return true;
}

std::string host_name() {
    const std::string& name = util::host_name();
    if (name.empty()) {
        return "localhost";
    }
    std::string host;
    for (const char* p = name.c_str(); *p != '\0'; ++p) {
        const char c = *p;
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.') {
            host += c;
        } else if (c >= 'A' && c <= 'Z') {
            host += static_cast<char>(c - 'A' + 'a');
        } else {
            host += '-';
        }
    }
    while (!host.empty() && (host.front() == '.' || host.front() == '-')) {
        host.erase(host.begin());
    }
    while (!host.empty() && (host.back() == '.' || host.back() == '-')) {
        host.pop_back();
    }
    return host.empty() ? std::string("localhost") : host;
}

// At most k_max_error bytes, cut at a character boundary.
std::string cut_error(std::string text) {
    if (text.size() <= k_max_error) {
        return text;
    }
    std::size_t end = k_max_error;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
        --end;
    }
    text.resize(end);
    return text + " […]";
}

MailAddress sender(store::Store& store) {
    const std::string& from = store.config().delivery.from;
    if (!from.empty()) {
        return parse_mailbox(from, "delivery.from");
    }
    const std::string organization = store.organization();
    return {organization.empty() ? std::string("signet") : organization, "signet@" + host_name()};
}

struct Outcome {
    bool delivered = false;
    std::string error;
    std::string note;  // kept in last_error even when delivered (a skipped hook)
    std::string file;
};

std::int64_t claim_seconds(const store::Config& config, const OutboxMessage& m) {
    int timeout = 30;
    switch (m.record.channel) {
    case Channel::mail: timeout = config.delivery.mail.timeout_seconds; break;
    case Channel::sms: timeout = config.delivery.sms.timeout_seconds; break;
    case Channel::hook: {
        const auto it = config.delivery.hooks.find(m.record.kind);
        if (it != config.delivery.hooks.end()) {
            timeout = it->second.timeout_seconds;
        }
        break;
    }
    }
    return timeout + k_claim_margin;
}

// The sender's address for mail, made once per delivery run (it reads the
// store's organisation) and shared by the attempts; its error is each mail's.
struct Sender {
    std::optional<MailAddress> address;
    std::string error;
};

Outcome attempt(store::Store& store, const Renderer& render, const OutboxMessage& m,
                util::UnixTime now, const Sender& from,
                util::DirSync dir_sync = util::DirSync::now) {
    Outcome outcome;
    const store::Config& config = store.config();
    if (m.record.channel == Channel::hook) {
        const auto it = config.delivery.hooks.find(m.record.kind);
        if (it == config.delivery.hooks.end()) {
            outcome.delivered = true;
            outcome.note = "skipped: config.yaml has no hooks." + m.record.kind + " command";
            return outcome;
        }
        const auto found = m.record.params.find("envelope_id");
        const ExecResult run =
            run_hook(it->second, m.record.kind, m.record.input, m.record.message_id,
                     found == m.record.params.end() ? std::string() : found->second);
        outcome.delivered = run.ok();
        if (!outcome.delivered) {
            outcome.error = run.describe(it->second.command.front());
        }
        return outcome;
    }

    OutgoingMessage out;
    out.channel = std::string(channel_name(m.record.channel));
    out.kind = m.record.kind;
    out.message_id = m.record.message_id;
    out.to = m.record.recipient;
    out.created_at = m.created_at;
    try {
        RenderedMessage rendered = render(m);
        out.subject = rendered.subject;
        if (m.record.channel == Channel::mail) {
            MailMessage mail;
            if (!from.address) {
                throw bad_input(from.error);
            }
            mail.from = *from.address;
            mail.to = {{m.record.recipient_name, m.record.recipient}};
            mail.subject = rendered.subject;
            mail.text = rendered.text;
            mail.language = rendered.language;
            mail.message_id = m.record.message_id;
            mail.date = now;
            for (const auto& ref : m.record.attachments) {
                std::string bytes = util::read_file(store.document_path(ref.sha256));
                if (util::sha256_hex(bytes) != ref.sha256) {
                    throw internal_error("the stored document " + ref.sha256 +
                                         " does not match its hash");
                }
                mail.attachments.push_back({ref.filename, "application/pdf", std::move(bytes)});
            }
            for (auto& extra : rendered.attachments) {
                mail.attachments.push_back(std::move(extra));
            }
            out.content = build_message(mail);
        } else {
            out.content = rendered.text;
        }
    } catch (const std::exception& e) {
        outcome.error = std::string("cannot make the message: ") + e.what();
        return outcome;
    }
    const store::TransportConfig& transport =
        m.record.channel == Channel::mail ? config.delivery.mail : config.delivery.sms;
    const TransportResult result = deliver_message(transport, store.outbox_dir(), out, dir_sync);
    outcome.delivered = result.delivered;
    outcome.error = result.error;
    outcome.file = result.file.string();
    return outcome;
}

}  // namespace

std::string_view channel_name(Channel channel) {
    switch (channel) {
    case Channel::mail: return "mail";
    case Channel::sms: return "sms";
    case Channel::hook: return "hook";
    }
    return "mail";
}

Channel parse_channel(std::string_view name) {
    if (name == "mail") {
        return Channel::mail;
    }
    if (name == "sms") {
        return Channel::sms;
    }
    if (name == "hook") {
        return Channel::hook;
    }
    throw internal_error("unknown delivery channel \"" + std::string(name) + "\"");
}

std::string make_message_id() {
    static constexpr char k_base32[] = "abcdefghijklmnopqrstuvwxyz234567";
    const std::string bytes = util::random_bytes(16);
    std::string id;
    unsigned buffer = 0;
    int bits = 0;
    for (const char ch : bytes) {
        buffer = (buffer << 8) | static_cast<unsigned char>(ch);
        bits += 8;
        while (bits >= 5) {
            id += k_base32[(buffer >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits > 0) {
        id += k_base32[(buffer << (5 - bits)) & 31];
    }
    return "<" + id + "@signet." + host_name() + ">";
}

std::int64_t retry_delay(int failed_attempts) {
    std::int64_t delay = 60;
    for (int i = 1; i < failed_attempts && delay < k_max_delay; ++i) {
        delay *= 2;
    }
    return std::min(delay, k_max_delay);
}

std::string enqueue(store::Database& db, MessageRecord record, util::UnixTime now) {
    if (sqlite3_get_autocommit(db.handle()) != 0) {
        throw internal_error("a message must be enqueued inside the write transaction that "
                             "causes it");
    }
    if (!is_kind(record.kind)) {
        throw internal_error("a message needs a kind such as \"invitation\", not " +
                             util::quoted(record.kind));
    }
    switch (record.channel) {
    case Channel::mail:
        if (!is_valid_address(record.recipient)) {
            throw internal_error("not a mail address: " + util::quoted(record.recipient));
        }
        break;
    case Channel::sms:
        if (!is_e164(record.recipient)) {
            throw internal_error("not an E.164 phone number: " + util::quoted(record.recipient));
        }
        break;
    case Channel::hook:
        if (!record.recipient.empty() || !record.attachments.empty()) {
            throw internal_error("a hook message has no recipient and no attachments");
        }
        break;
    }
    for (const auto& a : record.attachments) {
        if (!is_sha256_hex(a.sha256)) {
            throw internal_error("an attachment must name a stored document by its SHA-256");
        }
    }
    for (const auto& [key, value] : record.params) {
        if (!util::is_valid_utf8(key) || !util::is_valid_utf8(value)) {
            throw internal_error("message parameter \"" + key + "\" is not UTF-8");
        }
    }
    if (!util::is_valid_utf8(record.recipient_name) || !util::is_valid_utf8(record.input)) {
        throw internal_error("a message's recipient name and input must be UTF-8");
    }
    if (record.message_id.empty()) {
        record.message_id = make_message_id();
    }
    db.prepare(
          "INSERT INTO messages (message_id, envelope_seq, party_role, kind, channel, recipient, "
          "payload, created_at, attempts, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?)")
        .bind(1, record.message_id)
        .bind(2, record.envelope_seq)
        .bind(3, record.party_role)
        .bind(4, record.kind)
        .bind(5, channel_name(record.channel))
        .bind(6, record.recipient)
        .bind(7, encode_payload(record))
        .bind(8, now)
        .bind(9, now)
        .run();
    return record.message_id;
}

std::string enqueue_hook(store::Database& db, const store::Config& config, std::string_view event,
                         std::optional<std::int64_t> envelope_seq, std::string_view envelope_id,
                         std::string envelope_json, util::UnixTime now) {
    if (config.delivery.hooks.count(std::string(event)) == 0) {
        return {};
    }
    MessageRecord record;
    record.envelope_seq = envelope_seq;
    record.kind = std::string(event);
    record.channel = Channel::hook;
    if (!envelope_id.empty()) {
        record.params["envelope_id"] = std::string(envelope_id);
    }
    record.input = std::move(envelope_json);
    return enqueue(db, std::move(record), now);
}

DeliveryReport deliver_pending(store::Store& store, const Renderer& render, util::UnixTime now,
                               std::size_t limit) {
    DeliverOptions options;
    options.now = now;
    options.limit = limit;
    return deliver_pending(store, render, options);
}

DeliveryReport deliver_pending(store::Store& store, const Renderer& render,
                               const DeliverOptions& options) {
    store::Database& db = store.db();
    const store::Config& config = store.config();
    DeliveryReport report;
    const util::UnixTime now = options.now;
    const std::size_t batch = std::max<std::size_t>(1, options.batch);
    Sender from;
    bool from_made = false;
    std::int64_t after = 0;  // each message at most once per call
    for (std::size_t tried = 0; tried < options.limit;) {
        std::vector<OutboxMessage> messages;
        const std::string claim = util::to_hex(util::random_bytes(8));
        db.write([&] {
            auto q = db.prepare(std::string("SELECT ") + k_columns +
                                " FROM messages WHERE delivered_at IS NULL AND seq > ?1"
                                " AND (claimed_until IS NULL OR claimed_until <= ?2)"
                                " AND (?3 OR next_attempt_at <= ?2) ORDER BY seq LIMIT ?4");
            q.bind(1, after).bind(2, now).bind(3, options.ignore_backoff);
            q.bind(4, static_cast<std::int64_t>(std::min(batch, options.limit - tried)));
            while (q.step()) {
                messages.push_back(read_row(q));
            }
            auto mark = db.prepare("UPDATE messages SET claim = ?, claimed_until = ? WHERE seq = ?");
            for (const OutboxMessage& m : messages) {
                mark.bind(1, claim).bind(2, now + claim_seconds(config, m)).bind(3, m.seq).run();
            }
        });
        if (messages.empty()) {
            break;
        }
        after = messages.back().seq;
        tried += messages.size();
        if (!from_made) {
            from_made = true;
            try {
                from.address = sender(store);
            } catch (const std::exception& e) {
                from.error = e.what();
            }
        }

        // Files for the outbox transport on several threads (each waits on
        // its fsync), the outbox directory synced once for all of them
        // before any is recorded as delivered; commands and hooks one at a
        // time.
        std::vector<Outcome> outcomes(messages.size());
        std::vector<std::size_t> to_files;
        for (std::size_t i = 0; i < messages.size(); ++i) {
            const Channel channel = messages[i].record.channel;
            const bool file = (channel == Channel::mail &&
                               config.delivery.mail.kind == store::TransportConfig::Kind::outbox) ||
                              (channel == Channel::sms &&
                               config.delivery.sms.kind == store::TransportConfig::Kind::outbox);
            if (file && options.parallel > 1) {
                to_files.push_back(i);
            } else {
                outcomes[i] = attempt(store, render, messages[i], now, from);
            }
        }
        if (!to_files.empty()) {
            std::atomic<std::size_t> next{0};
            auto work = [&] {
                for (std::size_t k = next++; k < to_files.size(); k = next++) {
                    const std::size_t i = to_files[k];
                    outcomes[i] =
                        attempt(store, render, messages[i], now, from, util::DirSync::by_caller);
                }
            };
            std::vector<std::thread> threads;
            for (std::size_t t = 1; t < std::min(options.parallel, to_files.size()); ++t) {
                threads.emplace_back(work);
            }
            work();
            for (std::thread& t : threads) {
                t.join();
            }
            util::sync_dir(store.outbox_dir());
        }

        std::vector<DeliveryAttempt> results(messages.size());
        db.write([&] {
            auto delivered = db.prepare(
                "UPDATE messages SET delivered_at = ?, attempts = attempts + 1,"
                " last_error = ?, claim = NULL, claimed_until = NULL"
                " WHERE seq = ? AND delivered_at IS NULL");
            // Only while the claim is ours: after it lapsed another process
            // may have delivered the message meanwhile.
            auto failed = db.prepare(
                "UPDATE messages SET attempts = attempts + 1, last_error = ?,"
                " next_attempt_at = ?, claim = NULL, claimed_until = NULL"
                " WHERE seq = ? AND claim = ? AND delivered_at IS NULL");
            for (std::size_t i = 0; i < messages.size(); ++i) {
                const OutboxMessage& message = messages[i];
                const Outcome& outcome = outcomes[i];
                DeliveryAttempt& result = results[i];
                result.message_id = message.record.message_id;
                result.kind = message.record.kind;
                result.channel = std::string(channel_name(message.record.channel));
                result.to = message.record.recipient;
                result.delivered = outcome.delivered;
                result.file = outcome.file;
                if (outcome.delivered) {
                    delivered.bind(1, now)
                        .bind(2, outcome.note.empty() ? std::optional<std::string>()
                                                      : std::optional<std::string>(outcome.note))
                        .bind(3, message.seq)
                        .run();
                    continue;
                }
                result.error = cut_error(outcome.error);
                result.next_attempt_at = now + retry_delay(message.attempts + 1);
                failed.bind(1, result.error)
                    .bind(2, result.next_attempt_at)
                    .bind(3, message.seq)
                    .bind(4, claim)
                    .run();
            }
        });
        for (DeliveryAttempt& result : results) {
            if (result.delivered) {
                ++report.delivered;
            } else {
                ++report.failed;
            }
            report.attempts.push_back(std::move(result));
        }
    }
    report.pending = count_pending(db);
    return report;
}

std::vector<PendingMessage> pending_for_envelope(store::Database& db, std::int64_t envelope_seq) {
    std::vector<PendingMessage> list;
    auto q = db.prepare(std::string("SELECT ") + k_columns +
                        " FROM messages WHERE envelope_seq = ? AND delivered_at IS NULL"
                        " ORDER BY seq");
    q.bind(1, envelope_seq);
    while (q.step()) {
        list.push_back(to_pending(read_row(q)));
    }
    return list;
}

std::map<std::int64_t, std::vector<PendingMessage>> pending_by_envelope(store::Database& db) {
    std::map<std::int64_t, std::vector<PendingMessage>> by_envelope;
    auto q = db.prepare(std::string("SELECT ") + k_columns +
                        " FROM messages WHERE delivered_at IS NULL AND envelope_seq IS NOT NULL"
                        " ORDER BY seq");
    while (q.step()) {
        const OutboxMessage m = read_row(q);
        by_envelope[*m.record.envelope_seq].push_back(to_pending(m));
    }
    return by_envelope;
}

std::vector<PendingMessage> pending_messages(store::Database& db, std::size_t limit) {
    std::vector<PendingMessage> list;
    auto q = db.prepare(std::string("SELECT ") + k_columns +
                        " FROM messages WHERE delivered_at IS NULL ORDER BY seq LIMIT ?");
    q.bind(1, static_cast<std::int64_t>(limit));
    while (q.step()) {
        list.push_back(to_pending(read_row(q)));
    }
    return list;
}

int count_pending(store::Database& db) {
    auto q = db.prepare("SELECT count(*) FROM messages WHERE delivered_at IS NULL");
    q.step();
    return static_cast<int>(q.integer(0));
}

std::optional<OutboxMessage> find_message(store::Database& db, std::string_view message_id) {
    auto q = db.prepare(std::string("SELECT ") + k_columns + " FROM messages WHERE message_id = ?");
    q.bind(1, message_id);
    if (!q.step()) {
        return std::nullopt;
    }
    return read_row(q);
}

}  // namespace signet::delivery
