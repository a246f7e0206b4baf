// SPDX-License-Identifier: Apache-2.0
#include "vc/agent/agent/service_backends.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "vc/labels.h"

namespace vc::agent {
namespace {

using nlohmann::json;

// "10.96.0.10/32 udp/53": one allow entry, for set comparisons.
std::set<std::string> Rules(const std::vector<SharedService>& shared) {
  std::set<std::string> out;
  for (const SharedService& s : shared) {
    out.insert(s.prefix.ToString() + " " + IpProtoName(s.proto) + "/" +
               (s.port == 0 ? "any" : std::to_string(s.port)));
  }
  return out;
}

json Service(const std::string& ns, const std::string& name, const std::string& cluster_ip,
             const json& ports) {
  json spec = {{"clusterIP", cluster_ip}};
  if (!ports.is_null()) spec["ports"] = ports;
  return {{"apiVersion", "v1"},
          {"kind", "Service"},
          {"metadata", {{"name", name}, {"namespace", ns}}},
          {"spec", spec}};
}

json Slice(const std::string& ns, const std::string& service, const json& endpoints,
           const json& ports, const std::string& type = "IPv4") {
  return {{"apiVersion", "discovery.k8s.io/v1"},
          {"kind", "EndpointSlice"},
          {"metadata",
           {{"name", service + "-x1y2z"},
            {"namespace", ns},
            {"labels", {{kServiceNameLabel, service}}}}},
          {"addressType", type},
          {"endpoints", endpoints},
          {"ports", ports}};
}

json Endpoint(const std::string& ip, const json& conditions = json::object()) {
  return {{"addresses", json::array({ip})}, {"conditions", conditions}};
}

TenantSettings TenantNaming(const json& shared_services) {
  auto t = ParseTenant({{"metadata", {{"name", "a"}, {"namespace", "vcluster-a"}}},
                        {"spec", {{"sharedServices", shared_services}}}});
  EXPECT_TRUE(t.ok());
  return t.ok() ? *t : TenantSettings{};
}

// kube-dns as clusters have it: a cluster IP, ports 53 that target 5353 on the pods.
std::vector<json> KubeDns() {
  return {Service("kube-system", "kube-dns", "10.96.0.10",
                  json::array({{{"name", "dns"}, {"port", 53}, {"protocol", "UDP"}},
                               {{"name", "dns-tcp"}, {"port", 53}, {"protocol", "TCP"}},
                               {{"name", "metrics"}, {"port", 9153}, {"protocol", "TCP"}}}))};
}
std::vector<json> KubeDnsSlices() {
  return {Slice("kube-system", "kube-dns",
                json::array({Endpoint("10.244.1.5", {{"ready", true}}),
                             Endpoint("10.244.2.6", {{"ready", false}}),  // not serving (yet)
                             // terminating but still serving: connections still reach it
                             Endpoint("10.244.3.7", {{"ready", false}, {"serving", true}}),
                             Endpoint("10.244.4.8")}),  // no conditions: serving
                json::array({{{"name", "dns"}, {"port", 5353}, {"protocol", "UDP"}},
                             {{"name", "dns-tcp"}, {"port", 5353}, {"protocol", "TCP"}},
                             {{"name", "metrics"}, {"port", 9153}, {"protocol", "TCP"}}}))};
}

TEST(ServiceBackendsTest, AServiceResolvesToItsClusterIpsAndItsServingEndpointsTargetPorts) {
  const TenantSettings t =
      TenantNaming(json::array({{{"name", "dns"},
                                 {"namespace", "kube-system"},
                                 {"service", "kube-dns"},
                                 {"ports", json::array({{{"port", 53}, {"protocol", "UDP"}}})}}}));
  std::vector<std::string> problems;
  const auto shared = ResolveServiceRefs(t, IndexServices(KubeDns(), KubeDnsSlices()), &problems);
  EXPECT_EQ(Rules(shared),
            (std::set<std::string>{"10.96.0.10/32 udp/53", "10.244.1.5/32 udp/5353",
                                   "10.244.3.7/32 udp/5353", "10.244.4.8/32 udp/5353"}))
      << "the listed Service port on the cluster IP, and the port it targets on each backend";
  EXPECT_TRUE(problems.empty());
}

TEST(ServiceBackendsTest, NoPortsListedMeansEveryPortOfTheService) {
  const TenantSettings t = TenantNaming(
      json::array({{{"name", "dns"}, {"namespace", "kube-system"}, {"service", "kube-dns"}}}));
  std::vector<std::string> problems;
  const auto shared = ResolveServiceRefs(t, IndexServices(KubeDns(), KubeDnsSlices()), &problems);
  const std::set<std::string> rules = Rules(shared);
  EXPECT_EQ(rules.size(), 3u + 3u * 3u);
  EXPECT_TRUE(rules.count("10.96.0.10/32 tcp/9153"));
  EXPECT_TRUE(rules.count("10.244.1.5/32 tcp/5353"));
  EXPECT_TRUE(rules.count("10.244.1.5/32 tcp/9153"));
  EXPECT_FALSE(rules.count("10.244.1.5/32 tcp/53")) << "53 is the Service's, not the pod's";
  EXPECT_TRUE(problems.empty());
}

TEST(ServiceBackendsTest, AHeadlessServiceResolvesToItsEndpoints) {
  // The shape of the privileged test: headless, port 80 "http" served on 8080 by the pods.
  const std::vector<json> services = {
      Service("shared", "db", "None", json::array({{{"name", "http"}, {"port", 80}}}))};
  const std::vector<json> slices = {
      Slice("shared", "db", json::array({Endpoint("10.244.0.9", {{"ready", true}})}),
            json::array({{{"name", "http"}, {"port", 8080}, {"protocol", "TCP"}}}))};
  std::vector<std::string> problems;
  const auto index = IndexServices(services, slices);
  auto all = ResolveServiceRefs(
      TenantNaming(json::array({{{"namespace", "shared"}, {"service", "db"}}})), index, &problems);
  EXPECT_EQ(Rules(all), (std::set<std::string>{"10.244.0.9/32 tcp/8080"}));
  EXPECT_TRUE(problems.empty());

  auto listed =
      ResolveServiceRefs(TenantNaming(json::array({{{"namespace", "shared"},
                                                    {"service", "db"},
                                                    {"ports", json::array({{{"port", 80}}})}}})),
                         index, &problems);
  EXPECT_EQ(Rules(listed), (std::set<std::string>{"10.244.0.9/32 tcp/8080"}));

  // The pod's port is not the Service's: allowed nothing, and said why.
  auto pods_port =
      ResolveServiceRefs(TenantNaming(json::array({{{"namespace", "shared"},
                                                    {"service", "db"},
                                                    {"ports", json::array({{{"port", 8080}}})}}})),
                         index, &problems);
  EXPECT_TRUE(pods_port.empty());
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("has no port tcp/8080"), std::string::npos) << problems[0];
}

TEST(ServiceBackendsTest, AHeadlessServiceWithoutPortsAllowsEveryPortOrTheListedOnes) {
  const std::vector<json> services = {Service("shared", "peers", "None", nullptr)};
  const std::vector<json> slices = {
      Slice("shared", "peers", json::array({Endpoint("10.244.0.9"), Endpoint("10.244.0.10")}),
            json::array())};
  const auto index = IndexServices(services, slices);
  std::vector<std::string> problems;
  auto any = ResolveServiceRefs(
      TenantNaming(json::array({{{"namespace", "shared"}, {"service", "peers"}}})), index,
      &problems);
  EXPECT_EQ(Rules(any),
            (std::set<std::string>{"10.244.0.9/32 tcp/any", "10.244.0.9/32 udp/any",
                                   "10.244.0.10/32 tcp/any", "10.244.0.10/32 udp/any"}));
  auto listed =
      ResolveServiceRefs(TenantNaming(json::array({{{"namespace", "shared"},
                                                    {"service", "peers"},
                                                    {"ports", json::array({{{"port", 5432}}})}}})),
                         index, &problems);
  EXPECT_EQ(Rules(listed),
            (std::set<std::string>{"10.244.0.9/32 tcp/5432", "10.244.0.10/32 tcp/5432"}));
  EXPECT_TRUE(problems.empty());
}

TEST(ServiceBackendsTest, MissingServicesAndServicesWithoutBackendsAllowNothing) {
  const std::vector<json> services = {Service("x", "empty", "None", json::array({{{"port", 80}}})),
                                      Service("x", "external", "", nullptr)};
  const std::vector<json> slices = {
      // Every endpoint not serving.
      Slice("x", "empty", json::array({Endpoint("10.244.0.9", {{"ready", false}})}),
            json::array({{{"port", 80}}})),
      // A slice whose Service is gone, and one of the same name in another namespace.
      Slice("x", "gone", json::array({Endpoint("10.244.0.11")}), json::array()),
      Slice("y", "empty", json::array({Endpoint("10.244.0.12")}), json::array({{{"port", 80}}})),
      // FQDN slices carry names, not addresses.
      Slice("x", "external", json::array({Endpoint("db.example.com")}), json::array(), "FQDN")};
  std::vector<std::string> problems;
  const auto shared =
      ResolveServiceRefs(TenantNaming(json::array({{{"namespace", "x"}, {"service", "empty"}},
                                                   {{"namespace", "x"}, {"service", "external"}},
                                                   {{"namespace", "x"}, {"service", "gone"}}})),
                         IndexServices(services, slices), &problems);
  EXPECT_TRUE(shared.empty());
  EXPECT_EQ(problems.size(), 3u);
}

TEST(ServiceBackendsTest, SliceWithoutAPortNumberServesEveryPortOfThatProtocol) {
  const std::vector<json> services = {
      Service("shared", "svc", "10.96.1.1",
              json::array({{{"name", "any"}, {"port", 1}, {"protocol", "UDP"}}}))};
  const std::vector<json> slices = {
      Slice("shared", "svc", json::array({Endpoint("10.244.0.9")}),
            json::array({{{"name", "any"}, {"port", nullptr}, {"protocol", "UDP"}}}))};
  std::vector<std::string> problems;
  const auto shared =
      ResolveServiceRefs(TenantNaming(json::array({{{"namespace", "shared"}, {"service", "svc"}}})),
                         IndexServices(services, slices), &problems);
  EXPECT_EQ(Rules(shared), (std::set<std::string>{"10.96.1.1/32 udp/1", "10.244.0.9/32 udp/any"}));
}

TEST(ServiceBackendsTest, TheInformersSlimObjectsResolveAsTheFullOnes) {
  json service = KubeDns()[0];
  service["metadata"]["managedFields"] = json::array({{{"manager", "kube-controller-manager"}}});
  service["metadata"]["resourceVersion"] = "42";
  service["spec"]["selector"] = {{"k8s-app", "kube-dns"}};
  service["status"] = {{"loadBalancer", json::object()}};
  json slice = KubeDnsSlices()[0];
  slice["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"] = "controller";
  slice["metadata"]["ownerReferences"] = json::array({{{"kind", "Service"}}});
  for (json& e : slice["endpoints"]) {
    e["nodeName"] = "node-1";
    e["zone"] = "a";
    e["targetRef"] = {{"kind", "Pod"}, {"name", "coredns-1"}};
    e["hints"] = {{"forZones", json::array({{{"name", "a"}}})}};
  }
  const json slim_service = SlimService(service);
  const json slim_slice = SlimEndpointSlice(slice);
  EXPECT_FALSE(slim_service["metadata"].contains("managedFields"));
  EXPECT_EQ(slim_service["metadata"]["resourceVersion"], "42");
  EXPECT_FALSE(slim_service["spec"].contains("selector"));
  EXPECT_FALSE(slim_slice["metadata"]["labels"].contains("endpointslice.kubernetes.io/managed-by"));
  EXPECT_FALSE(slim_slice["endpoints"][0].contains("targetRef"));
  EXPECT_LT(slim_slice.dump().size(), slice.dump().size() / 2);

  // A tenant's synced Service keeps the labels that say whose it is.
  json synced = service;
  synced["metadata"]["labels"] = {{labels::kTenant, "a"},
                                  {labels::kTenantNamespace, "vcluster-a"},
                                  {labels::kComponent, labels::kComponentWorkload},
                                  {"app", "dns"}};
  const json slim_synced = SlimService(synced);
  EXPECT_FALSE(slim_synced["metadata"]["labels"].contains("app"));
  EXPECT_EQ(ParseServiceAddresses(slim_synced).tenant_key, "vcluster-a/a");
  EXPECT_EQ(ParseServiceAddresses(service).tenant_key, "") << "the host's own";

  const TenantSettings t = TenantNaming(
      json::array({{{"name", "dns"}, {"namespace", "kube-system"}, {"service", "kube-dns"}}}));
  std::vector<std::string> problems;
  EXPECT_EQ(Rules(ResolveServiceRefs(t, IndexServices({slim_service}, {slim_slice}), &problems)),
            Rules(ResolveServiceRefs(t, IndexServices({service}, {slice}), &problems)));
}

}  // namespace
}  // namespace vc::agent
