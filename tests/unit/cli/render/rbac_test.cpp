// SPDX-License-Identifier: Apache-2.0
// The Role of the control-plane pod's ServiceAccount grants what vc-syncer does in the host
// namespace; one contract per kind whose verbs a syncer relies on.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "vc/cli/render/host_objects.h"

namespace vc::cli::render {
namespace {

using nlohmann::json;

// Verbs the namespaced Role grants on group/resource.
std::set<std::string> RoleVerbs(const VirtualCluster& vc, const std::string& group,
                                const std::string& resource) {
  std::set<std::string> verbs;
  for (const auto& o : RenderHostObjects(vc)) {
    if (o.object.value("kind", "") != "Role") continue;
    for (const auto& rule : o.object["rules"]) {
      const auto& groups = rule["apiGroups"];
      const auto& resources = rule["resources"];
      if (std::find(groups.begin(), groups.end(), group) == groups.end()) continue;
      if (std::find(resources.begin(), resources.end(), resource) == resources.end()) continue;
      for (const auto& v : rule["verbs"]) verbs.insert(v.get<std::string>());
    }
  }
  return verbs;
}

TEST(RenderRbacTest, SyncerMayKeepEndpointsOfSelectorlessServices) {
  const VirtualCluster vc{
      .name = "dev-team", .namespace_ = "vcluster-dev-team", .values = json::object()};
  // EndpointsSyncer: a host cache (list, watch), create, merge patch, delete, get after
  // AlreadyExists.
  const std::set<std::string> needed = {"get", "list", "watch", "create", "patch", "delete"};
  const auto verbs = RoleVerbs(vc, "", "endpoints");
  for (const auto& v : needed) EXPECT_EQ(verbs.count(v), 1u) << "endpoints: " << v;
}

// ConfigMaps mapped from other host namespaces are read there only: a Role and RoleBinding in
// each source namespace, no cluster-wide read.
TEST(RenderRbacTest, MappedConfigMapsAreReadOnlyInTheirNamespaces) {
  const VirtualCluster vc{
      .name = "partner",
      .namespace_ = "vcluster-partner",
      .values = json::parse(R"({"sync": {"fromHost": {"configMaps": {"enabled": true,
          "mappings": {"byName": {"platform/*": "default/*", "platform/extra": "a/b",
                                  "billing/rates": "default/rates",
                                  "vcluster-partner/own": "default/own"}}}}}})")};
  std::set<std::string> role_namespaces;
  for (const auto& o : RenderHostObjects(vc)) {
    const std::string kind = o.object.value("kind", "");
    const std::string ns = o.object["metadata"].value("namespace", "");
    EXPECT_NE(kind, "ClusterRole") << o.object.dump();
    if (kind == "Role" && ns != vc.namespace_) {
      role_namespaces.insert(ns);
      EXPECT_EQ(o.object["rules"], json::parse(R"([{"apiGroups": [""], "resources": ["configmaps"],
                                                   "verbs": ["get", "list", "watch"]}])"));
      EXPECT_EQ(o.object["metadata"]["labels"].value("kubectl-vc.dev/tenant", ""), "partner");
    }
    if (kind == "RoleBinding" && ns != vc.namespace_) {
      EXPECT_EQ(o.object["subjects"][0].value("namespace", ""), vc.namespace_);
      EXPECT_EQ(o.object["roleRef"].value("name", ""), o.object["metadata"].value("name", ""));
    }
  }
  EXPECT_EQ(role_namespaces, (std::set<std::string>{"billing", "platform"}));
}

// Host nodes are read with sync.fromHost.nodes, and patched (labels, taints, the status's
// extended resources) only with syncBackChanges too.
TEST(RenderRbacTest, HostNodesArePatchedOnlyWithSyncBackChanges) {
  auto node_rules = [](const std::string& values) {
    const VirtualCluster vc{.name = "t", .namespace_ = "vc-t", .values = json::parse(values)};
    json rules = json::array();
    for (const auto& o : RenderHostObjects(vc)) {
      if (o.object.value("kind", "") == "ClusterRole") {
        for (const auto& rule : o.object["rules"]) rules.push_back(rule);
      }
    }
    return rules;
  };
  EXPECT_EQ(node_rules(R"({})"), json::array());
  EXPECT_EQ(node_rules(R"({"sync": {"fromHost": {"nodes": {"enabled": true}}}})"),
            json::parse(R"([{"apiGroups": [""], "resources": ["nodes"],
                             "verbs": ["get", "list", "watch"]}])"));
  EXPECT_EQ(node_rules(R"({"sync": {"fromHost": {"nodes": {"enabled": true,
                                                           "syncBackChanges": true}}}})"),
            json::parse(R"([{"apiGroups": [""], "resources": ["nodes"],
                             "verbs": ["get", "list", "watch"]},
                            {"apiGroups": [""], "resources": ["nodes", "nodes/status"],
                             "verbs": ["patch"]}])"));
}

// The resources the rules of every `kind` (Role, ClusterRole) rendered for `values` name.
std::set<std::string> RuleResources(const std::string& values, const std::string& kind) {
  const VirtualCluster vc{.name = "t", .namespace_ = "vc-t", .values = json::parse(values)};
  std::set<std::string> out;
  for (const auto& o : RenderHostObjects(vc)) {
    if (o.object.value("kind", "") != kind) continue;
    for (const auto& rule : o.object["rules"]) {
      for (const auto& r : rule["resources"]) out.insert(r.get<std::string>());
    }
  }
  return out;
}

