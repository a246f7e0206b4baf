// SPDX-License-Identifier: Apache-2.0
// sync.fromHost.nodes.syncBackChanges: what a tenant changes on its mirror of a host node goes
// to the host node, and nothing the host or kubectl-vc decides does. Table tests in vCluster's
// shape: {virtual before, host before} -> {host after, virtual after}.
#include <gtest/gtest.h>

#include "vc/syncer/translate/node_translator.h"
#include "vc/syncer/translate/sync_config.h"

namespace vc::syncer::translate {
namespace {

using nlohmann::json;

const KubeletEndpoint kKubelet{.address = "127.0.0.1", .port = 41000};

json Host() {
  return json::parse(R"({"metadata": {"name": "w1", "labels": {
      "kubernetes.io/hostname": "w1", "kubernetes.io/os": "linux", "disk": "ssd"}},
    "spec": {"taints": [{"key": "kubectl-vc.dev/dedicated", "value": "t1", "effect": "NoSchedule"},
                        {"key": "gpu", "value": "yes", "effect": "NoSchedule"}]},
    "status": {"capacity": {"cpu": "4", "memory": "8Gi", "pods": "110"},
               "allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"}}})");
}

// The mirror the syncer writes, with the base it was made from.
json MirrorOf(const json& host) {
  json m = RealNode(host, kKubelet, "t1");
  m["metadata"]["annotations"][kNodeBaseAnnotation] = NodeBase(m).dump();
  return m;
}

struct Case {
  std::string name;
  std::function<void(json&)> tenant;  // what the tenant does to its mirror
  json patch;                         // the host node's merge patch, or null
  json status_patch;                  // its status merge patch, or null
  std::vector<std::string> refused;
};

TEST(SyncerNodeChangesBackTest, TheTenantsChangesGoToTheHostNodeAndTheHostsOwnKeysDoNot) {
  const std::vector<Case> cases = {
      {"nothing changed", [](json&) {}, nullptr, nullptr, {}},
      {"a label added",
       [](json& v) { v["metadata"]["labels"]["kubernetes.io/e2e-1"] = "42"; },
       json::parse(R"({"metadata": {"labels": {"kubernetes.io/e2e-1": "42"}}})"),
       nullptr,
       {}},
      {"a label changed and one removed",
       [](json& v) {
         v["metadata"]["labels"]["disk"] = "hdd";
         v["metadata"]["labels"].erase("kubernetes.io/os");
       },
       json::parse(R"({"metadata": {"labels": {"disk": "hdd"}}})"),
       nullptr,
       {"label kubernetes.io/os"}},
      {"labels the host decides",
       [](json& v) {
         v["metadata"]["labels"]["kubectl-vc.dev/tenant"] = "other";
         v["metadata"]["labels"]["node-restriction.kubernetes.io/kubectl-vc-tenant"] = "t2";
         v["metadata"]["labels"]["node-role.kubernetes.io/control-plane"] = "";
         v["metadata"]["labels"]["kubernetes.io/hostname"] = "w9";
       },
       nullptr,
       nullptr,
       {"label kubectl-vc.dev/tenant", "label kubernetes.io/hostname",
        "label node-restriction.kubernetes.io/kubectl-vc-tenant",
        "label node-role.kubernetes.io/control-plane"}},
      {"a taint added: the host keeps the dedication the mirror leaves out",
       [](json& v) {
         v["spec"]["taints"].push_back({{"key", "e2e"}, {"value", "x"}, {"effect", "NoExecute"}});
       },
       json::parse(R"({"spec": {"taints": [
           {"key": "kubectl-vc.dev/dedicated", "value": "t1", "effect": "NoSchedule"},
           {"key": "gpu", "value": "yes", "effect": "NoSchedule"},
           {"key": "e2e", "value": "x", "effect": "NoExecute"}]}})"),
       nullptr,
       {}},
      {"a taint removed",
       [](json& v) { v["spec"].erase("taints"); },
       json::parse(R"({"spec": {"taints": [
           {"key": "kubectl-vc.dev/dedicated", "value": "t1", "effect": "NoSchedule"}]}})"),
       nullptr,
       {}},
      {"a taint the host decides",
       [](json& v) {
         v["spec"]["taints"].push_back(
             {{"key", "node.kubernetes.io/not-ready"}, {"effect", "NoSchedule"}});
       },
       nullptr,
       nullptr,
       {"taint node.kubernetes.io/not-ready"}},
      {"an extended resource added",
       [](json& v) { v["status"]["capacity"]["example.com/fakecpu"] = "1k"; },
       nullptr,
       json::parse(R"({"status": {"capacity": {"example.com/fakecpu": "1k"},
                                  "allocatable": {"example.com/fakecpu": "1k"}}})"),
       {}},
      {"cpu is the host's",
       [](json& v) { v["status"]["capacity"]["cpu"] = "64"; },
       nullptr,
       nullptr,
       {"capacity cpu"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const json host = Host();
    json v = MirrorOf(host);
    c.tenant(v);
    const NodeChangesBack back = ChangesBack(v, host, RealNode(host, kKubelet, "t1"), "t1");
    EXPECT_EQ(back.patch, c.patch) << back.patch.dump();
    EXPECT_EQ(back.status_patch, c.status_patch) << back.status_patch.dump();
    std::vector<std::string> refused = back.refused;
    std::sort(refused.begin(), refused.end());
    std::vector<std::string> want = c.refused;
    std::sort(want.begin(), want.end());
    EXPECT_EQ(refused, want);
    // Virtual after: the mirror of the host as changed carries every change that went back,
    // and is the base of the next comparison, so nothing goes back twice.
    const json after = WithChanges(host, back);
    json next = MirrorOf(after);
    if (!back.patch.is_null() || !back.status_patch.is_null()) {
      c.tenant(next);
      const NodeChangesBack again = ChangesBack(next, after, RealNode(after, kKubelet, "t1"), "t1");
      EXPECT_TRUE(again.patch.is_null()) << again.patch.dump();
      EXPECT_TRUE(again.status_patch.is_null()) << again.status_patch.dump();
    }
  }
}

