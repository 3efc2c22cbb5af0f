// The CmsSigner every signature of an envelope is made with: PAdES B-B, and
// B-T (an RFC 3161 signature timestamp) when config.yaml sets a timestamp
// command. Used by send (certification), sign (each party) and completion.
#pragma once

#include "crypto/pki.hpp"
#include "pdf/incremental.hpp"
#include "store/store.hpp"

namespace signet::envelope {

// Signs with `credential` (which must outlive the signer) and, with
// store.config().timestamp, adds a signature timestamp. Throws what
// crypto::sign_cades_detached() and crypto::add_signature_timestamp() throw
// (busy, exit 75, when the time-stamping command fails).
pdf::CmsSigner cms_signer(const store::Store& store, const crypto::Credential& credential);

// The room (DER bytes) to reserve in /Contents for a CMS made by
// cms_signer(): a signature with its chain is 2-5 kB, so 8 kB; with a
// timestamp, whose token carries the TSA's own chain, 16 kB. Every
// reserved byte is two hex digits in the file, hashed and written with
// every later revision.
std::size_t cms_room(const store::Store& store);

}  // namespace signet::envelope
