// SPDX-License-Identifier: Apache-2.0
// connect/disconnect against a real virtual cluster: the rendered host objects are applied to
// the local host cluster, whose real node runs the control-plane pod's containers (vc-syncer
// init, kine, kube-apiserver, ...), and connect reaches that apiserver through a real
// `kubectl port-forward` (kubelet relays it to the pod's port). HOME, VC_STATE_DIR and the user's
// kubeconfig are temporary; kubectl comes from the cluster's BIN directory via KUBECTL_PATH.
#include "vc/cli/connect/connect.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "integration/support/cluster.h"
#include "support/prerequisite.h"
#include "support/process.h"
#include "vc/cli/connect/context_entries.h"
#include "vc/cli/connect/forwarder.h"
#include "vc/cli/connect/kubeconfig_file.h"
#include "vc/cli/connect/state_store.h"
#include "vc/cli/host.h"
#include "vc/cli/render/host_objects.h"
#include "vc/cli/values/resolve.h"

namespace vc::cli::connect {
namespace {

using vc::testing::ClusterDir;
using vc::testing::ClusterPort;
using vc::testing::Eventually;

constexpr const char* kName = "dev";

class ConnectTest : public vc::testing::NamespacedTest {
 protected:
  void SetUp() override {
    NamespacedTest::SetUp();
    if (HasFatalFailure() || IsSkipped()) return;
    bin_ = ClusterPort("BIN");
    VC_REQUIRE(!bin_.empty() && std::filesystem::exists(bin_ + "/kubectl"),
               "kubectl in the cluster's BIN directory (tests/cluster/build-bins)");
    home_ = tmp_.path() + "/home";
    state_dir_ = tmp_.path() + "/state";
    std::filesystem::create_directories(home_ + "/.kube");
    // The admin kubeconfig names its certificates relative to itself (pki/...).
    std::filesystem::copy_file(ClusterDir() + "/kubeconfig", home_ + "/.kube/config");
    std::filesystem::copy(ClusterDir() + "/pki", home_ + "/.kube/pki",
                          std::filesystem::copy_options::recursive);
    env_ = {{"HOME", home_},
            {"VC_STATE_DIR", state_dir_},
            {"KUBECTL_PATH", bin_ + "/kubectl"},
            {"PATH", bin_ + ":/usr/local/bin:/usr/bin:/bin"}};
    BringUpVirtualCluster();
  }

  void TearDown() override {
    // Whatever connect left running must not outlive the test, also when it failed.
    if (!state_dir_.empty()) {
      EXPECT_TRUE(Forget(kName, ns_, host_context_, state_dir_).ok());
    }
    NamespacedTest::TearDown();
  }

  // What create will do: apply the rendered objects, then wait until the control plane runs.
  void BringUpVirtualCluster() {
    auto values = values::Resolve({});
    ASSERT_TRUE(values.ok()) << values.status().message();
    render::VirtualCluster vc{
        .name = kName, .namespace_ = ns_, .create_namespace = false, .values = values->values};
    for (const auto& o : render::RenderHostObjects(vc)) {
      // Cluster-scoped objects (and the tenant object, whose CRD is per host) would outlive the
      // test namespace; connect needs neither.
      const bool ours = o.resource.group.find("kubectl-vc") != std::string::npos;
      if (!o.resource.namespaced || ours) {
        continue;
      }
      const std::string name = o.object["metadata"]["name"];
      auto applied = client_->Apply(o.resource, ns_, name, o.object.dump(),
                                    {.field_manager = render::kFieldManager, .force = true});
      ASSERT_TRUE(applied.ok()) << o.resource.kind << " " << name << ": "
                                << applied.status().message();
    }
    // Secret vc-NAME is written by the pod's init container once the PKI exists.
    ASSERT_TRUE(Eventually(
        [&] {
          return client_->Get(kube::resources::kSecrets, ns_, std::string("vc-") + kName).ok();
        },
        std::chrono::seconds(180)))
        << "secret vc-" << kName << " never appeared (kubectl logs -n " << ns_ << " " << kName
        << "-0 -c init)";
    // Wait until kubelet finds the virtual apiserver ready (its readiness probe is /readyz), so
    // what follows tests connect, not the start-up of kube-apiserver.
    nlohmann::json pod;
    ASSERT_TRUE(Eventually(
        [&] {
          auto got = client_->Get(kube::resources::kPods, ns_, std::string(kName) + "-0");
          if (!got.ok()) return false;
          pod = *got;
          for (const auto& c : pod["status"].value("conditions", nlohmann::json::array())) {
            if (c.value("type", "") == "Ready") return c.value("status", "") == "True";
          }
          return false;
        },
        std::chrono::seconds(180)))
        << "the control-plane pod never became Ready: " << pod.dump();
  }

