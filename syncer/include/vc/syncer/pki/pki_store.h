// SPDX-License-Identifier: Apache-2.0
// PkiStore: the /data/pki directory (layout in syncer/README.md). Ensure() creates what is
// missing and repairs what a killed run left half done; it never replaces the CA or the
// service-account key, which are the cluster's identity (snapshots carry them, tokens and
// kubeconfigs handed out depend on them). Leaves are re-issued from the kept CA when they no
// longer say what is asked (a new --san, a new service IP), no longer belong to the CA, or
// are within kRenewBefore of expiring.
//
// Write order makes every crash point recoverable: a key is written before its certificate,
// so a half-replaced pair shows up as "key does not match certificate" and is re-issued.
//
//   PkiStore store("/data/pki");
//   ASSIGN_OR_RETURN(auto changes, store.Ensure(ClusterCas(req), leaves));
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "vc/status.h"
#include "vc/syncer/pki/certificate.h"
#include "vc/syncer/pki/cluster_certificates.h"

namespace vc::syncer::pki {

// Leaves with less than this left are re-issued on the next init (a pod restart).
inline constexpr std::chrono::hours kRenewBefore{24 * 365};

// What Ensure() did to one file pair, for the log.
struct PkiChange {
  std::string file;    // "ca", "sa", "apiserver", ...
  std::string action;  // "created", "reissued", "repaired"
  std::string reason;  // why, e.g. "SANs changed"
};

class PkiStore {
 public:
  using WallNow = std::function<WallClock::time_point()>;

  explicit PkiStore(
      std::string dir, WallNow now = [] { return WallClock::now(); });

  // Makes the directory hold every CA's FILE.{crt,key}, sa.{key,pub} and every leaf's
  // FILE.{crt,key}. A CA added later (front-proxy-ca, to clusters made before it) is created
  // beside the kept ones. FailedPrecondition when the identity is damaged in a way only a
  // human can decide about (a certificate without its key, a key that does not match its
  // certificate), or a leaf names a CA not in `cas`.
  StatusOr<std::vector<PkiChange>> Ensure(const std::vector<CaCertificate>& cas,
                                          const std::vector<LeafCertificate>& leaves);

  StatusOr<CertificateAuthority> LoadCa(const std::string& file = "ca") const;
  StatusOr<KeyAndCertificate> LoadLeaf(const std::string& file) const;

  const std::string& dir() const { return dir_; }
  std::string PathOf(const std::string& file_name) const { return dir_ + "/" + file_name; }

 private:
  StatusOr<CertificateAuthority> EnsureCa(const CaCertificate& wanted,
                                          std::vector<PkiChange>* changes);
  Status EnsureServiceAccountKey(std::vector<PkiChange>* changes);
  // Why `leaf` must be re-issued, or empty when it is fine.
  StatusOr<std::string> ReissueReason(const CertificateAuthority& ca,
                                      const LeafCertificate& leaf) const;
  Status WritePair(const std::string& file, const KeyAndCertificate& pair);

  std::string dir_;
  WallNow now_;
};

}  // namespace vc::syncer::pki
