// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/pki/pki_store.h"

#include <map>

#include "vc/log.h"
#include "vc/syncer/fs/atomic_file.h"
#include "vc/syncer/pki/keys.h"

namespace vc::syncer::pki {
namespace {

constexpr mode_t kKeyMode = 0600;
constexpr mode_t kCertMode = 0644;
constexpr mode_t kDirMode = 0700;

// The file's content, or "" when it does not exist; other read errors are errors.
StatusOr<std::string> ReadOptional(const std::string& path) {
  auto data = fs::ReadFile(path);
  if (!data.ok() && data.status().code() == Code::kNotFound) return std::string();
  return data;
}

Status Damaged(const std::string& what, const std::string& what_to_do) {
  return FailedPrecondition("check pki: " + what + "; " + what_to_do);
}

}  // namespace

PkiStore::PkiStore(std::string dir, WallNow now) : dir_(std::move(dir)), now_(std::move(now)) {}

StatusOr<std::vector<PkiChange>> PkiStore::Ensure(const std::vector<CaCertificate>& cas,
                                                  const std::vector<LeafCertificate>& leaves) {
  RETURN_IF_ERROR(fs::MakeDirectories(dir_, kDirMode));
  std::vector<PkiChange> changes;
  std::map<std::string, CertificateAuthority> authorities;
  for (const auto& wanted : cas) {
    ASSIGN_OR_RETURN(CertificateAuthority ca, EnsureCa(wanted, &changes));
    authorities.emplace(wanted.file, std::move(ca));
  }
  RETURN_IF_ERROR(EnsureServiceAccountKey(&changes));
  for (const auto& leaf : leaves) {
    auto signer = authorities.find(leaf.ca);
    if (signer == authorities.end()) {
      return FailedPrecondition("pki: certificate " + leaf.file + " names the CA " + leaf.ca +
                                ", which is not one of the cluster's");
    }
    const CertificateAuthority& ca = signer->second;
    ASSIGN_OR_RETURN(std::string reason, ReissueReason(ca, leaf));
    if (reason.empty()) continue;
    ASSIGN_OR_RETURN(KeyAndCertificate pair, IssueCertificate(ca, leaf.spec, now_()));
    RETURN_IF_ERROR(WritePair(leaf.file, pair));
    changes.push_back({leaf.file, reason == "missing" ? "created" : "reissued", reason});
  }
  return changes;
}

StatusOr<CertificateAuthority> PkiStore::EnsureCa(const CaCertificate& wanted,
                                                  std::vector<PkiChange>* changes) {
  const std::string key_file = wanted.file + ".key";
  const std::string cert_file = wanted.file + ".crt";
  ASSIGN_OR_RETURN(std::string key, ReadOptional(PathOf(key_file)));
  ASSIGN_OR_RETURN(std::string cert, ReadOptional(PathOf(cert_file)));
  if (key.empty() && !cert.empty()) {
    return Damaged(PathOf(cert_file) + " exists without " + key_file + ", so nothing can be signed",
                   "restore " + key_file + " from a snapshot, or delete " + cert_file +
                       " to give the virtual cluster a new identity (every kubeconfig handed "
                       "out stops working)");
  }
  if (key.empty() || cert.empty()) {
    // Both missing: a new cluster. Only the certificate missing: a run killed between the two
    // writes; rebuilding it around the kept key keeps every signature valid.
    ASSIGN_OR_RETURN(CertificateAuthority ca,
                     CreateCertificateAuthority(wanted.common_name, now_(), kCaValidity, key));
    const bool had_key = !key.empty();
    if (!had_key) {
      RETURN_IF_ERROR(fs::WriteFileAtomic(PathOf(key_file), ca.private_key_pem, kKeyMode));
    }
    RETURN_IF_ERROR(fs::WriteFileAtomic(PathOf(cert_file), ca.certificate_pem, kCertMode));
    changes->push_back(
        {wanted.file, had_key ? "repaired" : "created",
         had_key ? cert_file + " missing; rebuilt around the kept " + key_file : "missing"});
    return ca;
  }
  auto matches = KeyMatchesCertificate(key, cert);
  if (!matches.ok() || !*matches) {
    return Damaged(PathOf(key_file) + " and " + cert_file + " do not belong together" +
                       (matches.ok() ? "" : " (" + matches.status().message() + ")"),
                   "restore both from the same snapshot");
  }
  ASSIGN_OR_RETURN(CertificateInfo info, InspectCertificate(cert));
  if (!info.is_ca) return Damaged(PathOf(cert_file) + " is not a CA certificate", "restore it");
  if (info.not_after - now_() < kRenewBefore) {
    // Replacing the CA is a decision (every kubeconfig handed out stops working), not
    // something init does on its own.
    VC_LOG(Warning) << "the virtual cluster's CA " << PathOf(cert_file)
                    << " expires within a year; its certificates cannot outlive it";
  }
  return CertificateAuthority{std::move(cert), std::move(key)};
}

Status PkiStore::EnsureServiceAccountKey(std::vector<PkiChange>* changes) {
  ASSIGN_OR_RETURN(std::string key, ReadOptional(PathOf("sa.key")));
  ASSIGN_OR_RETURN(std::string pub, ReadOptional(PathOf("sa.pub")));
  if (key.empty() && !pub.empty()) {
    return Damaged(PathOf("sa.pub") + " exists without sa.key",
                   "restore sa.key from a snapshot, or delete sa.pub to invalidate every "
                   "service-account token of the virtual cluster");
  }
  std::string action = "repaired";
  std::string reason;
  if (key.empty()) {
    ASSIGN_OR_RETURN(key, GeneratePrivateKey(KeyType::kRsa2048));
    RETURN_IF_ERROR(fs::WriteFileAtomic(PathOf("sa.key"), key, kKeyMode));
    action = "created";
    reason = "missing";
  } else if (pub.empty()) {
    reason = "sa.pub missing; derived from the kept sa.key";
  } else {
    auto matches = PublicKeyMatches(key, pub);
    if (matches.ok() && *matches) return Status::Ok();
    reason = "sa.pub did not match sa.key; derived again from sa.key";
  }
  // The public key is derived data, so rewriting it never changes the identity.
  ASSIGN_OR_RETURN(std::string derived, PublicKeyPem(key));
  RETURN_IF_ERROR(fs::WriteFileAtomic(PathOf("sa.pub"), derived, kCertMode));
  changes->push_back({"sa", action, reason});
  return Status::Ok();
}

StatusOr<std::string> PkiStore::ReissueReason(const CertificateAuthority& ca,
                                              const LeafCertificate& leaf) const {
  ASSIGN_OR_RETURN(std::string key, ReadOptional(PathOf(leaf.file + ".key")));
  ASSIGN_OR_RETURN(std::string cert, ReadOptional(PathOf(leaf.file + ".crt")));
  if (key.empty() && cert.empty()) return std::string("missing");
  if (key.empty()) return std::string("key missing");
  if (cert.empty()) return std::string("certificate missing");
  auto matches = KeyMatchesCertificate(key, cert);
  if (!matches.ok()) return "unreadable (" + matches.status().message() + ")";
  if (!*matches) return std::string("key does not match certificate");
  const auto now = now_();
  if (Status verified = VerifyCertificate(cert, ca.certificate_pem, now); !verified.ok()) {
    return "not valid under the CA (" + verified.message() + ")";
  }
  ASSIGN_OR_RETURN(CertificateInfo info, InspectCertificate(cert));
  if (!Matches(info, leaf.spec)) return std::string("subject, usages or SANs changed");
  if (info.not_after - now < kRenewBefore) return std::string("expires within a year");
  return std::string();
}

Status PkiStore::WritePair(const std::string& file, const KeyAndCertificate& pair) {
  RETURN_IF_ERROR(fs::WriteFileAtomic(PathOf(file + ".key"), pair.private_key_pem, kKeyMode));
  return fs::WriteFileAtomic(PathOf(file + ".crt"), pair.certificate_pem, kCertMode);
}

StatusOr<CertificateAuthority> PkiStore::LoadCa(const std::string& file) const {
  ASSIGN_OR_RETURN(std::string cert, fs::ReadFile(PathOf(file + ".crt")));
  ASSIGN_OR_RETURN(std::string key, fs::ReadFile(PathOf(file + ".key")));
  return CertificateAuthority{std::move(cert), std::move(key)};
}

StatusOr<KeyAndCertificate> PkiStore::LoadLeaf(const std::string& file) const {
  ASSIGN_OR_RETURN(std::string cert, fs::ReadFile(PathOf(file + ".crt")));
  ASSIGN_OR_RETURN(std::string key, fs::ReadFile(PathOf(file + ".key")));
  return KeyAndCertificate{std::move(cert), std::move(key)};
}

}  // namespace vc::syncer::pki
