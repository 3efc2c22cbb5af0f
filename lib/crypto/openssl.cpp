#include "crypto/openssl.hpp"

#include <openssl/err.h>

#include <climits>
#include <vector>

namespace signet::crypto {

void free_x509_stack(STACK_OF(X509) * stack) { sk_X509_pop_free(stack, X509_free); }

void free_x509_stack_view(STACK_OF(X509) * stack) { sk_X509_free(stack); }

Error openssl_error(std::string what, ErrorKind kind) {
    std::vector<std::string> reasons;
    const char* data = nullptr;
    int flags = 0;
    while (const unsigned long code = ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags)) {
        std::string reason;
        const char* lib = ERR_lib_error_string(code);
        const char* text = ERR_reason_error_string(code);
        if (lib != nullptr) {
            reason += lib;
            reason += ": ";
        }
        reason += text != nullptr ? text : "error " + std::to_string(ERR_GET_REASON(code));
        if (data != nullptr && (flags & ERR_TXT_STRING) != 0 && *data != '\0') {
            reason += " (";
            reason += data;
            reason += ")";
        }
        // The same reason is often pushed at several levels of the call stack.
        bool seen = false;
        for (const auto& r : reasons) {
            seen = seen || r == reason;
        }
        if (!seen) {
            reasons.push_back(std::move(reason));
        }
    }
    for (std::size_t i = 0; i < reasons.size(); ++i) {
        what += i == 0 ? ": " : "; ";
        what += reasons[i];
    }
    return Error(kind, std::move(what));
}

void clear_openssl_errors() { ERR_clear_error(); }

BioPtr memory_bio(std::string_view data) {
    if (data.size() > static_cast<std::size_t>(INT_MAX)) {
        throw internal_error("data too large for a memory BIO");
    }
    BioPtr bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
    if (!bio) {
        throw openssl_error("cannot allocate a memory BIO");
    }
    return bio;
}

BioPtr memory_bio() {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio) {
        throw openssl_error("cannot allocate a memory BIO");
    }
    return bio;
}

std::string bio_contents(BIO* bio) {
    char* p = nullptr;
    const long n = BIO_get_mem_data(bio, &p);
    if (n <= 0 || p == nullptr) {
        return {};
    }
    return std::string(p, static_cast<std::size_t>(n));
}

}  // namespace signet::crypto
