// SPDX-License-Identifier: Apache-2.0
// manifests/crds/tenants.yaml is the Tenant CRD that kubectl-vc applies (for clusters where an
// admin installs CRDs ahead of time, e.g. with the node agent's kustomization). It must be the
// rendered definition. Regenerate with:
//   VC_UPDATE_DOCS=1 build/tests/vc_unit_tests --gtest_filter=TenantCrdManifest.*
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "vc/cli/render/host_objects.h"
#include "vc/yaml.h"

namespace vc::cli::render {
namespace {

TEST(TenantCrdManifest, IsTheRenderedDefinition) {
  const std::filesystem::path file =
      std::filesystem::path(VC_KUBECTL_VC_SOURCE_DIR).parent_path() / "manifests/crds/tenants.yaml";
  const std::string expected =
      "# SPDX-License-Identifier: Apache-2.0\n"
      "# Generated from kubectl-vc/src/render/tenant.cpp by tests/unit/cli/render/"
      "crd_manifest_test.cpp.\n" +
      yaml::Dump(TenantCustomResourceDefinition());
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  if (text.str() == expected) return;
  if (const char* update = std::getenv("VC_UPDATE_DOCS"); update && std::string(update) == "1") {
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file) << expected;
    return;
  }
  ADD_FAILURE() << file << " differs from the rendered CRD; run with VC_UPDATE_DOCS=1";
}

}  // namespace
}  // namespace vc::cli::render
