// Completion: after the last party acted, the organisation seal signs the
// finished document once more (the hidden field signet_completion), and its
// /Reason carries the head of the envelope's audit chain, so the parties'
// PDF witnesses the trail: a trail rewritten later no longer matches it.
// Every party then gets the signed PDF (by e-mail, with the certificate of
// completion) or a notice (by SMS), and the completion hook runs. The field
// and the /Reason text are audit::k_completion_field and
// audit::completion_reason() (lib/audit/trail.hpp), which `audit --check`
// reads back.
#pragma once

#include "crypto/pki.hpp"
#include "store/store.hpp"
#include "util/time.hpp"

#include <string>
#include <vector>

namespace signet::envelope {

// Seals and completes envelope `id`, whose acting parties have all acted;
// returns the SHA-256 of the sealed document. An envelope completed already
// is returned as it is. Throws not_allowed when a party has still to act or
// the envelope has ended otherwise.
std::string complete_envelope(store::Store& store, const std::string& id,
                              const crypto::OrganizationPki& pki, util::UnixTime now);

// Envelopes every acting party has acted on that are not sealed yet: a
// process stopped between the last signature and the seal. `signet
// deliver` finishes them with complete_envelope().
std::vector<std::string> envelopes_awaiting_completion(store::Database& db);

// A safe name for the signed PDF as the parties receive it: the title with
// characters that file systems refuse replaced, ".pdf" added.
std::string signed_pdf_filename(const std::string& title);

}  // namespace signet::envelope
