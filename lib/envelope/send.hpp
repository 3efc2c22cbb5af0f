// send: prepare each envelope's document once, certify it with the
// organisation seal and invite the parties whose turn it is.
#pragma once

#include "store/store.hpp"

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

}  // namespace signet::envelope
