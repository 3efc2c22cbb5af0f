#include "delivery/transport.hpp"

#include "signet/error.hpp"
#include "util/fs.hpp"

#include <ctime>

namespace signet::delivery {
namespace {

// Only what is safe in any file name: the rest of a Message-ID becomes '_'.
std::string file_safe(std::string_view s) {
    std::string out;
    for (const char c : s) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '.' || c == '-') {
            out += c;
        } else if (c != '<' && c != '>') {
            out += '_';
        }
    }
    while (!out.empty() && out.front() == '.') {
        out.erase(out.begin());
    }
    return out.empty() ? std::string("message") : out;
}

std::string compact_utc(util::UnixTime t) {
    const std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    ::gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
    return buf;
}

std::string to_lf(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
            continue;
        }
        out += text[i];
    }
    return out;
}

}  // namespace

std::string outbox_file_name(const OutgoingMessage& message) {
    const std::string extension = message.channel == "sms" ? ".sms" : ".eml";
    return compact_utc(message.created_at) + "-" + file_safe(message.kind) + "-" +
           file_safe(message.message_id) + extension;
}

std::filesystem::path write_to_outbox(const std::filesystem::path& dir,
                                      const OutgoingMessage& message, util::DirSync dir_sync) {
    util::make_private_dir(dir);
    const std::filesystem::path path = dir / outbox_file_name(message);
    if (message.channel == "sms") {
        std::string text = "To: " + message.to + "\n" + to_lf(message.content);
        if (text.back() != '\n') {
            text += '\n';
        }
        util::write_file_atomic(path, text, 0600, dir_sync);
    } else {
        util::write_file_atomic(path, message.content, 0600, dir_sync);
    }
    return path;
}

ExecResult send_by_command(const std::vector<std::string>& argv, int timeout_seconds,
                           const OutgoingMessage& message) {
    ExecRequest request;
    request.argv = argv;
    request.input = message.channel == "mail" ? to_lf(message.content) : message.content;
    request.env = {{"SIGNET_TO", message.to},
                   {"SIGNET_SUBJECT", message.subject},
                   {"SIGNET_MESSAGE_ID", message.message_id},
                   {"SIGNET_CHANNEL", message.channel}};
    request.timeout = std::chrono::seconds(timeout_seconds);
    return run_command(request);
}

TransportResult deliver_message(const store::TransportConfig& transport,
                                const std::filesystem::path& outbox_dir,
                                const OutgoingMessage& message, util::DirSync dir_sync) {
    TransportResult result;
    if (transport.kind == store::TransportConfig::Kind::outbox) {
        try {
            result.file = write_to_outbox(outbox_dir, message, dir_sync);
            result.delivered = true;
        } catch (const std::exception& e) {
            result.error = e.what();
        }
        return result;
    }
    const ExecResult run = send_by_command(transport.command, transport.timeout_seconds, message);
    result.delivered = run.ok();
    if (!result.delivered) {
        result.error = run.describe(transport.command.front());
    }
    return result;
}

ExecResult run_hook(const store::HookConfig& hook, std::string_view event,
                    std::string_view envelope_json, std::string_view message_id,
                    std::string_view envelope_id) {
    ExecRequest request;
    request.argv = hook.command;
    request.input = std::string(envelope_json);
    request.env = {{"SIGNET_EVENT", std::string(event)},
                   {"SIGNET_MESSAGE_ID", std::string(message_id)},
                   {"SIGNET_CHANNEL", "hook"}};
    if (!envelope_id.empty()) {
        request.env.emplace_back("SIGNET_ENVELOPE", std::string(envelope_id));
    }
    request.timeout = std::chrono::seconds(hook.timeout_seconds);
    return run_command(request);
}

}  // namespace signet::delivery
