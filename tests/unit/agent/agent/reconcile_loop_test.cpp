// SPDX-License-Identifier: Apache-2.0
// ReconcileLoop with a NodeAgent over the datapath fakes and AgentInformers over the in-memory
// API server: the restore comes first, no pass runs before the informers were started and
// synced, a change wakes a pass, and Stop ends the thread and fires the agent's stop.
#include "vc/agent/agent/reconcile_loop.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <thread>

#include "support/fake_apiserver.h"
#include "support/within.h"
#include "unit/agent/agent/agent_test_objects.h"
#include "unit/agent/fakes/fake_segmentation_maps.h"
#include "unit/agent/fakes/fake_tc_attacher.h"
#include "unit/agent/fakes/fake_veth_locator.h"
#include "vc/agent/datapath/enforcement_store.h"

namespace vc::agent {
namespace {

using testing::NodeNamed;
using testing::PodOf;
using vc::testing::FakeApiServer;

class ReconcileLoopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("vc-reconcile-loop-test-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store_ = EnforcementStore::Open((dir_ / "state.db").string()).value();
    tc_.prog_ids = {{100, 7}, {101, 8}};
    enforcer_ = std::make_unique<SegmentationEnforcer>(maps_, tc_, veths_, *store_,
                                                       EnforcementPrograms{{100, 7}, {101, 8}});
    agent_ = std::make_unique<NodeAgent>(NodeAgentOptions{"node-1", ""}, *enforcer_, maps_, nullptr,
                                         nullptr, TenantIdAllocator());
    informers_ = std::make_unique<AgentInformers>(client_, "node-1", std::chrono::minutes(5),
                                                  [this] { changes_.Notify(); });
    loop_ = std::make_unique<ReconcileLoop>(
        *agent_, *informers_, changes_,
        ReconcileTiming{std::chrono::milliseconds(50), std::chrono::minutes(5)}, stop_);
  }
  void TearDown() override {
    loop_->Stop();
    informers_->Stop();
    loop_.reset();
    informers_.reset();
    agent_.reset();
    enforcer_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::filesystem::path dir_;
  std::shared_ptr<FakeApiServer> server_ = std::make_shared<FakeApiServer>();
  std::shared_ptr<kube::Client> client_ =
      std::make_shared<kube::Client>(kube::RestConfig{.server = "https://fake"}, server_);
  std::unique_ptr<EnforcementStore> store_;
  FakeSegmentationMaps maps_;
  FakeTcAttacher tc_;
  FakeVethLocator veths_;
  std::unique_ptr<SegmentationEnforcer> enforcer_;
  std::unique_ptr<NodeAgent> agent_;
  CancelToken stop_;
  ChangeSignal changes_;
  std::unique_ptr<AgentInformers> informers_;
  std::unique_ptr<ReconcileLoop> loop_;
};

TEST_F(ReconcileLoopTest, RestoresFirstAndPassesOnlyOnceTheInformersStarted) {
  server_->Put(kube::resources::kNodes, NodeNamed("node-1"));
  loop_->Start();
  ASSERT_TRUE(::vc::testing::Within([&] { return loop_->restored(); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(agent_->ready()) << "a pass ran before the informers were started";

  informers_->Start();
  loop_->InformersStarted();
  EXPECT_TRUE(::vc::testing::Within([&] { return agent_->ready(); }));
}

TEST_F(ReconcileLoopTest, AChangeWakesAPass) {
  server_->Put(kube::resources::kNodes, NodeNamed("node-1"));
  loop_->Start();
  ASSERT_TRUE(::vc::testing::Within([&] { return loop_->restored(); }));
  informers_->Start();
  loop_->InformersStarted();
  ASSERT_TRUE(::vc::testing::Within([&] { return agent_->ready(); }));
  veths_.veths[IpAddress::Parse("10.244.0.1").value()] = VethInfo{11, "veth11"};
  tc_.existing.insert(11);
  server_->Put(kube::resources::kPods, PodOf("a", "web", "10.244.0.1"));
  EXPECT_TRUE(::vc::testing::Within([&] { return agent_->Metrics().enforced_pods == 1; }));
}

TEST_F(ReconcileLoopTest, StopEndsTheThreadAndFiresTheAgentsStop) {
  loop_->Start();
  ASSERT_TRUE(::vc::testing::Within([&] { return loop_->restored(); }));
  loop_->Stop();  // while it waits for the informers
  EXPECT_TRUE(stop_.cancelled());
  loop_->Stop();  // twice: nothing left to do
}

}  // namespace
}  // namespace vc::agent
