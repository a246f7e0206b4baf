// SPDX-License-Identifier: Apache-2.0
// vc-syncer end to end, the kubelet side: logs, exec, port-forward and attach in the virtual
// cluster reach the host pod through the syncer's kubelet API.
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
  ASSERT_TRUE(Eventually(
      [&] {
        vpod = VirtualJson({"get", "pod", "talker", "-n", "default"});
        return vpod.is_object() && vpod["status"].value("phase", "") == "Running";
      },
      std::chrono::seconds(90)))
      << vpod.dump() << "\n"
      << SyncerLog(name);

  const std::string host_pod = "talker-x-default-x-" + name;
  const std::string log_file = home_->path() + "/talker.log";
  // kwok reads the file the way kubelet reads a container's log: CRI log lines.
  std::ofstream(log_file) << "2026-01-01T00:00:00.000000001Z stdout F line one from the host pod\n"
                             "2026-01-01T00:00:01.000000001Z stdout F line two\n";
  const json logs = {{"apiVersion", "kwok.x-k8s.io/v1alpha1"},
                     {"kind", "Logs"},
                     {"metadata", {{"name", host_pod}, {"namespace", hns}}},
                     {"spec",
                      {{"logs", json::array({{{"containers", json::array({"main"})},
                                              {"logsFile", log_file},
                                              {"follow", false}}})}}}};
  const kube::Resource kwok_logs{"kwok.x-k8s.io", "v1alpha1", "logs", "Logs", true};
  ASSERT_TRUE(client_->Create(kwok_logs, hns, logs).ok());
  const json exec = {{"apiVersion", "kwok.x-k8s.io/v1alpha1"},
                     {"kind", "Exec"},
                     {"metadata", {{"name", host_pod}, {"namespace", hns}}},
                     {"spec",
                      {{"execs", json::array({{{"containers", json::array({"main"})},
                                               {"local", {{"workDir", home_->path()}}}}})}}}};
  const kube::Resource kwok_exec{"kwok.x-k8s.io", "v1alpha1", "execs", "Exec", true};
  ASSERT_TRUE(client_->Create(kwok_exec, hns, exec).ok());

  CliResult out;
  EXPECT_TRUE(Eventually(
      [&] {
        out = Kubectl({"logs", "talker", "-n", "default"});
        return out.code == 0 && out.out.find("line one from the host pod") != std::string::npos;
      },
      std::chrono::seconds(60)))
      << out.Both() << "\n"
      << SyncerLog(name);
  CliResult tail = Kubectl({"logs", "talker", "-n", "default", "--tail=1"});
  EXPECT_EQ(tail.out, "line two\n") << tail.Both();

  CliResult ran;
  EXPECT_TRUE(Eventually(
      [&] {
        ran = Kubectl({"exec", "talker", "-n", "default", "--", "echo", "hello-through-the-relay"});
        return ran.code == 0 && ran.out.find("hello-through-the-relay") != std::string::npos;
      },
      std::chrono::seconds(60)))
      << ran.Both() << "\n"
      << SyncerLog(name);

  // kubectl port-forward in the virtual cluster -> the relay -> the host's portforward -> kwok,
  // which forwards the pod's port 8080 to a local echo server (a kwok PortForward object).
  EchoServer echo;
  const json forward = {
      {"apiVersion", "kwok.x-k8s.io/v1alpha1"},
      {"kind", "PortForward"},
      {"metadata", {{"name", host_pod}, {"namespace", hns}}},
      {"spec",
       {{"forwards",
         json::array({{{"ports", json::array({8080})},
                       {"target", {{"address", "127.0.0.1"}, {"port", echo.port()}}}}})}}}};
  const kube::Resource kwok_forward{"kwok.x-k8s.io", "v1alpha1", "portforwards", "PortForward",
                                    true};
  ASSERT_TRUE(client_->Create(kwok_forward, hns, forward).ok());
  const int local = FreePort();
  // Through `kubectl vc connect NAME --`, which (re)starts the connection to the virtual API.
  auto pf = ChildProcess::Start(
      "port-forward",
      {VC_KUBECTL_VC_BIN, "connect", name, "--", bin_ + "/kubectl", "port-forward", "-n", "default",
       "pod/talker", std::to_string(local) + ":8080"},
      home_->path() + "/port-forward.log", CliEnv());
  ASSERT_TRUE(pf.ok()) << pf.status().message();
  std::string echoed;
  EXPECT_TRUE(Eventually(
      [&] {
        echoed = EchoThrough(local, "ping-through-the-virtual-cluster");
        return echoed == "ping-through-the-virtual-cluster";
      },
      std::chrono::seconds(60)))
      << echoed << "\n"
      << (*pf)->LogTail() << "\n"
      << ForwardLogs() << SyncerLog(name);
  (*pf)->Stop();
}