  StatusOr<HostCluster> Host() {
    // -n: an earlier test's virtual cluster of the same name may still be terminating.
    auto host = ConnectHost({.namespace_ = ns_, .env = env_});
    if (host.ok()) host_context_ = host->context;
    return host;
  }

  cli::connect::KubeconfigFile UserKubeconfig() {
    auto f = cli::connect::KubeconfigFile::Load(home_ + "/.kube/config");
    EXPECT_TRUE(f.ok()) << f.status().message();
    return f.ok() ? *f : cli::connect::KubeconfigFile();
  }

  vc::testing::TempDir tmp_{"vc-it-connect"};
  std::string bin_, home_, state_dir_, host_context_;
  kube::Environment env_;
};

TEST_F(ConnectTest, ConnectUseAndDisconnect) {
  auto host = Host();
  ASSERT_TRUE(host.ok()) << host.status().message();
  const std::string before = UserKubeconfig().current_context();
  ASSERT_FALSE(before.empty());
  const std::string context = ContextName(kName, ns_, host->context);

  std::ostringstream out, err;
  auto connected =
      Connect(*host, {.name = kName, .timeout = std::chrono::seconds(90), .env = env_}, out, err);
  ASSERT_TRUE(connected.ok()) << connected.status().message() << "\n" << err.str();
  EXPECT_EQ(*connected, 0);
  EXPECT_NE(err.str().find("Switched to context \"" + context + "\""), std::string::npos)
      << err.str();
  EXPECT_EQ(UserKubeconfig().current_context(), context);

  auto store = StateStore::Open(state_dir_);
  ASSERT_TRUE(store.ok());
  auto row = (*store)->Get(context);
  ASSERT_TRUE(row.ok() && row->has_value());
  const Connection conn = **row;
  EXPECT_EQ(conn.previous_context, before);
  ASSERT_GT(conn.forwarder_pid, 0);
  EXPECT_TRUE(ProcessAlive(conn.forwarder_pid, conn.forwarder_start_ticks));

  // The user's kubeconfig now reaches the virtual cluster, as kubectl would load it.
  {
    kube::KubeconfigOptions options{.env = env_};
    auto config = kube::LoadRestConfig(options);
    ASSERT_TRUE(config.ok()) << config.status().message();
    EXPECT_EQ(config->context, context);
    auto namespaces =
        kube::Client::ForConfig(*config)->ListAll(kube::resources::kNamespaces, "", {});
    ASSERT_TRUE(namespaces.ok()) << namespaces.status().message();
    bool has_default = false;
    for (const auto& n : namespaces->items) has_default |= n["metadata"]["name"] == "default";
    EXPECT_TRUE(has_default);
    // The host's test namespace is not there: this is another cluster.
    for (const auto& n : namespaces->items) EXPECT_NE(n["metadata"]["name"], ns_);
  }

  // Connecting again reuses the running forwarder; a command runs against the virtual cluster.
  std::ostringstream out2, err2;
  auto command = Connect(*host,
                         {.name = kName,
                          .command = {bin_ + "/kubectl", "get", "namespace", "kube-system"},
                          .timeout = std::chrono::seconds(60),
                          .env = env_},
                         out2, err2);
  ASSERT_TRUE(command.ok()) << command.status().message() << "\n" << err2.str();
  EXPECT_EQ(*command, 0) << err2.str();
  EXPECT_NE(
      err2.str().find("Using the running port-forward (pid " + std::to_string(conn.forwarder_pid)),
      std::string::npos)
      << err2.str();
  EXPECT_TRUE(ProcessAlive(conn.forwarder_pid, conn.forwarder_start_ticks));
  EXPECT_EQ(UserKubeconfig().current_context(), context);  // -- COMMAND touches no file

  // --print: a complete kubeconfig on stdout, the user's file untouched.
  {
    const std::string file_before = UserKubeconfig().Render();
    std::ostringstream printed, perr;
    auto print = Connect(
        *host, {.name = kName, .print = true, .timeout = std::chrono::seconds(60), .env = env_},
        printed, perr);
    ASSERT_TRUE(print.ok()) << print.status().message() << "\n" << perr.str();
    EXPECT_EQ(UserKubeconfig().Render(), file_before);
    const std::string printed_path = tmp_.path() + "/printed.kubeconfig";
    std::ofstream(printed_path) << printed.str();
    kube::KubeconfigOptions options{.kubeconfig = printed_path, .env = env_};
    auto config = kube::LoadRestConfig(options);
    ASSERT_TRUE(config.ok()) << config.status().message() << "\n" << printed.str();
    EXPECT_EQ(config->context, context);
    auto version = kube::Client::ForConfig(*config)->Raw({.path = "/version"});
    ASSERT_TRUE(version.ok()) << version.status().message();
    EXPECT_EQ(version->status, 200);
  }

  auto live = LiveConnections(state_dir_);
  ASSERT_TRUE(live.ok());
  ASSERT_EQ(live->size(), 1u);

  std::ostringstream derr;
  ASSERT_TRUE(Disconnect(*host, env_, {}, derr).ok()) << derr.str();
  const auto after = UserKubeconfig();
  EXPECT_EQ(after.current_context(), before);
  for (const auto& c : after.document()["contexts"]) EXPECT_NE(c["name"], context);
  EXPECT_TRUE(
      Eventually([&] { return !ProcessAlive(conn.forwarder_pid, conn.forwarder_start_ticks); },
                 std::chrono::seconds(10)));
  live = LiveConnections(state_dir_);
  ASSERT_TRUE(live.ok());
  EXPECT_TRUE(live->empty());
  EXPECT_NE(derr.str().find("Switched back to context \"" + before + "\""), std::string::npos)
      << derr.str();
}

// A forwarder that died (here: killed) is recognised as stale and replaced; one that cannot
// start (the local port is taken) fails connect with its log, and nothing is left running.
TEST_F(ConnectTest, StaleForwarderIsReplacedAndAFailingOneExplains) {
  auto host = Host();
  ASSERT_TRUE(host.ok()) << host.status().message();
  const std::string context = ContextName(kName, ns_, host->context);
  std::ostringstream out, err;
  ConnectOptions options{.name = kName, .timeout = std::chrono::seconds(60), .env = env_};
  auto first = Connect(*host, options, out, err);
  ASSERT_TRUE(first.ok()) << first.status().message() << "\n" << err.str();
  auto store = StateStore::Open(state_dir_);
  ASSERT_TRUE(store.ok());
  const Connection old = **(*store)->Get(context);
  ASSERT_EQ(::kill(old.forwarder_pid, SIGKILL), 0);
  ASSERT_TRUE(
      Eventually([&] { return !ProcessAlive(old.forwarder_pid, old.forwarder_start_ticks); },
                 std::chrono::seconds(10)));

  auto second = Connect(*host, options, out, err);
  ASSERT_TRUE(second.ok()) << second.status().message() << "\n" << err.str();
  const Connection now = **(*store)->Get(context);
  EXPECT_NE(now.forwarder_pid, old.forwarder_pid);
  EXPECT_TRUE(ProcessAlive(now.forwarder_pid, now.forwarder_start_ticks));
  EXPECT_EQ(now.previous_context, old.previous_context);  // still the host's context

  // A fresh port someone else listens on: the new forwarder cannot bind it and exits.
  ConnectOptions other_port = options;
  auto port = FreeLoopbackPort();
  ASSERT_TRUE(port.ok());
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(*port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  other_port.local_port = *port;
  std::ostringstream err3;
  auto failed = Connect(*host, other_port, out, err3);
  ::close(fd);
  ASSERT_FALSE(failed.ok()) << err3.str();
  EXPECT_NE(failed.status().message().find("port-forward"), std::string::npos)
      << failed.status().message();
  // The old forwarder was replaced (another port was asked for), the new one did not survive.
  EXPECT_FALSE(ProcessAlive(now.forwarder_pid, now.forwarder_start_ticks));
  auto live = LiveConnections(state_dir_);
  ASSERT_TRUE(live.ok());
  EXPECT_TRUE(live->empty());
}

}  // namespace
}  // namespace vc::cli::connect
