// SPDX-License-Identifier: Apache-2.0
// Virtual clusters on the real-node host cluster, as a user makes and uses them: kubectl-vc and
// kubectl with a HOME and kubeconfig of the test's own (which `create` switches to the virtual
// cluster), each virtual cluster deleted in TearDown. Needs root (the real-node cluster).
#pragma once

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "realnodes/real_cluster.h"

namespace vc::testing {

class RealVirtualClusterTest : public RealClusterTest {
 protected:
  void SetUp() override {
    RealClusterTest::SetUp();
    if (HasFatalFailure()) return;
    home_ = std::make_unique<TempDir>("vc-real-home");
    std::filesystem::create_directories(home_->path() + "/.kube");
    std::filesystem::copy_file(dir_ + "/kubeconfig", home_->path() + "/.kube/config");
  }

  void TearDown() override {
    for (auto it = created_.rbegin(); it != created_.rend(); ++it) {
      // Every test's delete is a test of delete: a syncer that put back what delete removed
      // once held each of them for the whole --timeout.
      const Ran deleted = Vc({"delete", *it, "-n", NamespaceOf(*it), "--wait", "--timeout", "90s"});
      EXPECT_TRUE(deleted.code == 0 || deleted.out.find(" not found in ") != std::string::npos)
          << deleted.out;
    }
    forwards_.clear();
    for (const std::string& ns : extra_namespaces_) {
      Kubectl({"delete", "namespace", ns, "--wait=false"}, false);
    }
    RealClusterTest::TearDown();
  }

  // What kubectl-vc and kubectl see as a user's shell: their own HOME and kubeconfig, which
  // `create` and `connect` switch to the virtual cluster.
  std::map<std::string, std::string> UserEnv() const {
    const std::string bin = ClusterValue(dir_, "BIN");
    return {{"HOME", home_->path()},
            {"KUBECONFIG", home_->path() + "/.kube/config"},
            {"KUBECTL_PATH", bin + "/kubectl"},
            {"PATH", bin + ":" + Env("PATH")}};
  }

  // A shell script run with UserEnv().
  Ran Sh(const std::string& script) {
    std::string cmd;
    for (const auto& [k, v] : UserEnv()) cmd += k + "='" + v + "' ";
    return RunCommand({"/bin/sh", "-c", "export " + cmd + "; " + script}, scratch_->path(),
                      std::chrono::seconds(300));
  }

  // kubectl-vc (or, with kubectl = true, kubectl) as a user runs it.
  Ran Vc(std::vector<std::string> args, bool kubectl = false) {
    std::string cmd = std::string("exec '") + (kubectl ? "kubectl" : VC_KUBECTL_VC_BIN) + "'";
    for (const auto& a : args) cmd += " '" + a + "'";
    return Sh(cmd);
  }

  // The host namespace of virtual cluster NAME.
  std::string NamespaceOf(const std::string& name) const {
    auto it = namespaces_.find(name);
    return it == namespaces_.end() ? ns_ : it->second;
  }

  // The context `create` wrote for virtual cluster NAME.
  std::string ContextOf(const std::string& name) const {
    return "vc_" + name + "_" + NamespaceOf(name) + "_real";
  }

  // kubectl in virtual cluster NAME.
  Ran In(const std::string& name, std::vector<std::string> args) {
    args.insert(args.begin(), {"--context", ContextOf(name)});
    return Vc(args, true);
  }

  // Creates NAME from `values` (YAML; none: the defaults), deleted in TearDown: the first one
  // in the test's namespace, each further one in a namespace of its own (one per namespace).
  void Create(const std::string& name, const std::string& values = "") {
    if (!created_.empty()) {
      const std::string ns = ns_ + "-" + name;
      ASSERT_EQ(Kubectl({"create", "namespace", ns}, false).code, 0);
      extra_namespaces_.push_back(ns);
      namespaces_[name] = ns;
    }
    created_.push_back(name);
    std::vector<std::string> args = {"create", name, "-n", NamespaceOf(name), "--timeout", "4m"};
    if (!values.empty()) {
      const std::string file = scratch_->path() + "/" + name + "-values.yaml";
      std::ofstream(file) << values;
      args.insert(args.end(), {"-f", file});
    }
    Ran created = Vc(args);
    ASSERT_EQ(created.code, 0)
        << created.out
        << Kubectl({"-n", NamespaceOf(name), "describe", "pod", name + "-0"}, false).out;
  }

  // Applies YAML in virtual cluster NAME.
  Ran ApplyIn(const std::string& name, const std::string& yaml) {
    const std::string file = scratch_->path() + "/in" + std::to_string(++applied_) + ".yaml";
    std::ofstream(file) << yaml;
    return In(name, {"apply", "-f", file});
  }

  // A JSONPath of an object in virtual cluster NAME, or "".
  std::string GetIn(const std::string& name, const std::string& object,
                    const std::string& jsonpath) {
    Ran r = In(name, {"get", object, "-o", "jsonpath=" + jsonpath});
    return r.code == 0 ? r.out : "";
  }

  // Waits for a pod of virtual cluster NAME to be Running (and Ready when `ready`).
  bool WaitRunningIn(const std::string& name, const std::string& pod, bool ready = true) {
    if (Eventually(
            [&] {
              return GetIn(name, "pod/" + pod, "{.status.phase}") == "Running" &&
                     (!ready ||
                      GetIn(name, "pod/" + pod,
                            "{.status.conditions[?(@.type==\"Ready\")].status}") == "True");
            },
            std::chrono::seconds(150))) {
      return true;
    }
    ADD_FAILURE() << pod << " in " << name << " is not running:\n"
                  << In(name, {"describe", "pod", pod}).out;
    return false;
  }

  std::unique_ptr<TempDir> home_;
  std::vector<std::string> created_;
  std::map<std::string, std::string> namespaces_;  // of the virtual clusters not in ns_
  std::vector<std::string> extra_namespaces_;
  std::vector<std::unique_ptr<ChildProcess>> forwards_;
};

}  // namespace vc::testing
