// SPDX-License-Identifier: Apache-2.0
// Table tests of EventSyncer (event_syncer.h) in the harness of kind_table.h, with the pod
// syncer that knows which virtual pod a host pod is (kind_table_pods.h): a host Event about
// one of the tenant's pods comes back as an Event about the virtual pod, with the host pod's
// name in its message replaced, and follows the host Event's count; Events about anything else
// on the host never cross. Expected values are written out from event_syncer.h.
#include <gtest/gtest.h>

#include "kind_table.h"
#include "kind_table_objects.h"
#include "kind_table_pods.h"

namespace vc::syncer::sync::table {
namespace {

using nlohmann::json;
namespace r = kube::resources;

// A host Event about object `kind`/`name` in vc-t1.
json HostEvent(const std::string& name, const std::string& kind, const std::string& about,
               const std::string& message, int count = 1,
               const std::string& last = "2026-01-01T00:00:00Z") {
  return {{"kind", "Event"},
          {"metadata", {{"name", name}, {"namespace", "vc-t1"}, {"uid", "uid-" + name}}},
          {"involvedObject",
           {{"kind", kind},
            {"name", about},
            {"namespace", "vc-t1"},
            {"uid", "host-pod-uid"},
            {"fieldPath", "spec.containers{app}"}}},
          {"type", "Normal"},
          {"reason", "Pulled"},
          {"message", message},
          {"count", count},
          {"lastTimestamp", last},
          {"source", {{"component", "kubelet"}, {"host", "node-1"}}}};
}

std::vector<Obj> RunningWeb() {
  return {{r::kPods, BoundPod(VirtualMeta("shop", "web"), "node-1")}};
}

std::vector<Obj> HostWeb(std::vector<Obj> more = {}) {
  more.insert(more.begin(), {r::kPods, HostPod("web", "node-1")});
  return more;
}

std::vector<KindCase> Cases() {
  const std::string host_pod = Host("web", "shop");
  const json pulled = HostEvent("ev1", "Pod", host_pod, "pulled image for pod vc-t1/" + host_pod);
  const json virtual_pulled = {{"involvedObject",
                                {{"apiVersion", "v1"},
                                 {"kind", "Pod"},
                                 {"namespace", "shop"},
                                 {"name", "web"},
                                 {"uid", "uid-web"},
                                 {"fieldPath", "spec.containers{app}"}}},
                               {"type", "Normal"},
                               {"reason", "Pulled"},
                               {"message", "pulled image for pod shop/web"},
                               {"count", 1},
                               {"source", {{"component", "kubelet"}, {"host", "node-1"}}}};
  json twice = virtual_pulled;
  twice["count"] = 3;
  twice["message"] = "pulled again";
  return {
      {.name = "HostEventAboutATenantsPodComesBackOntoTheVirtualPod",
       .virtual_before = RunningWeb(),
       .host_before = HostWeb({pulled}),
       .virtual_after = {Has("shop", "", virtual_pulled)}},
      {.name = "ARepeatedHostEventUpdatesTheVirtualOne",
       .virtual_before = RunningWeb(),
       .host_before = HostWeb({pulled}),
       .virtual_after = {Has("shop", "", virtual_pulled)},
       .then = {{.changes = {{Side::kHost, HostEvent("ev1", "Pod", host_pod, "pulled again", 3)}},
                 .virtual_after = {Has("shop", "", twice)}}}},
      {.name = "AnEventAboutAPodThatIsNotTheTenantsDoesNotCross",
       .virtual_before = RunningWeb(),
       .host_before = HostWeb({HostEvent("ev1", "Pod", "vc-t1-0", "pulled image")}),
       .virtual_after = {NoneOf(r::kEvents, "shop")}},
      {.name = "AnEventAboutAnotherKindDoesNotCross",
       .virtual_before = RunningWeb(),
       .host_before = HostWeb({HostEvent("ev1", "Service", host_pod, "synced")}),
       .virtual_after = {NoneOf(r::kEvents, "shop")}},
      {.name = "AnEventInAnotherHostNamespaceDoesNotCross",
       .virtual_before = RunningWeb(),
       .host_before = HostWeb({[&] {
         json e = HostEvent("ev1", "Pod", host_pod, "pulled image");
         e["metadata"]["namespace"] = "kube-system";
         e["involvedObject"]["namespace"] = "kube-system";
         return e;
       }()}),
       .virtual_after = {NoneOf(r::kEvents, "shop")}},
      // The host scheduler's first Events can come before the pod cache knows the pod: a
      // young Event (this one's time is ahead) is retried until it does.
      {.name = "AYoungEventAboutAPodNotKnownYetComesBackOnceItIs",
       .host_before = {HostEvent("ev1", "Pod", host_pod, "pulled image for pod vc-t1/" + host_pod,
                                 1, "2099-01-01T00:00:00Z")},
       .virtual_after = {NoneOf(r::kEvents, "shop")},
       // The virtual pod first, unbound: a host pod seen alone, or a bound pod without its host
       // pod, would be taken for one whose other side was deleted.
       .then = {{.changes = {{Side::kVirtual, {r::kPods, Pod(VirtualMeta("shop", "web"))}},
                             {Side::kHost, HostWeb()[0]}},
                 .virtual_after = {Has("shop", "", virtual_pulled)}}}},
      {.name = "AnEventAboutAHostPodMadeWhileRunningComesBack",
       .virtual_before = RunningWeb(),
       .host_before = HostWeb(),
       .then = {{.changes = {{Side::kHost, pulled}},
                 .virtual_after = {Has("shop", "", virtual_pulled)}}}},
  };
}

const std::vector<KindRows>& Table() {
  static const std::vector<KindRows> table = {
      {"EventsFromHost", &r::kEvents, nullptr, PodSyncers(/*events=*/true), Cases()}};
  return table;
}

INSTANTIATE_TEST_SUITE_P(Events, KindTableTest, ::testing::ValuesIn(CasesOf(Table())), CaseName);

}  // namespace
}  // namespace vc::syncer::sync::table
