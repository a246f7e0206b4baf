// SPDX-License-Identifier: Apache-2.0
// PkiStore on a temporary directory: creates the layout once, then changes nothing; finishes
// what a killed run left; re-issues leaves but never the CA or the service-account key.
#include "vc/syncer/pki/pki_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "unit/syncer/syncer_test_util.h"
#include "vc/syncer/pki/keys.h"

namespace vc::syncer::pki {
namespace {

using std::chrono::hours;
using vc::syncer::testing::ModeOf;
using vc::syncer::testing::MtimeNs;
using vc::syncer::testing::Slurp;
using vc::syncer::testing::Spit;

const WallClock::time_point kT0 = WallClock::from_time_t(1767225600);  // 2026-01-01

const char* const kFiles[] = {"ca",
                              "apiserver",
                              "admin",
                              "controller-manager",
                              "scheduler",
                              "syncer",
                              "apiserver-kubelet-client",
                              "front-proxy-ca",
                              "front-proxy-client"};

class PkiStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(tmp_.path().empty()); }

  std::string Dir() const { return tmp_.path() + "/data/pki"; }
  std::string Path(const std::string& f) const { return Dir() + "/" + f; }
  PkiStore Store() {
    return PkiStore(Dir(), [this] { return now_; });
  }
  std::vector<LeafCertificate> Leaves(const std::string& cidr = "10.96.0.0/12") {
    auto leaves = ClusterLeafCertificates(
        {.name = "dev", .namespace_ = "vcluster-dev", .service_cidr = cidr});
    EXPECT_TRUE(leaves.ok());
    return leaves.ok() ? *leaves : std::vector<LeafCertificate>{};
  }
  StatusOr<std::vector<PkiChange>> Ensure(const std::string& cidr = "10.96.0.0/12") {
    return Store().Ensure(ClusterCas({.name = "dev", .namespace_ = "vcluster-dev"}), Leaves(cidr));
  }
  // Every file's content, to prove what did (not) change.
  std::map<std::string, std::string> Snapshot() const {
    std::map<std::string, std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(Dir())) {
      out[e.path().filename().string()] = Slurp(e.path().string());
    }
    return out;
  }
  static std::vector<std::string> Files(const std::vector<PkiChange>& changes) {
    std::vector<std::string> out;
    for (const auto& c : changes) out.push_back(c.file);
    return out;
  }

  vc::syncer::testing::TempDir tmp_;
  WallClock::time_point now_ = kT0;
};

TEST_F(PkiStoreTest, CreatesTheLayoutWithModes) {
  auto changes = Ensure();
  ASSERT_TRUE(changes.ok()) << changes.status().message();
  EXPECT_EQ(Files(*changes),
            (std::vector<std::string>{"ca", "front-proxy-ca", "sa", "apiserver", "admin",
                                      "controller-manager", "scheduler", "syncer",
                                      "apiserver-kubelet-client", "front-proxy-client"}));
  for (const char* f : kFiles) {
    EXPECT_EQ(ModeOf(Path(std::string(f) + ".key")), 0600) << f;
    EXPECT_EQ(ModeOf(Path(std::string(f) + ".crt")), 0644) << f;
    const bool front_proxy = std::string(f).rfind("front-proxy", 0) == 0;
    auto ca = Slurp(Path(front_proxy ? "front-proxy-ca.crt" : "ca.crt"));
    Status s = VerifyCertificate(Slurp(Path(std::string(f) + ".crt")), ca, kT0);
    EXPECT_TRUE(s.ok()) << f << ": " << s.message();
  }
  // The two CAs are apart: the front proxy's client is no client of the cluster's CA.
  EXPECT_FALSE(
      VerifyCertificate(Slurp(Path("front-proxy-client.crt")), Slurp(Path("ca.crt")), kT0).ok());
  EXPECT_EQ(ModeOf(Path("sa.key")), 0600);
  EXPECT_EQ(ModeOf(Path("sa.pub")), 0644);
  EXPECT_EQ(ModeOf(Dir()), 0700);
  auto pair = PublicKeyMatches(Slurp(Path("sa.key")), Slurp(Path("sa.pub")));
  ASSERT_TRUE(pair.ok());
  EXPECT_TRUE(*pair);
  // No temporary file is left behind.
  for (const auto& [name, _] : Snapshot()) EXPECT_EQ(name.find(".tmp"), std::string::npos) << name;
}

