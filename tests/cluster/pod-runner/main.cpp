// SPDX-License-Identifier: Apache-2.0
// vc-pod-runner: the kubelet of the local test cluster for the pods that must really run (the
// virtual clusters' control planes, and workloads whose images have a stand-in binary, e.g.
// the demo's nginx). kwok keeps their status; this runs their containers as
// local processes (pod_plan.h), makes port-forwards to them reach those processes (kwok
// PortForward objects), and provisions PersistentVolumes as local directories.
//
//   vc-pod-runner --kubeconfig K --dir ROOT [--selector SELECTOR] --bin REPO=PATH...
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "pod_plan.h"
#include "supervisor.h"
#include "vc/kube/client.h"
#include "vc/kube/informer.h"
#include "vc/kube/kubeconfig.h"
#include "vc/log.h"
#include "volumes.h"

namespace {

using nlohmann::json;
using vc::testing::PodSupervisor;
namespace r = vc::kube::resources;

constexpr const char* kStorageClass = "standard";
const vc::kube::Resource kExecs{"kwok.x-k8s.io", "v1alpha1", "execs", "Exec", true};
const vc::kube::Resource kPortForwards{"kwok.x-k8s.io", "v1alpha1", "portforwards", "PortForward",
                                       true};

int FreePort() {
  // Bind port 0 and let the kernel choose; the tiny window before the process binds it is
  // acceptable for tests.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

class Runner {
 public:
  Runner(std::shared_ptr<vc::kube::Client> client, std::string root,
         std::map<std::string, std::string> binaries)
      : client_(std::move(client)), root_(std::move(root)), binaries_(std::move(binaries)) {
    const std::string& server = client_->config().server;  // https://127.0.0.1:PORT
    auto colon = server.rfind(':');
    extra_env_ = {{"KUBERNETES_SERVICE_HOST", "127.0.0.1"},
                  {"KUBERNETES_SERVICE_PORT", server.substr(colon + 1)}};
  }

  ~Runner() {
    std::map<std::string, std::unique_ptr<PodSupervisor>> pods;
    {
      std::lock_guard lock(mu_);
      pods.swap(pods_);
    }
    for (auto& [uid, s] : pods) s->Stop(std::chrono::seconds(10));
  }

  void OnPod(const json& pod, bool deleted) {
    const std::string uid = pod["metadata"].value("uid", "");
    const std::string key =
        pod["metadata"].value("namespace", "") + "/" + pod["metadata"].value("name", "");
    if (deleted || pod["metadata"].contains("deletionTimestamp")) {
      std::unique_ptr<PodSupervisor> gone;
      {
        std::lock_guard lock(mu_);
        if (auto it = pods_.find(uid); it != pods_.end()) {
          gone = std::move(it->second);
          pods_.erase(it);
        }
      }
      if (gone) {
        VC_LOG(Info) << key << ": stopping";
        gone->Stop(std::chrono::seconds(10));
      }
      return;
    }
    if (pod["spec"].value("nodeName", "").empty()) return;
    // Pods whose images have no local binary stay kwok's (it fakes their status); a
    // control-plane pod without one is a setup mistake worth a line in the log.
    for (const char* list : {"initContainers", "containers"}) {
      for (const auto& c : pod["spec"].value(list, json::array())) {
        if (binaries_.count(vc::testing::Repository(c.value("image", ""))) == 0) {
          if (pod["metadata"].value("labels", json::object()).value("app", "") == "vcluster") {
            VC_LOG(Error) << key << ": no --bin for image " << c.value("image", "");
          }
          return;
        }
      }
    }
    {
      std::lock_guard lock(mu_);
      if (pods_.count(uid)) return;
    }
    // A pod can be bound before its namespace's kube-root-ca.crt (or a ConfigMap or Secret it
    // mounts) exists: kube-controller-manager publishes it a moment after the namespace is
    // made. No later event would bring the pod back here, so wait for it, within a bound.
    auto volumes = vc::testing::PrepareVolumes(*client_, root_, pod);
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!volumes.ok() && volumes.status().code() == vc::Code::kNotFound &&
           std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
      volumes = vc::testing::PrepareVolumes(*client_, root_, pod);
    }
    if (!volumes.ok()) {
      VC_LOG(Error) << key << ": " << volumes.status().ToString();
      return;
    }
    vc::testing::PlanInput input{pod, binaries_, *volumes, extra_env_, FreePort};
    auto plan = vc::testing::PlanPod(input);
    if (!plan.ok()) {
      VC_LOG(Error) << key << ": " << plan.status().ToString();
      return;
    }
    ForwardPorts(pod, plan->ports);
    ExecIn(pod, *plan);
    const std::string log_dir = vc::testing::PodDir(root_, pod);
    auto supervisor = std::make_unique<PodSupervisor>(key, *plan, log_dir);
    supervisor->Start();
    VC_LOG(Info) << key << ": started " << plan->processes.size() << " processes; logs in "
                 << log_dir;
    std::lock_guard lock(mu_);
    pods_[uid] = std::move(supervisor);
  }

  void OnClaim(const json& claim) {
    if (!claim["spec"].value("volumeName", "").empty()) return;
    if (claim["spec"].value("storageClassName", "") != kStorageClass) return;
    const auto& m = claim["metadata"];
    json pv = {
        {"apiVersion", "v1"},
        {"kind", "PersistentVolume"},
        {"metadata", {{"name", "pvc-" + m.value("uid", "")}}},
        {"spec",
         {{"capacity",
           {{"storage", claim["spec"]["resources"]["requests"].value("storage", "1Gi")}}},
          {"accessModes", claim["spec"].value("accessModes", json::array({"ReadWriteOnce"}))},
          {"persistentVolumeReclaimPolicy", "Delete"},
          {"storageClassName", kStorageClass},
          {"hostPath", {{"path", vc::testing::ClaimDir(root_, claim)}}},
          {"claimRef",
           {{"namespace", m.value("namespace", "")},
            {"name", m.value("name", "")},
            {"uid", m.value("uid", "")}}}}}};
    auto applied = client_->Apply({"", "v1", "persistentvolumes", "PersistentVolume", false}, "",
                                  pv["metadata"]["name"].get<std::string>(), pv.dump(),
                                  {.field_manager = "vc-pod-runner", .force = true});
    if (!applied.ok()) VC_LOG(Error) << "provision: " << applied.status().ToString();
  }

  vc::Status EnsureStorageClass() {
    json sc = {{"apiVersion", "storage.k8s.io/v1"},
               {"kind", "StorageClass"},
               {"metadata",
                {{"name", kStorageClass},
                 {"annotations", {{"storageclass.kubernetes.io/is-default-class", "true"}}}}},
               {"provisioner", "kubectl-vc.dev/local-dir"},
               {"volumeBindingMode", "Immediate"}};
    return client_
        ->Apply({"storage.k8s.io", "v1", "storageclasses", "StorageClass", false}, "",
                kStorageClass, sc.dump(), {.field_manager = "vc-pod-runner", .force = true})
        .status();
  }

 private:
  // kwok answers port-forwards to a fake pod by dialing these targets.
  void ForwardPorts(const json& pod, const std::map<int, int>& ports) {
    if (ports.empty()) return;
    json forwards = json::array();
    for (const auto& [container_port, local] : ports) {
      forwards.push_back(
          {{"ports", {container_port}}, {"target", {{"port", local}, {"address", "127.0.0.1"}}}});
    }
    const std::string ns = pod["metadata"].value("namespace", "");
    const std::string name = pod["metadata"].value("name", "");
    json pf = {{"apiVersion", "kwok.x-k8s.io/v1alpha1"},
               {"kind", "PortForward"},
               {"metadata", {{"name", name}, {"namespace", ns}}},
               {"spec", {{"forwards", forwards}}}};
    auto applied = client_->Apply(kPortForwards, ns, name, pf.dump(),
                                  {.field_manager = "vc-pod-runner", .force = true});
    if (!applied.ok())
      VC_LOG(Error) << "port-forward for " << ns << "/" << name << ": "
                    << applied.status().ToString();
  }

  // `kubectl exec` into a running pod: kwok runs the command on this machine (a kwok Exec
  // object), in the pod's directory, with VC_POD_MOUNTS naming each mount's local directory;
  // the exec shim local-cluster puts first on kwok's PATH maps `/data/...` arguments with it.
  void ExecIn(const json& pod, const vc::testing::PodPlan& plan) {
    const std::string ns = pod["metadata"].value("namespace", "");
    const std::string name = pod["metadata"].value("name", "");
    json execs = json::array();
    for (const auto& p : plan.processes) {
      std::string mounts;
      for (const auto& [path, dir] : p.mounts)
        mounts += (mounts.empty() ? "" : ";") + path + "=" + dir;
      execs.push_back({{"containers", {p.container}},
                       {"local",
                        {{"workDir", vc::testing::PodDir(root_, pod)},
                         {"envs", {{{"name", "VC_POD_MOUNTS"}, {"value", mounts}}}}}}});
    }
    json exec = {{"apiVersion", "kwok.x-k8s.io/v1alpha1"},
                 {"kind", "Exec"},
                 {"metadata", {{"name", name}, {"namespace", ns}}},
                 {"spec", {{"execs", execs}}}};
    auto applied = client_->Apply(kExecs, ns, name, exec.dump(),
                                  {.field_manager = "vc-pod-runner", .force = true});
    if (!applied.ok())
      VC_LOG(Error) << "exec for " << ns << "/" << name << ": " << applied.status().ToString();
  }

  std::shared_ptr<vc::kube::Client> client_;
  const std::string root_;
  const std::map<std::string, std::string> binaries_;
  std::map<std::string, std::string> extra_env_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<PodSupervisor>> pods_;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"vc-pod-runner: runs the selected pods of a local test cluster as processes"};
  std::string kubeconfig, root, selector;
  std::vector<std::string> bins;
  app.add_option("--kubeconfig", kubeconfig)->required();
  app.add_option("--dir", root)->required();
  app.add_option("--selector", selector,
                 "Only pods matching this label selector (default: every pod whose images all "
                 "have a --bin)");
  app.add_option("--bin", bins, "REPOSITORY=PATH: the binary that stands for an image");
  CLI11_PARSE(app, argc, argv);
  vc::log::Configure({.level = vc::log::Level::kInfo, .component = "vc-pod-runner"});

