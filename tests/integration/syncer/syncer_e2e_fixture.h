// SPDX-License-Identifier: Apache-2.0
// What the vc-syncer end-to-end tests share: a real virtual cluster made with the kubectl-vc
// binary against the local host cluster with real nodes (its control-plane pod and every
// workload pod run in containerd, from the images this build made), kubectl in it, the host
// client, the syncer's log, pid and data directory.
#pragma once

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <vector>

#include "integration/cli/cli_fixture.h"
#include "support/processes.h"
#include "vc/labels.h"

namespace vc::testing {

using nlohmann::json;
namespace r = kube::resources;

// A busybox container (YAML flow mapping) that runs until stopped and stops at once on SIGTERM
// (a plain `sleep` as pid 1 ignores it, and every deletion would wait out its grace period).
inline std::string Sleeper(const std::string& container) {
  return "{name: " + container +
         ", image: busybox, command: [sh, -c, \"trap 'exit 0' TERM; sleep 3600 & wait\"]}";
}

class SyncerE2eTest : public CliTest {
 protected:
  // Under `make test-asan` the pods run the ASan+UBSan vc-syncer: a report it writes goes to
  // its container's log only, so every virtual cluster's syncer log is read before it goes.
  void TearDown() override {
    for (const auto& [name, ns] : tracked_) {
      const std::string log = SyncerLog(name, std::string::npos);
      EXPECT_EQ(log.find("ERROR: AddressSanitizer"), std::string::npos) << log;
      EXPECT_EQ(log.find("runtime error:"), std::string::npos) << log;
    }
    CliTest::TearDown();
  }
  // Creates NAME from `values` (connecting to it) and waits for it; false on failure.
  void CreateVirtualCluster(const std::string& name, const std::string& values_yaml) {
    const std::string values = home_->path() + "/" + name + "-values.yaml";
    std::ofstream(values) << values_yaml;
    Track(name);
    auto created = Run({"create", name, "-f", values, "--timeout", "3m"});
    if (created.code != 0 && created.err.find("connecting failed") != std::string::npos) {
      // kubectl-vc create can race the apiserver's first listen (its port-forward gives up on
      // the first refused connection); it says to retry with connect, which is what a user does.
      CliResult connected;
      ASSERT_TRUE(Eventually(
          [&] {
            connected = Run({"connect", name});
            return connected.code == 0;
          },
          std::chrono::seconds(60)))
          << created.Both() << "\n"
          << connected.Both();
      created = connected;
    }
    ASSERT_EQ(created.code, 0) << created.Both();
    // Pods need the default ServiceAccount, which the virtual controller-manager makes a
    // moment after the API server is up.
    CliResult sa;
    ASSERT_TRUE(Eventually(
        [&] {
          sa = Kubectl({"get", "serviceaccount", "default", "-n", "default", "-o", "name"});
          return sa.code == 0;
        },
        std::chrono::seconds(60)))
        << sa.Both();
  }

  // `kubectl` in the virtual cluster (create left the context there), output as JSON.
  // Pod POD (a Sleeper, label app=POD without its "-N") in virtual cluster NAME's default
  // namespace, waited for until it is Running with the host pod's IP: the virtual pod in *vpod.
  void RunPod(const std::string& name, const std::string& pod, json* vpod) {
    const std::string app = pod.substr(0, pod.rfind('-'));
    auto applied = ApplyInVirtual(name, pod + ".yaml",
                                  "apiVersion: v1\nkind: Pod\nmetadata: {name: " + pod +
                                      ", namespace: default, labels: {app: " + app +
                                      "}}\nspec:\n  containers: [" + Sleeper(app) + "]\n");
    ASSERT_EQ(applied.code, 0) << applied.Both();
    ASSERT_TRUE(Eventually(
        [&] {
          *vpod = VirtualJson({"get", "pod", pod, "-n", "default"});
          return vpod->is_object() && (*vpod)["status"].value("phase", "") == "Running" &&
                 !(*vpod)["status"].value("podIP", "").empty();
        },
        std::chrono::seconds(90)))
        << vpod->dump() << "\n"
        << SyncerLog(name);
  }

  json VirtualJson(std::vector<std::string> args) {
    args.insert(args.end(), {"-o", "json"});
    auto r = Kubectl(args);
    if (r.code != 0) return json();
    auto doc = json::parse(r.out, nullptr, false);
    return doc.is_discarded() ? json() : doc;
  }

  CliResult ApplyInVirtual(const std::string& name, const std::string& file,
                           const std::string& yaml) {
    const std::string path = home_->path() + "/" + file;
    std::ofstream(path) << yaml;
    return Run({"connect", name, "--", bin_ + "/kubectl", "apply", "-f", path});
  }

  // Host pods synced from the virtual namespace `vns` (kube-system holds the virtual DNS).
  std::vector<json> HostWorkloadPods(const std::string& name, const std::string& vns = "default") {
    auto list = client_->ListAll(
        r::kPods, "vcluster-" + name,
        {.label_selector = std::string(labels::kTenant) + "=" + name + "," + labels::kComponent +
                           "=workload," + labels::kVirtualNamespaceLabel + "=" + vns});
    return list.ok() ? list->items : std::vector<json>{};
  }

  // The pid of the last process in /proc whose command line (arguments joined by spaces, with
  // a trailing space) contains every one of `parts` (and for which `also` holds), or 0.
  static pid_t FindProcess(const std::vector<std::string>& parts,
                           const std::function<bool(pid_t)>& also = {}) {
    const auto pids = Processes(
        [&](const ProcessInfo& p) { return p.CommandLineHas(parts) && (!also || also(p.pid)); });
    return pids.empty() ? 0 : pids.back();
  }

