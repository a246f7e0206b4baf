// SPDX-License-Identifier: Apache-2.0
// kubectl vc upgrade on real nodes: a virtual cluster of the previous Kubernetes minor version
// (tests/cluster/k8s-previous, whose images the test cluster's registry serves) moves to this
// build's version with its data kept and its workloads running all along; steps Kubernetes does
// not support are refused before anything changes, and --dry-run changes nothing.
#include <filesystem>

#include "integration/cli/cli_fixture.h"

namespace vc::testing {
namespace {

using nlohmann::json;

// The k8s.io/kubernetes version a go.mod under tests/cluster requires.
std::string KubernetesVersionOf(const std::string& module_dir) {
  const std::string go_mod = std::filesystem::path(VC_MANIFESTS_DIR).parent_path().string() +
                             "/tests/cluster/" + module_dir + "/go.mod";
  std::ifstream in(go_mod);
  for (std::string line; std::getline(in, line);) {
    const auto at = line.find("k8s.io/kubernetes v");
    if (at != std::string::npos && line.find("//") == std::string::npos) {
      return line.substr(line.find('v', at + 17));
    }
  }
  ADD_FAILURE() << "no k8s.io/kubernetes in " << go_mod;
  return "";
}

std::string ServerVersion(CliTest& t) {
  auto r = t.Kubectl({"version", "-o", "json"});
  const json doc = json::parse(r.out, nullptr, false);
  return doc.is_object() ? doc.value("/serverVersion/gitVersion"_json_pointer, std::string()) : "";
}

TEST_F(CliTest, UpgradeToTheNextMinorVersionKeepsDataAndWorkloadsRunning) {
  const std::string previous = KubernetesVersionOf("k8s-previous");
  const std::string current = KubernetesVersionOf("go");
  ASSERT_FALSE(previous.empty());
  ASSERT_FALSE(current.empty());
  Track("up");
  auto created = Run(
      {"create", "up", "--set", "controlPlane.distro.k8s.version=" + previous, "--timeout", "3m"});
  ASSERT_EQ(created.code, 0) << created.Both();
  std::string version;
  ASSERT_TRUE(Eventually([&] { return (version = ServerVersion(*this)) == previous; },
                         std::chrono::seconds(60)))
      << "the virtual API server runs " << version << ", not " << previous;
  ASSERT_EQ(Kubectl({"create", "configmap", "kept", "--from-literal=a=b"}).code, 0);

  // The tenant's workload (its CoreDNS) runs on the host as pods of ours.
  const std::string workloads = "kubectl-vc.dev/tenant=up,kubectl-vc.dev/component=workload";
  auto running_workloads = [&]() -> std::map<std::string, std::string> {  // host uid -> name
    std::map<std::string, std::string> out;
    auto pods = client_->List(kube::resources::kPods, "vcluster-up", {.label_selector = workloads});
    if (!pods.ok()) return out;
    for (const auto& p : pods->items) {
      if (p.value("/status/phase"_json_pointer, std::string()) != "Running") continue;
      out[p.value("/metadata/uid"_json_pointer, std::string())] =
          p.value("/metadata/name"_json_pointer, std::string());
    }
    return out;
  };
  std::map<std::string, std::string> before;
  ASSERT_TRUE(
      Eventually([&] { return !(before = running_workloads()).empty(); }, std::chrono::seconds(90)))
      << "the tenant's CoreDNS never ran on the host";
  auto sts = client_->Get(kube::resources::kStatefulSets, "vcluster-up", "up");
  ASSERT_TRUE(sts.ok()) << sts.status().message();
  const int64_t generation = sts->value("/metadata/generation"_json_pointer, int64_t{0});

  // Refused before anything changes: back a minor version, or two on.
  const int previous_minor = std::stoi(previous.substr(previous.find('.') + 1));
  auto back =
      Run({"upgrade", "up", "--version", "v1." + std::to_string(previous_minor - 1) + ".0"});
  EXPECT_EQ(back.code, 1) << back.Both();
  EXPECT_NE(back.err.find("is not supported"), std::string::npos) << back.err;
  const auto minor = std::stoi(current.substr(current.find('.') + 1));
  auto skip = Run({"upgrade", "up", "--version", "v1." + std::to_string(minor + 1) + ".0"});
  EXPECT_EQ(skip.code, 1) << skip.Both();
  EXPECT_NE(skip.err.find("one minor version at a time"), std::string::npos) << skip.err;
  // A change the host refuses (a StatefulSet's volume claim is fixed) is found by its dry run.
  auto fixed =
      Run({"upgrade", "up", "--set", "controlPlane.statefulSet.persistence.volumeClaim.size=7Gi"});
  EXPECT_EQ(fixed.code, 1) << fixed.Both();
  EXPECT_NE(fixed.err.find("the host refuses the change to StatefulSet vcluster-up/up"),
            std::string::npos)
      << fixed.err;
  EXPECT_NE(fixed.err.find("nothing was changed"), std::string::npos) << fixed.err;

  // --dry-run says what would change and changes nothing.
  auto dry = Run({"upgrade", "up", "--version", current, "--dry-run"});
  ASSERT_EQ(dry.code, 0) << dry.Both();
  EXPECT_NE(dry.err.find("Kubernetes: " + previous + " -> " + current), std::string::npos)
      << dry.err;
  EXPECT_NE(dry.err.find("controlPlane.distro.k8s.version: " + previous + " -> " + current),
            std::string::npos)
      << dry.err;
  EXPECT_NE(dry.err.find("changes: StatefulSet vcluster-up/up"), std::string::npos) << dry.err;
  EXPECT_NE(dry.err.find("dry run: nothing was changed"), std::string::npos) << dry.err;
  sts = client_->Get(kube::resources::kStatefulSets, "vcluster-up", "up");
  ASSERT_TRUE(sts.ok());
  EXPECT_EQ(sts->value("/metadata/generation"_json_pointer, int64_t{0}), generation)
      << "the refusals or the dry run changed the StatefulSet";

  auto upgraded = Run({"upgrade", "up", "--version", current, "--timeout", "3m"});
  ASSERT_EQ(upgraded.code, 0) << upgraded.Both();
  EXPECT_NE(upgraded.err.find("is upgraded (Kubernetes " + current + ")"), std::string::npos)
      << upgraded.err;
  // upgrade returns once the new control plane is ready: the pod is of the new template, and
  // kubectl, through the same connection, reaches the new version and the data.
  sts = client_->Get(kube::resources::kStatefulSets, "vcluster-up", "up");
  auto pod = client_->Get(kube::resources::kPods, "vcluster-up", "up-0");
  ASSERT_TRUE(sts.ok() && pod.ok());
  EXPECT_EQ(pod->value("/metadata/labels/controller-revision-hash"_json_pointer, std::string()),
            sts->value("/status/updateRevision"_json_pointer, std::string("?")))
      << "upgrade returned before the StatefulSet replaced its pod";
  ASSERT_TRUE(Eventually([&] { return (version = ServerVersion(*this)) == current; },
                         std::chrono::seconds(60)))
      << "the virtual API server runs " << version << " after the upgrade";
  auto kept = Kubectl({"get", "configmap", "kept", "-o", "jsonpath={.data.a}"});
  EXPECT_EQ(kept.out, "b") << kept.Both();
  auto listed = Run({"list", "-o", "json"});
  const json list = json::parse(listed.out, nullptr, false);
  ASSERT_TRUE(list.is_object()) << listed.Both();
  EXPECT_EQ(list.value("/items/0/version"_json_pointer, std::string()), current) << listed.out;
  // The workloads ran through it: the same host pods, never replaced.
  const auto after = running_workloads();
  for (const auto& [uid, name] : before) {
    EXPECT_TRUE(after.count(uid)) << "host pod " << name << " was replaced by the upgrade";
  }
}

}  // namespace
}  // namespace vc::testing
