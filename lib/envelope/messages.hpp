// The texts of the messages signet sends, made at delivery time. Tokens are
// derived here from keys/token.key and never reach the database.
#pragma once

#include "delivery/outbox.hpp"
#include "store/store.hpp"

namespace signet::envelope {

// The renderer for every message the workflow enqueues (invitations for
// now); kinds it does not know fall back to the message's own subject and
// body parameters.
delivery::Renderer message_renderer(const store::Store& store);

}  // namespace signet::envelope
