// SPDX-License-Identifier: Apache-2.0
// The whole identity chain, end to end: `vc-syncer init` makes the PKI, the upstream
// kube-apiserver (on kine) starts with it, and the kubeconfig from Secret vc-NAME on the host
// authenticates as system:masters; the controller-manager's kubeconfig as its user; a token
// signed with sa.key authenticates through sa.pub. Then `vc-syncer run` against that apiserver:
// ready, health endpoints, clean exit on SIGTERM.
#include <gtest/gtest.h>

#include <algorithm>

#include "integration/support/cluster.h"
#include "integration/syncer/virtual_control_plane.h"
#include "support/prerequisite.h"
#include "vc/base64.h"
#include "vc/kube/credential_providers.h"
#include "vc/syncer/init/kubeconfig_render.h"
#include "vc/yaml.h"

namespace vc::syncer {
namespace {

using vc::testing::ChildProcess;
using vc::testing::VirtualControlPlane;

// Who the apiserver says `client` is: {username, groups}.
std::pair<std::string, std::vector<std::string>> WhoAmI(kube::Client& client) {
  auto r = client.Raw({.method = "POST",
                       .path = "/apis/authentication.k8s.io/v1/selfsubjectreviews",
                       .body = R"({"apiVersion":"authentication.k8s.io/v1",)"
                               R"("kind":"SelfSubjectReview"})"});
  EXPECT_TRUE(r.ok()) << r.status().message();
  if (!r.ok()) return {};
  auto user = nlohmann::json::parse(r->body)["status"]["userInfo"];
  return {user.value("username", ""), user.value("groups", std::vector<std::string>{})};
}

bool Has(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

class PkiControlPlaneTest : public vc::testing::NamespacedTest {
 protected:
  void SetUp() override {
    vc::testing::NamespacedTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    VC_REQUIRE(!vc::testing::ClusterBinDir().empty(),
               "the upstream binaries (tests/cluster/build-bins)");
    cp_ = std::make_unique<VirtualControlPlane>("pki-e2e", ns_);
    ASSERT_EQ(cp_->Init(), 0) << cp_->InitLog();
    ASSERT_TRUE(cp_->Start());
  }
  void TearDown() override {
    cp_.reset();  // children stopped, directory removed, also after a failed assertion
    vc::testing::NamespacedTest::TearDown();
  }

  std::unique_ptr<VirtualControlPlane> cp_;
};

TEST_F(PkiControlPlaneTest, SecretKubeconfigIsSystemMasters) {
  auto secret = client_->Get(kube::resources::kSecrets, ns_, "vc-pki-e2e");
  ASSERT_TRUE(secret.ok()) << secret.status().message();
  std::string text;
  {
    auto decoded = vc::Base64Decode((*secret)["data"]["config"].get<std::string>());
    ASSERT_TRUE(decoded);
    text = *decoded;
  }
  auto doc = yaml::Parse(text, "config");
  ASSERT_TRUE(doc.ok());
  // What `kubectl vc connect` does with a port-forward: the same kubeconfig, another port.
  nlohmann::json kubeconfig = doc->value;
  ASSERT_EQ(kubeconfig["clusters"][0]["cluster"]["server"], "https://localhost:8443");
  kubeconfig["clusters"][0]["cluster"]["server"] =
      "https://127.0.0.1:" + std::to_string(cp_->apiserver_port());
  const std::string path = cp_->dir() + "/from-secret.conf";
  std::ofstream(path) << yaml::Dump(kubeconfig);
  auto admin = vc::testing::ClientFor(path);
  ASSERT_TRUE(admin.ok()) << admin.status().message();

  auto [user, groups] = WhoAmI(**admin);
  EXPECT_EQ(user, "kubectl-vc:admin");
  EXPECT_TRUE(Has(groups, "system:masters")) << nlohmann::json(groups).dump();
  nlohmann::json ns = {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "x"}}}};
  auto created = (*admin)->Create(kube::resources::kNamespaces, "", ns);
  ASSERT_TRUE(created.ok()) << created.status().message() << "\n" << cp_->Logs();
  auto listed = (*admin)->ListAll(kube::resources::kNamespaces, "", {});
  ASSERT_TRUE(listed.ok());
  EXPECT_GE(listed->items.size(), 2u);
}

TEST_F(PkiControlPlaneTest, ComponentIdentitiesAndServiceAccountTokens) {
  auto kcm = vc::testing::ClientFor(cp_->data_dir() + "/kubeconfig/controller-manager.conf");
  ASSERT_TRUE(kcm.ok());
  auto [kcm_user, kcm_groups] = WhoAmI(**kcm);
  EXPECT_EQ(kcm_user, "system:kube-controller-manager");
  EXPECT_FALSE(Has(kcm_groups, "system:masters"));
  auto syncer = vc::testing::ClientFor(cp_->data_dir() + "/kubeconfig/syncer.conf");
  ASSERT_TRUE(syncer.ok());
  auto [syncer_user, syncer_groups] = WhoAmI(**syncer);
  EXPECT_EQ(syncer_user, "kubectl-vc:syncer");
  EXPECT_TRUE(Has(syncer_groups, "system:masters"));

  // A token the apiserver signs with sa.key, accepted back through sa.pub.
  nlohmann::json sa = {{"apiVersion", "v1"},
                       {"kind", "ServiceAccount"},
                       {"metadata", {{"name", "probe"}, {"namespace", "default"}}}};
  ASSERT_TRUE(vc::testing::Eventually([&] {
    auto r = (*syncer)->Create(kube::resources::kServiceAccounts, "default", sa);
    return r.ok() || r.status().code() == Code::kAlreadyExists;
  }));
  auto token =
      (*syncer)->Raw({.method = "POST",
                      .path = "/api/v1/namespaces/default/serviceaccounts/probe/token",
                      .body = R"({"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest",)"
                              R"("spec":{"expirationSeconds":600}})"});
  ASSERT_TRUE(token.ok()) << token.status().message();
  kube::RestConfig config = (*syncer)->config();
  config.credentials = kube::NewStaticCredentialProvider(
      {.bearer_token = nlohmann::json::parse(token->body)["status"]["token"]});
  auto sa_client = kube::Client::ForConfig(config);
  auto [sa_user, sa_groups] = WhoAmI(*sa_client);
  EXPECT_EQ(sa_user, "system:serviceaccount:default:probe");
}