TEST(RenderRbacTest, PriorityClassesAreManagedOnlyWhenSynced) {
  auto cluster_resources = [](const std::string& values) {
    return RuleResources(values, "ClusterRole");
  };
  EXPECT_EQ(cluster_resources(R"({})").count("priorityclasses"), 0u);
  EXPECT_EQ(cluster_resources(R"({"sync": {"toHost": {"priorityClasses": {"enabled": true}}}})")
                .count("priorityclasses"),
            1u);
}

TEST(RenderRbacTest, DisruptionBudgetsAreManagedOnlyWhenSynced) {
  auto role_resources = [](const std::string& values) { return RuleResources(values, "Role"); };
  EXPECT_EQ(role_resources(R"({})").count("poddisruptionbudgets"), 0u);
  EXPECT_EQ(role_resources(R"({"sync": {"toHost": {"podDisruptionBudgets": {"enabled": true}}}})")
                .count("poddisruptionbudgets"),
            1u);
}

// The tenant's copies of a toHost custom resource are written in the namespace; a fromHost
// one is read cluster-wide; both CRDs are read by name only (to install them inside).
TEST(RenderRbacTest, CustomResourcesAndTheirCrdsOnlyAsTheValuesName) {
  const VirtualCluster vc{.name = "t", .namespace_ = "vc-t", .values = json::parse(R"({"sync": {
        "toHost": {"customResources": {"certificates.cert-manager.io": {"enabled": true},
                                       "issuers.cert-manager.io": {"enabled": false}}},
        "fromHost": {"customResources": {"clusterissuers.cert-manager.io": {"enabled": true}}}}})")};
  const std::set<std::string> read_write = {"get",    "list",  "watch", "create",
                                            "update", "patch", "delete"};
  EXPECT_EQ(RoleVerbs(vc, "cert-manager.io", "certificates"), read_write);
  EXPECT_TRUE(RoleVerbs(vc, "cert-manager.io", "issuers").empty());
  json crd_rule, issuer_rule;
  for (const auto& o : RenderHostObjects(vc)) {
    if (o.object.value("kind", "") != "ClusterRole") continue;
    for (const auto& rule : o.object["rules"]) {
      if (rule["resources"][0] == "customresourcedefinitions") crd_rule = rule;
      if (rule["resources"][0] == "clusterissuers") issuer_rule = rule;
    }
  }
  EXPECT_EQ(crd_rule["verbs"], json({"get"}));
  EXPECT_EQ(crd_rule["resourceNames"],
            json({"certificates.cert-manager.io", "clusterissuers.cert-manager.io"}));
  EXPECT_EQ(issuer_rule["verbs"], json({"get", "list", "watch"}));
  EXPECT_EQ(issuer_rule["apiGroups"], json({"cert-manager.io"}));
  EXPECT_EQ(RuleResources(R"({})", "ClusterRole").count("customresourcedefinitions"), 0u);
}

TEST(RenderRbacTest, TheSyncerMayScaleItsOwnStatefulSetOnlyWithSleepMode) {
  auto patch_rules = [](const std::string& values) {
    const VirtualCluster vc{.name = "t", .namespace_ = "vc-t", .values = json::parse(values)};
    json rules = json::array();
    for (const auto& o : RenderHostObjects(vc)) {
      if (o.object.value("kind", "") != "Role") continue;
      for (const auto& rule : o.object["rules"]) {
        const auto& resources = rule["resources"];
        const auto& verbs = rule["verbs"];
        if (std::find(resources.begin(), resources.end(), "statefulsets") != resources.end() &&
            std::find(verbs.begin(), verbs.end(), "patch") != verbs.end()) {
          rules.push_back(rule);
        }
      }
    }
    return rules;
  };
  EXPECT_EQ(patch_rules(R"({})"), json::array());
  EXPECT_EQ(patch_rules(R"({"sleepMode": {"enabled": true,
                                          "autoSleep": {"afterInactivity": "30m"}}})"),
            json::parse(R"([{"apiGroups": ["apps"], "resources": ["statefulsets"],
                             "verbs": ["patch"], "resourceNames": ["t"]}])"));
}

TEST(RenderRbacTest, HostClassesAreReadOnlyAndOnlyWhenSynced) {
  auto cluster_rules = [](const std::string& values) {
    const VirtualCluster vc{.name = "t", .namespace_ = "vc-t", .values = json::parse(values)};
    json rules = json::array();
    for (const auto& o : RenderHostObjects(vc)) {
      if (o.object.value("kind", "") != "ClusterRole") continue;
      for (const auto& rule : o.object["rules"]) rules.push_back(rule);
    }
    return rules;
  };
  EXPECT_EQ(cluster_rules(R"({})"), json::array());
  const json rules = cluster_rules(R"({"sync": {"fromHost": {"storageClasses": {"enabled": true},
      "csiDrivers": {"enabled": true}, "csiNodes": {"enabled": true},
      "priorityClasses": {"enabled": true}}}})");
  EXPECT_EQ(rules, json::parse(R"([
      {"apiGroups": ["storage.k8s.io"], "resources": ["storageclasses"], "verbs": ["get", "list", "watch"]},
      {"apiGroups": ["storage.k8s.io"], "resources": ["csidrivers"], "verbs": ["get", "list", "watch"]},
      {"apiGroups": ["storage.k8s.io"], "resources": ["csinodes"], "verbs": ["get", "list", "watch"]},
      {"apiGroups": ["scheduling.k8s.io"], "resources": ["priorityclasses"], "verbs": ["get", "list", "watch"]}])"));
}

}  // namespace
}  // namespace vc::cli::render
