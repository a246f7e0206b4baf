// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "vc/cli/connect/connect.h"

namespace vc::cli::connect {
namespace {

TEST(ContextNameTest, NameNamespaceHostContext) {
  EXPECT_EQ(ContextName("dev", "vcluster-dev", "kind-host"), "vc_dev_vcluster-dev_kind-host");
  EXPECT_EQ(ContextName("dev", "team", ""), "vc_dev_team_incluster");
}

TEST(DefaultStateDirTest, StateDirEnvWinsOverHome) {
  EXPECT_EQ(DefaultStateDir({{"HOME", "/home/u"}}), "/home/u/.kube/vc");
  EXPECT_EQ(DefaultStateDir({{"HOME", "/home/u"}, {"VC_STATE_DIR", "/tmp/s"}}), "/tmp/s");
}

TEST(TargetKubeconfigFileTest, FlagThenFirstKubeconfigEntryThenHome) {
  HostCluster host;
  const kube::Environment env = {{"HOME", "/home/u"}, {"KUBECONFIG", "::/a/one:/a/two"}};
  EXPECT_EQ(TargetKubeconfigFile(host, env), "/a/one");
  EXPECT_EQ(TargetKubeconfigFile(host, {{"HOME", "/home/u"}}), "/home/u/.kube/config");
  EXPECT_EQ(TargetKubeconfigFile(host, {{"HOME", "/home/u"}, {"KUBECONFIG", ""}}),
            "/home/u/.kube/config");
  host.kubeconfig = "/flag/config";
  EXPECT_EQ(TargetKubeconfigFile(host, env), "/flag/config");
}

}  // namespace
}  // namespace vc::cli::connect
