// SPDX-License-Identifier: Apache-2.0
// `vc-syncer run`'s parts: the health endpoints over a real loopback socket, and the wait for
// the virtual apiserver against a scripted transport. The start-up sequence itself is tested in
// tests/unit/shared/startup_sequence_test.cpp.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "support/fake_apiserver.h"
#include "support/fake_clock.h"
#include "unit/shared/kube/fake_transport.h"
#include "vc/health_server.h"
#include "vc/syncer/run/apiserver_wait.h"
#include "vc/syncer/run/kind_syncers.h"
#include "vc/syncer/run/run_command.h"

namespace vc::syncer::run {
namespace {

using vc::kube::testing::ConnectionRefused;
using vc::kube::testing::FakeTransport;

// One HTTP/1.1 exchange with the health server; the status code, or -1.
int Get(int port, const std::string& path, std::string* body = nullptr) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  const std::string request = "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n";
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string response;
  char buf[512];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof(buf), 0)) > 0;) response.append(buf, n);
  ::close(fd);
  if (response.rfind("HTTP/1.1 ", 0) != 0) return -1;
  if (body != nullptr) body->assign(response.substr(response.find("\r\n\r\n") + 4));
  return std::stoi(response.substr(9, 3));
}

TEST(SyncerHealthServerTest, AnswersProbes) {
  std::atomic<bool> ready{false};
  HealthServer server([] { return true; }, [&] { return ready.load(); });
  auto port = server.Start("127.0.0.1", 0);
  ASSERT_TRUE(port.ok()) << port.status().message();
  std::string body;
  EXPECT_EQ(Get(*port, "/healthz", &body), 200);
  EXPECT_EQ(body, "ok\n");
  EXPECT_EQ(Get(*port, "/readyz"), 503);
  ready = true;
  EXPECT_EQ(Get(*port, "/readyz?verbose"), 200);
  EXPECT_EQ(Get(*port, "/metrics"), 404);

  // A client that connects and says nothing does not block the next probe forever.
  int idle = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(*port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(idle, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  EXPECT_EQ(Get(*port, "/healthz"), 200);
  ::close(idle);

  server.Stop();
  server.Stop();
  EXPECT_EQ(Get(*port, "/healthz"), -1);
}

TEST(SyncerHealthServerTest, PortInUseIsAnError) {
  HealthServer first([] { return true; }, [] { return true; });
  auto port = first.Start("127.0.0.1", 0);
  ASSERT_TRUE(port.ok());
  HealthServer second([] { return true; }, [] { return true; });
  auto again = second.Start("127.0.0.1", *port);
  EXPECT_EQ(again.status().code(), Code::kUnavailable);
  EXPECT_NE(again.status().message().find("--health-port"), std::string::npos);
  EXPECT_EQ(second.Start("not-an-ip", 0).status().code(), Code::kInvalidArgument);
}

TEST(SyncerHealthServerTest, AnswerHealthRequest) {
  EXPECT_EQ(AnswerHealthRequest("GET /healthz HTTP/1.1", false, true).status, 503);
  EXPECT_EQ(AnswerHealthRequest("HEAD /readyz HTTP/1.1", true, true).status, 200);
  EXPECT_EQ(AnswerHealthRequest("POST /readyz HTTP/1.1", true, true).status, 405);
  EXPECT_EQ(AnswerHealthRequest("garbage", true, true).status, 405);
}

class SyncerApiserverWaitTest : public ::testing::Test {
 protected:
  SyncerApiserverWaitTest()
      : transport_(std::make_shared<FakeTransport>()),
        clock_(std::make_shared<FakeClock>()),
        // One attempt per poll: the wait loop, not the client, is under test.
        client_(kube::RestConfig{.server = "https://127.0.0.1:1"}, transport_, clock_,
                kube::RetryPolicy{.max_attempts = 1}) {}

  std::shared_ptr<FakeTransport> transport_;
  std::shared_ptr<FakeClock> clock_;
  kube::Client client_;
  CancelToken stop_;
};

TEST_F(SyncerApiserverWaitTest, PollsUntilReady) {
  transport_->Reply(ConnectionRefused());
  transport_->Reply(kube::HttpResponse{500, {}, "[-]etcd failed"});
  transport_->Reply(kube::HttpResponse{200, {}, "ok"});
  Status s = WaitForApiserverReady(client_, *clock_, stop_);
  EXPECT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(transport_->requests("/readyz").size(), 3u);
  EXPECT_EQ(clock_->sleeps().size(), 2u);
}

TEST_F(SyncerApiserverWaitTest, TimesOutWithTheLastFailure) {
  for (int i = 0; i < 100; ++i) transport_->Reply(ConnectionRefused());
  Status s = WaitForApiserverReady(
      client_, *clock_, stop_,
      {.timeout = std::chrono::seconds(10), .interval = std::chrono::seconds(1)});
  EXPECT_EQ(s.code(), Code::kTimeout);
  EXPECT_NE(s.message().find("connection refused"), std::string::npos) << s.message();
  EXPECT_LE(transport_->requests().size(), 12u);
}

TEST_F(SyncerApiserverWaitTest, StopsWhenCancelled) {
  stop_.Cancel();
  EXPECT_EQ(WaitForApiserverReady(client_, *clock_, stop_).code(), Code::kCancelled);
  EXPECT_TRUE(transport_->requests().empty());
}

TEST(SyncerRunTest, ValidatesFlags) {
  EXPECT_EQ(ValidateRunOptions({.health_port = 70000}).code(), Code::kInvalidArgument);
  RunOptions o;
  o.apiserver_wait.timeout = std::chrono::milliseconds(0);
  EXPECT_EQ(ValidateRunOptions(o).code(), Code::kInvalidArgument);
  EXPECT_TRUE(ValidateRunOptions({}).ok());
}

TEST(SyncerRunTest, MissingVirtualKubeconfigFailsAndTearsDown) {
  CancelToken stop;
  RunOptions o{.data_dir = "/nonexistent-vc-syncer-test",
               .host_kubeconfig = "/nonexistent-vc-syncer-test/host.conf"};
  Status s = RunSyncer(o, stop);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("load clients"), std::string::npos) << s.message();
}

// The names of the syncers BuildKindSyncers makes for `config`, in the order they start.
std::vector<std::string> KindSyncerNames(const translate::SyncConfig& config) {
  auto ctx = std::make_shared<sync::SyncContext>();
  ctx->host = std::make_shared<kube::Client>(kube::RestConfig{.server = "https://host"},
                                             std::make_shared<vc::testing::FakeApiServer>());
  ctx->virtual_cluster =
      std::make_shared<kube::Client>(kube::RestConfig{.server = "https://virtual"},
                                     std::make_shared<vc::testing::FakeApiServer>());
  ctx->config = config;
  std::vector<std::string> names;
  auto syncers = BuildKindSyncers(ctx, std::chrono::seconds(1));
  EXPECT_TRUE(syncers.ok()) << syncers.status().message();
  if (!syncers.ok()) return names;
  for (const auto& syncer : *syncers) names.push_back(syncer->name());
  return names;
}

TEST(SyncerKindSyncersTest, DefaultsStartEachSyncerBeforeThoseThatCallIntoIt) {
  EXPECT_EQ(KindSyncerNames({}),
            (std::vector<std::string>{"configmaps", "secrets", "persistentvolumeclaims",
                                      "endpoints", "endpointslices", "services", "nodes", "pods",
                                      "events from host"}));
}

TEST(SyncerKindSyncersTest, EveryKindInItsPlace) {
  translate::SyncConfig c;
  c.ingresses = c.priority_classes = c.pod_disruption_budgets = c.ingress_classes = true;
  c.runtime_classes = c.storage_classes = c.csi_drivers = c.csi_nodes = true;
  c.host_priority_classes = true;
  c.config_map_mappings = {{"host/*", "virtual/*"}};
  EXPECT_EQ(
      KindSyncerNames(c),
      (std::vector<std::string>{
          "configmaps", "secrets", "persistentvolumeclaims", "ingresses", "poddisruptionbudgets",
          "priorityclasses", "endpoints", "endpointslices", "services", "ingressclasses from host",
          "storageclasses from host", "csidrivers from host", "csinodes from host",
          "priorityclasses from host", "runtimeclasses from host", "configmaps from host", "nodes",
          "pods", "events from host"}));
}

TEST(SyncerKindSyncersTest, NothingAskedNothingMade) {
  translate::SyncConfig c;
  c.pods = c.services = c.endpoints = c.config_maps = c.secrets = c.pvcs = c.events = false;
  EXPECT_TRUE(KindSyncerNames(c).empty());
}

}  // namespace
}  // namespace vc::syncer::run