// Whether `pid` ignores `sig` (the SigIgn mask of /proc/PID/status).
bool IgnoresSignal(pid_t pid, int sig) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("SigIgn:", 0) == 0) {
      return ((std::stoull(line.substr(7), nullptr, 16) >> (sig - 1)) & 1) != 0;
    }
  }
  return false;
}

TEST_F(PkiControlPlaneTest, SyncerRunsUntilSigterm) {
  const int health_port = vc::testing::FreePort();
  auto syncer = ChildProcess::Start(
      "vc-syncer run",
      {vc::testing::SyncerBinary(), "run", "--data-dir", cp_->data_dir(), "--host-kubeconfig",
       vc::testing::ClusterDir() + "/kubeconfig", "--log-format", "json"},
      cp_->dir() + "/syncer.log", {{"VC_SYNCER_PORT", std::to_string(health_port)}});
  ASSERT_TRUE(syncer.ok()) << syncer.status().message();
  ChildProcess& run = **syncer;
  // The port comes from $(VC_SYNCER_PORT) as the pod spec sets it.
  ASSERT_TRUE(vc::testing::Eventually([&] {
    return vc::testing::LoopbackHttpGet(health_port, "/readyz") == 200 || !run.Running();
  })) << run.LogTail();
  ASSERT_TRUE(run.Running()) << run.LogTail();
  EXPECT_EQ(vc::testing::LoopbackHttpGet(health_port, "/healthz"), 200);
  EXPECT_EQ(vc::testing::LoopbackHttpGet(health_port, "/nope"), 404);
  // A peer that hangs up while the syncer writes (kubectl run --rm ending an attach the kubelet
  // relay splices) is an error return, not SIGPIPE taking the whole syncer down.
  EXPECT_TRUE(IgnoresSignal(run.pid(), SIGPIPE));

  run.Signal(SIGTERM);
  auto code = run.WaitForExit(std::chrono::seconds(10));
  ASSERT_TRUE(code.has_value()) << run.LogTail();
  EXPECT_EQ(*code, 0) << run.LogTail();
  EXPECT_EQ(vc::testing::LoopbackHttpGet(health_port, "/healthz"), -1);
  const std::string log = run.LogTail(100000);
  EXPECT_NE(log.find(R"("component":"vc-syncer")"), std::string::npos) << log;
  EXPECT_NE(log.find("is ready"), std::string::npos) << log;
}

class SyncerRunWithoutApiserverTest : public vc::testing::NamespacedTest {};

TEST_F(SyncerRunWithoutApiserverTest, StaysLiveNotReadyAndStopsOnSigint) {
  // init only, no apiserver: run keeps /healthz up (a liveness probe must not kill it),
  // /readyz down, and still stops cleanly.
  vc::testing::TempDir tmp;
  const std::string data = tmp.path() + "/data";
  const int health_port = vc::testing::FreePort();
  ASSERT_TRUE(vc::testing::EnsureHostService(ns_, "no-apiserver"));
  ASSERT_EQ(vc::testing::RunToCompletion(
                {vc::testing::SyncerBinary(), "init", "--name", "no-apiserver", "--namespace", ns_,
                 "--data-dir", data, "--apiserver-port", std::to_string(vc::testing::FreePort()),
                 "--host-kubeconfig", vc::testing::ClusterDir() + "/kubeconfig"},
                tmp.path() + "/init.log"),
            0);
  auto syncer = ChildProcess::Start(
      "vc-syncer run",
      {vc::testing::SyncerBinary(), "run", "--data-dir", data, "--host-kubeconfig",
       vc::testing::ClusterDir() + "/kubeconfig", "--health-port", std::to_string(health_port)},
      tmp.path() + "/syncer.log");
  ASSERT_TRUE(syncer.ok());
  ChildProcess& run = **syncer;
  ASSERT_TRUE(vc::testing::Eventually([&] {
    return vc::testing::LoopbackHttpGet(health_port, "/healthz") == 200;
  })) << run.LogTail();
  EXPECT_EQ(vc::testing::LoopbackHttpGet(health_port, "/readyz"), 503);
  run.Signal(SIGINT);
  auto code = run.WaitForExit(std::chrono::seconds(10));
  ASSERT_TRUE(code.has_value()) << run.LogTail();
  EXPECT_EQ(*code, 0) << run.LogTail();
}

}  // namespace
}  // namespace vc::syncer
