// SPDX-License-Identifier: Apache-2.0
// What integration tests share about the local host cluster that CTest starts
// (tests/cluster/local-cluster, fixture host_cluster):
//   VC_TEST_CLUSTER_DIR  the cluster's directory: kubeconfig (admin), limited.kubeconfig,
//                        ports.env
// and `NamespacedTest`, a fixture that gives each test its own namespace and deletes it in
// TearDown, so a failing test leaves nothing behind either.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <thread>

#include "support/prerequisite.h"
#include "vc/kube/client.h"
#include "vc/kube/kubeconfig.h"

namespace vc::testing {

inline std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

inline std::string ClusterDir() { return Env("VC_TEST_CLUSTER_DIR"); }

// The RestConfig of `file` in the cluster directory, loaded the way kubectl would.
inline StatusOr<kube::RestConfig> LoadClusterConfig(const std::string& file = "kubeconfig") {
  if (ClusterDir().empty()) return FailedPrecondition("VC_TEST_CLUSTER_DIR is not set");
  kube::KubeconfigOptions options;
  options.kubeconfig = ClusterDir() + "/" + file;
  options.env = kube::ProcessEnvironment();
  return kube::LoadRestConfig(options);
}

// A value of DIR/ports.env (e.g. "ETCD_PORT"), or empty.
inline std::string ClusterPort(const std::string& key) {
  std::ifstream in(ClusterDir() + "/ports.env");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(key + "=", 0) == 0) return line.substr(key.size() + 1);
  }
  return {};
}

// The local-cluster script that started the cluster (LOCAL_CLUSTER= in its ports.env).
// CTest passes only VC_TEST_CLUSTER_DIR: gtest_discover_tests splits a ';'-separated
// ENVIRONMENT value, so everything else is found through the cluster directory.
inline std::string LocalClusterScript() { return ClusterPort("LOCAL_CLUSTER"); }

// Runs `local-cluster VERB --dir DIR`; its exit status.
inline int LocalCluster(const std::string& verb) {
  const std::string cmd =
      "'" + LocalClusterScript() + "' " + verb + " --dir '" + ClusterDir() + "' >&2";
  return std::system(cmd.c_str());
}

// Polls `done` every 100ms for up to `timeout`; true once it held.
template <typename F>
bool Eventually(F done, std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return done();
}

class NamespacedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    VC_REQUIRE(!ClusterDir().empty(), "VC_TEST_CLUSTER_DIR (run through ctest)");
    auto config = LoadClusterConfig();
    ASSERT_TRUE(config.ok()) << config.status().message();
    config_ = *config;
    client_ = kube::Client::ForConfig(config_);
    std::random_device rd;
    ns_ = "vc-it-" + std::to_string(getpid()) + "-" + std::to_string(rd() % 100000);
    nlohmann::json ns = {
        {"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns_}}}};
    auto created = client_->Create(kube::resources::kNamespaces, "", ns);
    ASSERT_TRUE(created.ok()) << created.status().message();
  }

  void TearDown() override {
    if (client_ == nullptr || ns_.empty()) return;
    auto deleted = client_->Delete(kube::resources::kNamespaces, "", ns_,
                                   {.propagation_policy = "Background"});
    EXPECT_TRUE(deleted.ok() || deleted.status().code() == Code::kNotFound)
        << deleted.status().message();
  }

  static nlohmann::json ConfigMap(const std::string& name,
                                  nlohmann::json data = nlohmann::json::object()) {
    return {{"apiVersion", "v1"},
            {"kind", "ConfigMap"},
            {"metadata", {{"name", name}}},
            {"data", std::move(data)}};
  }

  kube::RestConfig config_;
  std::shared_ptr<kube::Client> client_;
  std::string ns_;
};

}  // namespace vc::testing