TEST_F(PkiStoreTest, SecondRunChangesNothing) {
  ASSERT_TRUE(Ensure().ok());
  const auto before = Snapshot();
  const long long mtime = MtimeNs(Path("admin.crt"));
  now_ += hours(24 * 30);
  auto changes = Ensure();
  ASSERT_TRUE(changes.ok()) << changes.status().message();
  EXPECT_TRUE(changes->empty()) << changes->front().file << ": " << changes->front().reason;
  EXPECT_EQ(Snapshot(), before);
  EXPECT_EQ(MtimeNs(Path("admin.crt")), mtime);
}

TEST_F(PkiStoreTest, CompletesWhatAKilledRunLeft) {
  ASSERT_TRUE(Ensure().ok());
  const auto before = Snapshot();
  // Killed between a leaf's key and its certificate: the new key no longer matches.
  auto other = GeneratePrivateKey(KeyType::kEcdsaP256);
  ASSERT_TRUE(other.ok());
  Spit(Path("admin.key"), *other);
  // Killed before these were written at all.
  std::filesystem::remove(Path("syncer.crt"));
  std::filesystem::remove(Path("sa.pub"));
  std::filesystem::remove(Path("apiserver-kubelet-client.key"));
  std::filesystem::remove(Path("apiserver-kubelet-client.crt"));
  // A temporary file from the killed write.
  Spit(Path(".controller-manager.key.tmp"), "half");

  auto changes = Ensure();
  ASSERT_TRUE(changes.ok()) << changes.status().message();
  EXPECT_EQ(Files(*changes),
            (std::vector<std::string>{"sa", "admin", "syncer", "apiserver-kubelet-client"}));
  const auto after = Snapshot();
  for (const char* kept :
       {"ca.crt", "ca.key", "sa.key", "apiserver.crt", "controller-manager.crt"}) {
    EXPECT_EQ(after.at(kept), before.at(kept)) << kept;
  }
  EXPECT_EQ(after.at("sa.pub"), before.at("sa.pub"));  // derived again from the same key
  auto matches = KeyMatchesCertificate(after.at("admin.key"), after.at("admin.crt"));
  ASSERT_TRUE(matches.ok());
  EXPECT_TRUE(*matches);
  auto again = Ensure();
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
}

TEST_F(PkiStoreTest, RebuildsLostCaCertificateAroundItsKey) {
  ASSERT_TRUE(Ensure().ok());
  const auto before = Snapshot();
  std::filesystem::remove(Path("ca.crt"));
  auto changes = Ensure();
  ASSERT_TRUE(changes.ok()) << changes.status().message();
  ASSERT_EQ(changes->size(), 1u);
  EXPECT_EQ(changes->front().file, "ca");
  EXPECT_EQ(changes->front().action, "repaired");
  const auto after = Snapshot();
  EXPECT_EQ(after.at("ca.key"), before.at("ca.key"));
  // Every leaf issued before still verifies, so none was re-issued.
  EXPECT_EQ(after.at("admin.crt"), before.at("admin.crt"));
}

