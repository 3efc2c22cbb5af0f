// send: prepare each envelope's document once, certify it with the
// organisation seal and invite the parties whose turn it is.
#pragma once

#include "crypto/pki.hpp"
#include "envelope/model.hpp"
#include "pdf/document_info.hpp"
#include "store/store.hpp"
#include "util/time.hpp"

#include <string>
#include <vector>

namespace signet::envelope {

struct SendResult {
    std::string id;
    bool already_sent = false;
    std::string status;                // the envelope's status after the call
    std::vector<std::string> invited;  // roles invited now
    std::vector<std::string> warnings;  // e.g. invitation and code on one channel
};

// Checks every envelope first (all or none: exists, has what sending needs:
// a signature field for each signing party, a stamp field where a stamp is
// required), then sends each draft. Envelopes already sent are reported,
// not changed. Throws bad_input naming the envelope and what is missing.
struct SendReport {
    std::vector<SendResult> envelopes;
    int undelivered = 0;  // messages whose delivery failed now (left for retry)
};

SendReport send_envelopes(store::Store& store, const std::vector<std::string>& ids);

// The steps of send_envelopes, for callers that send many drafts (send
// --bulk): check each draft, make its documents, then record it sent.

// Throws bad_input naming the envelope and what it lacks for sending: a
// signature field for each signing party, a stamp field where a stamp is
// required.
void check_ready(const Envelope& e);

// The two revisions send adds before the first signature.
struct SentDocuments {
    std::string prepared_sha;   // every field an empty widget, the sender's values drawn
    std::string certified_sha;  // the prepared document certified with the seal
};

// Writes the draft's prepared and certified documents into the store
// (content-addressed; unreferenced blobs are harmless); the seal signs as
// `organization` (Store::organization()), else as the owner. Touches no
// database, so several threads may call it at once for different drafts.
// `pages`: the pages of the draft's original document.
SentDocuments prepare_and_certify(store::Store& store, const Envelope& draft,
                                  const std::vector<pdf::PageInfo>& pages,
                                  const crypto::OrganizationPki& pki, const std::string& organization,
                                  util::UnixTime now);

// Inside the caller's write transaction: marks the draft `id` sent with
// `docs`, to expire after its own expiry (Envelope::expires_in, from its
// template) counted from `now`, else after config.yaml's expires_in;
// records both revisions and the audit events, and enqueues the invitations
// of the first turn (delivered after commit). When the envelope is no
// longer a draft (another process sent it meanwhile), sets
// result.already_sent and changes nothing. Throws not_found.
void record_sent(store::Store& store, const std::string& id, const SentDocuments& docs,
                 util::UnixTime now, SendResult& result);

}  // namespace signet::envelope
