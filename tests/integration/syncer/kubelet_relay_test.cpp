// SPDX-License-Identifier: Apache-2.0
// vc-syncer end to end, the kubelet side: logs, exec and port-forward in the virtual cluster
// reach the host pod through the syncer's kubelet API.
#include "integration/syncer/syncer_e2e_fixture.h"

namespace vc::testing {
namespace {

// The kubelet side: `kubectl logs`, `exec` and `port-forward` in the virtual cluster go virtual
// apiserver -> the syncer's kubelet API (pseudo node endpoint) -> the host apiserver -> kwok,
// which serves a fake pod's logs from a file (a kwok Logs object) and runs exec locally (a
// kwok Exec object; the command here is a harmless echo).
TEST_F(SyncerE2eTest, LogsExecAndPortForwardReachTheHostPod) {
  const std::string name = "sync-logs";
  ASSERT_NO_FATAL_FAILURE(CreateVirtualCluster(name, "isolation:\n  trustLevel: high\n"));
  const std::string hns = "vcluster-" + name;
  auto applied = ApplyInVirtual(name, "pod.yaml", R"(apiVersion: v1
kind: Pod
metadata: {name: talker, namespace: default}
spec:
  containers: [{name: main, image: busybox}]
)");
  ASSERT_EQ(applied.code, 0) << applied.Both();
  json vpod;
  ASSERT_TRUE(Eventually([&] {
    vpod = VirtualJson({"get", "pod", "talker", "-n", "default"});
    return vpod.is_object() && vpod["status"].value("phase", "") == "Running";
  }, std::chrono::seconds(90))) << vpod.dump() << "\n" << SyncerLog(name);

  const std::string host_pod = "talker-x-default-x-" + name;
  const std::string log_file = home_->path() + "/talker.log";
  // kwok reads the file the way kubelet reads a container's log: CRI log lines.
  std::ofstream(log_file) << "2026-01-01T00:00:00.000000001Z stdout F line one from the host pod\n"
                             "2026-01-01T00:00:01.000000001Z stdout F line two\n";
  const json logs = {{"apiVersion", "kwok.x-k8s.io/v1alpha1"},
                     {"kind", "Logs"},
                     {"metadata", {{"name", host_pod}, {"namespace", hns}}},
                     {"spec", {{"logs", json::array({{{"containers", json::array({"main"})},
                                                      {"logsFile", log_file},
                                                      {"follow", false}}})}}}};
  const kube::Resource kwok_logs{"kwok.x-k8s.io", "v1alpha1", "logs", "Logs", true};
  ASSERT_TRUE(client_->Create(kwok_logs, hns, logs).ok());
  const json exec = {{"apiVersion", "kwok.x-k8s.io/v1alpha1"},
                     {"kind", "Exec"},
                     {"metadata", {{"name", host_pod}, {"namespace", hns}}},
                     {"spec", {{"execs", json::array({{{"containers", json::array({"main"})},
                                                       {"local", {{"workDir", home_->path()}}}}})}}}};
  const kube::Resource kwok_exec{"kwok.x-k8s.io", "v1alpha1", "execs", "Exec", true};
  ASSERT_TRUE(client_->Create(kwok_exec, hns, exec).ok());

  CliResult out;
  EXPECT_TRUE(Eventually([&] {
    out = Kubectl({"logs", "talker", "-n", "default"});
    return out.code == 0 && out.out.find("line one from the host pod") != std::string::npos;
  }, std::chrono::seconds(60))) << out.Both() << "\n" << SyncerLog(name);
  CliResult tail = Kubectl({"logs", "talker", "-n", "default", "--tail=1"});
  EXPECT_EQ(tail.out, "line two\n") << tail.Both();

  CliResult ran;
  EXPECT_TRUE(Eventually([&] {
    ran = Kubectl({"exec", "talker", "-n", "default", "--", "echo", "hello-through-the-relay"});
    return ran.code == 0 && ran.out.find("hello-through-the-relay") != std::string::npos;
  }, std::chrono::seconds(60))) << ran.Both() << "\n" << SyncerLog(name);

  // kubectl port-forward in the virtual cluster -> the relay -> the host's portforward -> kwok,
  // which forwards the pod's port 8080 to a local echo server (a kwok PortForward object).
  EchoServer echo;
  const json forward = {{"apiVersion", "kwok.x-k8s.io/v1alpha1"},
                        {"kind", "PortForward"},
                        {"metadata", {{"name", host_pod}, {"namespace", hns}}},
                        {"spec", {{"forwards", json::array({{{"ports", json::array({8080})},
                                                             {"target", {{"address", "127.0.0.1"},
                                                                         {"port", echo.port()}}}}})}}}};
  const kube::Resource kwok_forward{"kwok.x-k8s.io", "v1alpha1", "portforwards", "PortForward", true};
  ASSERT_TRUE(client_->Create(kwok_forward, hns, forward).ok());
  const int local = FreePort();
  // Through `kubectl vc connect NAME --`, which (re)starts the connection to the virtual API.
  auto pf = ChildProcess::Start(
      "port-forward", {VC_KUBECTL_VC_BIN, "connect", name, "--", bin_ + "/kubectl", "port-forward",
                       "-n", "default", "pod/talker", std::to_string(local) + ":8080"},
      home_->path() + "/port-forward.log", CliEnv());
  ASSERT_TRUE(pf.ok()) << pf.status().message();
  std::string echoed;
  EXPECT_TRUE(Eventually([&] {
    echoed = EchoThrough(local, "ping-through-the-virtual-cluster");
    return echoed == "ping-through-the-virtual-cluster";
  }, std::chrono::seconds(60))) << echoed << "\n" << (*pf)->LogTail() << "\n" << ForwardLogs()
                                << SyncerLog(name);
  (*pf)->Stop();
}


}  // namespace
}  // namespace vc::testing
