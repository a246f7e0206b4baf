// SPDX-License-Identifier: Apache-2.0
// Private to src/pki: owning handles for OpenSSL objects and the one way OpenSSL failures
// become a Status (the library's error queue is drained into the message, so a failure says
// what OpenSSL said, and the queue never leaks into the next call).
#pragma once

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "vc/status.h"

namespace vc::syncer::pki::internal {

template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T* p) const {
    Free(p);
  }
};

using Bio = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using PKey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using PKeyCtx = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using X509Name = std::unique_ptr<X509_NAME, Deleter<X509_NAME_free>>;
using X509Store = std::unique_ptr<X509_STORE, Deleter<X509_STORE_free>>;
using X509StoreCtx = std::unique_ptr<X509_STORE_CTX, Deleter<X509_STORE_CTX_free>>;
using X509Ext = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
using BigNum = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using GeneralNames = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES_free>>;
using ExtKeyUsage = std::unique_ptr<EXTENDED_KEY_USAGE, Deleter<EXTENDED_KEY_USAGE_free>>;

// `what: openssl: <queued errors>`; clears the queue.
inline Status OpenSslError(std::string_view what) {
  std::string detail;
  for (unsigned long e = ERR_get_error(); e != 0; e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    if (!detail.empty()) detail += "; ";
    detail += buf;
  }
  if (detail.empty()) detail = "no detail from openssl";
  return Internal(std::string(what) + ": " + detail);
}

inline Bio MemoryBio(std::string_view data) {
  return Bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

inline std::string BioContents(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<size_t>(n)) : std::string();
}

// Parsing PEM. Both leave nothing on the error queue when they fail.
StatusOr<PKey> ParsePrivateKey(std::string_view pem);
StatusOr<X509Ptr> ParseCertificate(std::string_view pem);
StatusOr<std::string> CertificateToPem(X509* cert);
StatusOr<std::string> PrivateKeyToPem(EVP_PKEY* key);
// An ASN1_TIME (UTCTime or GeneralizedTime) as a time point; the epoch if it cannot be read.
std::chrono::system_clock::time_point ToTimePoint(const ASN1_TIME* t);

}  // namespace vc::syncer::pki::internal
