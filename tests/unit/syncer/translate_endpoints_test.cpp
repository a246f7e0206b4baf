// SPDX-License-Identifier: Apache-2.0
// Endpoints of selector-less Services: the host copy, which Services get one, and the plan
// that converges the host side, table-driven over {virtual Service, virtual Endpoints, host
// Endpoints before} -> action.
#include <gtest/gtest.h>

#include "vc/syncer/translate/endpoints_translator.h"
#include "vc/syncer/translate/object_translator.h"

namespace vc::syncer::translate {
namespace {

using nlohmann::json;
using Action = EndpointsPlan::Action;

const Tenant kTenant{.name = "t1", .host_namespace = "vcluster-t1", .trust_level = "partial"};

json Service(json spec) {
  return {{"apiVersion", "v1"},
          {"kind", "Service"},
          {"metadata", {{"name", "db"}, {"namespace", "shop"}, {"uid", "svc-uid"}}},
          {"spec", std::move(spec)}};
}

const json kSelectorless = Service({{"ports", {{{"port", 5432}}}}});

const json kVirtualEndpoints = json::parse(R"({
  "apiVersion": "v1", "kind": "Endpoints",
  "metadata": {"name": "db", "namespace": "shop", "uid": "ep-uid", "resourceVersion": "7",
               "labels": {"team": "data"},
               "annotations": {"note": "external primary"}},
  "subsets": [{
    "addresses": [
      {"ip": "192.0.2.10"},
      {"ip": "10.244.1.5", "nodeName": "worker-2", "hostname": "replica",
       "targetRef": {"kind": "Pod", "name": "pg-0", "namespace": "shop", "uid": "pod-uid",
                     "resourceVersion": "42"}},
      {"ip": "10.244.1.6", "targetRef": {"kind": "Pod", "name": "pg-1", "namespace": "other"}},
      {"ip": "10.244.1.7", "targetRef": {"kind": "Node", "name": "worker-1"}}],
    "notReadyAddresses": [
      {"ip": "10.244.1.8", "targetRef": {"kind": "Pod", "name": "pg-2", "namespace": "shop"}}],
    "ports": [{"name": "pg", "port": 5432, "protocol": "TCP"}]}]})");

TEST(SyncerTranslateEndpointsTest, HostCopyNamesTheHostServiceAndHostPods) {
  const json h = TranslateEndpoints(kVirtualEndpoints, kTenant);
  const json& meta = h["metadata"];
  // The host Service's name, so the host's mirroring controller and kube-proxy pair them.
  EXPECT_EQ(meta["name"], TranslateService(kSelectorless, kTenant)["metadata"]["name"]);
  EXPECT_EQ(meta["name"], "db-x-shop-x-t1");
  EXPECT_EQ(meta["namespace"], "vcluster-t1");
  EXPECT_FALSE(meta.contains("uid"));
  EXPECT_FALSE(meta.contains("resourceVersion"));
  EXPECT_EQ(meta["labels"]["kubectl-vc.dev/tenant"], "t1");
  EXPECT_EQ(meta["labels"]["kubectl-vc.dev/component"], "workload");
  EXPECT_EQ(meta["labels"]["kubectl-vc.dev/trust-level"], "partial");
  EXPECT_EQ(meta["labels"]["label.kubectl-vc.dev/team"], "data");
  EXPECT_FALSE(meta["labels"].contains("team"));
  EXPECT_EQ(meta["annotations"]["kubectl-vc.dev/object-name"], "db");
  EXPECT_EQ(meta["annotations"]["kubectl-vc.dev/object-namespace"], "shop");
  EXPECT_EQ(meta["annotations"]["kubectl-vc.dev/object-uid"], "ep-uid");
  EXPECT_EQ(meta["annotations"]["note"], "external primary");

  const json& subset = h["subsets"][0];
  EXPECT_EQ(subset["ports"], kVirtualEndpoints["subsets"][0]["ports"]);
  const json& a = subset["addresses"];
  ASSERT_EQ(a.size(), 4u);
  EXPECT_EQ(a[0], json({{"ip", "192.0.2.10"}}));  // external: as it is
  EXPECT_EQ(a[1], json::parse(R"({"ip": "10.244.1.5", "nodeName": "worker-2",
    "hostname": "replica",
    "targetRef": {"kind": "Pod", "name": "pg-0-x-shop-x-t1", "namespace": "vcluster-t1"}})"));
  // A pod of another virtual namespace keeps its own namespace in the host name.
  EXPECT_EQ(a[2]["targetRef"]["name"], "pg-1-x-other-x-t1");
  EXPECT_EQ(a[2]["targetRef"]["namespace"], "vcluster-t1");
  // Not a pod: the host has no such object under that name; the address stays.
  EXPECT_EQ(a[3], json({{"ip", "10.244.1.7"}}));
  EXPECT_EQ(subset["notReadyAddresses"][0]["targetRef"]["name"], "pg-2-x-shop-x-t1");
}

// CVE-2021-25740: below trust level high only the tenant's own pods' addresses reach the host.
TEST(SyncerTranslateEndpointsTest, BelowHighTrustOnlyTheTenantsOwnPodsAddressesGoToTheHost) {
  SyncConfig partial;
  partial.trust_level = "partial";
  const EndpointAddressFilter own =
      FilterForTrustLevel(partial, {"10.244.1.5", "10.244.1.8"});  // pg-0 and pg-2 are its pods
  const json h = TranslateEndpoints(kVirtualEndpoints, kTenant, own);
  ASSERT_EQ(h["subsets"].size(), 1u);
  const json& subset = h["subsets"][0];
  ASSERT_EQ(subset["addresses"].size(), 1u);
  EXPECT_EQ(subset["addresses"][0]["ip"], "10.244.1.5");
  EXPECT_EQ(subset["addresses"][0]["targetRef"]["name"], "pg-0-x-shop-x-t1");
  ASSERT_EQ(subset["notReadyAddresses"].size(), 1u);
  EXPECT_EQ(subset["ports"], kVirtualEndpoints["subsets"][0]["ports"]);
  EXPECT_EQ(RefusedEndpointAddresses(kVirtualEndpoints, own),
            (std::vector<std::string>{"192.0.2.10", "10.244.1.6", "10.244.1.7"}));

  // None of its pods: no subset at all (the API refuses one without addresses), all refused.
  SyncConfig zero;
  zero.trust_level = "zero";
  const EndpointAddressFilter none = FilterForTrustLevel(zero, {});
  EXPECT_FALSE(TranslateEndpoints(kVirtualEndpoints, kTenant, none).contains("subsets"));
  EXPECT_EQ(RefusedEndpointAddresses(kVirtualEndpoints, none).size(), 5u);
  const json plan_object =
      PlanHostEndpoints(kSelectorless, kVirtualEndpoints, std::nullopt, zero, kTenant, none).object;
  EXPECT_FALSE(plan_object.contains("subsets")) << plan_object.dump();

  // High: as written, deliberately.
  SyncConfig high;
  high.trust_level = "high";
  const EndpointAddressFilter any = FilterForTrustLevel(high, {});
  EXPECT_EQ(TranslateEndpoints(kVirtualEndpoints, kTenant, any)["subsets"][0]["addresses"].size(),
            4u);
  EXPECT_TRUE(RefusedEndpointAddresses(kVirtualEndpoints, any).empty());
}

TEST(SyncerTranslateEndpointsTest, EmptyEndpointsHaveNoSubsets) {
  json v = kVirtualEndpoints;
  v.erase("subsets");
  EXPECT_FALSE(TranslateEndpoints(v, kTenant).contains("subsets"));
  v["subsets"] = json::array();
  EXPECT_FALSE(TranslateEndpoints(v, kTenant).contains("subsets"));
}

TEST(SyncerTranslateEndpointsTest, OnlySelectorlessSyncedServices) {
  SyncConfig config;
  EXPECT_TRUE(SyncsEndpoints(kSelectorless, config));
  EXPECT_TRUE(SyncsEndpoints(Service({{"selector", json::object()}}), config));
  EXPECT_TRUE(SyncsEndpoints(Service({{"selector", nullptr}}), config));
  EXPECT_FALSE(SyncsEndpoints(Service({{"selector", {{"app", "pg"}}}}), config));
  json kubernetes = kSelectorless;
  kubernetes["metadata"]["namespace"] = "default";
  kubernetes["metadata"]["name"] = "kubernetes";
  EXPECT_FALSE(SyncsEndpoints(kubernetes, config));
  // A type the values refuse has no host Service for the Endpoints to serve.
  config.service_types = {"ClusterIP"};
  EXPECT_FALSE(SyncsEndpoints(Service({{"type", "NodePort"}}), config));
}

TEST(SyncerTranslateEndpointsTest, HostControllerEndpointsAreNotOurs) {
  const json ours = TranslateEndpoints(kVirtualEndpoints, kTenant);
  EXPECT_TRUE(IsSyncedEndpoints(ours));
  // The host's endpoints controller, once the host Service has a selector, updates the
  // Endpoints in place: our annotations stay, its label comes.
  json taken = ours;
  taken["metadata"]["labels"]["endpoints.kubernetes.io/managed-by"] = "endpoint-controller";
  EXPECT_FALSE(IsSyncedEndpoints(taken));
  EXPECT_FALSE(IsSyncedEndpoints(json::parse(
      R"({"metadata": {"name": "db-x-shop-x-t1", "labels": {"kubectl-vc.dev/tenant": "t1"}}})")));
}

TEST(SyncerTranslateEndpointsTest, PlanConvergesTheHostSide) {
  const SyncConfig config;
  const json ours = TranslateEndpoints(kVirtualEndpoints, kTenant);
  json stale = ours;
  stale["subsets"][0]["addresses"] = json::array({{{"ip", "192.0.2.99"}}});
  json host_controllers = ours;
  host_controllers["metadata"]["labels"]["endpoints.kubernetes.io/managed-by"] =
      "endpoint-controller";
  json deleting = kVirtualEndpoints;
  deleting["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z";
  const json with_selector = Service({{"selector", {{"app", "pg"}}}});
  json recreated = kVirtualEndpoints;  // same content, new uid
  recreated["metadata"]["uid"] = "ep-uid-2";
  const std::optional<json> none;

  struct Case {
    const char* what;
    std::optional<json> service, endpoints, host;
    Action want;
  };
  const std::vector<Case> cases = {
      {"new endpoints", kSelectorless, kVirtualEndpoints, none, Action::kCreate},
      {"in sync", kSelectorless, kVirtualEndpoints, ours, Action::kNothing},
      {"changed on either side", kSelectorless, kVirtualEndpoints, stale, Action::kPatch},
      {"virtual endpoints recreated", kSelectorless, recreated, ours, Action::kPatch},
      {"service without endpoints yet", kSelectorless, none, none, Action::kNothing},
      {"endpoints before their service", none, kVirtualEndpoints, none, Action::kNothing},
      {"virtual endpoints deleted", kSelectorless, none, ours, Action::kDelete},
      {"virtual endpoints being deleted", kSelectorless, deleting, ours, Action::kDelete},
      {"virtual service deleted", none, kVirtualEndpoints, ours, Action::kDelete},
      {"service gained a selector", with_selector, kVirtualEndpoints, ours, Action::kDelete},
      {"selector service, host controller's", with_selector, kVirtualEndpoints, host_controllers,
       Action::kNothing},
      {"service lost its selector", kSelectorless, kVirtualEndpoints, host_controllers,
       Action::kReplace},
      {"gone everywhere, host controller's left", none, none, host_controllers, Action::kNothing},
  };
  for (const auto& c : cases) {
    const EndpointsPlan plan = PlanHostEndpoints(c.service, c.endpoints, c.host, config, kTenant);
    EXPECT_EQ(plan.action, c.want) << c.what;
    if (c.want == Action::kCreate || c.want == Action::kReplace) {
      EXPECT_EQ(plan.object, ours) << c.what;
    }
  }

  // A patch puts back the subsets as a whole and the virtual identity.
  EXPECT_EQ(PlanHostEndpoints(kSelectorless, kVirtualEndpoints, stale, config, kTenant).object,
            json({{"subsets", ours["subsets"]}}));
  EXPECT_EQ(
      PlanHostEndpoints(kSelectorless, recreated, ours, config, kTenant).object,
      json::parse(R"({"metadata": {"annotations": {"kubectl-vc.dev/object-uid": "ep-uid-2"}}})"));
  // Emptied in the virtual cluster: emptied on the host.
  json emptied = kVirtualEndpoints;
  emptied.erase("subsets");
  EXPECT_EQ(PlanHostEndpoints(kSelectorless, emptied, ours, config, kTenant).object,
            json({{"subsets", nullptr}}));
}

TEST(SyncerTranslateEndpointsTest, PutBackCopyHasNoServerFields) {
  json v = kVirtualEndpoints;
  v["metadata"]["creationTimestamp"] = "2026-01-01T00:00:00Z";
  v["metadata"]["managedFields"] = json::array({{{"manager", "kubectl"}}});
  const json again = RecreatedEndpoints(v);
  EXPECT_EQ(again["metadata"], json::parse(R"({"name": "db", "namespace": "shop",
    "labels": {"team": "data"}, "annotations": {"note": "external primary"}})"));
  EXPECT_EQ(again["subsets"], kVirtualEndpoints["subsets"]);  // virtual: untranslated
  EXPECT_EQ(again["kind"], "Endpoints");
}

// A slice the tenant wrote by hand for a selector-less Service goes to the host under the
// host Service's name, managed by the syncer; the virtual controllers' slices do not.
TEST(SyncerTranslateEndpointsTest, HandWrittenSlicesAreCopiedUnderTheHostServicesName) {
  const json v = json::parse(R"({
    "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
    "metadata": {"name": "custom-1", "namespace": "shop", "uid": "s-uid",
                 "labels": {"kubernetes.io/service-name": "db",
                            "endpointslice.kubernetes.io/managed-by": "e2e-test"}},
    "addressType": "IPv4",
    "endpoints": [{"addresses": ["10.244.1.5"], "conditions": {"ready": true}, "nodeName": "w1",
                   "targetRef": {"kind": "Pod", "name": "db-0", "uid": "p"}},
                  {"addresses": ["10.244.1.6"], "targetRef": {"kind": "Node", "name": "w1"}}],
    "ports": [{"name": "pg", "port": 5432, "protocol": "TCP"}]})");
  ASSERT_TRUE(SyncsEndpointSlice(v));
  const json h = TranslateEndpointSlice(v, kTenant);
  EXPECT_EQ(h["metadata"]["name"], "custom-1-x-shop-x-t1");
  EXPECT_EQ(h["metadata"]["namespace"], "vcluster-t1");
  EXPECT_EQ(h["metadata"]["labels"]["kubernetes.io/service-name"], "db-x-shop-x-t1");
  EXPECT_EQ(h["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"],
            "vc-syncer.kubectl-vc.dev");
  EXPECT_EQ(h["addressType"], "IPv4");
  EXPECT_EQ(h["ports"], v["ports"]);
  ASSERT_EQ(h["endpoints"].size(), 2u);
  EXPECT_EQ(
      h["endpoints"][0]["targetRef"],
      json::parse(R"({"kind": "Pod", "name": "db-0-x-shop-x-t1", "namespace": "vcluster-t1"})"));
  EXPECT_EQ(h["endpoints"][0]["nodeName"], "w1");
  EXPECT_FALSE(h["endpoints"][1].contains("targetRef"));

  for (const char* manager :
       {"endpointslice-controller.k8s.io", "endpointslicemirroring-controller.k8s.io",
        "vc-syncer.kubectl-vc.dev"}) {
    json managed = v;
    managed["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"] = manager;
    EXPECT_FALSE(SyncsEndpointSlice(managed)) << manager;
  }
  json unnamed = v;
  unnamed["metadata"]["labels"].erase("kubernetes.io/service-name");
  EXPECT_FALSE(SyncsEndpointSlice(unnamed));
}

// Below trust level high a slice is refused whole: its addresses are not checked one by one.
TEST(SyncerTranslateEndpointsTest, HandWrittenSlicesReachTheHostOnlyAtHighTrust) {
  SyncConfig config;
  config.trust_level = "high";
  EXPECT_EQ(EndpointSliceRefusal(json::object(), config), "");
  for (const char* level : {"partial", "zero"}) {
    config.trust_level = level;
    const std::string why = EndpointSliceRefusal(json::object(), config);
    EXPECT_NE(why.find("trust level high"), std::string::npos) << level;
    EXPECT_NE(why.find("write Endpoints instead"), std::string::npos) << level;
  }
}

}  // namespace
}  // namespace vc::syncer::translate
