// SPDX-License-Identifier: Apache-2.0
// X.509 certificates for a virtual cluster, as PEM strings (OpenSSL 3). Pure functions: the
// time is passed in, nothing touches files.
//
//   ASSIGN_OR_RETURN(auto ca, CreateCertificateAuthority("vc-dev-ca", now, kCaValidity));
//   ASSIGN_OR_RETURN(auto leaf, IssueCertificate(ca, spec, now));
//
// Validity, and why:
//   - CA: 10 years. It is the cluster's identity (every kubeconfig ever handed out trusts it),
//     snapshots keep it, and nothing replaces it automatically.
//   - Leaves: 5 years, never beyond the CA's notAfter, and PkiStore re-issues one from the
//     kept CA when less than a year is left. kubeadm's 1 year is too short here: nothing
//     rotates certificates inside a running pod yet, a virtual cluster can run for years
//     without a restart, and kubeconfigs users copied out of Secret vc-NAME would all break on
//     the same day. Kubernetes has no revocation, so a shorter life would buy little.
//   - notBefore is backdated an hour: a client whose clock runs behind must not reject a
//     certificate made a moment ago by a pod on another node.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "vc/status.h"

namespace vc::syncer::pki {

using WallClock = std::chrono::system_clock;

inline constexpr std::chrono::hours kCaValidity{24 * 3652};
inline constexpr std::chrono::hours kLeafValidity{24 * 1826};
inline constexpr std::chrono::hours kBackdate{1};

struct Subject {
  std::string common_name;
  std::vector<std::string> organizations;  // O=: Kubernetes groups of a client certificate
  bool operator==(const Subject&) const = default;
};

// What a leaf certificate says. SANs are kept as given; comparisons treat them as sets.
struct CertificateSpec {
  Subject subject;
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;  // textual IPv4 or IPv6
  bool server_auth = false;               // extendedKeyUsage serverAuth
  bool client_auth = false;               // extendedKeyUsage clientAuth
  std::chrono::hours validity = kLeafValidity;
};

// A certificate and its private key, both PEM.
struct KeyAndCertificate {
  std::string certificate_pem;
  std::string private_key_pem;
};
using CertificateAuthority = KeyAndCertificate;

// A self-signed CA (basicConstraints CA:TRUE critical, keyCertSign|cRLSign). With
// `existing_key_pem` the CA keeps that key, so what it signed before still verifies: this is
// how a lost ca.crt is rebuilt from ca.key without changing the cluster's identity.
StatusOr<CertificateAuthority> CreateCertificateAuthority(const std::string& common_name,
                                                          WallClock::time_point now,
                                                          std::chrono::hours validity = kCaValidity,
                                                          std::string_view existing_key_pem = {});

// A new ECDSA P-256 key and a certificate for it signed by `ca`. notAfter is capped at the
// CA's. InvalidArgument for an IP SAN that does not parse or a spec with no usage.
StatusOr<KeyAndCertificate> IssueCertificate(const CertificateAuthority& ca,
                                             const CertificateSpec& spec,
                                             WallClock::time_point now);

// What a certificate says, for deciding whether it still fits and for tests.
struct CertificateInfo {
  Subject subject;
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;  // normalised text (inet_ntop)
  bool is_ca = false;
  bool server_auth = false;
  bool client_auth = false;
  bool digital_signature = false;  // keyUsage bits
  bool key_cert_sign = false;
  WallClock::time_point not_before;
  WallClock::time_point not_after;
};
StatusOr<CertificateInfo> InspectCertificate(std::string_view certificate_pem);

// Verifies `certificate_pem` chains to `ca_certificate_pem` (X509_verify_cert) at `at`, as
// a TLS peer would. FailedPrecondition with OpenSSL's reason when it does not.
Status VerifyCertificate(std::string_view certificate_pem, std::string_view ca_certificate_pem,
                         WallClock::time_point at);

// Whether `info` says what `spec` asks for: subject, usages and SANs (as sets, IPs
// normalised). Validity is not compared.
bool Matches(const CertificateInfo& info, const CertificateSpec& spec);

}  // namespace vc::syncer::pki
