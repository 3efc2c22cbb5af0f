// A plain renderer for messages whose parameters carry their own text: the
// `subject` and `body` params, used as they are. `signet deliver` uses it
// until the workflow supplies its own Renderer (message catalogues, tokens
// derived from the message id).
#pragma once

#include "delivery/outbox.hpp"

namespace signet::delivery {

// {subject: params["subject"], text: params["body"]}. Throws bad_input when
// the message has no "body" parameter: it was not made to be rendered this way.
RenderedMessage render_from_params(const OutboxMessage& message);

}  // namespace signet::delivery
