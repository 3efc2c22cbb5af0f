#include "delivery/render.hpp"

#include "signet/error.hpp"

namespace signet::delivery {

RenderedMessage render_from_params(const OutboxMessage& message) {
    const auto& params = message.record.params;
    const auto body = params.find("body");
    if (body == params.end()) {
        throw bad_input("no text for the " + message.record.kind + " message " +
                        message.record.message_id + ": it has no \"body\" parameter");
    }
    RenderedMessage rendered;
    const auto subject = params.find("subject");
    if (subject != params.end()) {
        rendered.subject = subject->second;
    }
    rendered.text = body->second;
    return rendered;
}

}  // namespace signet::delivery
