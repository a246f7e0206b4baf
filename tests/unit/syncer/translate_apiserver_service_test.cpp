// SPDX-License-Identifier: Apache-2.0
// The virtual API server's own default/kubernetes: moved to the host Service's ClusterIP,
// its Endpoints and EndpointSlice from the host Service's slices, and when what is there
// already says so.
#include <gtest/gtest.h>

#include "vc/syncer/translate/apiserver_service.h"

namespace vc::syncer::translate {
namespace {

using nlohmann::json;

const json kCreatedByTheApiServer = json::parse(R"({
  "apiVersion": "v1", "kind": "Service",
  "metadata": {"name": "kubernetes", "namespace": "default", "uid": "u1", "resourceVersion": "9",
               "labels": {"provider": "kubernetes", "component": "apiserver"}},
  "spec": {"clusterIP": "10.96.0.1", "clusterIPs": ["10.96.0.1"], "type": "ClusterIP",
           "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack", "sessionAffinity": "None",
           "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 8443}]}
})");

TEST(SyncerTranslateApiServerServiceTest, MovesToTheHostServicesClusterIpKeepingPortsAndLabels) {
  auto want = ApiServerServiceAt(kCreatedByTheApiServer, "10.96.14.7");
  ASSERT_TRUE(want.has_value());
  EXPECT_EQ((*want)["spec"]["clusterIP"], "10.96.14.7");
  EXPECT_EQ((*want)["spec"]["clusterIPs"], json::array({"10.96.14.7"}));
  EXPECT_EQ((*want)["spec"]["ports"], kCreatedByTheApiServer["spec"]["ports"]);
  EXPECT_EQ((*want)["metadata"]["labels"], kCreatedByTheApiServer["metadata"]["labels"]);
  EXPECT_EQ((*want)["metadata"]["name"], "kubernetes");
  EXPECT_EQ((*want)["metadata"]["namespace"], "default");
  // A new object: no uid or resourceVersion of the one it replaces.
  EXPECT_FALSE((*want)["metadata"].contains("uid"));
  EXPECT_FALSE((*want)["metadata"].contains("resourceVersion"));
}

TEST(SyncerTranslateApiServerServiceTest, AlreadyThereIsLeftAlone) {
  EXPECT_FALSE(ApiServerServiceAt(kCreatedByTheApiServer, "10.96.0.1").has_value());
}

TEST(SyncerTranslateApiServerServiceTest, AddressesComeFromTheHostSlicesWithoutTerminatingOnes) {
  const std::vector<json> slices = {json::parse(R"({
    "addressType": "IPv4",
    "endpoints": [
      {"addresses": ["10.244.1.7"], "conditions": {"ready": false}},
      {"addresses": ["10.244.0.3"], "conditions": {"ready": false, "terminating": true}}
    ],
    "ports": [{"name": "snapshot", "port": 8081}, {"name": "https", "port": 8443}]
  })"),
                                    json::parse(R"({
    "addressType": "FQDN", "endpoints": [{"addresses": ["vc.example"]}],
    "ports": [{"name": "https", "port": 1}]
  })"),
                                    json::parse(R"({
    "addressType": "IPv4", "endpoints": [{"addresses": ["10.244.1.7"]}, {"addresses": [7]}],
    "ports": [{"name": "https", "port": "x"}]
  })")};
  const ApiServerAddresses a = ApiServerAddressesFrom(slices);
  EXPECT_EQ(a.ips, std::vector<std::string>({"10.244.1.7"}));
  EXPECT_EQ(a.port, 8443);
  EXPECT_TRUE(ApiServerAddressesFrom({}).ips.empty());
}

TEST(SyncerTranslateApiServerServiceTest, EndpointsAndSliceNameTheSameAddressesAndPort) {
  const ApiServerAddresses a{.ips = {"10.244.1.7"}, .port = 8443};
  const json endpoints = ApiServerEndpoints(a);
  EXPECT_EQ(endpoints["metadata"]["labels"]["endpointslice.kubernetes.io/skip-mirror"], "true");
  EXPECT_EQ(endpoints["subsets"][0]["addresses"][0]["ip"], "10.244.1.7");
  EXPECT_EQ(endpoints["subsets"][0]["ports"][0]["port"], 8443);
  EXPECT_EQ(endpoints["subsets"][0]["ports"][0]["name"], "https");

  const json slice = ApiServerEndpointSlice(a);
  EXPECT_EQ(slice["metadata"]["labels"]["kubernetes.io/service-name"], "kubernetes");
  EXPECT_EQ(slice["addressType"], "IPv4");
  EXPECT_EQ(slice["endpoints"][0]["addresses"][0], "10.244.1.7");
  EXPECT_EQ(slice["endpoints"][0]["conditions"]["ready"], true);
  EXPECT_EQ(slice["ports"][0]["port"], 8443);
  EXPECT_EQ(ApiServerEndpointSlice({.ips = {"fd00::7"}, .port = 8443})["addressType"], "IPv6");
}

TEST(SyncerTranslateApiServerServiceTest, CurrentWhenTheServerOnlyAddedDefaults) {
  const ApiServerAddresses a{.ips = {"10.244.1.7"}, .port = 8443};
  const json want = ApiServerEndpointSlice(a);
  json stored = want;
  stored["metadata"]["resourceVersion"] = "12";
  stored["metadata"]["labels"]["extra"] = "kept";
  stored["endpoints"][0]["conditions"]["serving"] = true;
  EXPECT_TRUE(ApiServerEndpointsCurrent(stored, want));

  json moved = stored;
  moved["endpoints"][0]["addresses"][0] = "10.244.2.9";
  EXPECT_FALSE(ApiServerEndpointsCurrent(moved, want));
  json unlabelled = stored;
  unlabelled["metadata"]["labels"].erase("kubernetes.io/service-name");
  EXPECT_FALSE(ApiServerEndpointsCurrent(unlabelled, want));
  json emptied = ApiServerEndpoints(a);
  emptied["subsets"] = json::array();
  EXPECT_FALSE(ApiServerEndpointsCurrent(emptied, ApiServerEndpoints(a)));
  EXPECT_TRUE(ApiServerEndpointsCurrent(ApiServerEndpoints(a), ApiServerEndpoints(a)));
}

}  // namespace
}  // namespace vc::syncer::translate
