// SPDX-License-Identifier: Apache-2.0
// Table tests of NodeSyncer (node_syncer.h) in pseudo mode, with the pod syncer that tells it
// where the tenant's pods run (kind_table_pods.h), in the harness of kind_table.h: a pseudo
// node appears for a host node that runs one of the tenant's pods and goes once none runs
// there; a Node the tenant made itself is left alone. Expected values are written out from
// node_translator.h.
#include <gtest/gtest.h>

#include "kind_table.h"
#include "kind_table_objects.h"
#include "kind_table_pods.h"

namespace vc::syncer::sync::table {
namespace {

using nlohmann::json;
namespace r = kube::resources;

json PseudoLabels(const std::string& name) {
  return {{"kubernetes.io/hostname", name},
          {"kubernetes.io/os", "linux"},
          {"kubernetes.io/arch", "amd64"},
          {"kubectl-vc.dev/pseudo-node", "true"}};
}

json PseudoNode(const std::string& name) {
  return {{"kind", "Node"}, {"metadata", {{"name", name}, {"labels", PseudoLabels(name)}}}};
}

std::vector<KindCase> Cases() {
  const json running = Running("10.0.0.5");
  return {
      {.name = "PseudoNodeAppearsForANodeRunningATenantsPod",
       .virtual_before = {{r::kPods, Pod(VirtualMeta("shop", "web"))}},
       .host_before = {{r::kPods, HostPod("web", "node-1", running)}},
       .virtual_after = {Has("", "node-1",
                             {{"metadata", {{"labels", PseudoLabels("node-1")}}},
                              {"status",
                               {{"addresses",
                                 {{{"address", "127.0.0.1"}, {"type", "InternalDNS"}},
                                  {{"address", "127.0.0.1"}, {"type", "InternalIP"}},
                                  {{"address", "node-1"}, {"type", "Hostname"}}}}}}}),
                         HasOf(r::kPods, "shop", "web", {{"spec", {{"nodeName", "node-1"}}}}),
                         Absent("", "node-2")}},
      // The host pod went (evicted, its node drained): the virtual pod goes, and its node.
      {.name = "PseudoNodeGoesWhenNoTenantPodRunsThereAnyMore",
       .virtual_before = {{r::kPods, Pod(VirtualMeta("shop", "web"))}},
       .host_before = {{r::kPods, HostPod("web", "node-1", running)}},
       .virtual_after = {Has("", "node-1", {{"metadata", {{"labels", PseudoLabels("node-1")}}}})},
       .then = {{.changes = {{Side::kHost, {r::kPods, HostPod("web")}, true}},
                 .virtual_after = {HasOf(r::kPods, "shop", "web", nullptr),
                                   Absent("", "node-1")}}}},
      // `kubectl delete pod --force`: the virtual pod is gone at once, its host pod a moment
      // later. When the virtual pod goes the host pod still counts; the host pod's delete
      // looks at the node again (it stayed until the virtual nodes' resync before).
      {.name = "PseudoNodeGoesWhenItsLastPodIsForceDeleted",
       .virtual_before = {{r::kPods, Pod(VirtualMeta("shop", "web"))}},
       .host_before = {{r::kPods, HostPod("web", "node-1", running)}},
       .virtual_after = {Has("", "node-1", {{"metadata", {{"labels", PseudoLabels("node-1")}}}})},
       .then = {{.changes = {{Side::kVirtual, {r::kPods, Pod(VirtualMeta("shop", "web"))}, true}},
                 .host_after = {HasOf(r::kPods, "vc-t1", Host("web", "shop"), nullptr)},
                 .virtual_after = {Absent("", "node-1")}}}},
      {.name = "PseudoNodeStaysWhileAnotherPodRunsThere",
       .virtual_before = {{r::kPods, BoundPod(VirtualMeta("shop", "web"), "node-1")},
                          {r::kPods, BoundPod(VirtualMeta("shop", "api"), "node-1")},
                          PseudoNode("node-1")},
       .host_before = {{r::kPods, HostPod("web", "node-1", running)},
                       {r::kPods, HostPod("api", "node-1", running)}},
       .virtual_after = {Has("", "node-1", {{"metadata", {{"labels", PseudoLabels("node-1")}}}})},
       .then = {{.changes = {{Side::kHost, {r::kPods, HostPod("web")}, true}},
                 .virtual_after = {HasOf(r::kPods, "shop", "web", nullptr),
                                   Has("", "node-1",
                                       {{"metadata", {{"labels", PseudoLabels("node-1")}}}})}}}},
      // At start the pods' caches may not be filled yet ("don't know": kept); the resync looks
      // again.
      {.name = "PseudoNodeWithoutPodsIsRemovedAtResync",
       .virtual_before = {PseudoNode("node-1")},
       .virtual_after = {Absent("", "node-1")},
       .resync = std::chrono::milliseconds(100)},
      {.name = "NodeTheTenantMadeItselfIsLeftAlone",
       .virtual_before = {json{{"kind", "Node"},
                               {"metadata", {{"name", "mine"}, {"labels", {{"team", "a"}}}}}}},
       .virtual_after = {Has("", "mine", {{"metadata", {{"labels", {{"team", "a"}}}}}})}},
  };
}

const std::vector<KindRows>& Table() {
  static const std::vector<KindRows> table = {
      {"PseudoNodes", &r::kNodes, nullptr, PodSyncers(), Cases()}};
  return table;
}

INSTANTIATE_TEST_SUITE_P(Nodes, KindTableTest, ::testing::ValuesIn(CasesOf(Table())), CaseName);

}  // namespace
}  // namespace vc::syncer::sync::table
