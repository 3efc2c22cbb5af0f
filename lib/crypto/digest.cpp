#include "crypto/digest.hpp"

namespace signet::crypto {

Sha256::Sha256() : m_ctx(EVP_MD_CTX_new()) {
    if (!m_ctx || EVP_DigestInit_ex(m_ctx.get(), EVP_sha256(), nullptr) != 1) {
        throw openssl_error("cannot start SHA-256");
    }
}

void Sha256::update(std::string_view data) {
    if (EVP_DigestUpdate(m_ctx.get(), data.data(), data.size()) != 1) {
        throw openssl_error("SHA-256 failed");
    }
}

Sha256Digest Sha256::finish() {
    Sha256Digest out{};
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(m_ctx.get(), out.data(), &len) != 1 || len != out.size()) {
        throw openssl_error("SHA-256 failed");
    }
    return out;
}

Sha256Digest sha256(std::string_view data) {
    Sha256 h;
    h.update(data);
    return h.finish();
}

}  // namespace signet::crypto
