// SPDX-License-Identifier: Apache-2.0
// `vc-syncer init` (the binary) against the local host cluster: Secret vc-NAME appears with
// our labels and vcluster's key names, and running init again changes nothing.
#include <gtest/gtest.h>

#include "integration/support/cluster.h"
#include "integration/syncer/virtual_control_plane.h"
#include "vc/base64.h"
#include "vc/labels.h"
#include "vc/syncer/init/kubeconfig_render.h"
#include "vc/yaml.h"

namespace vc::syncer {
namespace {

using kube::resources::kSecrets;

class SyncerInitHostTest : public vc::testing::NamespacedTest {};

TEST_F(SyncerInitHostTest, PublishesSecretAndIsIdempotent) {
  vc::testing::VirtualControlPlane cp("dev-team", ns_);
  ASSERT_EQ(cp.Init(), 0) << cp.InitLog();
  auto secret = client_->Get(kSecrets, ns_, "vc-dev-team");
  ASSERT_TRUE(secret.ok()) << secret.status().message();
  const auto& labels = (*secret)["metadata"]["labels"];
  EXPECT_EQ(labels[vc::labels::kManagedBy], vc::labels::kManagedByValue);
  EXPECT_EQ(labels[vc::labels::kTenant], "dev-team");
  EXPECT_EQ(labels[vc::labels::kTenantNamespace], ns_);
  for (const char* key : {"config", "certificate-authority", "client-certificate", "client-key"}) {
    EXPECT_TRUE((*secret)["data"].contains(key)) << key;
  }
  bool managed_by_syncer = false;
  for (const auto& entry : (*secret)["metadata"]["managedFields"]) {
    managed_by_syncer |= entry["manager"] == "vc-syncer" && entry["operation"] == "Apply";
  }
  EXPECT_TRUE(managed_by_syncer) << (*secret)["metadata"]["managedFields"].dump();

  std::string config;
  {
    auto decoded = vc::Base64Decode((*secret)["data"]["config"].get<std::string>());
    ASSERT_TRUE(decoded);
    config = *decoded;
  }
  auto doc = yaml::Parse(config, "config");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->value["current-context"], "dev-team");
  EXPECT_EQ(doc->value["clusters"][0]["cluster"]["server"], "https://localhost:8443");

  // Again: same files, same Secret (server-side apply of identical content is a no-op).
  const std::string rv = (*secret)["metadata"]["resourceVersion"];
  ASSERT_EQ(cp.Init(), 0) << cp.InitLog();
  EXPECT_NE(cp.InitLog().find("pki " + cp.data_dir() + "/pki: up to date"), std::string::npos)
      << cp.InitLog();
  auto again = client_->Get(kSecrets, ns_, "vc-dev-team");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)["metadata"]["resourceVersion"], rv);
  EXPECT_EQ((*again)["data"], (*secret)["data"]);
}

TEST_F(SyncerInitHostTest, FailsClearlyWithoutRbac) {
  vc::testing::TempDir tmp;
  const int code = vc::testing::RunToCompletion(
      {vc::testing::SyncerBinary(), "init", "--name", "dev", "--namespace", ns_, "--data-dir",
       tmp.path() + "/data", "--apiserver-port", "6443", "--host-kubeconfig",
       vc::testing::ClusterDir() + "/limited.kubeconfig"},
      tmp.path() + "/init.log");
  EXPECT_EQ(code, 1);
  std::ifstream in(tmp.path() + "/init.log");
  std::string log((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(log.find("needs get, create and patch on secrets"), std::string::npos) << log;
}

}  // namespace
}  // namespace vc::syncer
