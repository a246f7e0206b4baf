// SPDX-License-Identifier: Apache-2.0
// Table tests of ServiceSyncer (service_syncer.h) in the harness of kind_table.h: a virtual
// Service goes to the host asking for the virtual ClusterIP, its selector translated (and
// removed when the virtual one is); an address the host picked instead is taken into the
// virtual Service by recreating it; headless stays headless; a type the values forbid gets an
// Event and no host copy. Expected values are written out from object_translator.h and
// host_policy.h. Not here: a node port the host refuses (taken there) and the virtual Service
// taking the host's: the fake allocates no ports and refuses none.
#include <gtest/gtest.h>

#include "kind_table.h"
#include "kind_table_objects.h"
#include "vc/syncer/sync/service_syncer.h"

namespace vc::syncer::sync::table {
namespace {

using nlohmann::json;
namespace r = kube::resources;

json Service(json meta, json spec) {
  return {{"kind", "Service"}, {"metadata", std::move(meta)}, {"spec", std::move(spec)}};
}

const json kPorts = {{{"name", "http"}, {"port", 80}, {"targetPort", 8080}, {"protocol", "TCP"}}};

json Spec(const std::string& ip, const json& selector = {{"app", "web"}}) {
  json spec = {{"type", "ClusterIP"}, {"clusterIP", ip}, {"clusterIPs", {ip}}, {"ports", kPorts}};
  if (!selector.is_null()) spec["selector"] = selector;
  return spec;
}

// The host selector of virtual selector {app: web} in namespace shop (names.h HostSelector).
json HostSelector(const std::string& app = "web") {
  return {{"label.kubectl-vc.dev/app", app},
          {"kubectl-vc.dev/tenant", "t1"},
          {"kubectl-vc.dev/component", "workload"},
          {"kubectl-vc.dev/object-namespace", "shop"}};
}

json NodePortSpec(int node_port) {
  return {
      {"type", "NodePort"},
      {"clusterIP", "10.96.0.20"},
      {"clusterIPs", {"10.96.0.20"}},
      {"selector", {{"app", "web"}}},
      {"ports", {{{"name", "http"}, {"port", 80}, {"protocol", "TCP"}, {"nodePort", node_port}}}}};
}

std::vector<KindCase> CreateCases() {
  json load_balancer = Spec("10.96.0.20");
  load_balancer["type"] = "LoadBalancer";
  load_balancer["ports"][0]["nodePort"] = 30080;
  return {
      {.name = "NewServiceIsCreatedAskingForTheVirtualClusterIp",
       .virtual_before = {Service(VirtualMeta("shop", "web", {{"tier", "front"}}),
                                  Spec("10.96.0.20"))},
       .host_after = {Has(
           "vc-t1", Host("web", "shop"),
           {{"metadata",
             {{"labels", OurLabels("shop", {{"label.kubectl-vc.dev/tier", "front"}})},
              {"annotations", OurAnnotations("shop", "web", "uid-web")}}},
            {"spec",
             {{"clusterIP", "10.96.0.20"},
              {"clusterIPs", {"10.96.0.20"}},
              {"selector", HostSelector()},
              {"ports", kPorts}}}})},
       .virtual_after = {Has("shop", "web",
                             {{"metadata", {{"uid", "uid-web"}}}, {"spec", Spec("10.96.0.20")}})}},
      {.name = "HeadlessServiceStaysHeadless",
       .virtual_before = {Service(VirtualMeta("shop", "db"), Spec("None"))},
       .host_after = {Has("vc-t1", Host("db", "shop"),
                          {{"spec", {{"clusterIP", "None"}, {"selector", HostSelector()}}}})},
       .virtual_after = {Has(
           "shop", "db", {{"metadata", {{"uid", "uid-db"}}}, {"spec", {{"clusterIP", "None"}}}})}},
      {.name = "ServiceWithoutASelectorHasNoneOnTheHost",
       .virtual_before = {Service(VirtualMeta("shop", "db"), Spec("10.96.0.30", nullptr))},
       .host_after = {Has("vc-t1", Host("db", "shop"),
                          {{"spec", {{"clusterIP", "10.96.0.30"}, {"selector", nullptr}}}})}},
      {.name = "LoadBalancerOpensNoHostNodePortsWhenNodePortIsNotAllowed",
       .virtual_before = {Service(VirtualMeta("shop", "web"), load_balancer)},
       .host_after = {Has("vc-t1", Host("web", "shop"),
                          {{"spec",
                            {{"type", "LoadBalancer"},
                             {"allocateLoadBalancerNodePorts", false},
                             {"ports", kPorts}}}})},
       .configure =
           [](translate::SyncConfig* c) {
             c->service_types = {"ClusterIP", "LoadBalancer"};
           }},
      {.name = "HostServiceOfTheSameNameThatIsNotOursIsLeftAlone",
       .virtual_before = {Service(VirtualMeta("shop", "web"), Spec("10.96.0.20"))},
       .host_before = {Service(ForeignMeta(Host("web", "shop")), Spec("10.96.0.20", nullptr))},
       .host_after = {Has("vc-t1", Host("web", "shop"),
                          {{"metadata", {{"labels", {{"owner", "host-admin"}}}}},
                           {"spec", {{"selector", nullptr}}}})}},
  };
}

std::vector<KindCase> ChangeCases() {
  json host_copy = Service(CopyMeta("shop", "web"), Spec("10.96.0.20", HostSelector()));
  return {
      {.name = "SelectorChangeIsTranslated",
       .virtual_before = {Service(VirtualMeta("shop", "web"),
                                  Spec("10.96.0.20", {{"app", "api"}}))},
       .host_before = {host_copy},
       .host_after = {Has("vc-t1", Host("web", "shop"),
                          {{"spec",
                            {{"selector",
                              {{"label.kubectl-vc.dev/app", "api"},
                               {"kubectl-vc.dev/object-namespace", "shop"}}}}}})}},
      {.name = "SelectorRemovedInTheVirtualClusterIsRemovedOnTheHost",
       .virtual_before = {Service(VirtualMeta("shop", "web"), Spec("10.96.0.20", nullptr))},
       .host_before = {host_copy},
       .host_after = {Has("vc-t1", Host("web", "shop"), {{"spec", {{"selector", nullptr}}}})}},
      {.name = "SelectorKeyRemovedInTheVirtualClusterIsRemovedOnTheHost",
       .virtual_before = {Service(VirtualMeta("shop", "web"), Spec("10.96.0.20"))},
       .host_before = {Service(CopyMeta("shop", "web"), Spec("10.96.0.20",
                                                             [] {
                                                               json s = HostSelector();
                                                               s["label.kubectl-vc.dev/tier"] =
                                                                   "front";
                                                               return s;
                                                             }()))},
       .host_after = {Has(
           "vc-t1", Host("web", "shop"),
           {{"spec",
             {{"selector",
               {{"label.kubectl-vc.dev/tier", nullptr}, {"label.kubectl-vc.dev/app", "web"}}}}}})}},
      {.name = "HostClusterIpIsTakenByRecreatingTheVirtualService",
       .virtual_before = {Service(VirtualMeta("shop", "web", {{"tier", "front"}}),
                                  Spec("10.96.0.20"))},
       .host_before = {Service(CopyMeta("shop", "web", {{"label.kubectl-vc.dev/tier", "front"}}),
                               Spec("10.96.7.7", HostSelector()))},
       .host_after = {Has("vc-t1", Host("web", "shop"), {{"spec", {{"clusterIP", "10.96.7.7"}}}})},
       .virtual_after = {Has(
           "shop", "web",
           {{"metadata", {{"labels", {{"tier", "front"}}}}}, {"spec", Spec("10.96.7.7")}})}},
      {.name = "NodePortTheVirtualServiceHasIsAskedForOnTheHost",
       .virtual_before = {Service(VirtualMeta("shop", "web"), NodePortSpec(30080))},
       .host_after = {Has("vc-t1", Host("web", "shop"),
                          {{"spec",
                            {{"type", "NodePort"},
                             {"ports", NodePortSpec(30080)["ports"]},
                             {"selector", HostSelector()}}}})},
       .virtual_after = {Has("shop", "web",
                             {{"metadata", {{"uid", "uid-web"}}}, {"spec", NodePortSpec(30080)}})}},
      {.name = "ASelectorChangedWhileRunningIsFollowed",
       .virtual_before = {Service(VirtualMeta("shop", "web"), Spec("10.96.0.20"))},
       .host_after = {Has("vc-t1", Host("web", "shop"),
                          {{"spec", {{"selector", HostSelector()}}}})},
       .then = {{.changes = {{Side::kVirtual, Service(VirtualMeta("shop", "web"),
                                                      Spec("10.96.0.20", {{"app", "api"}}))}},
                 .host_after = {Has("vc-t1", Host("web", "shop"),
                                    {{"spec", {{"selector", HostSelector("api")}}}})}}}},
  };
}

std::vector<KindCase> RemovalCases() {
  json load_balancer = Spec("10.96.0.20");
  load_balancer["type"] = "LoadBalancer";
  return {
      {.name = "HostCopyOfADeletedServiceIsDeleted",
       .host_before = {Service(CopyMeta("shop", "web"), Spec("10.96.0.20", HostSelector()))},
       .host_after = {Absent("vc-t1", Host("web", "shop"))}},
      {.name = "TypeTheValuesForbidGetsAnEventAndNoHostCopy",
       .virtual_before = {Service(VirtualMeta("shop", "web"), load_balancer)},
       .host_after = {Absent("vc-t1", Host("web", "shop"))},
       .virtual_after = {HasOf(r::kEvents, "shop", "", Refused("web"))},
       .configure = [](translate::SyncConfig* c) { c->service_types = {"ClusterIP"}; }},
      {.name = "RefusedServiceLosesItsHostCopy",
       .virtual_before = {Service(VirtualMeta("shop", "web"), load_balancer)},
       .host_before = {Service(CopyMeta("shop", "web"), Spec("10.96.0.20", HostSelector()))},
       .host_after = {Absent("vc-t1", Host("web", "shop"))},
       .virtual_after = {HasOf(r::kEvents, "shop", "", Refused("web"))},
       .configure = [](translate::SyncConfig* c) { c->service_types = {"ClusterIP"}; }},
      {.name = "ExternalIpsAreRefusedAtEveryTrustLevel",
       .virtual_before = {Service(VirtualMeta("shop", "web"),
                                  [] {
                                    json s = Spec("10.96.0.20");
                                    s["externalIPs"] = {"203.0.113.9"};
                                    return s;
                                  }())},
       .host_after = {Absent("vc-t1", Host("web", "shop"))},
       .virtual_after = {HasOf(r::kEvents, "shop", "", Refused("web"))}},
  };
}

const std::vector<KindRows>& Table() {
  static const std::vector<KindRows> table = [] {
    std::vector<KindCase> cases;
    for (auto part : {CreateCases(), ChangeCases(), RemovalCases()}) {
      cases.insert(cases.end(), part.begin(), part.end());
    }
    MakeSyncers make = [](const std::shared_ptr<const SyncContext>& ctx) {
      std::vector<std::unique_ptr<KindSyncer>> out;
      out.push_back(std::make_unique<ServiceSyncer>(ctx));
      return out;
    };
    return std::vector<KindRows>{{"Services", &r::kServices, nullptr, make, std::move(cases)}};
  }();
  return table;
}

INSTANTIATE_TEST_SUITE_P(Services, KindTableTest, ::testing::ValuesIn(CasesOf(Table())), CaseName);

}  // namespace
}  // namespace vc::syncer::sync::table
