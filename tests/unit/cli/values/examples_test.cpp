// SPDX-License-Identifier: Apache-2.0
// Every values file in examples/ (the demo's and the README's) is valid against the embedded
// schema, without warnings: what users copy first must work.
#include <gtest/gtest.h>

#include <filesystem>

#include "vc/cli/values/resolve.h"

namespace vc::cli::values {
namespace {

std::filesystem::path ExamplesDir() {
  return std::filesystem::path(VC_KUBECTL_VC_SOURCE_DIR).parent_path() / "examples";
}

TEST(Examples, EveryValuesFileResolvesCleanly) {
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(ExamplesDir())) {
    const std::string name = entry.path().filename().string();
    if (name.size() < 12 || name.substr(name.size() - 12) != "-values.yaml") continue;
    ResolveInput input;
    input.sources = {ValuesSource::File(entry.path().string())};
    auto resolved = Resolve(input);
    ASSERT_TRUE(resolved.ok()) << name << ":\n" << resolved.status().message();
    EXPECT_TRUE(resolved->warnings.empty()) << name << ": " << resolved->warnings.front();
    ++checked;
  }
  EXPECT_GE(checked, 4);
}

TEST(Examples, TrustLevelsAreTheSeeds) {
  auto trust = [](const std::string& file) {
    ResolveInput input;
    input.sources = {ValuesSource::File((ExamplesDir() / file).string())};
    auto resolved = Resolve(input);
    return resolved.ok() ? resolved->values["isolation"]["trustLevel"].get<std::string>()
                         : resolved.status().message();
  };
  EXPECT_EQ(trust("dev-values.yaml"), "high");
  EXPECT_EQ(trust("prod-values.yaml"), "high");
  EXPECT_EQ(trust("partner-values.yaml"), "partial");
  EXPECT_EQ(trust("client-values.yaml"), "zero");
}

}  // namespace
}  // namespace vc::cli::values
