// SPDX-License-Identifier: Apache-2.0
// What the vc-syncer end-to-end tests share: a real virtual cluster made with the kubectl-vc
// binary against the local host cluster (host pods are kwok pods: Running with a fake IP, never
// run; the control plane runs as local processes with our freshly built vc-syncer), kubectl in
// it, the host client, the syncer's log and pid, and a loopback echo server for port-forwards.
#pragma once

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <mutex>
#include <thread>
#include <vector>

#include "integration/cli/cli_fixture.h"
#include "vc/labels.h"

namespace vc::testing {

using nlohmann::json;
namespace r = kube::resources;

class SyncerE2eTest : public CliTest {
 protected:
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
  // Pod POD (image, label app=POD without its "-N") in virtual cluster NAME's default
  // namespace, waited for until it is Running with the host pod's IP: the virtual pod in *vpod.
  void RunPod(const std::string& name, const std::string& pod, const std::string& image,
              json* vpod) {
    const std::string app = pod.substr(0, pod.rfind('-'));
    auto applied = ApplyInVirtual(name, pod + ".yaml",
                                  "apiVersion: v1\nkind: Pod\nmetadata: {name: " + pod +
                                      ", namespace: default, labels: {app: " + app +
                                      "}}\nspec:\n  containers: [{name: " + app +
                                      ", image: " + image + "}]\n");
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
  // a trailing space) contains every one of `parts`, or 0.
  static pid_t FindProcess(const std::vector<std::string>& parts) {
    DIR* proc = ::opendir("/proc");
    if (proc == nullptr) return 0;
    pid_t found = 0;
    while (dirent* e = ::readdir(proc)) {
      const pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
      if (pid <= 0) continue;
      std::string cmdline = ReadAll("/proc/" + std::string(e->d_name) + "/cmdline");
      std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
      if (std::all_of(parts.begin(), parts.end(), [&](const std::string& part) {
            return cmdline.find(part) != std::string::npos;
          })) {
        found = pid;
      }
    }
    ::closedir(proc);
    return found;
  }

  // The pid of this virtual cluster's syncer container (the pod runner's child process), or 0.
  static pid_t SyncerPid(const std::string& name) {
    return FindProcess({"vc-syncer run ", "--name=" + name + " "});
  }

  // The local directory the pod runner gave the control-plane pod's /data (its claim), read
  // from the running syncer's --data-dir; "" while there is no syncer.
  static std::string DataDir(const std::string& name) {
    const pid_t pid = SyncerPid(name);
    if (pid <= 0) return {};
    std::string cmdline = ReadAll("/proc/" + std::to_string(pid) + "/cmdline");
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    const std::string flag = "--data-dir=";
    const size_t at = cmdline.find(flag);
    if (at == std::string::npos) return {};
    const size_t start = at + flag.size();
    return cmdline.substr(start, cmdline.find(' ', start) - start);
  }

  // The virtual kube-apiserver container's process (the one serving from `data_dir`), or 0.
  static pid_t VirtualApiserverPid(const std::string& data_dir) {
    return FindProcess({"kube-apiserver ", "--tls-cert-file=" + data_dir + "/pki/apiserver.crt "});
  }

  // kubectl against the virtual API server directly (its loopback port, the control plane's
  // own admin kubeconfig): independent of the host, so it works while the host API is down.
  CliResult VirtualKubectl(const std::string& data_dir, std::vector<std::string> args) {
    args.insert(args.begin(),
                {bin_ + "/kubectl", "--kubeconfig", data_dir + "/kubeconfig/admin.conf"});
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

  // The syncer container's log of the control-plane pod (its last `bytes`), for failure
  // messages and for what the syncer said it did.
  std::string SyncerLog(const std::string& name, size_t bytes = 6000) {
    std::string out;
    const std::string dir = host_dir_ + "/pods";
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      const std::string p = it->path().string();
      if (p.find("/vcluster-" + name + "/") != std::string::npos &&
          it->path().filename() == "syncer.log") {
        std::string text = ReadAll(p);
        out += "--- " + p + "\n" + (text.size() > bytes ? text.substr(text.size() - bytes) : text);
      }
    }
    return out.empty() ? "(no syncer log found under " + dir + ")" : out;
  }
};

// A TCP echo server on a free loopback port, the "container" kwok forwards to. A thread per
// connection; the destructor shuts every socket down (kwok may keep its side open) and joins.
class EchoServer {
 public:
  EchoServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    ::listen(fd_, 8);
    socklen_t len = sizeof(addr);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] {
      for (;;) {
        const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (c < 0) return;
        std::lock_guard lock(mu_);
        clients_.push_back(c);
        workers_.emplace_back([c] {
          char buf[256];
          for (ssize_t n; (n = ::recv(c, buf, sizeof(buf), 0)) > 0;) {
            ::send(c, buf, static_cast<size_t>(n), MSG_NOSIGNAL);
          }
        });
      }
    });
  }
  ~EchoServer() {
    ::shutdown(fd_, SHUT_RDWR);
    acceptor_.join();
    ::close(fd_);
    std::lock_guard lock(mu_);
    for (int c : clients_) ::shutdown(c, SHUT_RDWR);
    for (auto& w : workers_) w.join();
    for (int c : clients_) ::close(c);
  }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<int> clients_;
  std::vector<std::thread> workers_;
};

// Sends `text` to 127.0.0.1:port and returns what comes back (up to its length), "" on failure.
inline std::string EchoThrough(int port, const std::string& text) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  std::string got;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::send(fd, text.data(), text.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(text.size())) {
    char buf[256];
    while (got.size() < text.size()) {
      const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
      if (n <= 0) break;
      got.append(buf, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  return got;
}

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
