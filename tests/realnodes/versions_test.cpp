// SPDX-License-Identifier: Apache-2.0
// Each team picks its Kubernetes version (the seed's promise): a virtual cluster of the previous
// minor (controlPlane.distro.k8s.version; its images built offline from tests/cluster/
// k8s-previous) beside one of this build's, on one real-node host, both serving their
// version and running pods.
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "realnodes/real_virtual_cluster.h"

namespace vc::testing {
namespace {

// The previous minor's version, as tests/cluster/k8s-previous/go.mod pins it.
std::string PreviousVersion() {
  std::ifstream in(std::string(VC_MANIFESTS_DIR) + "/../tests/cluster/k8s-previous/go.mod");
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::string module, version;
    if (words >> module >> version && module == "k8s.io/kubernetes") return version;
  }
  return "";
}

std::string ServerVersion(const Ran& ran) {
  const auto doc = nlohmann::json::parse(
      ran.out.substr(std::min(ran.out.find('{'), ran.out.size())), nullptr, false);
  return doc.is_object() ? doc.value("/serverVersion/gitVersion"_json_pointer, std::string())
                         : std::string();
}

TEST_F(RealVirtualClusterTest, TwoKubernetesMinorsRunSideBySideOnOneHost) {
  const std::string previous = PreviousVersion();
  ASSERT_EQ(previous.rfind("v1.35.", 0), 0u) << "tests/cluster/k8s-previous/go.mod: " << previous;
  ASSERT_NO_FATAL_FAILURE(Create("current"));
  ASSERT_NO_FATAL_FAILURE(
      Create("previous", "controlPlane:\n  distro:\n    k8s:\n      version: " + previous + "\n"));

  EXPECT_EQ(ServerVersion(In("current", {"version", "-o", "json"})), "v1.36.3");
  EXPECT_EQ(ServerVersion(In("previous", {"version", "-o", "json"})), previous);
  Ran images = Kubectl({"-n", NamespaceOf("previous"), "get", "pod", "previous-0", "-o",
                        "jsonpath={.spec.initContainers[*].image} {.spec.containers[*].image}"},
                       false);
  EXPECT_NE(images.out.find("registry.k8s.io/kube-apiserver:" + previous), std::string::npos)
      << images.out;
  EXPECT_NE(images.out.find("registry.k8s.io/kube-controller-manager:" + previous),
            std::string::npos)
      << images.out;

  for (const std::string vc : {"current", "previous"}) {
    // A shell that ends on SIGTERM (sleep as PID 1 ignores it, and would hold TearDown for the
    // pod's 30s grace period).
    ASSERT_EQ(In(vc, {"run", "p", "--image=busybox:1.36", "--", "sh", "-c",
                      "trap 'exit 0' TERM; while sleep 1; do :; done"})
                  .code,
              0)
        << vc;
  }
  for (const std::string vc : {"current", "previous"}) EXPECT_TRUE(WaitRunningIn(vc, "p")) << vc;
}

}  // namespace
}  // namespace vc::testing
