// SPDX-License-Identifier: Apache-2.0
// vc-syncer end to end through a real virtual cluster (kubectl-vc create), against the local
// host cluster: host pods are kwok pods (Running with a fake IP, never run), the virtual
// cluster's control plane runs as local processes with our freshly built vc-syncer.
//  - a Deployment applied in the virtual cluster -> host pods with translated names, tenant
//    labels and rewritten references -> Running on the host -> Running in the virtual cluster
//    with the host's pod IPs and node names (pseudo nodes); a Service gets the host ClusterIP;
//    deleting on either side is reflected on the other.
//  - a pod the tenant's trust level forbids is refused with an Event, nothing on the host.
//  - a host ConfigMap mapped into the virtual cluster, and the pre-populated manifests.
#include <dirent.h>

#include <algorithm>
#include <signal.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "integration/cli/cli_fixture.h"
#include "vc/labels.h"

namespace vc::testing {
namespace {

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
      ASSERT_TRUE(Eventually([&] {
        connected = Run({"connect", name});
        return connected.code == 0;
      }, std::chrono::seconds(60))) << created.Both() << "\n" << connected.Both();
      created = connected;
    }
    ASSERT_EQ(created.code, 0) << created.Both();
    // Pods need the default ServiceAccount, which the virtual controller-manager makes a
    // moment after the API server is up.
    CliResult sa;
    ASSERT_TRUE(Eventually([&] {
      sa = Kubectl({"get", "serviceaccount", "default", "-n", "default", "-o", "name"});
      return sa.code == 0;
    }, std::chrono::seconds(60))) << sa.Both();
  }

  // `kubectl` in the virtual cluster (create left the context there), output as JSON.
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
    auto list = client_->ListAll(r::kPods, "vcluster-" + name,
                                 {.label_selector = std::string(labels::kTenant) + "=" + name +
                                                    "," + labels::kComponent + "=workload," +
                                                    labels::kVirtualNamespaceLabel + "=" + vns});
    return list.ok() ? list->items : std::vector<json>{};
  }

  // The pid of this virtual cluster's syncer container (the pod runner's child process), or 0.
  static pid_t SyncerPid(const std::string& name) {
    DIR* proc = ::opendir("/proc");
    if (proc == nullptr) return 0;
    pid_t found = 0;
    while (dirent* e = ::readdir(proc)) {
      const pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
      if (pid <= 0) continue;
      std::string cmdline = ReadAll("/proc/" + std::string(e->d_name) + "/cmdline");
      std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
      if (cmdline.find("vc-syncer run ") != std::string::npos &&
          cmdline.find("--name=" + name + " ") != std::string::npos) {
        found = pid;
      }
    }
    ::closedir(proc);
    return found;
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

  // The syncer container's log of the control-plane pod, for failure messages.
  std::string SyncerLog(const std::string& name) {
    std::string out;
    const std::string dir = ClusterDir() + "/pods";
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      const std::string p = it->path().string();
      if (p.find("/vcluster-" + name + "/") != std::string::npos &&
          it->path().filename() == "syncer.log") {
        std::string text = ReadAll(p);
        out += "--- " + p + "\n" + (text.size() > 6000 ? text.substr(text.size() - 6000) : text);
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
std::string EchoThrough(int port, const std::string& text) {
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

constexpr const char* kIngress = R"(apiVersion: networking.k8s.io/v1
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

constexpr const char* kWebApp = R"(apiVersion: v1
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

TEST_F(SyncerE2eTest, DeploymentRunsOnHostAndStatusFlowsBack) {
  const std::string name = "sync-web";
  ASSERT_NO_FATAL_FAILURE(CreateVirtualCluster(name, "isolation:\n  trustLevel: high\n"));
  const std::string hns = "vcluster-" + name;
  auto applied = ApplyInVirtual(name, "web-app.yaml", std::string(kWebApp) + "---\n" + kIngress);
  ASSERT_EQ(applied.code, 0) << applied.Both();

  // Three host pods, named and labelled for the tenant, references rewritten.
  std::vector<json> host_pods;
  ASSERT_TRUE(Eventually([&] {
    host_pods = HostWorkloadPods(name);
    return host_pods.size() == 3;
  }, std::chrono::seconds(90))) << host_pods.size() << " host pods\n" << SyncerLog(name);
  for (const auto& p : host_pods) {
    const json& meta = p["metadata"];
    const std::string vname = meta["annotations"].value(labels::kVirtualName, "");
    EXPECT_EQ(meta.value("name", ""), vname + "-x-default-x-" + name);
    EXPECT_EQ(vname.rfind("web-app-", 0), 0u) << vname;
    EXPECT_EQ(meta["annotations"].value(labels::kVirtualNamespace, ""), "default");
    EXPECT_FALSE(meta["annotations"].value(labels::kVirtualUid, "").empty());
    EXPECT_EQ(meta["labels"].value(labels::kTenant, ""), name);
    EXPECT_EQ(meta["labels"].value(labels::kTenantNamespace, ""), hns);
    EXPECT_EQ(meta["labels"].value(labels::kComponent, ""), "workload");
    EXPECT_EQ(meta["labels"].value("label.kubectl-vc.dev/app", ""), "web-app");
    EXPECT_FALSE(meta["labels"].contains("app")) << "virtual labels must not reach the host as they are";
    const json& spec = p["spec"];
    EXPECT_EQ(spec.value("automountServiceAccountToken", true), false);
    const json& env = spec["containers"][0]["env"];
    bool greeting = false, ns_field = false, apiserver = false;
    for (const auto& e : env) {
      if (e.value("name", "") == "GREETING") {
        greeting = e["valueFrom"]["configMapKeyRef"].value("name", "") ==
                   "web-config-x-default-x-" + name;
      }
      if (e.value("name", "") == "MY_NAMESPACE") {
        ns_field = e["valueFrom"]["fieldRef"].value("fieldPath", "") ==
                   "metadata.annotations['kubectl-vc.dev/object-namespace']";
      }
      if (e.value("name", "") == "KUBERNETES_SERVICE_HOST") apiserver = true;
    }
    EXPECT_TRUE(greeting) << env.dump();
    EXPECT_TRUE(ns_field) << env.dump();
    EXPECT_TRUE(apiserver) << env.dump();
    // The service-account token volume now reads a Secret filled by the virtual API server.
    bool token_secret = false;
    for (const auto& v : spec.value("volumes", json::array())) {
      for (const auto& s : v.value("projected", json::object()).value("sources", json::array())) {
        EXPECT_FALSE(s.contains("serviceAccountToken")) << v.dump();
        if (s.contains("secret") && s["secret"].value("name", "").find("-sa-token-x-default-x-") != std::string::npos) {
          token_secret = true;
        }
      }
    }
    EXPECT_TRUE(token_secret) << spec.dump();
  }
  auto cm = client_->Get(r::kConfigMaps, hns, "web-config-x-default-x-" + name);
  ASSERT_TRUE(cm.ok()) << cm.status().message();
  EXPECT_EQ((*cm)["data"].value("GREETING", ""), "hello");

  // Running on the host (kwok) -> Running in the virtual cluster, bound to pseudo nodes named
  // after the host nodes, with the host pod IPs.
  json vpods;
  ASSERT_TRUE(Eventually([&] {
    vpods = VirtualJson({"get", "pods", "-n", "default", "-l", "app=web-app"});
    if (!vpods.is_object() || vpods["items"].size() != 3) return false;
    for (const auto& p : vpods["items"]) {
      if (p["status"].value("phase", "") != "Running" || p["spec"].value("nodeName", "").empty()) {
        return false;
      }
    }
    return true;
  }, std::chrono::seconds(90))) << vpods.dump() << "\n" << SyncerLog(name);
  host_pods = HostWorkloadPods(name);
  for (const auto& vp : vpods["items"]) {
    const std::string vname = vp["metadata"].value("name", "");
    auto hp = client_->Get(r::kPods, hns, vname + "-x-default-x-" + name);
    ASSERT_TRUE(hp.ok()) << hp.status().message();
    EXPECT_EQ(vp["status"].value("podIP", "a"), (*hp)["status"].value("podIP", "b"));
    EXPECT_EQ(vp["spec"].value("nodeName", "a"), (*hp)["spec"].value("nodeName", "b"));
  }
  json nodes = VirtualJson({"get", "nodes"});
  ASSERT_TRUE(nodes.is_object()) << "get nodes failed";
  std::set<std::string> node_names;
  for (const auto& n : nodes["items"]) {
    node_names.insert(n["metadata"].value("name", ""));
    EXPECT_EQ(n["metadata"]["labels"].value("kubectl-vc.dev/pseudo-node", ""), "true");
    bool ready = false;
    for (const auto& c : n["status"].value("conditions", json::array())) {
      ready = ready || (c.value("type", "") == "Ready" && c.value("status", "") == "True");
    }
    EXPECT_TRUE(ready) << n.dump();
  }
  for (const auto& vp : vpods["items"]) {
    EXPECT_EQ(node_names.count(vp["spec"].value("nodeName", "")), 1u) << nodes.dump();
  }

  // The virtual cluster's CoreDNS runs as a synced workload; its Service has the host's
  // ClusterIP, and workload pods created after it resolve through it. (No pod network here:
  // the configuration is what can be checked.)
  const std::string dns_svc = "kube-dns-x-kube-system-x-" + name;
  json host_dns;
  ASSERT_TRUE(Eventually([&] {
    auto got = client_->Get(r::kServices, hns, dns_svc);
    if (!got.ok()) return false;
    host_dns = *got;
    return true;
  }, std::chrono::seconds(60))) << SyncerLog(name);
  const std::string dns_ip = host_dns["spec"].value("clusterIP", "");
  json vdns;
  EXPECT_TRUE(Eventually([&] {
    vdns = VirtualJson({"get", "service", "kube-dns", "-n", "kube-system"});
    return vdns.is_object() && vdns["spec"].value("clusterIP", "") == dns_ip;
  }, std::chrono::seconds(60))) << vdns.dump();
  json corefile = VirtualJson({"get", "configmap", "coredns", "-n", "kube-system"});
  EXPECT_TRUE(corefile.is_object() &&
              corefile["data"].value("Corefile", "").find("kubernetes cluster.local") != std::string::npos)
      << corefile.dump();
  EXPECT_TRUE(Eventually([&] {
    auto dns_pods = VirtualJson({"get", "pods", "-n", "kube-system", "-l", "k8s-app=kube-dns"});
    return dns_pods.is_object() && dns_pods["items"].size() == 1 &&
           dns_pods["items"][0]["status"].value("phase", "") == "Running";
  }, std::chrono::seconds(60))) << SyncerLog(name);
  auto late = ApplyInVirtual(name, "late.yaml", R"(apiVersion: v1
kind: Pod
metadata: {name: late, namespace: default}
spec:
  containers: [{name: c, image: busybox}]
)");
  ASSERT_EQ(late.code, 0) << late.Both();
  json late_host;
  EXPECT_TRUE(Eventually([&] {
    auto got = client_->Get(r::kPods, hns, "late-x-default-x-" + name);
    if (!got.ok()) return false;
    late_host = *got;
    return true;
  }, std::chrono::seconds(60))) << SyncerLog(name);
  EXPECT_EQ(late_host["spec"].value("dnsPolicy", ""), "None") << late_host["spec"].dump();
  EXPECT_EQ(late_host["spec"]["dnsConfig"]["nameservers"], json::array({dns_ip}));
  EXPECT_EQ(Kubectl({"delete", "pod", "late", "-n", "default", "--wait=false"}).code, 0);

  // Host events about the pods reach the virtual cluster, about the virtual pods.
  const std::string first = vpods["items"][0]["metadata"].value("name", "");
  json vevents;
  EXPECT_TRUE(Eventually([&] {
    vevents = VirtualJson({"get", "events", "-n", "default", "--field-selector",
                           "involvedObject.name=" + first + ",reason=Scheduled"});
    return vevents.is_object() && !vevents["items"].empty();
  }, std::chrono::seconds(60))) << vevents.dump() << "\n" << SyncerLog(name);
  if (vevents.is_object() && !vevents["items"].empty()) {
    EXPECT_NE(vevents["items"][0].value("message", "").find("default/" + first), std::string::npos)
        << vevents["items"][0].dump();
  }

  // The Service: synced with a translated selector; the virtual one carries the host ClusterIP.
  const std::string host_svc = "web-app-x-default-x-" + name;
  json hsvc;
  ASSERT_TRUE(Eventually([&] {
    auto got = client_->Get(r::kServices, hns, host_svc);
    if (!got.ok()) return false;
    hsvc = *got;
    return true;
  }, std::chrono::seconds(60))) << SyncerLog(name);
  EXPECT_EQ(hsvc["spec"]["selector"].value("label.kubectl-vc.dev/app", ""), "web-app");
  EXPECT_EQ(hsvc["spec"]["selector"].value(labels::kTenant, ""), name);
  const std::string host_ip = hsvc["spec"].value("clusterIP", "");
  json vsvc;
  EXPECT_TRUE(Eventually([&] {
    vsvc = VirtualJson({"get", "service", "web-app", "-n", "default"});
    return vsvc.is_object() && vsvc["spec"].value("clusterIP", "") == host_ip;
  }, std::chrono::seconds(60))) << host_ip << " vs " << vsvc.dump() << "\n" << SyncerLog(name);

  // Host side deleted behind the syncer's back: the virtual pod goes, its ReplicaSet makes a new
  // one, which gets a new host pod.
  const std::string victim = vpods["items"][0]["metadata"].value("name", "");
  ASSERT_TRUE(client_->Delete(r::kPods, hns, victim + "-x-default-x-" + name,
                              {.grace_period_seconds = 0}).ok());
  EXPECT_TRUE(Eventually([&] {
    auto now = VirtualJson({"get", "pods", "-n", "default", "-l", "app=web-app"});
    if (!now.is_object()) return false;
    int running = 0;
    for (const auto& p : now["items"]) {
      if (p["metadata"].value("name", "") == victim) return false;
      running += p["status"].value("phase", "") == "Running" ? 1 : 0;
    }
    return running == 3;
  }, std::chrono::seconds(90))) << SyncerLog(name);

  // Ingresses are not synced unless the values ask (sync.toHost.ingresses.enabled): by now the
  // syncer has handled everything applied with it.
  EXPECT_EQ(client_->Get(r::kIngresses, hns, "web-app-x-default-x-" + name).status().code(),
            Code::kNotFound);

  // Virtual side deleted: the host pods and the host Service go.
  auto deleted = Kubectl({"delete", "deployment", "web-app", "-n", "default"});
  ASSERT_EQ(deleted.code, 0) << deleted.Both();
  auto svc_deleted = Kubectl({"delete", "service", "web-app", "-n", "default"});
  ASSERT_EQ(svc_deleted.code, 0) << svc_deleted.Both();
  EXPECT_TRUE(Eventually([&] { return HostWorkloadPods(name).empty(); }, std::chrono::seconds(90)))
      << HostWorkloadPods(name).size() << " host pods left\n" << SyncerLog(name);
  EXPECT_TRUE(Eventually([&] {
    return client_->Get(r::kServices, hns, host_svc).status().code() == Code::kNotFound;
  }, std::chrono::seconds(60)));
  // No pods left on a pseudo node: it goes too. Only the virtual DNS pod's node stays.
  auto dns_pod = VirtualJson({"get", "pods", "-n", "kube-system", "-l", "k8s-app=kube-dns"});
  ASSERT_TRUE(dns_pod.is_object() && dns_pod["items"].size() == 1) << dns_pod.dump();
  const std::string dns_node = dns_pod["items"][0]["spec"].value("nodeName", "");
  json left;
  EXPECT_TRUE(Eventually([&] {
    left = VirtualJson({"get", "nodes"});
    return left.is_object() && left["items"].size() == 1 &&
           left["items"][0]["metadata"].value("name", "") == dns_node;
  }, std::chrono::seconds(60))) << left.dump();
}

TEST_F(SyncerE2eTest, ForbiddenPodRefusedAndHostConfigMapMapped) {
  const std::string name = "sync-partner";
  const std::string platform = "platform-" + std::to_string(getpid());
  const json ns = {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", platform}}}};
  ASSERT_TRUE(client_->Create(r::kNamespaces, "", ns).ok());
  struct Cleanup {
    std::shared_ptr<kube::Client> c;
    std::string ns;
    ~Cleanup() { (void)c->Delete(r::kNamespaces, "", ns); }
  } cleanup{client_, platform};
  const json settings = {{"apiVersion", "v1"},
                         {"kind", "ConfigMap"},
                         {"metadata", {{"name", "settings"}, {"namespace", platform}}},
                         {"data", {{"registry", "registry.platform.local"}}}};
  ASSERT_TRUE(client_->Create(r::kConfigMaps, platform, settings).ok());

  ASSERT_NO_FATAL_FAILURE(CreateVirtualCluster(
      name, "isolation:\n  trustLevel: partial\n"
            "sync:\n  fromHost:\n    configMaps:\n      enabled: true\n      mappings:\n"
            "        byName:\n          \"" + platform + "/settings\": \"shared/platform-settings\"\n"
            "experimental:\n  deploy:\n    vcluster:\n      manifests: |\n"
            "        apiVersion: v1\n        kind: ConfigMap\n"
            "        metadata: {name: prepopulated, namespace: default}\n"
            "        data: {team: partner}\n"));

  // The mapped host ConfigMap and the pre-populated one are there.
  json mapped;
  EXPECT_TRUE(Eventually([&] {
    mapped = VirtualJson({"get", "configmap", "platform-settings", "-n", "shared"});
    return mapped.is_object() && mapped["data"].value("registry", "") == "registry.platform.local";
  }, std::chrono::seconds(60))) << mapped.dump() << "\n" << SyncerLog(name);
  json pre;
  EXPECT_TRUE(Eventually([&] {
    pre = VirtualJson({"get", "configmap", "prepopulated", "-n", "default"});
    return pre.is_object() && pre["data"].value("team", "") == "partner";
  }, std::chrono::seconds(60))) << pre.dump();
  // A host change follows.
  ASSERT_TRUE(client_->Patch(r::kConfigMaps, platform, "settings", kube::PatchType::kMerge,
                             R"({"data":{"registry":"mirror.platform.local"}})").ok());
  EXPECT_TRUE(Eventually([&] {
    mapped = VirtualJson({"get", "configmap", "platform-settings", "-n", "shared"});
    return mapped.is_object() && mapped["data"].value("registry", "") == "mirror.platform.local";
  }, std::chrono::seconds(60))) << mapped.dump();

  // hostNetwork at partial trust (baseline): refused, with an Event, and nothing on the host.
  auto applied = ApplyInVirtual(name, "bad.yaml", R"(apiVersion: v1
kind: Pod
metadata: {name: sneaky, namespace: default}
spec:
  hostNetwork: true
  containers: [{name: c, image: busybox}]
)");
  ASSERT_EQ(applied.code, 0) << applied.Both();
  json events;
  EXPECT_TRUE(Eventually([&] {
    events = VirtualJson({"get", "events", "-n", "default", "--field-selector",
                          "involvedObject.name=sneaky,reason=SyncRefused"});
    return events.is_object() && !events["items"].empty();
  }, std::chrono::seconds(60))) << events.dump() << "\n" << SyncerLog(name);
  if (events.is_object() && !events["items"].empty()) {
    EXPECT_NE(events["items"][0].value("message", "").find("hostNetwork"), std::string::npos);
  }
  EXPECT_EQ(client_->Get(r::kPods, "vcluster-" + name, "sneaky-x-default-x-" + name).status().code(),
            Code::kNotFound);
  // A harmless pod of the same tenant does run.
  auto ok_pod = ApplyInVirtual(name, "good.yaml", R"(apiVersion: v1
kind: Pod
metadata: {name: fine, namespace: default}
spec:
  containers: [{name: c, image: busybox}]
)");
  ASSERT_EQ(ok_pod.code, 0) << ok_pod.Both();
  EXPECT_TRUE(Eventually([&] {
    return client_->Get(r::kPods, "vcluster-" + name, "fine-x-default-x-" + name).ok();
  }, std::chrono::seconds(60))) << SyncerLog(name);
}


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

// Robustness: the syncer killed with -9 mid-rollout, and again while the tenant scales down,
// comes back (the pod runner restarts the container, as kubelet would) and converges without
// duplicates or orphans: the name mapping is a pure function plus the uid annotation, so a
// fresh process finds everything again.
TEST_F(SyncerE2eTest, SyncerKilledMidRolloutLeavesNoDuplicatesOrOrphans) {
  const std::string name = "sync-robust";
  ASSERT_NO_FATAL_FAILURE(CreateVirtualCluster(name, "isolation:\n  trustLevel: high\n"));
  const std::string hns = "vcluster-" + name;
  const pid_t first = SyncerPid(name);
  ASSERT_GT(first, 0) << "no syncer process for " << name;
  std::string deployment = kWebApp;
  deployment = deployment.substr(0, deployment.find("---\napiVersion: v1\nkind: Service"));
  auto applied = ApplyInVirtual(name, "web.yaml", deployment);
  ASSERT_EQ(applied.code, 0) << applied.Both();
  // Mid-rollout: some host pods may exist, some not.
  ASSERT_TRUE(Eventually([&] { return !HostWorkloadPods(name).empty(); }, std::chrono::seconds(60)));
  ASSERT_EQ(::kill(first, SIGKILL), 0);
  pid_t second = 0;
  ASSERT_TRUE(Eventually([&] {
    second = SyncerPid(name);
    return second > 0 && second != first;
  }, std::chrono::seconds(60))) << "the syncer was not restarted";

  auto converged = [&](size_t want) {
    auto vpods = VirtualJson({"get", "pods", "-n", "default", "-l", "app=web-app"});
    if (!vpods.is_object() || vpods["items"].size() != want) return false;
    std::set<std::string> uids;
    for (const auto& p : vpods["items"]) {
      if (p["status"].value("phase", "") != "Running") return false;
      uids.insert(p["metadata"].value("uid", ""));
    }
    const auto host = HostWorkloadPods(name);
    if (host.size() != want) return false;
    for (const auto& h : host) {
      if (uids.count(h["metadata"]["annotations"].value(labels::kVirtualUid, "")) == 0) return false;
    }
    return true;
  };
  EXPECT_TRUE(Eventually([&] { return converged(3); }, std::chrono::seconds(90)))
      << HostWorkloadPods(name).size() << " host pods\n" << SyncerLog(name);

  // Killed again, and the tenant scales down while it is gone.
  ASSERT_EQ(::kill(second, SIGKILL), 0);
  auto scaled = Kubectl({"scale", "deployment", "web-app", "-n", "default", "--replicas=1"});
  ASSERT_EQ(scaled.code, 0) << scaled.Both();
  EXPECT_TRUE(Eventually([&] {
    const pid_t third = SyncerPid(name);
    return third > 0 && third != second;
  }, std::chrono::seconds(60)));
  EXPECT_TRUE(Eventually([&] { return converged(1); }, std::chrono::seconds(90)))
      << HostWorkloadPods(name).size() << " host pods\n" << SyncerLog(name);
}

// The prod team's values: real nodes chosen by label (with their labels, so `kubectl get nodes
// -L` shows them) and Ingresses synced with translated backends.
TEST_F(SyncerE2eTest, SelectedRealNodesAndIngresses) {
  const std::string name = "sync-prod";
  auto host_nodes = client_->ListAll(r::kNodes, "", {});
  ASSERT_TRUE(host_nodes.ok());
  ASSERT_GE(host_nodes->items.size(), 2u);
  const std::string chosen = host_nodes->items[0]["metadata"].value("name", "");
  const std::string other = host_nodes->items[1]["metadata"].value("name", "");
  ASSERT_NO_FATAL_FAILURE(CreateVirtualCluster(
      name, "sync:\n  toHost:\n    ingresses:\n      enabled: true\n"
            "  fromHost:\n    ingressClasses:\n      enabled: true\n    nodes:\n      enabled: true\n      selector:\n        labels:\n"
            "          kubernetes.io/hostname: " + chosen + "\n"));
  const std::string hns = "vcluster-" + name;
  struct Cleanup {
    std::shared_ptr<kube::Client> c;
    ~Cleanup() { (void)c->Delete(r::kIngressClasses, "", "platform-nginx"); }
  } cleanup{client_};

  // The selected node is there with its host labels before any pod runs on it; the other
  // host node is filtered out.
  json node;
  EXPECT_TRUE(Eventually([&] {
    node = VirtualJson({"get", "node", chosen});
    return node.is_object() && node["metadata"]["labels"].value("type", "") == "kwok";
  }, std::chrono::seconds(60))) << node.dump() << "\n" << SyncerLog(name);
  if (node.is_object()) {
    EXPECT_FALSE(node["metadata"]["labels"].contains("kubectl-vc.dev/pseudo-node"));
    EXPECT_EQ(node["status"]["addresses"][0].value("address", ""), "127.0.0.1");
  }
  auto nodes = VirtualJson({"get", "nodes"});
  ASSERT_TRUE(nodes.is_object());
  for (const auto& n : nodes["items"]) {
    const std::string n_name = n["metadata"].value("name", "");
    // The other node may only appear as a pseudo node, for a pod the host placed there.
    if (n_name == other) {
      EXPECT_EQ(n["metadata"]["labels"].value("kubectl-vc.dev/pseudo-node", ""), "true");
    }
  }

  // Host IngressClasses appear in the virtual cluster (created after the syncer started, too).
  const json ingress_class = {{"apiVersion", "networking.k8s.io/v1"},
                              {"kind", "IngressClass"},
                              {"metadata", {{"name", "platform-nginx"}}},
                              {"spec", {{"controller", "k8s.io/ingress-nginx"}}}};
  ASSERT_TRUE(client_->Create(r::kIngressClasses, "", ingress_class).ok());
  json vclass;
  EXPECT_TRUE(Eventually([&] {
    vclass = VirtualJson({"get", "ingressclass", "platform-nginx"});
    return vclass.is_object() && vclass["spec"].value("controller", "") == "k8s.io/ingress-nginx";
  }, std::chrono::seconds(60))) << vclass.dump() << "\n" << SyncerLog(name);

  auto applied = ApplyInVirtual(name, "ingress.yaml", kIngress);
  ASSERT_EQ(applied.code, 0) << applied.Both();
  json ingress;
  EXPECT_TRUE(Eventually([&] {
    auto got = client_->Get(r::kIngresses, hns, "web-app-x-default-x-" + name);
    if (!got.ok()) return false;
    ingress = *got;
    return true;
  }, std::chrono::seconds(60))) << SyncerLog(name);
  if (ingress.is_object()) {
    EXPECT_EQ(ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"].value("name", ""),
              "web-app-x-default-x-" + name);
    EXPECT_EQ(ingress["metadata"]["labels"].value(labels::kTenant, ""), name);
  }
  // Deleted in the virtual cluster, gone from the host.
  ASSERT_EQ(Kubectl({"delete", "ingress", "web-app", "-n", "default"}).code, 0);
  EXPECT_TRUE(Eventually([&] {
    return client_->Get(r::kIngresses, hns, "web-app-x-default-x-" + name).status().code() ==
           Code::kNotFound;
  }, std::chrono::seconds(60)));
}

}  // namespace
}  // namespace vc::testing
