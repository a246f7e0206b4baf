// SPDX-License-Identifier: Apache-2.0
// A host whose Service range is not Kubernetes' default (an EKS-like 172.20.0.0/16): create
// finds the range and gives it to the virtual API server, so a Service made in the virtual
// cluster reaches the host once and keeps the address it was created with on both sides (the
// host Service asks for it), instead of being deleted and recreated without end because the
// host's address is outside the virtual range.
#include <arpa/inet.h>

#include "integration/syncer/syncer_e2e_fixture.h"
#include "support/prerequisite.h"

namespace vc::testing {
namespace {

constexpr const char* kHostRange = "172.20.0.0/16";

bool InHostRange(const std::string& ip) {
  in_addr a{};
  if (inet_pton(AF_INET, ip.c_str(), &a) != 1) return false;
  return (ntohl(a.s_addr) & 0xffff0000u) == 0xac140000u;  // 172.20.0.0/16
}

class HostServiceRangeTest : public SyncerE2eTest {
 protected:
  void SetUp() override {
    SyncerE2eTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
#if !defined(VC_PROJECT_BUILD_DIR)
    VC_REQUIRE(false, "vc-syncer and vc-node-agent, built");
#else
    ASSERT_NO_FATAL_FAILURE(UpOwnHost("host-s", {"--service-cidr", kHostRange}));
#endif
  }
};

TEST_F(HostServiceRangeTest, AVirtualServiceReachesTheHostOnceWithOneClusterIpOnBothSides) {
  const std::string name = "ranged";
  ASSERT_NO_FATAL_FAILURE(CreateVirtualCluster(name, ""));
  // create found the host's range and gave it to the virtual API server (and remembered it in
  // the effective values `describe` shows).
  CliResult described = Run({"describe", name, "-o", "json"});
  ASSERT_EQ(described.code, 0) << described.Both();
  EXPECT_NE(described.out.find(std::string("\"serviceCIDR\": \"") + kHostRange + "\""),
            std::string::npos)
      << described.out;
  // The virtual cluster's own kubernetes Service is in that range too.
  const json kubernetes = VirtualJson({"get", "service", "kubernetes", "-n", "default"});
  EXPECT_TRUE(InHostRange(kubernetes["spec"].value("clusterIP", ""))) << kubernetes.dump();

  ASSERT_EQ(
      Kubectl({"create", "service", "clusterip", "web", "--tcp=80:8080", "-n", "default"}).code, 0);
  // The address the virtual API server gave at create, which a client keeps using.
  const std::string created_ip =
      VirtualJson({"get", "service", "web", "-n", "default"})["spec"].value("clusterIP", "");
  ASSERT_TRUE(InHostRange(created_ip)) << created_ip;
  const std::string hns = "vcluster-" + name;
  const std::string host_name = "web-x-default-x-" + name;
  json host;
  json virt;
  ASSERT_TRUE(Eventually(
      [&] {
        auto h = client_->Get(r::kServices, hns, host_name);
        if (!h.ok()) return false;
        host = *h;
        virt = VirtualJson({"get", "service", "web", "-n", "default"});
        return virt.is_object() &&
               virt["spec"].value("clusterIP", "") == host["spec"].value("clusterIP", "");
      },
      std::chrono::seconds(60)))
      << host.dump() << "\n"
      << virt.dump() << "\n"
      << SyncerLog(name);
  const std::string ip = host["spec"].value("clusterIP", "");
  const std::string host_uid = host["metadata"].value("uid", "");
  const std::string virtual_uid = virt["metadata"].value("uid", "");
  // The host Service took the virtual one's address (free in a fresh /16): nothing recreated.
  EXPECT_EQ(ip, created_ip);

  // It stays: three rounds of a change the syncer carries to the host (a label), each waited
  // for on the host, and after each the host Service is the same object with the same address
  // and the virtual one was not recreated again.
  for (int round = 1; round <= 3; ++round) {
    const std::string value = std::to_string(round);
    ASSERT_EQ(
        Kubectl({"label", "service", "web", "-n", "default", "--overwrite", "round=" + value}).code,
        0);
    ASSERT_TRUE(Eventually(
        [&] {
          auto h = client_->Get(r::kServices, hns, host_name);
          if (!h.ok()) return false;
          host = *h;
          const json& labels = host["metadata"]["labels"];
          if (!labels.is_object()) return false;
          for (auto it = labels.begin(); it != labels.end(); ++it) {
            const std::string& key = it.key();
            if (key.size() >= 5 && key.compare(key.size() - 5, 5, "round") == 0 && *it == value) {
              return true;
            }
          }
          return false;
        },
        std::chrono::seconds(60)))
        << "round " << round << ": " << host.dump() << "\n"
        << SyncerLog(name);
    EXPECT_EQ(host["metadata"].value("uid", ""), host_uid) << "round " << round;
    EXPECT_EQ(host["spec"].value("clusterIP", ""), ip) << "round " << round;
    virt = VirtualJson({"get", "service", "web", "-n", "default"});
    EXPECT_EQ(virt["metadata"].value("uid", ""), virtual_uid) << "round " << round;
    EXPECT_EQ(virt["spec"].value("clusterIP", ""), ip) << "round " << round;
  }
  const std::string log = SyncerLog(name, std::string::npos);
  size_t adopted = 0;
  for (size_t at = log.find("default/web now has the host's ClusterIP"); at != std::string::npos;
       at = log.find("default/web now has the host's ClusterIP", at + 1)) {
    ++adopted;
  }
  EXPECT_EQ(adopted, 0u) << log;
  EXPECT_EQ(log.find("ClusterIPNotMirrored"), std::string::npos) << log;
}

}  // namespace
}  // namespace vc::testing