// A line of a container log in the docker json-file format, which kwok reads as a kubelet does.
void AppendLogLine(const std::string& path, const std::string& stream, const std::string& text) {
  std::ofstream(path, std::ios::app)
      << json{{"log", text + "\n"}, {"stream", stream}, {"time", "2026-01-01T00:00:00.000000001Z"}}
             .dump()
      << "\n";
}

// Attach, the way a user debugs DNS: `kubectl run dns-test --rm -it --image=busybox
// --restart=Never -- sh` (under script(1), which gives kubectl the terminal -t wants), and a
// second `kubectl attach` to the same pod. Virtual apiserver -> the syncer's kubelet API
// (/attach) -> the host pod's attach subresource -> kwok. kwok serves attach from a file (a kwok
// Attach object), following it from its end: what is written to it after the attach began
// arrives; stdin goes nowhere. kwok has no process that could exit, so "the shell exits" is
// played by the host pod turning Succeeded and a line kwok cannot deliver (an unknown stream),
// on which kwok ends the stream with an error; kubectl then shows the pod's logs, sees it
// completed and --rm deletes it, virtual and hence host.
//
// kubectl talks to the virtual API server on its loopback port (the control plane's admin
// kubeconfig), not through `kubectl vc connect`'s port-forward: kubectl port-forward (1.36)
// closes the whole forward when one forwarded connection fails, and an attach the server ends
// is such a connection (the pod side sees a broken pipe), so --rm's delete would find no
// forward left. See tests/cluster/README.md.
TEST_F(SyncerE2eTest, AttachAndRunRmReachTheHostPod) {
  const std::string name = "sync-attach";
  ASSERT_NO_FATAL_FAILURE(CreateVirtualCluster(name, "isolation:\n  trustLevel: high\n"));
  const std::string hns = "vcluster-" + name;
  const std::string host_pod = "dns-test-x-default-x-" + name;
  const std::string data_dir = DataDir(name);
  ASSERT_FALSE(data_dir.empty()) << "no syncer process for " << name;
  const pid_t syncer = SyncerPid(name);
  const std::string kubectl = bin_ + "/kubectl --kubeconfig " + data_dir + "/kubeconfig/admin.conf";
  auto virtual_pod = [&] {
    auto got = VirtualKubectl(data_dir, {"get", "pod", "dns-test", "-n", "default", "-o", "json"});
    const json pod = got.code == 0 ? json::parse(got.out, nullptr, false) : json();
    return pod.is_object() ? pod : json();
  };
  // kwok finds its Attach and Logs objects by pod name when an attach or a log request comes,
  // so they can be there before the pod is.
  const std::string attach_file = home_->path() + "/dns-test.attach.log";
  std::ofstream(attach_file).flush();
  const std::string log_file = home_->path() + "/dns-test.log";
  AppendLogLine(log_file, "stdout", "dns-test log before the attach");
  const kube::Resource kwok_attach{"kwok.x-k8s.io", "v1alpha1", "attaches", "Attach", true};
  const json attach = {{"apiVersion", "kwok.x-k8s.io/v1alpha1"},
                       {"kind", "Attach"},
                       {"metadata", {{"name", host_pod}, {"namespace", hns}}},
                       {"spec", {{"attaches", json::array({{{"logsFile", attach_file}}})}}}};
  auto created = client_->Create(kwok_attach, hns, attach);
  ASSERT_TRUE(created.ok()) << created.status().message();
  const kube::Resource kwok_logs{"kwok.x-k8s.io", "v1alpha1", "logs", "Logs", true};
  const json logs = {
      {"apiVersion", "kwok.x-k8s.io/v1alpha1"},
      {"kind", "Logs"},
      {"metadata", {{"name", host_pod}, {"namespace", hns}}},
      {"spec", {{"logs", json::array({{{"logsFile", log_file}, {"follow", false}}})}}}};
  created = client_->Create(kwok_logs, hns, logs);
  ASSERT_TRUE(created.ok()) << created.status().message();

  auto run = ChildProcess::Start(
      "kubectl-run",
      {"/usr/bin/script", "-qfec",
       kubectl + " run dns-test --rm -it --image=busybox --restart=Never -n default -- sh",
       "/dev/null"},
      home_->path() + "/run.log", CliEnv());
  ASSERT_TRUE(run.ok()) << run.status().message();
  json vpod;
  ASSERT_TRUE(Eventually(
      [&] {
        vpod = virtual_pod();
        return vpod.is_object() && vpod["status"].value("phase", "") == "Running";
      },
      std::chrono::seconds(90)))
      << vpod.dump() << "\n"
      << (*run)->LogTail() << SyncerLog(name);
  auto attached = ChildProcess::Start(
      "kubectl-attach", {"/bin/sh", "-c", "exec " + kubectl + " attach dns-test -n default"},
      home_->path() + "/attach.log", CliEnv());
  ASSERT_TRUE(attached.ok()) << attached.status().message();

  // Each attach sees only what is written after it began: write until both saw a line.
  int written = 0;
  EXPECT_TRUE(Eventually(
      [&] {
        AppendLogLine(attach_file, "stdout",
                      "answer from the host pod " + std::to_string(++written));
        return ReadAll(home_->path() + "/run.log").find("answer from the host pod") !=
                   std::string::npos &&
               ReadAll(home_->path() + "/attach.log").find("answer from the host pod") !=
                   std::string::npos;
      },
      std::chrono::seconds(90)))
      << (*run)->LogTail() << (*attached)->LogTail() << SyncerLog(name);

  // The shell exits: the host pod completes (its status comes back to the virtual pod), and
  // kwok ends the attach streams.
  auto hpod = client_->Get(r::kPods, hns, host_pod);
  ASSERT_TRUE(hpod.ok()) << hpod.status().message();
  json completed = *hpod;
  completed["status"]["phase"] = "Succeeded";
  completed["status"]["containerStatuses"] =
      json::array({{{"name", "dns-test"},
                    {"image", "busybox"},
                    {"imageID", ""},
                    {"ready", false},
                    {"restartCount", 0},
                    {"state",
                     {{"terminated",
                       {{"exitCode", 0},
                        {"reason", "Completed"},
                        {"startedAt", "2026-01-01T00:00:00Z"},
                        {"finishedAt", "2026-01-01T00:00:01Z"}}}}}}});
  auto updated = client_->UpdateStatus(r::kPods, hns, completed);
  ASSERT_TRUE(updated.ok()) << updated.status().message();
  ASSERT_TRUE(Eventually(
      [&] {
        vpod = virtual_pod();
        return vpod.is_object() && vpod["status"].value("phase", "") == "Succeeded";
      },
      std::chrono::seconds(60)))
      << vpod.dump() << "\n"
      << SyncerLog(name);
  AppendLogLine(attach_file, "exit", "");

  const auto code = (*run)->WaitForExit(std::chrono::seconds(90));
  EXPECT_EQ(code, std::optional<int>(0)) << (*run)->LogTail();
  const std::string said = ReadAll(home_->path() + "/run.log");
  EXPECT_NE(said.find("answer from the host pod"), std::string::npos) << said;
  EXPECT_NE(said.find("dns-test log before the attach"), std::string::npos) << said;
  EXPECT_NE(said.find("pod \"dns-test\" deleted"), std::string::npos) << said;
  EXPECT_TRUE(Eventually(
      [&] {
        return VirtualKubectl(data_dir, {"get", "pod", "dns-test", "-n", "default"})
                   .err.find("NotFound") != std::string::npos;
      },
      std::chrono::seconds(30)));
  EXPECT_TRUE(Eventually(
      [&] { return client_->Get(r::kPods, hns, host_pod).status().code() == Code::kNotFound; },
      std::chrono::seconds(60)))
      << SyncerLog(name);
  // The plain attach ended with kwok's stream, as a real one ends with its container.
  EXPECT_TRUE((*attached)->WaitForExit(std::chrono::seconds(30)).has_value())
      << (*attached)->LogTail();
  // The relay asked the host for what kubectl asked of the virtual API server: a terminal and
  // stdin (kubectl run -it).
  std::string relayed;
  {
    std::istringstream log(SyncerLog(name, std::string::npos));
    for (std::string line; std::getline(log, line);) {
      if (line.find("kubelet: ") != std::string::npos &&
          line.find("/attach/default/dns-test/") != std::string::npos) {
        relayed += line + "\n";
      }
    }
  }
  EXPECT_NE(relayed.find("/pods/" + host_pod +
                         "/attach?container=dns-test&stdin=true&stdout=true&tty=true"),
            std::string::npos)
      << relayed;
  // Ending the streams it spliced (kwok's side first) did not take the syncer down.
  EXPECT_EQ(SyncerPid(name), syncer) << SyncerLog(name);
}

}  // namespace
}  // namespace vc::testing
