// SPDX-License-Identifier: Apache-2.0
// Keys and certificates: what a TLS peer checks (chain, SANs, usages, validity) holds for
// what we issue.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>

#include "vc/syncer/pki/certificate.h"
#include "vc/syncer/pki/keys.h"

namespace vc::syncer::pki {
namespace {

using std::chrono::hours;

const WallClock::time_point kNow = WallClock::from_time_t(1767225600);  // 2026-01-01

bool Contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

CertificateAuthority NewCa(const std::string& cn = "test-ca") {
  auto ca = CreateCertificateAuthority(cn, kNow);
  EXPECT_TRUE(ca.ok()) << ca.status().message();
  return ca.ok() ? *ca : CertificateAuthority{};
}

CertificateSpec ServingSpec() {
  return {.subject = {"kube-apiserver", {}},
          .dns_names = {"localhost", "dev.vcluster-dev.svc"},
          .ip_addresses = {"127.0.0.1", "10.96.0.1", "::1"},
          .server_auth = true};
}

TEST(PkiCertificateTest, CaIsSelfSignedCaWithTenYears) {
  CertificateAuthority ca = NewCa();
  auto info = InspectCertificate(ca.certificate_pem);
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_TRUE(info->is_ca);
  EXPECT_TRUE(info->key_cert_sign);
  EXPECT_EQ(info->subject.common_name, "test-ca");
  EXPECT_EQ(info->not_after - kNow, kCaValidity);
  EXPECT_EQ(kNow - info->not_before, kBackdate);
  EXPECT_TRUE(VerifyCertificate(ca.certificate_pem, ca.certificate_pem, kNow).ok());
  auto matches = KeyMatchesCertificate(ca.private_key_pem, ca.certificate_pem);
  ASSERT_TRUE(matches.ok());
  EXPECT_TRUE(*matches);
}

TEST(PkiCertificateTest, ServingCertificateVerifiesWithSansAndUsages) {
  CertificateAuthority ca = NewCa();
  auto leaf = IssueCertificate(ca, ServingSpec(), kNow);
  ASSERT_TRUE(leaf.ok()) << leaf.status().message();
  Status verified = VerifyCertificate(leaf->certificate_pem, ca.certificate_pem, kNow);
  EXPECT_TRUE(verified.ok()) << verified.message();

  auto info = InspectCertificate(leaf->certificate_pem);
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_FALSE(info->is_ca);
  EXPECT_TRUE(info->server_auth);
  EXPECT_FALSE(info->client_auth);
  EXPECT_TRUE(info->digital_signature);
  EXPECT_FALSE(info->key_cert_sign);
  EXPECT_TRUE(Contains(info->dns_names, "dev.vcluster-dev.svc"));
  EXPECT_TRUE(Contains(info->ip_addresses, "10.96.0.1"));
  EXPECT_TRUE(Contains(info->ip_addresses, "::1"));
  EXPECT_EQ(info->not_after - kNow, kLeafValidity);
  EXPECT_TRUE(Matches(*info, ServingSpec()));
  auto matches = KeyMatchesCertificate(leaf->private_key_pem, leaf->certificate_pem);
  ASSERT_TRUE(matches.ok());
  EXPECT_TRUE(*matches);
}

TEST(PkiCertificateTest, ClientCertificateCarriesGroup) {
  CertificateAuthority ca = NewCa();
  CertificateSpec spec{.subject = {"kubectl-vc:admin", {"system:masters"}}, .client_auth = true};
  auto leaf = IssueCertificate(ca, spec, kNow);
  ASSERT_TRUE(leaf.ok()) << leaf.status().message();
  auto info = InspectCertificate(leaf->certificate_pem);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->subject.common_name, "kubectl-vc:admin");
  EXPECT_EQ(info->subject.organizations, std::vector<std::string>{"system:masters"});
  EXPECT_TRUE(info->client_auth);
  EXPECT_FALSE(info->server_auth);
  EXPECT_TRUE(info->dns_names.empty());
  EXPECT_TRUE(VerifyCertificate(leaf->certificate_pem, ca.certificate_pem, kNow).ok());
}

TEST(PkiCertificateTest, DoesNotVerifyUnderAnotherCaOrOutsideValidity) {
  CertificateAuthority ca = NewCa();
  CertificateAuthority other = NewCa("other-ca");
  auto leaf = IssueCertificate(ca, ServingSpec(), kNow);
  ASSERT_TRUE(leaf.ok());
  Status wrong_ca = VerifyCertificate(leaf->certificate_pem, other.certificate_pem, kNow);
  EXPECT_EQ(wrong_ca.code(), Code::kFailedPrecondition);
  Status expired =
      VerifyCertificate(leaf->certificate_pem, ca.certificate_pem, kNow + kLeafValidity + hours(1));
  EXPECT_EQ(expired.code(), Code::kFailedPrecondition);
  EXPECT_NE(expired.message().find("expired"), std::string::npos) << expired.message();
  Status early = VerifyCertificate(leaf->certificate_pem, ca.certificate_pem, kNow - hours(2));
  EXPECT_FALSE(early.ok());
}

TEST(PkiCertificateTest, LeafNeverOutlivesItsCa) {
  auto ca = CreateCertificateAuthority("short-ca", kNow, hours(24 * 30));
  ASSERT_TRUE(ca.ok());
  auto leaf = IssueCertificate(*ca, ServingSpec(), kNow);
  ASSERT_TRUE(leaf.ok());
  auto ca_info = InspectCertificate(ca->certificate_pem);
  auto info = InspectCertificate(leaf->certificate_pem);
  ASSERT_TRUE(ca_info.ok() && info.ok());
  EXPECT_EQ(info->not_after, ca_info->not_after);
}

TEST(PkiCertificateTest, CaRebuiltFromItsKeyStillVerifiesOldLeaves) {
  CertificateAuthority ca = NewCa("vc-dev-ca");
  auto leaf = IssueCertificate(ca, ServingSpec(), kNow);
  ASSERT_TRUE(leaf.ok());
  auto rebuilt =
      CreateCertificateAuthority("vc-dev-ca", kNow + hours(5), kCaValidity, ca.private_key_pem);
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status().message();
  EXPECT_EQ(rebuilt->private_key_pem, ca.private_key_pem);
  EXPECT_NE(rebuilt->certificate_pem, ca.certificate_pem);
  Status s = VerifyCertificate(leaf->certificate_pem, rebuilt->certificate_pem, kNow + hours(6));
  EXPECT_TRUE(s.ok()) << s.message();
}

TEST(PkiCertificateTest, RejectsBadSpecs) {
  CertificateAuthority ca = NewCa();
  CertificateSpec bad_ip = ServingSpec();
  bad_ip.ip_addresses = {"10.0.0.300"};
  EXPECT_EQ(IssueCertificate(ca, bad_ip, kNow).status().code(), Code::kInvalidArgument);
  CertificateSpec bad_dns = ServingSpec();
  bad_dns.dns_names = {"a,IP:1.2.3.4"};
  EXPECT_EQ(IssueCertificate(ca, bad_dns, kNow).status().code(), Code::kInvalidArgument);
  CertificateSpec no_usage{.subject = {"x", {}}};
  EXPECT_EQ(IssueCertificate(ca, no_usage, kNow).status().code(), Code::kInvalidArgument);
  EXPECT_FALSE(InspectCertificate("not a certificate").ok());
}

TEST(PkiCertificateTest, MatchesComparesSetsAndNormalisedIps) {
  CertificateInfo info{.subject = {"kube-apiserver", {}},
                       .dns_names = {"b", "a"},
                       .ip_addresses = {"fd00::1", "10.0.0.1"},
                       .server_auth = true};
  CertificateSpec spec{.subject = {"kube-apiserver", {}},
                       .dns_names = {"a", "b"},
                       .ip_addresses = {"10.0.0.1", "fd00:0::0:1"},
                       .server_auth = true};
  EXPECT_TRUE(Matches(info, spec));
  spec.ip_addresses.push_back("10.0.0.2");
  EXPECT_FALSE(Matches(info, spec));
  spec.ip_addresses.pop_back();
  spec.client_auth = true;
  EXPECT_FALSE(Matches(info, spec));
}

TEST(PkiKeysTest, ServiceAccountKeyPairIsRsa2048AndSignsVerifiably) {
  auto key = GeneratePrivateKey(KeyType::kRsa2048);
  ASSERT_TRUE(key.ok()) << key.status().message();
  EXPECT_NE(key->find("BEGIN PRIVATE KEY"), std::string::npos);
  auto pub = PublicKeyPem(*key);
  ASSERT_TRUE(pub.ok()) << pub.status().message();
  EXPECT_NE(pub->find("BEGIN PUBLIC KEY"), std::string::npos);
  auto same = PublicKeyMatches(*key, *pub);
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(*same);

  // What kube-apiserver does with them: sign a token with sa.key (RS256), verify with sa.pub.
  BIO* kb = BIO_new_mem_buf(key->data(), static_cast<int>(key->size()));
  EVP_PKEY* priv = PEM_read_bio_PrivateKey(kb, nullptr, nullptr, nullptr);
  BIO* pb = BIO_new_mem_buf(pub->data(), static_cast<int>(pub->size()));
  EVP_PKEY* pubkey = PEM_read_bio_PUBKEY(pb, nullptr, nullptr, nullptr);
  ASSERT_NE(priv, nullptr);
  ASSERT_NE(pubkey, nullptr);
  EXPECT_EQ(EVP_PKEY_get_base_id(priv), EVP_PKEY_RSA);
  EXPECT_EQ(EVP_PKEY_get_bits(priv), 2048);
  const std::string message = "header.payload";
  unsigned char sig[512];
  size_t sig_len = sizeof(sig);
  EVP_MD_CTX* sign = EVP_MD_CTX_new();
  ASSERT_EQ(EVP_DigestSignInit(sign, nullptr, EVP_sha256(), nullptr, priv), 1);
  ASSERT_EQ(EVP_DigestSign(sign, sig, &sig_len,
                           reinterpret_cast<const unsigned char*>(message.data()), message.size()),
            1);
  EVP_MD_CTX* verify = EVP_MD_CTX_new();
  ASSERT_EQ(EVP_DigestVerifyInit(verify, nullptr, EVP_sha256(), nullptr, pubkey), 1);
  EXPECT_EQ(
      EVP_DigestVerify(verify, sig, sig_len, reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()),
      1);
  EVP_MD_CTX_free(sign);
  EVP_MD_CTX_free(verify);
  EVP_PKEY_free(priv);
  EVP_PKEY_free(pubkey);
  BIO_free(kb);
  BIO_free(pb);

  auto other = GeneratePrivateKey(KeyType::kRsa2048);
  ASSERT_TRUE(other.ok());
  auto different = PublicKeyMatches(*other, *pub);
  ASSERT_TRUE(different.ok());
  EXPECT_FALSE(*different);
}

TEST(PkiKeysTest, EcdsaKeyDoesNotMatchAnotherCertificate) {
  CertificateAuthority ca = NewCa();
  auto key = GeneratePrivateKey(KeyType::kEcdsaP256);
  ASSERT_TRUE(key.ok());
  auto matches = KeyMatchesCertificate(*key, ca.certificate_pem);
  ASSERT_TRUE(matches.ok());
  EXPECT_FALSE(*matches);
  EXPECT_FALSE(KeyMatchesCertificate("garbage", ca.certificate_pem).ok());
}

}  // namespace
}  // namespace vc::syncer::pki
