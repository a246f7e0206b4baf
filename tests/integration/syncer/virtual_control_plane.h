// SPDX-License-Identifier: Apache-2.0
// A virtual cluster's control plane as the pod runs it, minus the pod: `vc-syncer init` on a
// temporary /data, then kine (SQLite in /data/state.db) and the upstream kube-apiserver with
// the flags the pod spec passes (rendered, not written again here), as child processes on free
// loopback ports.
// Everything stops and the directory goes away when the object does, also on failure.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "integration/support/cluster.h"
#include "support/process.h"
#include "vc/cli/render/host_objects.h"
#include "vc/kube/client.h"
#include "vc/kube/kubeconfig.h"
#include "vc/kube/resource.h"

namespace vc::testing {

// vc-syncer next to this test binary in the build tree (build/syncer/vc-syncer), unless
// VC_SYNCER_BIN names another.
inline std::string SyncerBinary() {
  if (const std::string env = Env("VC_SYNCER_BIN"); !env.empty()) return env;
  const auto self = std::filesystem::read_symlink("/proc/self/exe");
  return (self.parent_path().parent_path() / "syncer" / "vc-syncer").string();
}

// The upstream binaries: VC_CLUSTER_BIN_DIR, else the ones the host cluster itself runs
// (BIN= in its ports.env), which are the same build.
inline std::string ClusterBinDir() {
  const std::string env = Env("VC_CLUSTER_BIN_DIR");
  return env.empty() ? ClusterPort("BIN") : env;
}

// The kube-apiserver's flags exactly as the pod spec passes them (kubectl-vc's
// render/statefulset.cpp, the one place they are written), with what the pod's environment
// and volume give put in for a process: the ports, loopback, and /data at `data_dir`.
inline std::vector<std::string> ApiServerArgs(const std::string& data_dir, int kine_port,
                                              int apiserver_port) {
  const cli::render::VirtualCluster vc{
      .name = "vc",
      .namespace_ = "vc",
      .values = {{"networking", {{"serviceCIDR", "10.96.0.0/16"}}}}};
  std::vector<std::string> out;
  for (const auto& o : cli::render::RenderHostObjects(vc)) {
    if (o.object.value("kind", "") != "StatefulSet") continue;
    const nlohmann::json& pod = o.object["spec"]["template"]["spec"];
    for (const char* list : {"initContainers", "containers"}) {
      for (const auto& c : pod.value(list, nlohmann::json::array())) {
        if (c.value("name", "") != "kube-apiserver") continue;
        for (const auto& arg : c["args"]) out.push_back(arg.get<std::string>());
      }
    }
  }
  const std::vector<std::pair<std::string, std::string>> substitutions = {
      {"$(VC_KINE_PORT)", std::to_string(kine_port)},
      {"$(VC_APISERVER_PORT)", std::to_string(apiserver_port)},
      {"$(VC_BIND_ADDRESS)", "127.0.0.1"},
      {"/data/", data_dir + "/"}};
  for (auto& arg : out) {
    for (const auto& [from, to] : substitutions) {
      for (size_t at = arg.find(from); at != std::string::npos;
           at = arg.find(from, at + to.size())) {
        arg.replace(at, from.size(), to);
      }
    }
  }
  return out;
}

// A client for a kubeconfig file, loaded the way kubectl would.
inline StatusOr<std::shared_ptr<kube::Client>> ClientFor(const std::string& kubeconfig) {
  kube::KubeconfigOptions options{.kubeconfig = kubeconfig};
  options.env = kube::ProcessEnvironment();
  ASSIGN_OR_RETURN(kube::RestConfig config, kube::LoadRestConfig(options));
  return kube::Client::ForConfig(std::move(config));
}

// The host Service NAME that `kubectl vc create` makes beside the control-plane pod (pods dial
// their apiserver at its cluster IP, so `vc-syncer init` puts that IP into the serving
// certificate and refuses to run without it). Created if missing; ok when it exists.
inline ::testing::AssertionResult EnsureHostService(const std::string& ns,
                                                    const std::string& name) {
  auto client = ClientFor(ClusterDir() + "/kubeconfig");
  if (!client.ok()) return ::testing::AssertionFailure() << client.status().message();
  const nlohmann::json service = {
      {"apiVersion", "v1"},
      {"kind", "Service"},
      {"metadata", {{"name", name}, {"namespace", ns}}},
      {"spec", {{"ports", {{{"name", "https"}, {"port", 443}, {"targetPort", 8443}}}}}}};
  auto created = (*client)->Create(kube::resources::kServices, ns, service);
  if (created.ok() || created.status().code() == Code::kAlreadyExists) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << created.status().message();
}

class VirtualControlPlane {
 public:
  VirtualControlPlane(std::string name, std::string host_namespace)
      : name_(std::move(name)), namespace_(std::move(host_namespace)), tmp_("vc-it-syncer") {
    apiserver_port_ = FreePort();
    kine_port_ = FreePort();
  }