TEST_F(PkiStoreTest, RefusesToReplaceTheIdentity) {
  ASSERT_TRUE(Ensure().ok());
  const std::string ca_crt = Slurp(Path("ca.crt"));
  std::filesystem::remove(Path("ca.key"));
  auto no_ca_key = Ensure();
  EXPECT_EQ(no_ca_key.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(no_ca_key.status().message().find("ca.key"), std::string::npos);
  EXPECT_EQ(Slurp(Path("ca.crt")), ca_crt);
  EXPECT_FALSE(std::filesystem::exists(Path("ca.key")));

  vc::syncer::testing::TempDir other;
  PkiStore foreign(other.path(), [this] { return now_; });
  ASSERT_TRUE(foreign.Ensure(ClusterCas({.name = "other", .namespace_ = "o"}), Leaves()).ok());
  Spit(Path("ca.key"), Slurp(other.path() + "/ca.key"));
  EXPECT_EQ(Ensure().status().code(), Code::kFailedPrecondition);

  vc::syncer::testing::TempDir third;
  PkiStore sa_only(third.path(), [this] { return now_; });
  ASSERT_TRUE(sa_only.Ensure({{"ca", "x"}}, {}).ok());
  std::filesystem::remove(third.path() + "/sa.key");
  EXPECT_EQ(sa_only.Ensure({{"ca", "x"}}, {}).status().code(), Code::kFailedPrecondition);
}

TEST_F(PkiStoreTest, ReissuesOnlyTheLeafWhoseSansChanged) {
  ASSERT_TRUE(Ensure("10.96.0.0/12").ok());
  const auto before = Snapshot();
  auto changes = Ensure("10.100.0.0/16");
  ASSERT_TRUE(changes.ok()) << changes.status().message();
  ASSERT_EQ(Files(*changes), std::vector<std::string>{"apiserver"});
  EXPECT_EQ(changes->front().action, "reissued");
  const auto after = Snapshot();
  for (const auto& [name, content] : before) {
    if (name.rfind("apiserver.", 0) == 0) {
      EXPECT_NE(after.at(name), content) << name;
    } else {
      EXPECT_EQ(after.at(name), content) << name;
    }
  }
  auto info = InspectCertificate(after.at("apiserver.crt"));
  ASSERT_TRUE(info.ok());
  EXPECT_NE(std::find(info->ip_addresses.begin(), info->ip_addresses.end(), "10.100.0.1"),
            info->ip_addresses.end());
}

TEST_F(PkiStoreTest, RenewsLeavesNearExpiryButNotTheCa) {
  ASSERT_TRUE(Ensure().ok());
  const auto before = Snapshot();
  now_ = kT0 + kLeafValidity - kRenewBefore + hours(24);
  auto changes = Ensure();
  ASSERT_TRUE(changes.ok()) << changes.status().message();
  EXPECT_EQ(changes->size(), 7u);
  for (const auto& c : *changes) EXPECT_EQ(c.reason, "expires within a year") << c.file;
  const auto after = Snapshot();
  EXPECT_EQ(after.at("ca.crt"), before.at("ca.crt"));
  EXPECT_EQ(after.at("sa.key"), before.at("sa.key"));
  auto info = InspectCertificate(after.at("admin.crt"));
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->not_after - now_, kLeafValidity);
}

TEST_F(PkiStoreTest, ReissuesLeavesOfAnotherCa) {
  ASSERT_TRUE(Ensure().ok());
  vc::syncer::testing::TempDir other;
  PkiStore foreign(other.path(), [this] { return now_; });
  ASSERT_TRUE(foreign.Ensure(ClusterCas({.name = "other", .namespace_ = "o"}), Leaves()).ok());
  Spit(Path("syncer.crt"), Slurp(other.path() + "/syncer.crt"));
  Spit(Path("syncer.key"), Slurp(other.path() + "/syncer.key"));
  auto changes = Ensure();
  ASSERT_TRUE(changes.ok());
  ASSERT_EQ(Files(*changes), std::vector<std::string>{"syncer"});
  EXPECT_NE(changes->front().reason.find("not valid under the CA"), std::string::npos);
}

// A cluster made before the aggregator's front proxy had its own CA: the next init adds the CA
// and its one leaf, and leaves the cluster's identity and every other file as it was.
TEST_F(PkiStoreTest, AnOlderClusterGainsTheFrontProxyCaAndNothingElseChanges) {
  ASSERT_TRUE(Ensure().ok());
  for (const char* f : {"front-proxy-ca", "front-proxy-client"}) {
    std::filesystem::remove(Path(std::string(f) + ".crt"));
    std::filesystem::remove(Path(std::string(f) + ".key"));
  }
  const auto before = Snapshot();
  auto changes = Ensure();
  ASSERT_TRUE(changes.ok()) << changes.status().message();
  EXPECT_EQ(Files(*changes), (std::vector<std::string>{"front-proxy-ca", "front-proxy-client"}));
  const auto after = Snapshot();
  for (const auto& [name, content] : before) EXPECT_EQ(after.at(name), content) << name;
  auto info = InspectCertificate(after.at("front-proxy-client.crt"));
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->subject.common_name, "front-proxy-client");
}

