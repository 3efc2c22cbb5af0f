#include "envelope/cms_signer.hpp"

#include "crypto/cms.hpp"
#include "crypto/timestamp.hpp"

#include <optional>

namespace signet::envelope {

pdf::CmsSigner cms_signer(const store::Store& store, const crypto::Credential& credential) {
    std::optional<store::TimestampConfig> tsa = store.config().timestamp;
    return [&credential, tsa = std::move(tsa)](const pdf::Sha256& digest) {
        const std::string der =
            crypto::sign_cades_detached(digest, credential.certificate.get(), credential.key.get(),
                                        credential.chain_pointers());
        return tsa ? crypto::add_signature_timestamp(der, *tsa) : der;
    };
}

std::size_t cms_room(const store::Store& store) {
    return store.config().timestamp ? 16384 : 8192;
}

}  // namespace signet::envelope
