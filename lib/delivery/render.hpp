// A plain renderer for messages whose parameters carry their own text: the
// `subject` and `body` params, used as they are. The workflow's renderer
// (envelope::message_renderer, texts from the catalogues) falls back to it
// for hand-made messages and for notices queued before the catalogues.
#pragma once

#include "delivery/outbox.hpp"

namespace signet::delivery {

// {subject: params["subject"], text: params["body"]}. Throws bad_input when
// the message has no "body" parameter: it was not made to be rendered this way.
RenderedMessage render_from_params(const OutboxMessage& message);

}  // namespace signet::delivery
