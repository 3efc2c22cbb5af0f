#include "crypto/certificate.hpp"

#include "util/fs.hpp"
#include "util/text.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <cctype>
#include <climits>
#include <ctime>

namespace signet::crypto {

X509Ptr share(X509* cert) {
    if (cert == nullptr || X509_up_ref(cert) != 1) {
        throw internal_error("cannot share a null certificate");
    }
    return X509Ptr(cert);
}

std::vector<X509Ptr> certificates_from_pem(std::string_view pem, const std::string& what) {
    clear_openssl_errors();
    BioPtr in = memory_bio(pem);
    std::vector<X509Ptr> certs;
    while (X509* cert = PEM_read_bio_X509(in.get(), nullptr, nullptr, nullptr)) {
        certs.emplace_back(cert);
    }
    // The loop ends with "no start line" at the end of the text: only an
    // error on a certificate that did start is a real one.
    const unsigned long err = ERR_peek_last_error();
    if (ERR_GET_LIB(err) == ERR_LIB_PEM && ERR_GET_REASON(err) == PEM_R_NO_START_LINE) {
        clear_openssl_errors();
    } else if (err != 0) {
        throw openssl_error("cannot read a certificate in " + what, ErrorKind::bad_input);
    }
    if (certs.empty()) {
        throw bad_input(what + " holds no PEM certificate");
    }
    return certs;
}

std::vector<X509Ptr> load_certificates(const std::filesystem::path& path) {
    return certificates_from_pem(util::read_file(path), util::quoted(path.string()));
}

X509Ptr certificate_from_der(std::string_view der, const std::string& what) {
    clear_openssl_errors();
    if (der.size() > static_cast<std::size_t>(LONG_MAX)) {
        throw bad_input(what + " is too large to be a certificate");
    }
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    if (!cert) {
        throw openssl_error("cannot read the certificate " + what, ErrorKind::bad_input);
    }
    return cert;
}

std::string certificate_to_pem(X509* cert) {
    BioPtr out = memory_bio();
    if (PEM_write_bio_X509(out.get(), cert) != 1) {
        throw openssl_error("cannot write a certificate as PEM");
    }
    return bio_contents(out.get());
}

std::string certificate_to_der(X509* cert) {
    const int len = i2d_X509(cert, nullptr);
    if (len <= 0) {
        throw openssl_error("cannot encode a certificate");
    }
    std::string der(static_cast<std::size_t>(len), '\0');
    auto* p = reinterpret_cast<unsigned char*>(der.data());
    i2d_X509(cert, &p);
    return der;
}

Sha256Digest certificate_sha256(X509* cert) { return sha256(certificate_to_der(cert)); }

std::string serial_hex(X509* cert) {
    BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr);
    if (bn == nullptr) {
        throw openssl_error("reading a certificate's serial number");
    }
    char* hex = BN_bn2hex(bn);
    BN_free(bn);
    if (hex == nullptr) {
        throw openssl_error("formatting a certificate's serial number");
    }
    std::string out(hex);
    OPENSSL_free(hex);
    for (char& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

std::string common_name(X509* cert) {
    const X509_NAME* name = X509_get_subject_name(cert);
    const int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    if (idx < 0) {
        return {};
    }
    const ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
    unsigned char* utf8 = nullptr;
    const int len = ASN1_STRING_to_UTF8(&utf8, value);
    if (len < 0) {
        clear_openssl_errors();
        return {};
    }
    std::string out(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(len));
    OPENSSL_free(utf8);
    return out;
}

std::string subject_line(X509* cert) {
    BioPtr out = memory_bio();
    // RFC 2253 escapes non-ASCII as \XX unless ESC_MSB is dropped.
    const unsigned long flags = XN_FLAG_RFC2253 & ~static_cast<unsigned long>(ASN1_STRFLGS_ESC_MSB);
    if (X509_NAME_print_ex(out.get(), X509_get_subject_name(cert), 0, flags) < 0) {
        throw openssl_error("cannot print a certificate subject");
    }
    return bio_contents(out.get());
}

X509StorePtr make_trust_store(const std::vector<X509*>& anchors) {
    clear_openssl_errors();
    X509StorePtr store(X509_STORE_new());
    if (!store) {
        throw openssl_error("cannot create a trust store");
    }
    for (X509* anchor : anchors) {
        if (X509_STORE_add_cert(store.get(), anchor) != 1) {
            throw openssl_error("cannot add a trust anchor");
        }
    }
    if (X509_STORE_set_purpose(store.get(), X509_PURPOSE_ANY) != 1) {
        throw openssl_error("cannot set the trust store's purpose");
    }
    return store;
}

ChainCheck verify_certificate_chain(X509* leaf, const std::vector<X509*>& intermediates,
                                    X509_STORE* trusted, std::optional<util::UnixTime> at) {
    clear_openssl_errors();
    X509StackViewPtr untrusted(sk_X509_new_null());
    X509StoreCtxPtr ctx(X509_STORE_CTX_new());
    if (!untrusted || !ctx) {
        throw openssl_error("cannot set up a certificate check");
    }
    for (X509* cert : intermediates) {
        if (sk_X509_push(untrusted.get(), cert) <= 0) {
            throw openssl_error("cannot set up a certificate check");
        }
    }
    if (X509_STORE_CTX_init(ctx.get(), trusted, leaf, untrusted.get()) != 1) {
        throw openssl_error("cannot set up a certificate check");
    }
    X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
    X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_ANY);
    if (at) {
        X509_VERIFY_PARAM_set_time(param, static_cast<std::time_t>(*at));
    }
    ChainCheck result;
    result.trusted = X509_verify_cert(ctx.get()) == 1;
    if (!result.trusted) {
        result.problem = X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()));
    }
    clear_openssl_errors();
    return result;
}

}  // namespace signet::crypto
