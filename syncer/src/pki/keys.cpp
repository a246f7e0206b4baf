// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/pki/keys.h"

#include <openssl/pem.h>

#include "pki/openssl_util.h"

namespace vc::syncer::pki {
namespace internal {

StatusOr<PKey> ParsePrivateKey(std::string_view pem) {
  Bio bio = MemoryBio(pem);
  PKey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (key == nullptr) return OpenSslError("parse private key");
  return key;
}

StatusOr<X509Ptr> ParseCertificate(std::string_view pem) {
  Bio bio = MemoryBio(pem);
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (cert == nullptr) return OpenSslError("parse certificate");
  return cert;
}

StatusOr<std::string> CertificateToPem(X509* cert) {
  Bio bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || PEM_write_bio_X509(bio.get(), cert) != 1) {
    return OpenSslError("encode certificate");
  }
  return BioContents(bio.get());
}

StatusOr<std::string> PrivateKeyToPem(EVP_PKEY* key) {
  Bio bio(BIO_new(BIO_s_mem()));
  // PEM_write_bio_PrivateKey writes PKCS#8 in OpenSSL 3.
  if (bio == nullptr ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return OpenSslError("encode private key");
  }
  return BioContents(bio.get());
}

}  // namespace internal

using internal::OpenSslError;

StatusOr<std::string> GeneratePrivateKey(KeyType type) {
  internal::PKey key(type == KeyType::kEcdsaP256 ? EVP_EC_gen("P-256") : EVP_RSA_gen(2048));
  if (key == nullptr) return OpenSslError("generate private key");
  return internal::PrivateKeyToPem(key.get());
}

StatusOr<std::string> PublicKeyPem(std::string_view private_key_pem) {
  ASSIGN_OR_RETURN(internal::PKey key, internal::ParsePrivateKey(private_key_pem));
  internal::Bio bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || PEM_write_bio_PUBKEY(bio.get(), key.get()) != 1) {
    return OpenSslError("encode public key");
  }
  return internal::BioContents(bio.get());
}

StatusOr<bool> KeyMatchesCertificate(std::string_view private_key_pem,
                                     std::string_view certificate_pem) {
  ASSIGN_OR_RETURN(internal::PKey key, internal::ParsePrivateKey(private_key_pem));
  ASSIGN_OR_RETURN(internal::X509Ptr cert, internal::ParseCertificate(certificate_pem));
  EVP_PKEY* cert_key = X509_get0_pubkey(cert.get());
  if (cert_key == nullptr) return OpenSslError("read certificate public key");
  // 1: same key; 0: different; negative: different types, which is also "no".
  const bool same = EVP_PKEY_eq(key.get(), cert_key) == 1;
  ERR_clear_error();
  return same;
}

StatusOr<bool> PublicKeyMatches(std::string_view private_key_pem, std::string_view public_key_pem) {
  ASSIGN_OR_RETURN(internal::PKey key, internal::ParsePrivateKey(private_key_pem));
  internal::Bio bio = internal::MemoryBio(public_key_pem);
  internal::PKey pub(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (pub == nullptr) return OpenSslError("parse public key");
  const bool same = EVP_PKEY_eq(key.get(), pub.get()) == 1;
  ERR_clear_error();
  return same;
}

}  // namespace vc::syncer::pki
