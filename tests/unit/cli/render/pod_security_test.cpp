// SPDX-License-Identifier: Apache-2.0
// The host side of pod security: the namespace kubectl-vc creates enforces the tenant's
// standard, and the control-plane pod itself passes `restricted`, so it can run in any
// namespace (a zero-trust tenant's included).
#include <gtest/gtest.h>

#include <string>

#include "vc/cli/render/host_objects.h"
#include "vc/syncer/translate/pod_policy.h"
#include "vc/yaml.h"

namespace vc::cli::render {
namespace {

using nlohmann::json;

json Find(const VirtualCluster& vc, const std::string& kind) {
  for (const auto& o : RenderHostObjects(vc)) {
    if (o.object.value("kind", "") == kind) return o.object;
  }
  return json();
}

VirtualCluster Tenant(json values) {
  return {.name = "team",
          .namespace_ = "vcluster-team",
          .create_namespace = true,
          .values = std::move(values)};
}

TEST(RenderPodSecurityTest, TheCreatedNamespaceEnforcesTheTenantsStandard) {
  const std::pair<const char*, const char*> cases[] = {
      {"isolation: {trustLevel: zero}", "restricted"},
      {"isolation: {trustLevel: partial}", "baseline"},
      {"isolation: {trustLevel: high}", "privileged"},
      // A standard can tighten a trust level, never loosen it.
      {"isolation: {trustLevel: high}\npolicies: {podSecurityStandard: baseline}", "baseline"},
      {"isolation: {trustLevel: zero}\npolicies: {podSecurityStandard: baseline}", "restricted"},
  };
  for (const auto& [values_yaml, want] : cases) {
    auto values = yaml::Parse(values_yaml, "values");
    ASSERT_TRUE(values.ok()) << values_yaml;
    const json ns = Find(Tenant(values->value), "Namespace");
    ASSERT_TRUE(ns.is_object()) << values_yaml;
    EXPECT_EQ(ns["metadata"]["labels"].value("pod-security.kubernetes.io/enforce", ""), want)
        << values_yaml;
  }
}

TEST(RenderPodSecurityTest, TheControlPlanePodPassesRestricted) {
  const json sts = Find(Tenant(json::object()), "StatefulSet");
  ASSERT_TRUE(sts.is_object());
  const json pod = {{"spec", sts["spec"]["template"]["spec"]}};
  EXPECT_EQ(syncer::translate::PodPolicyViolations(pod, "restricted"), std::vector<std::string>{});
  const json& spec = pod["spec"];
  EXPECT_EQ(spec["securityContext"].value("runAsUser", 0), 65532);
  for (const char* list : {"initContainers", "containers"}) {
    for (const auto& c : spec[list]) {
      const std::string name = c.value("name", "");
      EXPECT_TRUE(c["securityContext"].value("readOnlyRootFilesystem", false)) << name;
      EXPECT_FALSE(c["resources"]["requests"].value("memory", "").empty()) << name;
      EXPECT_FALSE(c["resources"]["limits"].value("memory", "").empty()) << name;
    }
  }
  // Where a component has a health endpoint on the pod's address, kubelet probes it.
  for (const auto& c : spec["containers"]) {
    const std::string name = c.value("name", "");
    const bool has_health =
        name == "kube-apiserver" || name == "kube-controller-manager" || name == "syncer";
    EXPECT_EQ(c.contains("livenessProbe"), has_health) << name;
    EXPECT_EQ(c.contains("startupProbe"), has_health) << name;
    if (has_health) {
      // The syncer's health server is plain HTTP; the Kubernetes components serve HTTPS.
      const std::string scheme = name == "syncer" ? "HTTP" : "HTTPS";
      EXPECT_EQ(c["livenessProbe"]["httpGet"].value("scheme", ""), scheme) << name;
      EXPECT_EQ(c["startupProbe"]["httpGet"].value("scheme", ""), scheme) << name;
    }
  }
}

}  // namespace
}  // namespace vc::cli::render
