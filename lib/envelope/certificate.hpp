// The certificate of completion: a PDF that records, from the store, what
// happened to an envelope — its document revisions and their SHA-256, the
// audit chain head, and for each party who they are, how they were reached
// and authenticated, when they were invited, opened and acted, and the
// serial of their signing certificate.
#pragma once

#include "store/store.hpp"

#include <string>

namespace signet::envelope {

// The certificate of completion as PDF bytes, made from the store's records.
// An A4 document of one or more pages, text drawn with an embedded DejaVu
// subset (so any script renders and can be copied), in the envelope's
// language (its template's locale, else the store's), times in its zone
// (named) and in UTC. The same store state gives the same bytes.
// Throws not_found for an unknown envelope; reads inside one read
// transaction and changes nothing.
std::string completion_certificate_pdf(store::Store& store, const std::string& envelope_id);

}  // namespace signet::envelope