TEST_F(PkiStoreTest, ALeafOfAnUnknownCaIsRefused) {
  std::vector<LeafCertificate> leaves = Leaves();
  leaves.back().ca = "nobody-ca";
  auto changes = Store().Ensure({{"ca", "vc-dev-ca"}}, leaves);
  EXPECT_EQ(changes.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(changes.status().message().find("nobody-ca"), std::string::npos);
}

TEST(PkiClusterCertificatesTest, FirstServiceIp) {
  EXPECT_EQ(*FirstServiceIp("10.96.0.0/12"), "10.96.0.1");
  EXPECT_EQ(*FirstServiceIp("10.96.5.7/16"), "10.96.0.1");
  // A /31 has no address after the network's for a Service.
  EXPECT_EQ(FirstServiceIp("10.0.0.255/31").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(*FirstServiceIp("fd00::/108"), "fd00::1");
  EXPECT_EQ(*FirstServiceIp("fd00:0:0:0:0:0:0:ffff/112"), "fd00::1");
  for (const char* bad : {"10.96.0.0", "10.96.0.0/", "10.96.0.0/x", "10.96.0/12", "/12", ""}) {
    EXPECT_EQ(FirstServiceIp(bad).status().code(), Code::kInvalidArgument) << bad;
  }
}

TEST(PkiClusterCertificatesTest, ApiserverAnswersToEveryName) {
  auto leaves = ClusterLeafCertificates({.name = "dev",
                                         .namespace_ = "vcluster-dev",
                                         .extra_sans = {"dev.example.com", "192.0.2.10"},
                                         .service_cidr = "10.96.0.0/12,fd00::/108"});
  ASSERT_TRUE(leaves.ok()) << leaves.status().message();
  ASSERT_EQ(leaves->size(), 7u);
  const CertificateSpec& api = leaves->front().spec;
  EXPECT_EQ(leaves->front().file, "apiserver");
  EXPECT_TRUE(api.server_auth);
  for (const char* dns :
       {"localhost", "dev", "dev.vcluster-dev", "dev.vcluster-dev.svc",
        "dev.vcluster-dev.svc.cluster.local", "kubernetes.default.svc", "dev.example.com"}) {
    EXPECT_NE(std::find(api.dns_names.begin(), api.dns_names.end(), dns), api.dns_names.end())
        << dns;
  }
  for (const char* ip : {"127.0.0.1", "10.96.0.1", "fd00::1", "192.0.2.10"}) {
    EXPECT_NE(std::find(api.ip_addresses.begin(), api.ip_addresses.end(), ip),
              api.ip_addresses.end())
        << ip;
  }
  std::map<std::string, Subject> subjects;
  for (const auto& l : *leaves) subjects[l.file] = l.spec.subject;
  EXPECT_EQ(subjects["admin"], (Subject{"kubectl-vc:admin", {"system:masters"}}));
  EXPECT_EQ(subjects["syncer"], (Subject{"kubectl-vc:syncer", {"system:masters"}}));
  EXPECT_EQ(subjects["scheduler"], (Subject{"system:kube-scheduler", {}}));
  EXPECT_EQ(subjects["controller-manager"], (Subject{"system:kube-controller-manager", {}}));
  EXPECT_EQ(subjects["apiserver-kubelet-client"].organizations.size(), 0u);
  EXPECT_EQ(ClusterLeafCertificates({.name = "dev", .namespace_ = "ns", .service_cidr = "bad"})
                .status()
                .code(),
            Code::kInvalidArgument);
}

}  // namespace
}  // namespace vc::syncer::pki
