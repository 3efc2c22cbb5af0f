#include "envelope/certificate.hpp"

#include "signet/error.hpp"

namespace signet::envelope {

std::string completion_certificate_pdf(store::Store& /*store*/, const std::string& envelope_id) {
    throw internal_error("the certificate of completion for \"" + envelope_id +
                         "\" is not written yet");
}

}  // namespace signet::envelope
