// SPDX-License-Identifier: Apache-2.0
#include "vc/agent/agent/pod_facts.h"

#include <gtest/gtest.h>

#include "vc/labels.h"

namespace vc::agent {
namespace {

using nlohmann::json;

json Workload(const std::string& name, json containers, json status) {
  return {{"metadata",
           {{"name", name},
            {"namespace", "vcluster-a"},
            {"uid", "uid-" + name},
            {"labels",
             {{labels::kTenant, "a"},
              {labels::kTenantNamespace, "vcluster-a"},
              {labels::kComponent, labels::kComponentWorkload}}}}},
          {"spec", {{"containers", containers}}},
          {"status", status}};
}

TEST(PodFactsTest, TenantWorkloadWithAddressesAndRequests) {
  const json containers = json::array(
      {{{"name", "a"}, {"resources", {{"requests", {{"cpu", "250m"}, {"memory", "64Mi"}}}}}},
       {{"name", "b"}, {"resources", {{"limits", {{"cpu", "1"}, {"memory", "1Gi"}}}}}}});
  const json status = {{"phase", "Running"},
                       {"podIP", "10.244.0.7"},
                       {"podIPs", json::array({{{"ip", "10.244.0.7"}}, {{"ip", "fd00::7"}}})}};
  PodFacts f = ParsePod(Workload("w", containers, status));
  EXPECT_EQ(f.key(), "vcluster-a/w");
  EXPECT_EQ(f.tenant_key, "vcluster-a/a");
  ASSERT_EQ(f.ips.size(), 2u);
  EXPECT_EQ(f.ips[0].ToString(), "10.244.0.7");
  EXPECT_TRUE(f.Active());
  EXPECT_EQ(f.resources.uid, "uid-w");
  EXPECT_EQ(f.resources.cpu_request_millicores, 1250) << "b's request defaults to its limit";
  EXPECT_EQ(f.resources.memory_request_bytes, (int64_t{64} << 20) + (int64_t{1} << 30));
  EXPECT_EQ(f.resources.cpu_limit_millicores, 0) << "not every container has a limit";
  EXPECT_EQ(f.resources.qos, QosClass::kBurstable);
}

TEST(PodFactsTest, QosFromStatusOrComputed) {
  const json guaranteed = json::array(
      {{{"name", "a"}, {"resources", {{"limits", {{"cpu", "1"}, {"memory", "1Gi"}}}}}}});
  EXPECT_EQ(ParsePod(Workload("g", guaranteed, json::object())).resources.qos,
            QosClass::kGuaranteed);
  EXPECT_EQ(ParsePod(Workload("g", guaranteed, json::object())).resources.cpu_limit_millicores,
            1000);
  EXPECT_EQ(ParsePod(Workload("e", json::array({{{"name", "a"}}}), json::object())).resources.qos,
            QosClass::kBestEffort);
  EXPECT_EQ(ParsePod(Workload("s", guaranteed, {{"qosClass", "Burstable"}})).resources.qos,
            QosClass::kBurstable);
}

TEST(PodFactsTest, ControlPlaneAndUnlabelledPodsAreNoTenants) {
  json cp = Workload("cp", json::array(), {{"phase", "Running"}});
  cp["metadata"]["labels"][labels::kComponent] = labels::kComponentControlPlane;
  EXPECT_EQ(ParsePod(cp).tenant_key, "");
  json plain = {{"metadata", {{"name", "web"}, {"namespace", "default"}}},
                {"spec", {{"hostNetwork", true}}},
                {"status", {{"phase", "Succeeded"}, {"podIP", "not-an-ip"}}}};
  PodFacts f = ParsePod(plain);
  EXPECT_EQ(f.tenant_key, "");
  EXPECT_TRUE(f.host_network);
  EXPECT_FALSE(f.Active());
  EXPECT_TRUE(f.ips.empty());
}

}  // namespace
}  // namespace vc::agent

namespace vc::agent {
namespace {

TEST(SlimPodTest, KeepsWhatTheAgentReadsAndDropsTheRest) {
  const json full = {
      {"metadata",
       {{"name", "w"},
        {"namespace", "vcluster-a"},
        {"uid", "u1"},
        {"resourceVersion", "12"},
        {"labels", {{labels::kTenant, "a"}}},
        {"annotations", {{"big", std::string(4096, 'x')}, {"kubernetes.io/config.mirror", "m"}}},
        {"ownerReferences", json::array({{{"kind", "DaemonSet"}, {"name", "d"}, {"uid", "x"}}})},
        {"managedFields", json::array({{{"manager", "kwok"}, {"fieldsV1", {{"f:status", {}}}}}})}}},
      {"spec",
       {{"nodeName", "n1"},
        {"hostNetwork", false},
        {"tolerations", json::array({{{"operator", "Exists"}}})},
        {"containers", json::array({{{"name", "c"},
                                     {"image", "img"},
                                     {"env", json::array({{{"name", "A"}, {"value", "1"}}})},
                                     {"resources", {{"requests", {{"cpu", "100m"}}}}}}})}}},
      {"status",
       {{"phase", "Running"},
        {"podIP", "10.244.0.9"},
        {"qosClass", "Burstable"},
        {"conditions", json::array({{{"type", "Ready"}, {"status", "True"}}})}}}};
  const json slim = SlimPod(full);
  EXPECT_FALSE(slim["metadata"].contains("managedFields"));
  EXPECT_EQ(slim["metadata"]["annotations"].size(), 1u);
  EXPECT_EQ(slim["metadata"]["ownerReferences"][0]["kind"], "DaemonSet");
  EXPECT_FALSE(slim["spec"].contains("tolerations"));
  EXPECT_FALSE(slim["spec"]["containers"][0].contains("env"));
  EXPECT_FALSE(slim["status"].contains("conditions"));
  EXPECT_EQ(slim["metadata"]["resourceVersion"], "12") << "the informer needs it";
  EXPECT_LT(slim.dump().size(), full.dump().size() / 4);
  const PodFacts a = ParsePod(full), b = ParsePod(slim);
  EXPECT_EQ(a.key(), b.key());
  EXPECT_EQ(a.tenant_key, b.tenant_key);
  EXPECT_EQ(a.ips, b.ips);
  EXPECT_EQ(a.phase, b.phase);
  EXPECT_EQ(a.resources.cpu_request_millicores, b.resources.cpu_request_millicores);
  EXPECT_EQ(a.resources.qos, b.resources.qos);
}

}  // namespace
}  // namespace vc::agent
