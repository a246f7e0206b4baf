// SPDX-License-Identifier: Apache-2.0
// Issuing: the CA and leaf certificates. Extensions are given in OpenSSL's config syntax
// (X509V3_EXT_nconf_nid), which is the least code for exactly what kubeadm puts in its
// certificates.
#include "vc/syncer/pki/certificate.h"

#include <arpa/inet.h>

#include <algorithm>

#include "pki/openssl_util.h"
#include "vc/syncer/pki/keys.h"

namespace vc::syncer::pki {
namespace {

using internal::OpenSslError;

bool ValidIp(const std::string& ip) {
  unsigned char buf[16];
  return inet_pton(AF_INET, ip.c_str(), buf) == 1 || inet_pton(AF_INET6, ip.c_str(), buf) == 1;
}

// A DNS SAN goes into a comma-separated config string: a name with a comma or a space would
// split it, and neither is valid in a host name anyway.
bool ValidDnsName(const std::string& name) {
  return !name.empty() && name.find_first_of(", \t\r\n:") == std::string::npos;
}

Status AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  internal::X509Ext ext(X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value.c_str()));
  if (ext == nullptr || X509_add_ext(cert, ext.get(), -1) != 1) {
    return OpenSslError("add certificate extension " + std::string(OBJ_nid2sn(nid)));
  }
  return Status::Ok();
}

Status SetSubject(X509_NAME* name, const Subject& subject) {
  auto add = [&](const char* field, const std::string& value) {
    return X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1,
                                      0) == 1;
  };
  for (const auto& o : subject.organizations) {
    if (!add("O", o)) return OpenSslError("set certificate subject O=" + o);
  }
  if (!add("CN", subject.common_name)) {
    return OpenSslError("set certificate subject CN=" + subject.common_name);
  }
  return Status::Ok();
}

// A fresh v3 certificate for `key` with a random 127-bit serial (RFC 5280: positive, at most
// 20 octets; random so that re-issued leaves never collide with old ones).
StatusOr<internal::X509Ptr> NewCertificate(EVP_PKEY* key, const Subject& subject,
                                           WallClock::time_point not_before,
                                           WallClock::time_point not_after) {
  internal::X509Ptr cert(X509_new());
  internal::BigNum serial(BN_new());
  if (cert == nullptr || serial == nullptr || X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
      BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr ||
      ASN1_TIME_set(X509_getm_notBefore(cert.get()), WallClock::to_time_t(not_before)) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert.get()), WallClock::to_time_t(not_after)) == nullptr ||
      X509_set_pubkey(cert.get(), key) != 1) {
    return OpenSslError("create certificate");
  }
  RETURN_IF_ERROR(SetSubject(X509_get_subject_name(cert.get()), subject));
  return cert;
}

}  // namespace

StatusOr<CertificateAuthority> CreateCertificateAuthority(const std::string& common_name,
                                                          WallClock::time_point now,
                                                          std::chrono::hours validity,
                                                          std::string_view existing_key_pem) {
  std::string key_pem(existing_key_pem);
  if (key_pem.empty()) {
    ASSIGN_OR_RETURN(key_pem, GeneratePrivateKey(KeyType::kEcdsaP256));
  }
  ASSIGN_OR_RETURN(internal::PKey key, internal::ParsePrivateKey(key_pem));
  ASSIGN_OR_RETURN(internal::X509Ptr cert, NewCertificate(key.get(), Subject{common_name, {}},
                                                          now - kBackdate, now + validity));
  X509* c = cert.get();
  if (X509_set_issuer_name(c, X509_get_subject_name(c)) != 1) {
    return OpenSslError("set CA issuer");
  }
  RETURN_IF_ERROR(AddExtension(c, c, NID_basic_constraints, "critical,CA:TRUE"));
  RETURN_IF_ERROR(
      AddExtension(c, c, NID_key_usage, "critical,digitalSignature,keyCertSign,cRLSign"));
  RETURN_IF_ERROR(AddExtension(c, c, NID_subject_key_identifier, "hash"));
  if (X509_sign(c, key.get(), EVP_sha256()) <= 0) return OpenSslError("sign CA certificate");
  ASSIGN_OR_RETURN(std::string cert_pem, internal::CertificateToPem(c));
  return CertificateAuthority{std::move(cert_pem), std::move(key_pem)};
}

