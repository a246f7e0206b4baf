// SPDX-License-Identifier: Apache-2.0
// Disconnect, Forget and LiveConnections work from local state and the kubeconfig file only.
#include <gtest/gtest.h>
#include <unistd.h>

#include <sstream>

#include "unit/syncer/syncer_test_util.h"
#include "vc/cli/connect/connect.h"
#include "vc/cli/connect/context_entries.h"
#include "vc/cli/connect/forwarder.h"
#include "vc/cli/connect/state_store.h"

namespace vc::cli::connect {
namespace {

using syncer::testing::Spit;
using syncer::testing::TempDir;

constexpr const char* kContext = "vc_dev_ns_prod";

class DisconnectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    state_dir_ = tmp_.path() + "/state";
    kubeconfig_ = tmp_.path() + "/config";
    env_ = {{"HOME", tmp_.path()}, {"VC_STATE_DIR", state_dir_}, {"KUBECONFIG", kubeconfig_}};
    Spit(kubeconfig_, R"(apiVersion: v1
kind: Config
clusters: [{name: prod, cluster: {server: "https://prod:6443"}}]
users: [{name: admin, user: {token: t}}]
contexts: [{name: prod, context: {cluster: prod, user: admin}}]
current-context: prod
)");
  }

  // What Connect leaves behind: the entries, current-context, and a row.
  void Connected(const std::string& previous, int pid = 0, long long ticks = 0) {
    ASSERT_TRUE(UpdateKubeconfigFile(kubeconfig_, [&](KubeconfigFile* f) {
                  WriteEntries({.name = kContext,
                                .server = "https://127.0.0.1:4000",
                                .credentials = {"Y2E=", "Y2VydA==", "a2V5"}},
                               true, f);
                  return Status::Ok();
                }).ok());
    auto store = StateStore::Open(state_dir_);
    ASSERT_TRUE(store.ok());
    Connection c{.context = kContext,
                 .name = "dev",
                 .namespace_ = "ns",
                 .host_context = "prod",
                 .kubeconfig_file = kubeconfig_,
                 .previous_context = previous,
                 .server = "https://127.0.0.1:4000",
                 .forwarder_pid = pid,
                 .forwarder_start_ticks = ticks,
                 .local_port = 4000};
    ASSERT_TRUE((*store)->Put(c).ok());
  }

  KubeconfigFile Load() {
    auto f = KubeconfigFile::Load(kubeconfig_);
    EXPECT_TRUE(f.ok());
    return *f;
  }

  size_t Rows() {
    auto store = StateStore::Open(state_dir_);
    return store.ok() ? (*store)->List()->size() : 99;
  }

  TempDir tmp_;
  std::string state_dir_, kubeconfig_;
  kube::Environment env_;
};

TEST_F(DisconnectTest, RestoresPreviousContextAndRemovesOurEntries) {
  Connected("prod");
  std::ostringstream err;
  ASSERT_TRUE(Disconnect({}, env_, {}, err).ok()) << err.str();
  const auto file = Load();
  EXPECT_EQ(file.current_context(), "prod");
  EXPECT_EQ(file.document()["clusters"].size(), 1u);
  EXPECT_EQ(file.document()["users"].size(), 1u);
  EXPECT_EQ(file.document()["contexts"].size(), 1u);
  EXPECT_EQ(Rows(), 0u);
  EXPECT_NE(err.str().find("Switched back to context \"prod\""), std::string::npos) << err.str();

  auto again = Disconnect({}, env_, {}, err);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.code(), Code::kFailedPrecondition);
  EXPECT_NE(again.message().find("not connected to a virtual cluster (current context \"prod\""),
            std::string::npos)
      << again.message();
}

TEST_F(DisconnectTest, PreviousContextGoneLeavesCurrentContextUnset) {
  Connected("deleted-meanwhile");
  std::ostringstream err;
  ASSERT_TRUE(Disconnect({}, env_, {}, err).ok());
  EXPECT_EQ(Load().current_context(), "");
  EXPECT_NE(err.str().find("no longer exists"), std::string::npos) << err.str();
}

TEST_F(DisconnectTest, StaleForwarderIsNotSignalled) {
  // Our own pid with a wrong start time: a reused pid. Disconnect must not kill it (us).
  const auto self = ProcessStartTicks(getpid());
  ASSERT_TRUE(self.has_value());
  Connected("prod", getpid(), *self + 1);
  std::ostringstream err;
  ASSERT_TRUE(Disconnect({}, env_, {}, err).ok());
  EXPECT_EQ(err.str().find("Stopped"), std::string::npos);
}

TEST_F(DisconnectTest, ForgetRemovesEntriesAndRow) {
  Connected("prod");
  ASSERT_TRUE(Forget("dev", "ns", "prod", state_dir_).ok());
  EXPECT_EQ(Load().current_context(), "prod");
  EXPECT_EQ(Load().document()["contexts"].size(), 1u);
  EXPECT_EQ(Rows(), 0u);
  EXPECT_TRUE(Forget("dev", "ns", "prod", state_dir_).ok());  // nothing left: fine
}

TEST(LiveConnectionsTest, DropsDeadForwardersKeepsExposedOnes) {
  TempDir tmp;
  auto none = LiveConnections(tmp.path() + "/never-created");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  EXPECT_FALSE(std::filesystem::exists(tmp.path() + "/never-created"));

  auto store = StateStore::Open(tmp.path());
  ASSERT_TRUE(store.ok());
  const auto self = ProcessStartTicks(getpid());
  ASSERT_TRUE((*store)->Put({.context = "vc_exposed"}).ok());
  ASSERT_TRUE(
      (*store)
          ->Put({.context = "vc_live", .forwarder_pid = getpid(), .forwarder_start_ticks = *self})
          .ok());
  ASSERT_TRUE((*store)
                  ->Put({.context = "vc_reused",
                         .forwarder_pid = getpid(),
                         .forwarder_start_ticks = *self - 1})
                  .ok());
  auto live = LiveConnections(tmp.path());
  ASSERT_TRUE(live.ok());
  ASSERT_EQ(live->size(), 2u);
  EXPECT_EQ((*live)[0].context, "vc_exposed");
  EXPECT_EQ((*live)[1].context, "vc_live");
}

}  // namespace
}  // namespace vc::cli::connect
