// OpenSSL 3.0 objects owned by RAII handles, and the one conversion of
// OpenSSL's error queue into a signet Error.
#pragma once

#include "signet/error.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>
#include <string_view>

namespace signet::crypto {

// Calls an OpenSSL free function; the handles below use it as their deleter.
template <auto FreeFn> struct OpensslDeleter {
    template <class T> void operator()(T* p) const { FreeFn(p); }
};

template <class T, auto FreeFn> using OpensslPtr = std::unique_ptr<T, OpensslDeleter<FreeFn>>;

using EvpPkeyPtr = OpensslPtr<EVP_PKEY, EVP_PKEY_free>;
using EvpPkeyCtxPtr = OpensslPtr<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using EvpMdCtxPtr = OpensslPtr<EVP_MD_CTX, EVP_MD_CTX_free>;
using X509Ptr = OpensslPtr<X509, X509_free>;
using X509NamePtr = OpensslPtr<X509_NAME, X509_NAME_free>;
using X509ExtensionPtr = OpensslPtr<X509_EXTENSION, X509_EXTENSION_free>;
using X509StorePtr = OpensslPtr<X509_STORE, X509_STORE_free>;
using X509StoreCtxPtr = OpensslPtr<X509_STORE_CTX, X509_STORE_CTX_free>;
using CmsPtr = OpensslPtr<CMS_ContentInfo, CMS_ContentInfo_free>;
using BioPtr = OpensslPtr<BIO, BIO_free_all>;
using BignumPtr = OpensslPtr<BIGNUM, BN_free>;
using Asn1TimePtr = OpensslPtr<ASN1_TIME, ASN1_TIME_free>;
using Asn1IntegerPtr = OpensslPtr<ASN1_INTEGER, ASN1_INTEGER_free>;
using Asn1OctetStringPtr = OpensslPtr<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>;
using GeneralNamesPtr = OpensslPtr<GENERAL_NAMES, GENERAL_NAMES_free>;
using Pkcs12Ptr = OpensslPtr<PKCS12, PKCS12_free>;

// Frees a STACK_OF(X509) and the certificates in it.
void free_x509_stack(STACK_OF(X509) * stack);
using X509StackPtr = OpensslPtr<STACK_OF(X509), free_x509_stack>;

// Frees a STACK_OF(X509) whose certificates are borrowed, not the certificates.
void free_x509_stack_view(STACK_OF(X509) * stack);
using X509StackViewPtr = OpensslPtr<STACK_OF(X509), free_x509_stack_view>;

// An Error of `kind` whose message is `what` followed by the reasons on
// OpenSSL's error queue ("what: asn1 encoding routines: wrong tag"); the
// queue is emptied. With an empty queue the message is just `what`. Use as
// `throw openssl_error("cannot parse \"x.crt\"", ErrorKind::bad_input)`.
Error openssl_error(std::string what, ErrorKind kind = ErrorKind::internal);

// Empties OpenSSL's error queue, so that a later openssl_error() reports only
// what the next calls push. Call before a sequence whose failure is reported.
void clear_openssl_errors();

// A memory BIO reading `data` (which must outlive it). Throws internal on
// allocation failure.
BioPtr memory_bio(std::string_view data);

// A new empty, writable memory BIO.
BioPtr memory_bio();

// What has been written to a memory BIO, as bytes.
std::string bio_contents(BIO* bio);

}  // namespace signet::crypto
