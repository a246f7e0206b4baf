// SPDX-License-Identifier: Apache-2.0
// Private keys as PEM strings (OpenSSL 3 EVP). Pure: no files; the PkiStore decides where
// they go.
//
// Key types, and why:
//   - kEcdsaP256 for the CA and every certificate: kube-apiserver (Go crypto/tls), kine's
//     clients, kubectl and libcurl+OpenSSL all accept it, it is generated in microseconds
//     (init runs on every pod start) and its handshakes are cheaper than RSA's.
//   - kRsa2048 for the service-account signing key: tokens are RS256 by default everywhere
//     (kube-apiserver --service-account-signing-key-file, OIDC consumers of the issuer);
//     ES256 works for the apiserver but not for every token consumer.
// Private keys are PKCS#8 ("BEGIN PRIVATE KEY"), which Go's keyutil, OpenSSL and curl read.
#pragma once

#include <string>
#include <string_view>

#include "vc/status.h"

namespace vc::syncer::pki {

enum class KeyType { kEcdsaP256, kRsa2048 };

// A new private key, PKCS#8 PEM.
StatusOr<std::string> GeneratePrivateKey(KeyType type);

// The SubjectPublicKeyInfo PEM ("BEGIN PUBLIC KEY") of a private key: what
// kube-apiserver --service-account-key-file reads.
StatusOr<std::string> PublicKeyPem(std::string_view private_key_pem);

// Whether the certificate's public key is the private key's. Errors for unparsable input.
StatusOr<bool> KeyMatchesCertificate(std::string_view private_key_pem,
                                     std::string_view certificate_pem);

// Whether the public key is the private key's (sa.pub against sa.key).
StatusOr<bool> PublicKeyMatches(std::string_view private_key_pem, std::string_view public_key_pem);

}  // namespace vc::syncer::pki
