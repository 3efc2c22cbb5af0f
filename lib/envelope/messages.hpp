// The texts of the messages signet sends, made at delivery time from the
// message catalogues (messages/*.yaml). Tokens and codes are derived here
// from keys/token.key and never reach the database.
#pragma once

#include "delivery/outbox.hpp"
#include "store/store.hpp"

namespace signet::envelope {

// The renderer for every message the workflow enqueues: invitations,
// reminders, codes, completion and ending notices, in the language of each
// message's "locale" parameter (i18n catalogues). Messages that carry their
// own subject and body parameters, and kinds it does not know, are
// rendered from those (delivery::render_from_params).
delivery::Renderer message_renderer(const store::Store& store);

}  // namespace signet::envelope
