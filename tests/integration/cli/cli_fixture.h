// SPDX-License-Identifier: Apache-2.0
// Runs the kubectl-vc binary as a user would, against the local host cluster: its own HOME
// (with a copy of the cluster's admin kubeconfig as ~/.kube/config), local state in
// HOME/.kube/vc, the cluster's kubectl on PATH. Every virtual cluster a test names through
// Track() is deleted in TearDown, also when the test fails.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "integration/support/cluster.h"
#include "support/prerequisite.h"
#include "support/process.h"

namespace vc::testing {

struct CliResult {
  int code = -1;
  std::string out;
  std::string err;
  std::string Both() const {
    return "exit " + std::to_string(code) + "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err;
  }
};

inline std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class CliTest : public ::testing::Test {
 public:
  void SetUp() override {
    VC_REQUIRE(!ClusterDir().empty(), "VC_TEST_CLUSTER_DIR (run through ctest)");
    home_ = std::make_unique<TempDir>("vc-cli");
    std::filesystem::create_directories(home_->path() + "/.kube");
    bin_ = ClusterPort("BIN");
    ASSERT_NO_FATAL_FAILURE(UseHostCluster(ClusterDir()));
  }

  // Makes the local cluster in `dir` the host: ~/.kube/config becomes a copy of its admin
  // kubeconfig and client_ talks to it. SetUp picks the shared one; a test that needs a
  // cluster of its own (one it may restart) brings it up and switches to it.
  void UseHostCluster(const std::string& dir) {
    host_dir_ = dir;
    std::filesystem::copy_file(dir + "/kubeconfig", kubeconfig(),
                               std::filesystem::copy_options::overwrite_existing);
    kube::KubeconfigOptions options{.kubeconfig = dir + "/kubeconfig"};
    options.env = kube::ProcessEnvironment();
    auto config = kube::LoadRestConfig(options);
    ASSERT_TRUE(config.ok()) << config.status().message();
    client_ = kube::Client::ForConfig(*config);
  }

  void TearDown() override {
    for (const auto& [name, ns] : tracked_) {
      // On a host of the test's own, which goes with everything on it, delete only stops the
      // port-forwards `create` started and removes its contexts: no need to wait.
      std::vector<std::string> args = {"delete", name};
      if (own_host_ == nullptr) args.insert(args.end(), {"--wait", "--timeout", "90s"});
      if (!ns.empty()) args.insert(args.end(), {"-n", ns});
      // Every test's delete is a test of delete: a syncer that put back what delete removed
      // once held each of them for the whole --timeout. (One the test deleted itself, or never
      // made, is not found.)
      const auto deleted = Run(args, std::chrono::seconds(120));
      EXPECT_TRUE(deleted.code == 0 || deleted.err.find(" not found in ") != std::string::npos)
          << deleted.err;
    }
    if (own_host_ != nullptr) DownOwnHost();
  }

#if defined(VC_PROJECT_BUILD_DIR)
  // A host cluster of the test's own (local-cluster up with one real node running this build's
  // images, and `extra` flags), made the host (UseHostCluster) and taken down in TearDown with
  // everything on it, also on failure. For a test that restarts the host or needs a host
  // shaped unlike the shared one.
  void UpOwnHost(const std::string& name, const std::vector<std::string>& extra = {}) {
    own_host_ = std::make_unique<TempDir>("vc-host-" + name);
    own_host_dir_ = own_host_->path() + "/cluster";
    std::vector<std::string> argv = {LocalClusterScript(),
                                     "up",
                                     "--dir",
                                     own_host_dir_,
                                     "--name",
                                     name,
                                     "--nodes",
                                     "0",
                                     "--real-nodes",
                                     "1",
                                     "--project-build",
                                     VC_PROJECT_BUILD_DIR};
    argv.insert(argv.end(), extra.begin(), extra.end());
    // Once more after a failed start: on a loaded 2-core machine a second control plane can
    // miss local-cluster's readiness deadline (or lose a free port to a neighbour); a failed
    // `up` undoes itself.
    int up = 1;
    for (int attempt = 0; attempt < 2 && up != 0; ++attempt) {
      up = RunToCompletion(argv, own_host_->path() + "/up.log", std::chrono::seconds(240));
    }
    ASSERT_EQ(up, 0) << ReadAll(own_host_->path() + "/up.log");
    ASSERT_NO_FATAL_FAILURE(UseHostCluster(own_host_dir_));
  }
#endif

  int DownOwnHost() {
    return RunToCompletion({LocalClusterScript(), "down", "--dir", own_host_dir_},
                           own_host_->path() + "/down.log", std::chrono::seconds(120));
  }

  std::string kubeconfig() const { return home_->path() + "/.kube/config"; }
  std::unique_ptr<TempDir> own_host_;  // UpOwnHost's
  std::string own_host_dir_;

  std::map<std::string, std::string> CliEnv() const {
    const std::string self = std::filesystem::path(VC_KUBECTL_VC_BIN).parent_path().string();
    return {{"HOME", home_->path()},
            {"KUBECONFIG", kubeconfig()},
            {"VC_STATE_DIR", home_->path() + "/.kube/vc"},
            {"KUBECTL_PATH", bin_ + "/kubectl"},
            {"PATH", bin_ + ":" + self + ":" + Env("PATH")}};
  }

  // Runs argv[0] with the environment above, stdout and stderr kept apart.
  CliResult Exec(const std::vector<std::string>& argv,
                 std::chrono::milliseconds timeout = std::chrono::seconds(300)) {
    const std::string id = std::to_string(++runs_);
    const std::string out = home_->path() + "/run" + id + ".out";
    const std::string err = home_->path() + "/run" + id + ".err";
    std::vector<std::string> sh = {"/bin/sh", "-c", "exec \"$0\" \"$@\" 2>'" + err + "'"};
    sh.insert(sh.end(), argv.begin(), argv.end());
    CliResult r;
    r.code = RunToCompletion(sh, out, timeout, CliEnv());
    r.out = ReadAll(out);
    r.err = ReadAll(err);
    return r;
  }

  CliResult Run(std::vector<std::string> args,
                std::chrono::milliseconds timeout = std::chrono::seconds(300)) {
    args.insert(args.begin(), VC_KUBECTL_VC_BIN);
    return Exec(args, timeout);
  }

  CliResult Kubectl(std::vector<std::string> args) {
    args.insert(args.begin(), bin_ + "/kubectl");
    return Exec(args, std::chrono::seconds(60));
  }

  void Track(const std::string& name, const std::string& ns = "") { tracked_.insert({name, ns}); }

  // Every object on the host that carries the tenant label of NAME.
  std::vector<std::string> LeftOnHost(const std::string& name) {
    std::vector<std::string> left;
    const std::string selector = "kubectl-vc.dev/tenant=" + name;
    for (const auto& kind :
         {kube::resources::kStatefulSets, kube::resources::kPods, kube::resources::kServices,
          kube::resources::kSecrets, kube::resources::kServiceAccounts, kube::resources::kRoles,
          kube::resources::kRoleBindings, kube::resources::kClusterRoles,
          kube::resources::kClusterRoleBindings, kube::resources::kNamespaces,
          kube::resources::kResourceQuotas, kube::resources::kLimitRanges,
          kube::resources::kNetworkPolicies, kube::resources::kPersistentVolumeClaims}) {
      auto list = client_->ListAll(kind, "", {.label_selector = selector});
      if (!list.ok()) {
        left.push_back("list " + kind.resource + ": " + list.status().message());
        continue;
      }
      for (const auto& item : list->items) {
        // A namespace on its way out holds nothing a user can reach.
        if (kind.resource == "namespaces" &&
            item.contains("/metadata/deletionTimestamp"_json_pointer))
          continue;
        left.push_back(kind.resource + "/" + item["metadata"].value("name", ""));
      }
    }
    return left;
  }

  std::unique_ptr<TempDir> home_;
  std::string host_dir_;  // the host cluster's directory (local-cluster --dir)
  std::string bin_;
  std::shared_ptr<kube::Client> client_;
  std::set<std::pair<std::string, std::string>> tracked_;
  int runs_ = 0;
};

}  // namespace vc::testing