  std::map<std::string, std::string> binaries;
  for (const auto& b : bins) {
    auto eq = b.find('=');
    if (eq == std::string::npos) {
      std::fprintf(stderr, "error: --bin %s: expected REPOSITORY=PATH\n", b.c_str());
      return 1;
    }
    binaries[b.substr(0, eq)] = b.substr(eq + 1);
  }
  vc::kube::KubeconfigOptions options;
  options.kubeconfig = kubeconfig;
  options.env = vc::kube::ProcessEnvironment();
  auto config = vc::kube::LoadRestConfig(options);
  if (!config.ok()) {
    std::fprintf(stderr, "error: %s\n", config.status().ToString().c_str());
    return 1;
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before any thread starts

  auto client = vc::kube::Client::ForConfig(*config);
  auto runner = std::make_unique<Runner>(client, root, binaries);
  if (auto s = runner->EnsureStorageClass(); !s.ok()) {
    std::fprintf(stderr, "error: %s\n", s.ToString().c_str());
    return 1;
  }
  vc::kube::Informer claims(client, {.resource = r::kPersistentVolumeClaims},
                            {.on_add = [&](const json& c) { runner->OnClaim(c); },
                             .on_update = [&](const json&, const json& c) { runner->OnClaim(c); }});
  vc::kube::Informer pods(
      client, {.resource = r::kPods, .label_selector = selector},
      {.on_add = [&](const json& p) { runner->OnPod(p, false); },
       .on_update = [&](const json&, const json& p) { runner->OnPod(p, false); },
       .on_delete = [&](const json& p) { runner->OnPod(p, true); }});
  claims.Start();
  pods.Start();
  VC_LOG(Info) << "running pods "
               << (selector.empty() ? "with mapped images" : "matching " + selector);
  int sig = 0;
  sigwait(&signals, &sig);
  VC_LOG(Info) << "signal " << sig << ": stopping every pod";
  pods.Stop();
  claims.Stop();
  runner.reset();
  return 0;
}