TEST(SyncerNodeChangesBackTest, TheHostsOwnChangesStayAndARemovedResourceGoes) {
  const json host = Host();
  json v = MirrorOf(host);
  // The host's admin labels and taints the node after the mirror was made: the tenant's
  // mirror (still the old one) does not take them away.
  json changed = host;
  changed["metadata"]["labels"]["zone"] = "b";
  changed["spec"]["taints"].push_back({{"key", "maintenance"}, {"effect", "NoSchedule"}});
  NodeChangesBack back = ChangesBack(v, changed, RealNode(changed, kKubelet, "t1"), "t1");
  EXPECT_TRUE(back.patch.is_null()) << back.patch.dump();
  EXPECT_TRUE(back.status_patch.is_null());

  // An extended resource the tenant gave the node, then took away.
  json with = host;
  with["status"]["capacity"]["example.com/fakecpu"] = "1k";
  with["status"]["allocatable"]["example.com/fakecpu"] = "1k";
  v = MirrorOf(with);
  v["status"]["capacity"].erase("example.com/fakecpu");
  back = ChangesBack(v, with, RealNode(with, kKubelet, "t1"), "t1");
  EXPECT_EQ(back.status_patch, json::parse(R"({"status": {"capacity": {"example.com/fakecpu": null},
                                       "allocatable": {"example.com/fakecpu": null}}})"));
}

TEST(SyncerNodeChangesBackTest, WithoutABaseNothingGoesBack) {
  // A mirror from before syncBackChanges was on (or one whose annotation the tenant removed):
  // every difference counts as the host's.
  const json host = Host();
  json v = RealNode(host, kKubelet, "t1");
  v["metadata"]["labels"]["kubernetes.io/e2e-1"] = "42";
  const NodeChangesBack back = ChangesBack(v, host, RealNode(host, kKubelet, "t1"), "t1");
  EXPECT_TRUE(back.patch.is_null());
  EXPECT_TRUE(back.refused.empty());
}

// The base annotation is on the tenant's node, so the tenant may write it: one of another
// shape is no base (nothing goes back), and never an exception in the syncer.
TEST(SyncerNodeChangesBackTest, AForgedBaseIsNoBase) {
  const json host = Host();
  for (const std::string forged : {R"({"taints": [1], "labels": {}, "extended": {}})",
                                   R"({"taints": [{"key": null}], "labels": {}, "extended": {}})",
                                   R"({"taints": [], "labels": {"a": 1}, "extended": {}})",
                                   R"({"taints": [], "labels": [], "extended": {}})", R"([])",
                                   R"(not json)", R"({"labels": {}})"}) {
    SCOPED_TRACE(forged);
    json v = RealNode(host, kKubelet, "t1");
    v["metadata"]["annotations"][kNodeBaseAnnotation] = forged;
    v["metadata"]["labels"]["e2e"] = "x";
    NodeChangesBack back;
    EXPECT_NO_THROW(back = ChangesBack(v, host, RealNode(host, kKubelet, "t1"), "t1"));
    EXPECT_TRUE(back.patch.is_null()) << back.patch.dump();
  }
}

// A node dedicated to another tenant (isolation.dedicatedNodes) is that tenant's: a trusted
// tenant that sees it (selector.all) cannot taint it or relabel it.
TEST(SyncerNodeChangesBackTest, NothingGoesBackToANodeDedicatedToAnotherTenant) {
  json host = Host();
  host["metadata"]["labels"]["node-restriction.kubernetes.io/kubectl-vc-tenant"] = "zt";
  json v = MirrorOf(host);
  v["spec"]["taints"].push_back({{"key", "evict"}, {"effect", "NoExecute"}});
  v["metadata"]["labels"]["e2e"] = "x";
  NodeChangesBack back = ChangesBack(v, host, RealNode(host, kKubelet, "t1"), "t1");
  EXPECT_TRUE(back.patch.is_null()) << back.patch.dump();
  ASSERT_EQ(back.refused.size(), 1u);
  EXPECT_NE(back.refused[0].find("dedicated to tenant zt"), std::string::npos);
  // Its own dedicated node is its own.
  host["metadata"]["labels"]["node-restriction.kubernetes.io/kubectl-vc-tenant"] = "t1";
  back = ChangesBack(v, host, RealNode(host, kKubelet, "t1"), "t1");
  EXPECT_FALSE(back.patch.is_null());
}

TEST(SyncerNodeChangesBackTest, OnlyAHighTrustTenantsSyncerSendsChangesBack) {
  const auto config = [](const std::string& trust, bool nodes) {
    return SyncConfigFromValues(
        json{{"sync", {{"fromHost", {{"nodes", {{"enabled", nodes}, {"syncBackChanges", true}}}}}}},
             {"isolation", {{"trustLevel", trust}}}});
  };
  EXPECT_TRUE(config("high", true).node_sync_back);
  EXPECT_FALSE(config("partial", true).node_sync_back);
  EXPECT_FALSE(config("zero", true).node_sync_back);
  EXPECT_FALSE(config("high", false).node_sync_back);
}

}  // namespace
}  // namespace vc::syncer::translate
