// SPDX-License-Identifier: Apache-2.0
// Our images as `make images` builds them (buildah, from syncer/Dockerfile and
// node-agent/Dockerfile; the fixture's cluster was brought up with them): small, only runtime
// libraries, vc-syncer not root. Needs root (buildah's storage).
#include <nlohmann/json.hpp>

#include "realnodes/real_cluster.h"

namespace vc::testing {
namespace {

struct Built {
  long long size = -1;
  std::string user;
};

Built Inspect(const std::string& ref, const std::string& scratch) {
  Built b;
  Ran images = RunCommand({"/usr/bin/buildah", "images", "--json", ref}, scratch);
  auto list = nlohmann::json::parse(images.out.substr(images.out.find('[')), nullptr, false);
  // "28.7 MB": buildah's own rounding, in decimal units.
  if (list.is_array() && !list.empty()) {
    const std::string size = list[0].value("size", "");
    const double number = std::atof(size.c_str());
    const std::string unit = size.substr(size.find(' ') + 1);
    const double scale = unit == "GB" ? 1e9 : unit == "MB" ? 1e6 : unit == "kB" ? 1e3 : 1;
    if (!size.empty()) b.size = static_cast<long long>(number * scale);
  }
  Ran user = RunCommand({"/usr/bin/buildah", "inspect", "--format", "{{.OCIv1.Config.User}}", ref},
                        scratch);
  b.user = user.out.substr(0, user.out.find('\n'));
  return b;
}

TEST(ImagesTest, OursAreSmallAndTheSyncerIsNotRoot) {
  TempDir scratch("vc-images");
  const Built syncer = Inspect("ghcr.io/kubectl-vc/vc-syncer:v0.1.0", scratch.path());
  const Built agent = Inspect("ghcr.io/kubectl-vc/vc-node-agent:v0.1.0", scratch.path());
  ASSERT_GT(syncer.size, 0) << "no vc-syncer image in buildah's storage (make images)";
  ASSERT_GT(agent.size, 0) << "no vc-node-agent image in buildah's storage (make images)";
  std::printf("vc-syncer %.1f MB, vc-node-agent %.1f MB\n", syncer.size / 1e6, agent.size / 1e6);
  EXPECT_LT(syncer.size, 60'000'000);
  EXPECT_LT(agent.size, 80'000'000);
  EXPECT_EQ(syncer.user, "65532:65532");
}

}  // namespace
}  // namespace vc::testing
