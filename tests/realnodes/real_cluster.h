// SPDX-License-Identifier: Apache-2.0
// What the real-node tests share: the local host cluster with real nodes that CTest starts
// (fixture real_cluster: tests/cluster/local-cluster up --nodes 0 --real-nodes 2, as root), in
// VC_REAL_CLUSTER_DIR; kubectl against it; a namespace per test, deleted in TearDown.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "integration/support/cluster.h"
#include "support/process.h"

namespace vc::testing {

struct Ran {
  int code = -1;
  std::string out;  // stdout and stderr together
};

// Runs argv to completion; its exit code and output.
inline Ran RunCommand(const std::vector<std::string>& argv, const std::string& scratch,
                      std::chrono::milliseconds timeout = std::chrono::seconds(120)) {
  static int runs = 0;
  const std::string log = scratch + "/cmd" + std::to_string(++runs) + ".log";
  Ran r;
  r.code = RunToCompletion(argv, log, timeout);
  std::ifstream in(log);
  std::ostringstream s;
  s << in.rdbuf();
  r.out = s.str();
  return r;
}

// The value of KEY in DIR/ports.env, or "".
inline std::string ClusterValue(const std::string& dir, const std::string& key) {
  std::ifstream in(dir + "/ports.env");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(key + "=", 0) == 0) return line.substr(key.size() + 1);
  }
  return {};
}

// A kubeconfig (JSON, written to `file`) for the clusters of `config` (a `kubectl config view
// --raw -o json`, its first cluster) that authenticates with `token` alone; false when `config`
// is not one.
inline bool WriteTokenKubeconfig(const std::string& config_json, std::string token,
                                 const std::string& file) {
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  const nlohmann::json config = nlohmann::json::parse(config_json, nullptr, false);
  if (!config.is_object() || !config.contains("clusters") || config["clusters"].empty()) {
    return false;
  }
  const nlohmann::json out = {
      {"apiVersion", "v1"},
      {"kind", "Config"},
      {"clusters", config["clusters"]},
      {"users", nlohmann::json::array({{{"name", "token"}, {"user", {{"token", token}}}}})},
      {"contexts",
       nlohmann::json::array(
           {{{"name", "token"},
             {"context", {{"cluster", config["clusters"][0]["name"]}, {"user", "token"}}}}})},
      {"current-context", "token"}};
  std::ofstream(file) << out.dump();
  return true;
}

class RealClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = Env("VC_REAL_CLUSTER_DIR");
    // Run through ctest, which brings the cluster up; outside it there is nothing to test.
    ASSERT_FALSE(dir_.empty()) << "VC_REAL_CLUSTER_DIR is not set: run through ctest (as root)";
    scratch_ = std::make_unique<TempDir>("vc-real");
    kubectl_ = ClusterValue(dir_, "BIN") + "/kubectl";
    std::random_device rd;
    ns_ = "real-" + std::to_string(rd() % 1000000);
    ASSERT_EQ(Kubectl({"create", "namespace", ns_}).code, 0);
    // The namespace's default ServiceAccount comes from a controller; pods wait for it.
    ASSERT_TRUE(Eventually([&] {
      return Kubectl({"get", "serviceaccount", "default"}).code == 0;
    }));
  }

  void TearDown() override {
    if (!ns_.empty()) Kubectl({"delete", "namespace", ns_, "--wait=false"}, false);
  }

  // kubectl in the test's namespace (namespaced = false: no -n).
  Ran Kubectl(std::vector<std::string> args, bool namespaced = true,
              std::chrono::milliseconds timeout = std::chrono::seconds(120)) {
    std::vector<std::string> argv = {kubectl_, "--kubeconfig", dir_ + "/kubeconfig"};
    if (namespaced) argv.insert(argv.end(), {"-n", ns_});
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv, scratch_->path(), timeout);
  }

  // Applies YAML (in the test's namespace).
  Ran Apply(const std::string& yaml) {
    const std::string file = scratch_->path() + "/apply" + std::to_string(++applied_) + ".yaml";
    std::ofstream(file) << yaml;
    return Kubectl({"apply", "-f", file});
  }

  // A JSONPath of an object, or "" when kubectl fails.
  std::string Get(const std::string& object, const std::string& jsonpath) {
    Ran r = Kubectl({"get", object, "-o", "jsonpath=" + jsonpath});
    return r.code == 0 ? r.out : "";
  }

  // Waits for a pod to reach `phase`; false (with the pod printed) when it did not.
  bool WaitPhase(const std::string& pod, const std::string& phase,
                 std::chrono::seconds timeout = std::chrono::seconds(90)) {
    if (Eventually([&] { return Get("pod/" + pod, "{.status.phase}") == phase; }, timeout)) {
      return true;
    }
    ADD_FAILURE() << pod << " did not reach " << phase << ":\n"
                  << Kubectl({"describe", "pod", pod}).out;
    return false;
  }

  std::string NodeName(int i) const {
    std::ifstream in(dir_ + "/name");
    std::string name;
    std::getline(in, name);
    return name + "-node" + (i > 1 ? std::to_string(i) : "");
  }

  std::string dir_;
  std::string kubectl_;
  std::string ns_;
  std::unique_ptr<TempDir> scratch_;
  int applied_ = 0;
};

}  // namespace vc::testing
