// SPDX-License-Identifier: Apache-2.0
// Table tests of PodSyncer (pod_syncer.h) against two fake API servers, in the harness of
// kind_table.h: a virtual pod runs as a host pod with the translated name, labels and
// namespace; the host's status comes back; a delete on either side reaches the other; a pod
// the pod security level or the runtime classes refuse gets no host pod but an Event; what a
// pod names (ConfigMaps, Secrets) is copied along. Expected values are written out from
// pod_translator.h's contract. Not here: service-account tokens (the fake answers no
// TokenRequest; translate_pod_tokens_test.cpp), resizes and ephemeral containers (no such
// subresources in the fake).
#include <gtest/gtest.h>

#include "kind_table.h"
#include "kind_table_objects.h"
#include "kind_table_pods.h"

namespace vc::syncer::sync::table {
namespace {

using nlohmann::json;
namespace r = kube::resources;

const json kWebLabels = {{"app", "web"}};

// The status the syncer writes on a pod it refuses (PodSyncer::Refuse).
json RefusedStatus(const std::string& message) {
  return {{"conditions",
           {{{"type", "PodScheduled"},
             {"status", "False"},
             {"reason", "SyncRefused"},
             {"message", message}}}}};
}

json PodNaming(const std::string& config_map, const std::string& secret) {
  json container = Container();
  container["env"] = {{{"name", "PASSWORD"},
                       {"valueFrom", {{"secretKeyRef", {{"name", secret}, {"key", "password"}}}}}}};
  return Pod(VirtualMeta("shop", "web"),
             {{"containers", {container}},
              {"volumes", {{{"name", "settings"}, {"configMap", {{"name", config_map}}}}}}});
}

KindCase CreatedOnTheHost() {
  return {
      .name = "NewVirtualPodIsCreatedOnTheHostTranslated",
      .virtual_before = {Pod(VirtualMeta("shop", "web", kWebLabels,
                                         {{"note", "n"}, {"kubectl-vc.dev/object-uid", "x"}}))},
      .host_after = {Has("vc-t1", Host("web", "shop"),
                         {{"metadata",
                           {{"labels", OurLabels("shop", {{"label.kubectl-vc.dev/app", "web"}})},
                            {"annotations",
                             {{"note", "n"},
                              {"kubectl-vc.dev/object-name", "web"},
                              {"kubectl-vc.dev/object-namespace", "shop"},
                              {"kubectl-vc.dev/object-uid", "uid-web"}}}}},
                          {"spec",
                           {{"automountServiceAccountToken", false},
                            {"enableServiceLinks", false},
                            {"hostname", "web"},
                            {"nodeName", nullptr},
                            {"containers", {HostContainer()}}}}}),
                     Absent("shop", "web")},
      .virtual_after = {Has("shop", "web", {{"spec", {{"nodeName", nullptr}}}})}};
}

std::vector<KindCase> CreateCases() {
  json on_node =
      Pod(VirtualMeta("shop", "web"), {{"nodeName", "node-1"}, {"containers", {Container()}}});
  const json dedicated = {{"key", "kubectl-vc.dev/dedicated"}, {"operator", "Exists"}};
  json kube_dns = {{"kind", "Service"},
                   {"metadata", CopyMeta("kube-system", "kube-dns")},
                   {"spec", {{"clusterIP", "10.96.0.10"}}}};
  return {
      CreatedOnTheHost(),
      {.name = "PodCreatedOnANodeGoesToThatNode",
       .virtual_before = {on_node},
       .host_after = {Has("vc-t1", Host("web", "shop"), {{"spec", {{"nodeName", "node-1"}}}})}},
      {.name = "ClusterFirstPodResolvesThroughTheVirtualClustersDns",
       .virtual_before = {Pod(VirtualMeta("shop", "web"))},
       .host_before = {{r::kServices, kube_dns}},
       .host_after = {Has(
           "vc-t1", Host("web", "shop"),
           {{"spec",
             {{"dnsPolicy", "None"},
              {"dnsConfig",
               {{"nameservers", {"10.96.0.10"}},
                {"searches", {"shop.svc.cluster.local", "svc.cluster.local", "cluster.local"}},
                {"options", {{{"name", "ndots"}, {"value", "5"}}}}}}}}})}},
      {.name = "WithTheVirtualSchedulerAnUnboundPodWaits",
       .virtual_before = {Pod(VirtualMeta("shop", "web"))},
       .host_after = {Absent("vc-t1", Host("web", "shop"))},
       .configure = [](translate::SyncConfig* c) { c->virtual_scheduler = true; }},
      // A toleration of the dedication taint would reach other tenants' dedicated nodes.
      {.name = "TolerationOfDedicatedNodesIsLeftOutWithAnEvent",
       .virtual_before = {Pod(
           VirtualMeta("shop", "web"),
           {{"containers", {Container()}},
            {"tolerations", {dedicated, {{"key", "gpu"}, {"operator", "Exists"}}}}})},
       .host_after = {Has(
           "vc-t1", Host("web", "shop"),
           {{"spec", {{"tolerations", {{{"key", "gpu"}, {"operator", "Exists"}}}}}}})},
       .virtual_after = {HasOf(r::kEvents, "shop", "",
                               {{"reason", "SyncAdjusted"},
                                {"type", "Warning"},
                                {"involvedObject", {{"name", "web"}}}})}},
      {.name = "HostPodOfTheSameNameThatIsNotOursIsLeftAlone",
       .virtual_before = {Pod(VirtualMeta("shop", "web"))},
       .host_before = {Pod(ForeignMeta(Host("web", "shop")),
                           {{"containers", {Container("admin")}}})},
       .host_after = {Has("vc-t1", Host("web", "shop"),
                          {{"metadata", {{"labels", {{"owner", "host-admin"}}}}},
                           {"spec", {{"containers", {Container("admin")}}}}})}},
  };
}

// What a pod names is copied along before it; one that does not exist yet does not hold it.
std::vector<KindCase> ReferenceCases() {
  return {
      {.name = "ConfigMapAndSecretItNamesAreSyncedAlong",
       .virtual_before = {PodNaming("settings", "db"),
                          {r::kConfigMaps,
                           {{"kind", "ConfigMap"},
                            {"metadata", VirtualMeta("shop", "settings")},
                            {"data", {{"mode", "prod"}}}}},
                          {r::kSecrets,
                           {{"kind", "Secret"},
                            {"metadata", VirtualMeta("shop", "db")},
                            {"type", "Opaque"},
                            {"data", {{"password", "cw=="}}}}},
                          {r::kConfigMaps,
                           {{"kind", "ConfigMap"},
                            {"metadata", VirtualMeta("shop", "unrelated")},
                            {"data", {{"k", "v"}}}}}},
       .host_after =
           {Has("vc-t1", Host("web", "shop"),
                {{"spec",
                  {{"volumes",
                    {{{"name", "settings"},
                      {"configMap", {{"name", Host("settings", "shop")}}}}}}}}}),
            HasOf(r::kConfigMaps, "vc-t1", Host("settings", "shop"),
                  {{"metadata", {{"labels", OurLabels("shop")}}}, {"data", {{"mode", "prod"}}}}),
            HasOf(r::kSecrets, "vc-t1", Host("db", "shop"), {{"data", {{"password", "cw=="}}}}),
            {"vc-t1", Host("unrelated", "shop"), nullptr, &r::kConfigMaps}}},
      // Its Secret does not exist yet: the pod is not held back (the host's kubelet waits).
      {.name = "ReferenceThatDoesNotExistYetDoesNotHoldThePodBack",
       .virtual_before = {PodNaming("settings", "db")},
       .host_after = {Has("vc-t1", Host("web", "shop"), {{"spec", {{"hostname", "web"}}}}),
                      {"vc-t1", Host("db", "shop"), nullptr, &r::kSecrets}}},
  };
}

std::vector<KindCase> RefusalCases() {
  json host_network =
      Pod(VirtualMeta("shop", "web"), {{"hostNetwork", true}, {"containers", {Container()}}});
  json runtime_class = Pod(VirtualMeta("shop", "web"),
                           {{"runtimeClassName", "gvisor"}, {"containers", {Container()}}});
  return {
      {.name = "PodTheBaselineLevelRefusesGetsNoHostPodButAnEvent",
       .virtual_before = {host_network},
       .host_after = {Absent("vc-t1", Host("web", "shop"))},
       .virtual_after = {Has("shop", "web",
                             {{"status", RefusedStatus("pod refused by the virtual cluster's pod "
                                                       "security level \"baseline\": "
                                                       "hostNetwork=true")}}),
                         HasOf(r::kEvents, "shop", "", Refused("web"))},
       .trust_level = "partial"},
      {.name = "TheSamePodRunsAtTrustLevelHigh",
       .virtual_before = {host_network},
       .host_after = {Has("vc-t1", Host("web", "shop"), {{"spec", {{"hostNetwork", true}}}})},
       .virtual_after = {NoneOf(r::kEvents, "shop")}},
      {.name = "PodSecurityStandardRestrictedRefusesARootPodAtTrustHigh",
       .virtual_before = {Pod(VirtualMeta("shop", "web"))},
       .host_after = {Absent("vc-t1", Host("web", "shop"))},
       .virtual_after = {Has("shop", "web",
                             {{"status",
                               RefusedStatus("pod refused by the virtual cluster's pod security "
                                             "level \"restricted\": container \"app\": "
                                             "allowPrivilegeEscalation != false; container "
                                             "\"app\": runAsNonRoot != true; container \"app\": "
                                             "capabilities.drop does not include ALL; container "
                                             "\"app\": seccompProfile unset")}}),
                         HasOf(r::kEvents, "shop", "", Refused("web"))},
       .configure = [](translate::SyncConfig* c) { c->pod_security_standard = "restricted"; }},
      {.name = "RuntimeClassWithoutRuntimeClassSyncIsRefused",
       .virtual_before = {runtime_class},
       .host_after = {Absent("vc-t1", Host("web", "shop"))},
       .virtual_after = {Has("shop", "web",
                             {{"status",
                               RefusedStatus("the pod names RuntimeClass gvisor, and this virtual "
                                             "cluster runs no pod with one: set "
                                             "sync.fromHost.runtimeClasses.enabled to true to run "
                                             "it with the host's RuntimeClass of the same "
                                             "handler")}}),
                         HasOf(r::kEvents, "shop", "", Refused("web"))}},
  };
}

std::vector<KindCase> StatusCases() {
  json pending = {{"phase", "Pending"},
                  {"conditions", {{{"type", "PodScheduled"}, {"status", "True"}}}}};
  return {
      {.name = "PlacedHostPodBindsTheVirtualPodAndItsStatusFlowsBack",
       .virtual_before = {Pod(VirtualMeta("shop", "web"))},
       .host_before = {HostPod("web", "node-1", Running("10.0.0.5"))},
       .virtual_after = {Has(
           "shop", "web", {{"spec", {{"nodeName", "node-1"}}}, {"status", Running("10.0.0.5")}})}},
      {.name = "HostStatusChangeWhileRunningFlowsBack",
       .virtual_before = {BoundPod(VirtualMeta("shop", "web"), "node-1")},
       .host_before = {HostPod("web", "node-1", pending)},
       .virtual_after = {Has("shop", "web", {{"status", {{"phase", "Pending"}}}})},
       .then = {{.changes = {{Side::kHost, HostPod("web", "node-1", Running("10.0.0.7"))}},
                 .virtual_after = {Has("shop", "web", {{"status", Running("10.0.0.7")}})}}}},
  };
}

std::vector<KindCase> UpdateCases() {
  json host_meta_before = CopyMeta("shop", "web",
                                   {{"label.kubectl-vc.dev/app", "web"},
                                    {"label.kubectl-vc.dev/old", "x"},
                                    {"host.example.com/added", "kept"}});
  host_meta_before["annotations"]["note"] = "old";
  json host_before = HostPod("web", "node-1");
  host_before["metadata"] = host_meta_before;
  return {
      {.name = "LabelAndAnnotationChangesAreCopied",
       .virtual_before = {BoundPod(
           VirtualMeta("shop", "web", {{"app", "web"}, {"tier", "db"}}, {{"note", "new"}}),
           "node-1")},
       .host_before = {host_before},
       .host_after = {Has("vc-t1", Host("web", "shop"),
                          {{"metadata",
                            {{"labels",
                              {{"label.kubectl-vc.dev/app", "web"},
                               {"label.kubectl-vc.dev/tier", "db"},
                               {"label.kubectl-vc.dev/old", nullptr},
                               {"host.example.com/added", "kept"}}},
                             {"annotations", {{"note", "new"}}}}}})}},
      {.name = "ALabelAddedWhileRunningIsCopied",
       .virtual_before = {BoundPod(VirtualMeta("shop", "web"), "node-1")},
       .host_before = {HostPod("web", "node-1")},
       .then = {{.changes = {{Side::kVirtual,
                              BoundPod(VirtualMeta("shop", "web", {{"tier", "db"}}), "node-1")}},
                 .host_after = {Has(
                     "vc-t1", Host("web", "shop"),
                     {{"metadata", {{"labels", {{"label.kubectl-vc.dev/tier", "db"}}}}}})}}}},
  };
}

std::vector<KindCase> DeleteCases() {
  json deleting = BoundPod(VirtualMeta("shop", "web"), "node-1");
  deleting["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z";
  json earlier = HostPod("web", "node-1");
  earlier["metadata"]["annotations"]["kubectl-vc.dev/object-uid"] = "uid-earlier";
  return {
      {.name = "HostPodOfADeletedVirtualPodIsDeleted",
       .host_before = {HostPod("web", "node-1", Running("10.0.0.5"))},
       .host_after = {Absent("vc-t1", Host("web", "shop"))}},
      {.name = "VirtualPodBeingDeletedDeletesTheHostPodThenGoes",
       .virtual_before = {deleting},
       .host_before = {HostPod("web", "node-1", Running("10.0.0.5"))},
       .host_after = {Absent("vc-t1", Host("web", "shop"))},
       .virtual_after = {Absent("shop", "web")}},
      {.name = "HostPodDeletedBehindOurBackDeletesTheVirtualPod",
       .virtual_before = {BoundPod(VirtualMeta("shop", "web"), "node-1")},
       .host_before = {HostPod("web", "node-1")},
       .virtual_after = {Has("shop", "web", {{"spec", {{"nodeName", "node-1"}}}})},
       .then = {{.changes = {{Side::kHost, HostPod("web"), true}},
                 .virtual_after = {Absent("shop", "web")}}}},
      {.name = "AnUnboundPodWhoseHostPodWentIsMadeAgain",
       .virtual_before = {Pod(VirtualMeta("shop", "web"))},
       .host_after = {Has("vc-t1", Host("web", "shop"), {{"spec", {{"hostname", "web"}}}})},
       .then = {{.changes = {{Side::kHost, HostPod("web"), true}},
                 .host_after = {Has("vc-t1", Host("web", "shop"),
                                    {{"spec", {{"hostname", "web"}}}})},
                 .virtual_after = {Has("shop", "web", {{"spec", {{"nodeName", nullptr}}}})}}}},
      {.name = "HostPodOfAnEarlierVirtualPodOfTheSameNameIsReplaced",
       .virtual_before = {Pod(VirtualMeta("shop", "web"))},
       .host_before = {earlier},
       .host_after = {Has(
           "vc-t1", Host("web", "shop"),
           {{"metadata", {{"annotations", {{"kubectl-vc.dev/object-uid", "uid-web"}}}}}})}},
      {.name = "VirtualPodDeletedWhileRunningTakesItsHostPod",
       .virtual_before = {Pod(VirtualMeta("shop", "web"))},
       .host_after = {Has("vc-t1", Host("web", "shop"), {{"spec", {{"hostname", "web"}}}})},
       .then = {{.changes = {{Side::kVirtual, Pod(VirtualMeta("shop", "web")), true}},
                 .host_after = {Absent("vc-t1", Host("web", "shop"))}}}},
  };
}

const std::vector<KindRows>& Table() {
  static const std::vector<KindRows> table = [] {
    std::vector<KindCase> cases;
    for (auto part : {CreateCases(), ReferenceCases(), RefusalCases(), StatusCases(), UpdateCases(),
                      DeleteCases()}) {
      cases.insert(cases.end(), part.begin(), part.end());
    }
    return std::vector<KindRows>{{"Pods", &r::kPods, nullptr, PodSyncers(), std::move(cases)}};
  }();
  return table;
}

INSTANTIATE_TEST_SUITE_P(Pods, KindTableTest, ::testing::ValuesIn(CasesOf(Table())), CaseName);

}  // namespace
}  // namespace vc::syncer::sync::table