  // The pid of this virtual cluster's syncer (`vc-syncer run`, in its control-plane pod's
  // container on a real node, seen from the host's /proc), or 0.
  static pid_t SyncerPid(const std::string& name) {
    return FindProcess({"vc-syncer run ", "--name=" + name + " "});
  }

  // The control-plane pod's /data (its volume) as the host sees it, through the running
  // syncer's root (/proc/PID/root); "" while there is no syncer.
  static std::string DataDir(const std::string& name) {
    const pid_t pid = SyncerPid(name);
    if (pid <= 0) return {};
    std::string cmdline = ReadAll("/proc/" + std::to_string(pid) + "/cmdline");
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    const std::string flag = "--data-dir=";
    const size_t at = cmdline.find(flag);
    if (at == std::string::npos) return {};
    const size_t start = at + flag.size();
    return "/proc/" + std::to_string(pid) + "/root" +
           cmdline.substr(start, cmdline.find(' ', start) - start);
  }

  // The network namespace of a process, as "net:[INODE]", or "".
  static std::string NetNamespace(pid_t pid) {
    std::error_code ec;
    auto target = std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/ns/net", ec);
    return ec ? std::string() : target.string();
  }

  // The virtual kube-apiserver container's process of NAME (in its syncer's pod: the same
  // network namespace), or 0.
  static pid_t VirtualApiserverPid(const std::string& name) {
    const pid_t syncer = SyncerPid(name);
    if (syncer <= 0) return 0;
    const std::string netns = NetNamespace(syncer);
    if (netns.empty()) return 0;
    return FindProcess({"kube-apiserver ", "--tls-cert-file="},
                       [&](pid_t pid) { return NetNamespace(pid) == netns; });
  }

  // kubectl against NAME's virtual API server directly: in its pod's network namespace (the
  // server of the control plane's own admin kubeconfig is the pod's loopback), independent of
  // the host, so it works while the host API is down.
  CliResult VirtualKubectl(const std::string& name, std::vector<std::string> args) {
    const pid_t pid = SyncerPid(name);
    if (pid <= 0) return {.code = -1, .err = "no syncer process for " + name};
    const std::string proc = "/proc/" + std::to_string(pid);
    args.insert(args.begin(), {"nsenter", "--net=" + proc + "/ns/net", bin_ + "/kubectl",
                               "--kubeconfig", DataDir(name) + "/kubeconfig/admin.conf"});
    return Exec(args, std::chrono::seconds(60));
  }

  // The logs of kubectl-vc's background port-forwards (connect), for failure messages.
  std::string ForwardLogs() {
    std::string out;
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator(home_->path() + "/.kube/vc", ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
      if (it->path().filename().string().rfind("forward-", 0) == 0) {
        std::string text = ReadAll(it->path().string());
        out += "--- " + it->path().string() + "\n" +
               (text.size() > 3000 ? text.substr(text.size() - 3000) : text) + "\n";
      }
    }
    return out;
  }

  // The syncer container's log of the control-plane pod (its last `bytes`; the restarts kubelet
  // keeps, in order), for failure messages and for what the syncer said it did. Read from the
  // files kubelet writes (DIR/nodes/N/pod-logs/NS_POD_UID/syncer/RESTART.log), so it works
  // while the host API server is down.
  std::string SyncerLog(const std::string& name, size_t bytes = 6000) {
    const std::string pod_prefix = "vcluster-" + name + "_" + name + "-0_";
    std::vector<std::pair<int, std::string>> files;
    std::error_code ec;
    for (auto node = std::filesystem::directory_iterator(host_dir_ + "/nodes", ec);
         !ec && node != std::filesystem::directory_iterator(); node.increment(ec)) {
      std::error_code ec2;
      for (auto pod = std::filesystem::directory_iterator(node->path() / "pod-logs", ec2);
           !ec2 && pod != std::filesystem::directory_iterator(); pod.increment(ec2)) {
        if (pod->path().filename().string().rfind(pod_prefix, 0) != 0) continue;
        std::error_code ec3;
        for (auto f = std::filesystem::directory_iterator(pod->path() / "syncer", ec3);
             !ec3 && f != std::filesystem::directory_iterator(); f.increment(ec3)) {
          files.push_back({std::atoi(f->path().stem().c_str()), f->path().string()});
        }
      }
    }
    std::sort(files.begin(), files.end());
    std::string out;
    for (const auto& [restart, path] : files) out += "--- " + path + "\n" + ReadAll(path);
    if (out.empty()) return "(no syncer log of " + pod_prefix + " under " + host_dir_ + "/nodes)";
    return out.size() > bytes ? out.substr(out.size() - bytes) : out;
  }
};

inline constexpr const char* kIngress = R"(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web-app, namespace: default}
spec:
  rules:
  - host: web.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend: {service: {name: web-app, port: {number: 80}}}
)";

inline constexpr const char* kWebApp = R"(apiVersion: v1
kind: ConfigMap
metadata: {name: web-config, namespace: default}
data: {GREETING: hello}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web-app, namespace: default}
spec:
  replicas: 3
  selector: {matchLabels: {app: web-app}}
  template:
    metadata: {labels: {app: web-app}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports: [{containerPort: 80}]
        env:
        - name: GREETING
          valueFrom: {configMapKeyRef: {name: web-config, key: GREETING}}
        - name: MY_NAMESPACE
          valueFrom: {fieldRef: {fieldPath: metadata.namespace}}
---
apiVersion: v1
kind: Service
metadata: {name: web-app, namespace: default}
spec:
  selector: {app: web-app}
  ports: [{port: 80, targetPort: 80}]
)";

}  // namespace vc::testing
