// SPDX-License-Identifier: Apache-2.0
// A registry is not trusted with the URLs we build from its manifests: a blob digest that is
// not exactly sha256:HEX is refused before anything is fetched.
#include <gtest/gtest.h>

#include "vc/cli/snapshot/registry_client.h"

namespace vc::cli::snapshot {
namespace {

using nlohmann::json;

TEST(RegistryDigestTest, OnlyASha256DigestNamesABlob) {
  const std::string good = "sha256:" + std::string(64, 'a');
  auto ok = ManifestBlobDigest(json{{"digest", good}}, "oci://r/x:v1");
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(*ok, good);
  for (const json& bad :
       {json{{"digest", "sha256:" + std::string(63, 'a') + "/"}},
        json{{"digest", "../../../v2/other/manifests/latest"}},
        json{{"digest", good + "?x=1"}}, json{{"digest", "sha256:" + std::string(64, 'A')}},
        json{{"digest", 7}}, json{{"size", 1}}, json("sha256:x"), json::array()}) {
    auto s = ManifestBlobDigest(bad, "oci://r/x:v1").status();
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << bad.dump();
    EXPECT_NE(s.message().find("oci://r/x:v1: the manifest names a blob"), std::string::npos)
        << s.message();
  }
}

}  // namespace
}  // namespace vc::cli::snapshot
