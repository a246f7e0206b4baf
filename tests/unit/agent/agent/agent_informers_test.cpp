// SPDX-License-Identifier: Apache-2.0
// AgentInformers against the in-memory API server: what a pass sees (this node's pods, tenant
// workload pods of every node, the Node, Services, EndpointSlices, Tenants), and which
// EndpointSlices wake the reconcile loop. ChangeSignal, the wake-up itself.
#include "vc/agent/agent/agent_informers.h"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <thread>

#include "support/fake_apiserver.h"
#include "support/within.h"
#include "unit/agent/agent/agent_test_objects.h"
#include "vc/agent/agent/change_signal.h"
#include "vc/agent/agent/service_backends.h"
#include "vc/agent/agent/tenant_settings.h"

namespace vc::agent {
namespace {

using nlohmann::json;
using testing::NodeNamed;
using testing::PodOf;
using testing::TenantOf;
using vc::testing::FakeApiServer;

json SliceOf(const std::string& ns, const std::string& service, const std::string& name) {
  return {
      {"metadata", {{"name", name}, {"namespace", ns}, {"labels", {{kServiceNameLabel, service}}}}},
      {"addressType", "IPv4"},
      {"endpoints", json::array({{{"addresses", {"10.1.0.9"}}}})}};
}

class AgentInformersTest : public ::testing::Test {
 protected:
  ~AgentInformersTest() override { informers_.Stop(); }

  // Starts the informers and waits for every first list (the Tenants' included).
  void StartAndSync() {
    informers_.Start();
    ASSERT_TRUE(::vc::testing::Within([&] { return informers_.Synced(); }));
  }

  std::shared_ptr<FakeApiServer> server_ = std::make_shared<FakeApiServer>();
  std::shared_ptr<kube::Client> client_ =
      std::make_shared<kube::Client>(kube::RestConfig{.server = "https://fake"}, server_);
  std::atomic<int> changes_{0};
  AgentInformers informers_{client_, "node-1", std::chrono::minutes(5), [this] { ++changes_; }};
};

TEST_F(AgentInformersTest, AViewHoldsWhatAPassReads) {
  server_->Put(kube::resources::kNodes, NodeNamed("node-1"));
  server_->Put(kube::resources::kNodes, NodeNamed("node-2"));
  server_->Put(kube::resources::kPods, PodOf("a", "here", "10.1.0.1"));
  json elsewhere = PodOf("b", "elsewhere", "10.2.0.1");
  elsewhere["spec"]["nodeName"] = "node-2";
  server_->Put(kube::resources::kPods, elsewhere);
  server_->Put(kube::resources::kPods, PodOf("", "plain", "10.1.0.2"));
  server_->Put(kTenantResource, TenantOf("a", "zero"));
  StartAndSync();
  EXPECT_TRUE(informers_.watching_tenants());
  EXPECT_EQ(informers_.pod_count(), 2u);  // this node's: "here" and "plain"
  EXPECT_EQ(informers_.tenant_count(), 1u);

  const ClusterView view = informers_.View();
  EXPECT_EQ(view.node["metadata"]["name"], "node-1");
  EXPECT_EQ(view.pods.size(), 2u);
  ASSERT_EQ(view.workloads.size(), 2u);  // tenant workload pods of every node
  ASSERT_EQ(view.tenants.size(), 1u);
  EXPECT_EQ(view.tenants[0]["metadata"]["name"], "a");
}

TEST_F(AgentInformersTest, NoNodeYetIsANullNode) {
  StartAndSync();
  EXPECT_TRUE(informers_.View().node.is_null());
}

TEST_F(AgentInformersTest, OnlySlicesOfNamedOrTenantsOwnServicesWakeTheLoop) {
  server_->Put(
      kTenantResource,
      TenantOf("a", "zero",
               {{"sharedServices",
                 json::array({{{"service", "kube-dns"}, {"namespace", "kube-system"}}})}}));
  StartAndSync();
  informers_.View();  // the Tenant's named Services are known from this pass on
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the first lists' handlers
  const int before = changes_;

  server_->Put(kube::resources::kEndpointSlices, SliceOf("default", "web", "web-1"));
  server_->Put(kube::resources::kPods, PodOf("", "marker", "10.1.0.3"));  // wakes, after it
  ASSERT_TRUE(::vc::testing::Within([&] { return changes_ == before + 1; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(changes_, before + 1) << "a slice of a Service nobody names woke the loop";

  server_->Put(kube::resources::kEndpointSlices, SliceOf("kube-system", "kube-dns", "dns-1"));
  EXPECT_TRUE(::vc::testing::Within([&] { return changes_ == before + 2; }));
  // The tenant's own API server's Service (vcluster-a/a) is named too.
  server_->Put(kube::resources::kEndpointSlices, SliceOf("vcluster-a", "a", "a-1"));
  EXPECT_TRUE(::vc::testing::Within([&] { return changes_ == before + 3; }));
}

TEST(ChangeSignalTest, WaitReturnsOnceNotifiedAndClears) {
  ChangeSignal changes;
  CancelToken stop;
  changes.Notify();
  EXPECT_TRUE(changes.Wait(std::chrono::seconds(5), stop));
  EXPECT_FALSE(changes.Wait(std::chrono::milliseconds(10), stop));
}

TEST(ChangeSignalTest, WaitEndsWhenStopped) {
  ChangeSignal changes;
  CancelToken stop;
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    stop.Cancel();
  });
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(changes.Wait(std::chrono::seconds(30), stop));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  canceller.join();
}

}  // namespace
}  // namespace vc::agent