StatusOr<KeyAndCertificate> IssueCertificate(const CertificateAuthority& ca,
                                             const CertificateSpec& spec,
                                             WallClock::time_point now) {
  if (spec.subject.common_name.empty()) {
    return InvalidArgument("issue certificate: the subject needs a common name");
  }
  if (!spec.server_auth && !spec.client_auth) {
    return InvalidArgument("issue certificate " + spec.subject.common_name +
                           ": neither serverAuth nor clientAuth requested");
  }
  std::string san;
  for (const auto& dns : spec.dns_names) {
    if (!ValidDnsName(dns)) {
      return InvalidArgument("issue certificate: invalid DNS name \"" + dns + "\"");
    }
    san += (san.empty() ? "DNS:" : ",DNS:") + dns;
  }
  for (const auto& ip : spec.ip_addresses) {
    if (!ValidIp(ip)) {
      return InvalidArgument("issue certificate: invalid IP address \"" + ip + "\"");
    }
    san += (san.empty() ? "IP:" : ",IP:") + ip;
  }

  ASSIGN_OR_RETURN(internal::PKey ca_key, internal::ParsePrivateKey(ca.private_key_pem));
  ASSIGN_OR_RETURN(internal::X509Ptr ca_cert, internal::ParseCertificate(ca.certificate_pem));
  ASSIGN_OR_RETURN(std::string key_pem, GeneratePrivateKey(KeyType::kEcdsaP256));
  ASSIGN_OR_RETURN(internal::PKey key, internal::ParsePrivateKey(key_pem));

  // A leaf that outlives its CA would fail verification anyway; saying so in notAfter lets
  // PkiStore's renewal see it.
  const auto ca_not_after = internal::ToTimePoint(X509_get0_notAfter(ca_cert.get()));
  const auto not_after = std::min<WallClock::time_point>(now + spec.validity, ca_not_after);
  ASSIGN_OR_RETURN(internal::X509Ptr cert,
                   NewCertificate(key.get(), spec.subject, now - kBackdate, not_after));
  X509* c = cert.get();
  if (X509_set_issuer_name(c, X509_get_subject_name(ca_cert.get())) != 1) {
    return OpenSslError("set certificate issuer");
  }
  RETURN_IF_ERROR(AddExtension(c, ca_cert.get(), NID_basic_constraints, "critical,CA:FALSE"));
  // ECDSA keys only sign; keyEncipherment is for RSA key transport.
  RETURN_IF_ERROR(AddExtension(c, ca_cert.get(), NID_key_usage, "critical,digitalSignature"));
  std::string eku;
  if (spec.server_auth) eku = "serverAuth";
  if (spec.client_auth) eku += eku.empty() ? "clientAuth" : ",clientAuth";
  RETURN_IF_ERROR(AddExtension(c, ca_cert.get(), NID_ext_key_usage, eku));
  RETURN_IF_ERROR(AddExtension(c, ca_cert.get(), NID_authority_key_identifier, "keyid:always"));
  if (!san.empty()) RETURN_IF_ERROR(AddExtension(c, ca_cert.get(), NID_subject_alt_name, san));
  if (X509_sign(c, ca_key.get(), EVP_sha256()) <= 0) {
    return OpenSslError("sign certificate " + spec.subject.common_name);
  }
  ASSIGN_OR_RETURN(std::string cert_pem, internal::CertificateToPem(c));
  return KeyAndCertificate{std::move(cert_pem), std::move(key_pem)};
}

}  // namespace vc::syncer::pki
