// SPDX-License-Identifier: Apache-2.0
// Table tests of EndpointsSyncer (endpoints_syncer.h) in the harness of kind_table.h: the
// Endpoints of a selector-less virtual Service get a host copy (targetRefs to pods naming the
// host pods, others dropped); a Service with a selector, refused or deleted has none; below
// trust level high only the tenant's own pods' addresses go (and an Event names the rest);
// the host controller's Endpoints are replaced once the Service loses its selector; a copy
// changed on the host is put back; Endpoints lost with a Service the syncer recreated for the
// host's ClusterIP are put back. Expected values are written out from endpoints_translator.h.
#include <gtest/gtest.h>

#include "kind_table.h"
#include "kind_table_objects.h"
#include "vc/syncer/sync/endpoints_syncer.h"
#include "vc/syncer/sync/service_syncer.h"

namespace vc::syncer::sync::table {
namespace {

using nlohmann::json;
namespace r = kube::resources;

const json kPorts = {{{"name", "pg"}, {"port", 5432}, {"protocol", "TCP"}}};

Obj Service(const std::string& ip, const json& selector = nullptr, const std::string& type = "") {
  json spec = {{"clusterIP", ip}, {"clusterIPs", {ip}}, {"ports", kPorts}};
  if (!selector.is_null()) spec["selector"] = selector;
  if (!type.empty()) spec["type"] = type;
  return {r::kServices,
          {{"kind", "Service"}, {"metadata", VirtualMeta("shop", "db")}, {"spec", spec}}};
}

// An address of virtual Endpoints, pointing at pod `pod` ("": no targetRef).
json Address(const std::string& ip, const std::string& pod = "") {
  json a = {{"ip", ip}, {"nodeName", "node-1"}};
  if (!pod.empty()) {
    a["targetRef"] = {{"kind", "Pod"},
                      {"name", pod},
                      {"namespace", "shop"},
                      {"uid", "uid-" + pod},
                      {"resourceVersion", "7"}};
  }
  return a;
}

json Endpoints(json meta, const std::vector<json>& addresses) {
  return {{"kind", "Endpoints"},
          {"metadata", std::move(meta)},
          {"subsets", {{{"addresses", addresses}, {"ports", kPorts}}}}};
}

// The host copy's subsets for `addresses` as they are on the host.
json HostSubsets(const std::vector<json>& addresses) {
  return {{{"addresses", addresses}, {"ports", kPorts}}};
}

json HostAddress(const std::string& ip, const std::string& pod = "") {
  json a = {{"ip", ip}, {"nodeName", "node-1"}};
  if (!pod.empty()) {
    a["targetRef"] = {{"kind", "Pod"}, {"name", Host(pod, "shop")}, {"namespace", "vc-t1"}};
  }
  return a;
}

const json kWeb = {{"app", "db"}};

std::vector<KindCase> CopyCases() {
  json other_ref = Address("10.0.0.9");
  other_ref["targetRef"] = {{"kind", "Node"}, {"name", "node-1"}};
  return {
      {.name = "SelectorlessServicesEndpointsAreCopied",
       .virtual_before = {Service("10.96.0.30"),
                          Endpoints(VirtualMeta("shop", "db", {{"tier", "db"}}),
                                    {Address("10.0.0.5", "db-0")})},
       .host_after = {Has("vc-t1", Host("db", "shop"),
                          {{"metadata",
                            {{"labels", OurLabels("shop", {{"label.kubectl-vc.dev/tier", "db"}})},
                             {"annotations", OurAnnotations("shop", "db", "uid-db")}}},
                           {"subsets", HostSubsets({HostAddress("10.0.0.5", "db-0")})}})}},
      {.name = "TargetRefToAnythingButAPodIsDropped",
       .virtual_before = {Service("10.96.0.30"), Endpoints(VirtualMeta("shop", "db"), {other_ref})},
       .host_after = {Has("vc-t1", Host("db", "shop"),
                          {{"subsets", HostSubsets({HostAddress("10.0.0.9")})}})}},
      {.name = "ServiceWithASelectorGetsNoCopy",
       .virtual_before = {Service("10.96.0.30", kWeb),
                          Endpoints(VirtualMeta("shop", "db"), {Address("10.0.0.5", "db-0")})},
       .host_after = {Absent("vc-t1", Host("db", "shop"))}},
      {.name = "EndpointsWithoutAServiceGetNoCopy",
       .virtual_before = {Endpoints(VirtualMeta("shop", "db"), {Address("10.0.0.5")})},
       .host_after = {Absent("vc-t1", Host("db", "shop"))}},
      {.name = "RefusedServiceTypeGetsNoCopy",
       .virtual_before = {Service("10.96.0.30", nullptr, "LoadBalancer"),
                          Endpoints(VirtualMeta("shop", "db"), {Address("10.0.0.5")})},
       .host_after = {Absent("vc-t1", Host("db", "shop"))},
       .configure = [](translate::SyncConfig* c) { c->service_types = {"ClusterIP"}; }},
  };
}

json OwnHostPod(const std::string& ip) {
  json meta = CopyMeta("shop", "db-0");
  return {{"kind", "Pod"},
          {"metadata", meta},
          {"spec", {{"containers", {{{"name", "pg"}, {"image", "postgres"}}}}}},
          {"status", {{"phase", "Running"}, {"podIP", ip}, {"podIPs", {{{"ip", ip}}}}}}};
}

json AddressRefused() {
  return {{"reason", "EndpointAddressRefused"},
          {"type", "Warning"},
          {"involvedObject", {{"kind", "Endpoints"}, {"name", "db"}}}};
}

std::vector<KindCase> TrustCases() {
  const std::vector<json> both = {Address("10.0.0.5", "db-0"), Address("192.168.1.1")};
  return {
      {.name = "AtTrustHighEveryAddressIsCopied",
       .virtual_before = {Service("10.96.0.30"), Endpoints(VirtualMeta("shop", "db"), both)},
       .host_after = {Has("vc-t1", Host("db", "shop"),
                          {{"subsets", HostSubsets({HostAddress("10.0.0.5", "db-0"),
                                                    HostAddress("192.168.1.1")})}})},
       .virtual_after = {NoneOf(r::kEvents, "shop")}},
      {.name = "BelowTrustHighOnlyTheTenantsOwnPodsAddressesAreCopied",
       .virtual_before = {Service("10.96.0.30"), Endpoints(VirtualMeta("shop", "db"), both)},
       .host_before = {{r::kPods, OwnHostPod("10.0.0.5")}},
       .host_after = {Has("vc-t1", Host("db", "shop"),
                          {{"subsets", HostSubsets({HostAddress("10.0.0.5", "db-0")})}})},
       .virtual_after = {HasOf(r::kEvents, "shop", "", AddressRefused())},
       .trust_level = "partial"},
      {.name = "BelowTrustHighAnAddressOfNoPodLeavesNoSubset",
       .virtual_before = {Service("10.96.0.30"),
                          Endpoints(VirtualMeta("shop", "db"), {Address("192.168.1.1")})},
       .host_after = {Has("vc-t1", Host("db", "shop"), {{"subsets", nullptr}})},
       .virtual_after = {HasOf(r::kEvents, "shop", "", AddressRefused())},
       .trust_level = "zero"},
      {.name = "BelowTrustHighAPodThatGetsTheAddressLaterLetsItThrough",
       .virtual_before = {Service("10.96.0.30"),
                          Endpoints(VirtualMeta("shop", "db"), {Address("10.0.0.5", "db-0")})},
       .host_after = {Has("vc-t1", Host("db", "shop"), {{"subsets", nullptr}})},
       .then = {{.changes = {{Side::kHost, {r::kPods, OwnHostPod("10.0.0.5")}}},
                 .host_after = {Has(
                     "vc-t1", Host("db", "shop"),
                     {{"subsets", HostSubsets({HostAddress("10.0.0.5", "db-0")})}})}}},
       .trust_level = "partial"},
  };
}

std::vector<KindCase> HostSideCases() {
  json ours = Endpoints(CopyMeta("shop", "db"), {HostAddress("10.0.0.5", "db-0")});
  json controllers = Endpoints(
      CopyMeta("shop", "db", {{"endpoints.kubernetes.io/managed-by", "endpoint-controller"}}),
      {HostAddress("10.1.1.1")});
  json changed = Endpoints(CopyMeta("shop", "db"), {HostAddress("10.6.6.6")});
  return {
      {.name = "ServiceGainingASelectorLosesTheCopy",
       .virtual_before = {Service("10.96.0.30", kWeb),
                          Endpoints(VirtualMeta("shop", "db"), {Address("10.0.0.5", "db-0")})},
       .host_before = {ours},
       .host_after = {Absent("vc-t1", Host("db", "shop"))}},
      {.name = "DeletedServiceLosesTheCopy",
       .virtual_before = {Endpoints(VirtualMeta("shop", "db"), {Address("10.0.0.5", "db-0")})},
       .host_before = {ours},
       .host_after = {Absent("vc-t1", Host("db", "shop"))}},
      {.name = "HostControllersEndpointsAreLeftWhileTheServiceHasASelector",
       .virtual_before = {Service("10.96.0.30", kWeb)},
       .host_before = {controllers},
       .host_after = {Has("vc-t1", Host("db", "shop"),
                          {{"subsets", HostSubsets({HostAddress("10.1.1.1")})}})}},
      {.name = "HostControllersEndpointsAreReplacedOnceTheServiceLosesItsSelector",
       .virtual_before = {Service("10.96.0.30"),
                          Endpoints(VirtualMeta("shop", "db"), {Address("10.0.0.5", "db-0")})},
       .host_before = {controllers},
       .host_after = {Has(
           "vc-t1", Host("db", "shop"),
           {{"metadata", {{"labels", {{"endpoints.kubernetes.io/managed-by", nullptr}}}}},
            {"subsets", HostSubsets({HostAddress("10.0.0.5", "db-0")})}})}},
      {.name = "CopyChangedOnTheHostIsPutBack",
       .virtual_before = {Service("10.96.0.30"),
                          Endpoints(VirtualMeta("shop", "db"), {Address("10.0.0.5", "db-0")})},
       .host_before = {changed},
       .host_after = {Has("vc-t1", Host("db", "shop"),
                          {{"subsets", HostSubsets({HostAddress("10.0.0.5", "db-0")})}})}},
      {.name = "CopyDeletedOnTheHostIsPutBack",
       .virtual_before = {Service("10.96.0.30"),
                          Endpoints(VirtualMeta("shop", "db"), {Address("10.0.0.5", "db-0")})},
       .host_after = {Has("vc-t1", Host("db", "shop"),
                          {{"subsets", HostSubsets({HostAddress("10.0.0.5", "db-0")})}})},
       .then = {{.changes = {{Side::kHost, ours, true}},
                 .host_after = {Has(
                     "vc-t1", Host("db", "shop"),
                     {{"subsets", HostSubsets({HostAddress("10.0.0.5", "db-0")})}})}}}},
  };
}

// The service syncer recreates the virtual Service with the host's ClusterIP; the virtual
// endpoints controller then deletes its Endpoints (the fake has none: the step does it).
KindCase RecreationCase() {
  json host_service = {
      {"kind", "Service"},
      {"metadata", CopyMeta("shop", "db")},
      {"spec", {{"clusterIP", "10.96.7.7"}, {"clusterIPs", {"10.96.7.7"}}, {"ports", kPorts}}}};
  json endpoints = Endpoints(VirtualMeta("shop", "db"), {Address("10.0.0.5", "db-0")});
  return {
      .name = "EndpointsLostWithTheRecreatedServiceArePutBack",
      .virtual_before = {Service("10.96.0.30"), endpoints},
      .host_before = {{r::kServices, host_service}},
      .host_after = {Has("vc-t1", Host("db", "shop"),
                         {{"subsets", HostSubsets({HostAddress("10.0.0.5", "db-0")})}})},
      .virtual_after = {HasOf(r::kServices, "shop", "db",
                              {{"spec", {{"clusterIP", "10.96.7.7"}}}})},
      .then = {{.changes = {{Side::kVirtual, endpoints, true}},
                .host_after = {Has("vc-t1", Host("db", "shop"),
                                   {{"subsets", HostSubsets({HostAddress("10.0.0.5", "db-0")})}})},
                .virtual_after = {Has(
                    "shop", "db",
                    {{"subsets",
                      {{{"addresses", {Address("10.0.0.5", "db-0")}}, {"ports", kPorts}}}}})}}}};
}

const std::vector<KindRows>& Table() {
  static const std::vector<KindRows> table = [] {
    std::vector<KindCase> cases;
    for (auto part : {CopyCases(), TrustCases(), HostSideCases(), std::vector{RecreationCase()}}) {
      cases.insert(cases.end(), part.begin(), part.end());
    }
    // As run_command.cpp wires them: the service syncer calls into the endpoints syncer.
    MakeSyncers make = [](const std::shared_ptr<const SyncContext>& ctx) {
      auto endpoints = std::make_unique<EndpointsSyncer>(ctx);
      auto services = std::make_unique<ServiceSyncer>(ctx);
      services->SetEndpoints(endpoints.get());
      std::vector<std::unique_ptr<KindSyncer>> out;
      out.push_back(std::move(endpoints));
      out.push_back(std::move(services));
      return out;
    };
    return std::vector<KindRows>{{"Endpoints", &r::kEndpoints, nullptr, make, std::move(cases)}};
  }();
  return table;
}

INSTANTIATE_TEST_SUITE_P(Endpoints, KindTableTest, ::testing::ValuesIn(CasesOf(Table())), CaseName);

}  // namespace
}  // namespace vc::syncer::sync::table
