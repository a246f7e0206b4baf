// SPDX-License-Identifier: Apache-2.0
// Contradictions are found after merging, say why, say what to change, and point at the file
// line (or --set entry) of the setting to change.
#include "vc/cli/values/contradictions.h"

#include <gtest/gtest.h>

#include "vc/cli/values/resolve.h"

namespace vc::cli::values {
namespace {

StatusOr<ResolvedValues> ResolveText(const std::string& text, std::vector<std::string> sets = {},
                                     std::string profile = "") {
  ResolveInput in;
  in.profile = std::move(profile);
  in.sources = {ValuesSource::Text("v.yaml", text)};
  in.set_entries = std::move(sets);
  return Resolve(in);
}

std::string ErrorOf(const std::string& text, std::vector<std::string> sets = {},
                    std::string profile = "") {
  auto r = ResolveText(text, std::move(sets), std::move(profile));
  EXPECT_FALSE(r.ok()) << text;
  return r.ok() ? "" : r.status().message();
}

bool Has(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(ValuesContradiction, ZeroTrustWithAllRealNodes) {
  std::string e = ErrorOf(
      "sync:\n  fromHost:\n    nodes:\n      enabled: true\n"
      "      selector:\n        all: true\n",
      {}, "zero-trust");
  EXPECT_TRUE(
      e.starts_with("v.yaml:6:9: sync.fromHost.nodes.selector.all true shows every real "
                    "node"))
      << e;
  EXPECT_TRUE(Has(e, "(isolation.trustLevel zero (<profile zero-trust>:")) << e;
  EXPECT_TRUE(Has(e, "set it to false")) << e;
}

TEST(ValuesContradiction, AVirtualSchedulerNeedsRealNodes) {
  std::string e =
      ErrorOf("controlPlane:\n  advanced:\n    virtualScheduler:\n      enabled: true\n");
  EXPECT_TRUE(
      e.starts_with("v.yaml:4:7: controlPlane.advanced.virtualScheduler.enabled is true, "
                    "but sync.fromHost.nodes.enabled is false"))
      << e;
  EXPECT_TRUE(Has(e, "set sync.fromHost.nodes.enabled to true")) << e;
  EXPECT_TRUE(ResolveText("controlPlane:\n  advanced:\n    virtualScheduler:\n      enabled: true\n"
                          "sync:\n  fromHost:\n    nodes:\n      enabled: true\n")
                  .ok());
}

TEST(ValuesContradiction, NodeChangesGoBackOnlyFromATrustedTenantWithRealNodes) {
  const std::string back =
      "sync:\n  fromHost:\n    nodes:\n      enabled: true\n"
      "      syncBackChanges: true\n";
  std::string e = ErrorOf(back + "isolation:\n  trustLevel: partial\n");
  EXPECT_TRUE(
      e.starts_with("v.yaml:5:7: sync.fromHost.nodes.syncBackChanges lets the tenant "
                    "change labels, taints and resources of host nodes"))
      << e;
  EXPECT_TRUE(Has(e, "set it to false, or isolation.trustLevel high")) << e;
  e = ErrorOf("sync:\n  fromHost:\n    nodes:\n      syncBackChanges: true\n");
  EXPECT_TRUE(Has(e, "has no effect while sync.fromHost.nodes.enabled is false")) << e;
  EXPECT_TRUE(ResolveText(back).ok());
}

TEST(ValuesContradiction, PriorityClassesReachTheHostOnlyFromATrustedTenant) {
  const std::string e = ErrorOf(
      "sync:\n  toHost:\n    priorityClasses:\n      enabled: true\n"
      "isolation:\n  trustLevel: partial\n");
  EXPECT_TRUE(
      e.starts_with("v.yaml:4:7: sync.toHost.priorityClasses.enabled gives the tenant's "
                    "pods host priorities"))
      << e;
  EXPECT_TRUE(Has(e, "or isolation.trustLevel high")) << e;
  EXPECT_TRUE(ResolveText("sync:\n  toHost:\n    priorityClasses:\n      enabled: true\n").ok());
}

TEST(ValuesContradiction, CustomResourcesAreNamedByPluralGroupAndNotSyncedAtZeroTrust) {
  const std::string certs =
      "sync:\n  toHost:\n    customResources:\n      certificates.cert-manager.io:\n"
      "        enabled: true\n";
  EXPECT_TRUE(ResolveText(certs).ok());
  EXPECT_TRUE(ResolveText(certs + "isolation:\n  trustLevel: partial\n").ok());
  const std::string zero = ErrorOf(certs + "isolation:\n  trustLevel: zero\n");
  EXPECT_TRUE(Has(zero,
                  "sync.toHost.customResources.certificates.cert-manager.io is not synced "
                  "at isolation.trustLevel zero"))
      << zero;
  EXPECT_TRUE(Has(zero, "set enabled to false, or isolation.trustLevel partial or high")) << zero;
  const std::string bad = ErrorOf(
      "sync:\n  fromHost:\n    customResources:\n      Certificate:\n        enabled: true\n");
  EXPECT_TRUE(Has(bad,
                  "sync.fromHost.customResources names \"Certificate\", which is not "
                  "PLURAL.GROUP"))
      << bad;
  const std::string path = ErrorOf(
      "sync:\n  toHost:\n    customResources:\n      certificates.cert-manager.io:\n"
      "        enabled: true\n        patches:\n        - path: spec..secretName\n"
      "          reference: {kind: Secret}\n");
  EXPECT_TRUE(Has(path, "a dotted path such as spec.secretName")) << path;
}

TEST(ValuesContradiction, DisruptionBudgetsReachTheHostOnlyFromATrustedTenant) {
  const std::string budgets = "sync:\n  toHost:\n    podDisruptionBudgets:\n      enabled: true\n";
  const std::string e = ErrorOf(budgets + "isolation:\n  trustLevel: partial\n");
  EXPECT_TRUE(
      e.starts_with("v.yaml:4:7: sync.toHost.podDisruptionBudgets.enabled lets the "
                    "tenant's budgets hold the drain of host nodes"))
      << e;
  EXPECT_TRUE(Has(e, "or isolation.trustLevel high")) << e;
  EXPECT_TRUE(ResolveText(budgets).ok());
}

TEST(ValuesContradiction, AWakeScheduleNeedsSleepModeAndATimeZoneASchedule) {
  std::string e = ErrorOf("sleepMode:\n  autoWakeup:\n    schedule: \"0 8 * * *\"\n");
  EXPECT_TRUE(Has(e,
                  "sleepMode.autoWakeup.schedule has no effect while sleepMode.enabled is "
                  "false"))
      << e;
  e = ErrorOf(
      "sleepMode:\n  enabled: true\n  autoSleep:\n    afterInactivity: 30m\n"
      "  timeZone: Europe/Berlin\n");
  EXPECT_TRUE(Has(e, "sleepMode.timeZone is the time zone of sleepMode.autoWakeup.schedule")) << e;
  EXPECT_TRUE(ResolveText("sleepMode:\n  enabled: true\n  autoSleep:\n    afterInactivity: 30m\n"
                          "  autoWakeup:\n    schedule: \"@daily\"\n  timeZone: Europe/Berlin\n")
                  .ok());
  e = ErrorOf(
      "sleepMode:\n  enabled: true\n  autoSleep:\n    afterInactivity: 30m\n"
      "  autoWakeup:\n    schedule: every morning\n");
  EXPECT_TRUE(Has(e, "sleepMode.autoWakeup.schedule")) << e;
}

TEST(ValuesContradiction, ZeroTrustWithoutDedicatedNodes) {
  std::string e = ErrorOf("isolation:\n  trustLevel: zero\n");
  EXPECT_TRUE(e.starts_with("v.yaml:1:1: isolation.dedicatedNodes.enabled is false")) << e;
  EXPECT_TRUE(Has(e, "(isolation.trustLevel zero (v.yaml:2:3))")) << e;
  EXPECT_TRUE(Has(e, "kubectl vc node dedicate")) << e;
}

TEST(ValuesContradiction, ZeroTrustFromSetPointsAtSet) {
  auto r = ResolveText("", {"isolation.trustLevel=zero"});
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(
      Has(r.status().message(), "(isolation.trustLevel zero (--set isolation.trustLevel=zero))"))
      << r.status().message();
}

TEST(ValuesContradiction, IngressesNeedServices) {
  std::string e = ErrorOf(
      "sync:\n  toHost:\n    services:\n      enabled: false\n"
      "    ingresses:\n      enabled: true\n");
  EXPECT_EQ(e,
            "v.yaml:6:7: sync.toHost.ingresses.enabled is true, but "
            "sync.toHost.services.enabled is false (v.yaml:4:7): a synced ingress routes to "
            "services that would not exist on the host, so the host's ingress controller has "
            "no backend; enable sync.toHost.services or disable sync.toHost.ingresses");
}

TEST(ValuesContradiction, ServicesDisabledWithRestrictedTypesIsFine) {
  auto r = ResolveText(
      "sync:\n  toHost:\n    services:\n      enabled: false\n"
      "isolation:\n  serviceTypes: [ClusterIP]\n");
  EXPECT_TRUE(r.ok()) << r.status().message();
}

TEST(ValuesContradiction, NoServiceTypeWithServicesEnabled) {
  std::string e = ErrorOf("isolation:\n  serviceTypes: []\n");
  EXPECT_TRUE(e.starts_with("v.yaml:2:3: isolation.serviceTypes is empty")) << e;
}

TEST(ValuesContradiction, PrivilegedPodsBelowHighTrust) {
  for (const char* level : {"partial", "zero"}) {
    std::string e = ErrorOf(std::string("isolation:\n  trustLevel: ") + level +
                            "\n  dedicatedNodes: {enabled: true}\n"
                            "policies:\n  podSecurityStandard: privileged\n");
    EXPECT_TRUE(e.starts_with("v.yaml:5:3: policies.podSecurityStandard privileged")) << e;
    EXPECT_TRUE(Has(e, "use baseline or restricted")) << e;
  }
  EXPECT_TRUE(ResolveText("policies:\n  podSecurityStandard: privileged\n").ok());
}

TEST(ValuesContradiction, SelectorLabelsIgnoredWhenAll) {
  std::string e = ErrorOf(
      "sync:\n  fromHost:\n    nodes:\n      enabled: true\n      selector:\n"
      "        all: true\n        labels: {team: a}\n");
  EXPECT_TRUE(e.starts_with("v.yaml:7:9: sync.fromHost.nodes.selector.labels has no effect")) << e;
}

TEST(ValuesContradiction, OpenCidrAtZeroTrust) {
  std::string e = ErrorOf("isolation:\n  sharedServices:\n  - name: all\n    cidr: 0.0.0.0/0\n", {},
                          "zero-trust");
  EXPECT_TRUE(e.starts_with("v.yaml:4:5: isolation.sharedServices[0].cidr 0.0.0.0/0")) << e;
}

TEST(ValuesContradiction, AllAreReported) {
  std::string e = ErrorOf(
      "isolation:\n  trustLevel: zero\n"
      "policies:\n  podSecurityStandard: privileged\n"
      "sync:\n  toHost:\n    services: {enabled: false}\n"
      "    ingresses: {enabled: true}\n");
  EXPECT_EQ(std::count(e.begin(), e.end(), '\n'), 2) << e;  // three lines
}

// Decided: a warning. A per-node cap on a noisy team is legitimate (and enforced), but at high
// trust it is more often a zero-trust file copied without thought.
TEST(ValuesContradiction, NodeQuotaAtHighTrustWarns) {
  auto r = ResolveText("isolation:\n  nodeQuota:\n    cpu: 2\n");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_TRUE(
      r->warnings[0].starts_with("v.yaml:2:3: isolation.nodeQuota is set at "
                                 "isolation.trustLevel high;"))
      << r->warnings[0];
  EXPECT_TRUE(ResolveText("isolation:\n  trustLevel: partial\n  nodeQuota:\n    cpu: 2\n")
                  ->warnings.empty());
}

TEST(ValuesContradiction, WithoutLocatorSaysValues) {
  nlohmann::json v = {{"isolation", {{"trustLevel", "zero"}}}};
  Findings f = FindContradictions(v, nullptr);
  ASSERT_EQ(f.errors.size(), 1u);
  EXPECT_TRUE(f.errors[0].starts_with("values: isolation.dedicatedNodes.enabled")) << f.errors[0];
}

TEST(ValuesContradiction, SleepModeNeedsBothItsSwitchAndItsTime) {
  std::string e = ErrorOf("sleepMode:\n  enabled: true\n");
  EXPECT_TRUE(
      e.starts_with("v.yaml:2:3: sleepMode.enabled is true, but "
                    "sleepMode.autoSleep.afterInactivity is not set"))
      << e;
  e = ErrorOf("sleepMode:\n  autoSleep:\n    afterInactivity: 30m\n");
  EXPECT_TRUE(Has(e, "has no effect while sleepMode.enabled is false")) << e;
  e = ErrorOf("sleepMode:\n  enabled: true\n  autoSleep:\n    afterInactivity: 500ms\n");
  EXPECT_TRUE(Has(e, "is shorter than a second")) << e;
  e = ErrorOf("sleepMode:\n  enabled: true\n  autoSleep:\n    afterInactivity: soon\n");
  EXPECT_TRUE(Has(e, "afterInactivity")) << e;
  EXPECT_TRUE(
      ResolveText("sleepMode:\n  enabled: true\n  autoSleep:\n    afterInactivity: 1h30m\n").ok());
}

TEST(ValuesContradiction, HostPriorityClassesOnlyForATrustedTenantAndNotBesideItsOwn) {
  const std::string from = "sync:\n  fromHost:\n    priorityClasses:\n      enabled: true\n";
  std::string e = ErrorOf(from + "isolation:\n  trustLevel: partial\n");
  EXPECT_TRUE(
      e.starts_with("v.yaml:4:7: sync.fromHost.priorityClasses.enabled lets the tenant's "
                    "pods run with any host PriorityClass"))
      << e;
  e = ErrorOf(from + "  toHost:\n    priorityClasses:\n      enabled: true\n");
  EXPECT_TRUE(Has(e, "are both enabled")) << e;
  EXPECT_TRUE(ResolveText(from).ok());
}

TEST(ValuesContradiction, CsiNodesNameEveryHostNodeSoOnlyForATrustedTenant) {
  const std::string csi = "sync:\n  fromHost:\n    csiNodes:\n      enabled: true\n";
  std::string e = ErrorOf(csi + "isolation:\n  trustLevel: partial\n");
  EXPECT_TRUE(
      e.starts_with("v.yaml:4:7: sync.fromHost.csiNodes.enabled shows a CSINode for every "
                    "host node"))
      << e;
  EXPECT_TRUE(ResolveText(csi).ok());
}

}  // namespace
}  // namespace vc::cli::values