  const std::string& dir() const { return tmp_.path(); }
  std::string data_dir() const { return tmp_.path() + "/data"; }
  std::string pki(const std::string& file) const { return data_dir() + "/pki/" + file; }
  int apiserver_port() const { return apiserver_port_; }
  const std::string& name() const { return name_; }

  // `vc-syncer init` against the host cluster; its exit code (output in dir()/init.log).
  int Init(const std::vector<std::string>& extra_args = {}) {
    if (!EnsureHostService(namespace_, name_)) return -1;
    std::vector<std::string> argv = {SyncerBinary(),
                                     "init",
                                     "--name",
                                     name_,
                                     "--namespace",
                                     namespace_,
                                     "--data-dir",
                                     data_dir(),
                                     "--apiserver-port",
                                     std::to_string(apiserver_port_),
                                     "--host-kubeconfig",
                                     ClusterDir() + "/kubeconfig",
                                     "--service-cidr",
                                     "10.96.0.0/16"};
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
    return RunToCompletion(argv, dir() + "/init.log");
  }

  std::string InitLog() const {
    std::ifstream in(dir() + "/init.log");
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }

  // kine + kube-apiserver; ok once /readyz answers through syncer.conf.
  ::testing::AssertionResult Start() {
    const std::string bin = ClusterBinDir();
    if (bin.empty()) return ::testing::AssertionFailure() << "VC_CLUSTER_BIN_DIR is not set";
    auto kine = ChildProcess::Start(
        "kine",
        {bin + "/kine", "--endpoint", "sqlite://" + data_dir() + "/state.db", "--listen-address",
         "127.0.0.1:" + std::to_string(kine_port_),
         // Its default :8080 metrics listener would collide between clusters on one machine.
         "--metrics-bind-address", "0"},
        dir() + "/kine.log");
    if (!kine.ok()) return ::testing::AssertionFailure() << kine.status().message();
    kine_ = std::move(*kine);
    std::vector<std::string> apiserver_argv = {bin + "/kube-apiserver"};
    for (auto& arg : ApiServerArgs(data_dir(), kine_port_, apiserver_port_)) {
      apiserver_argv.push_back(std::move(arg));
    }
    apiserver_argv.push_back("--v=1");
    auto apiserver =
        ChildProcess::Start("kube-apiserver", apiserver_argv, dir() + "/kube-apiserver.log");
    if (!apiserver.ok()) return ::testing::AssertionFailure() << apiserver.status().message();
    apiserver_ = std::move(*apiserver);

    auto syncer_client = ClientFor(data_dir() + "/kubeconfig/syncer.conf");
    if (!syncer_client.ok()) {
      return ::testing::AssertionFailure() << syncer_client.status().message();
    }
    Status last;
    const bool ready = Eventually(
        [&] {
          if (!kine_->Running() || !apiserver_->Running()) return true;  // fail fast below
          auto r = (*syncer_client)
                       ->Raw({.path = "/readyz",
                              .accept = "text/plain",
                              .timeout = std::chrono::seconds(3)});
          last = r.status();
          return r.ok();
        },
        std::chrono::seconds(120));
    if (!ready || !kine_->Running() || !apiserver_->Running()) {
      return ::testing::AssertionFailure()
             << "virtual apiserver not ready: " << last.message() << "\n"
             << Logs();
    }
    return ::testing::AssertionSuccess();
  }

  // Every child's log tail, for failure messages.
  std::string Logs() const {
    std::string out;
    for (const auto* p : {&kine_, &apiserver_}) {
      if (*p != nullptr) out += (*p)->LogTail(3000) + "\n";
    }
    return out;
  }

  ~VirtualControlPlane() {
    // The apiserver first: it would log kine's disappearance as errors otherwise.
    if (apiserver_ != nullptr) apiserver_->Stop();
    if (kine_ != nullptr) kine_->Stop();
  }

 private:
  std::string name_;
  std::string namespace_;
  TempDir tmp_;
  int apiserver_port_ = 0;
  int kine_port_ = 0;
  std::unique_ptr<ChildProcess> kine_;
  std::unique_ptr<ChildProcess> apiserver_;
};

}  // namespace vc::testing
