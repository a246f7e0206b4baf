// SPDX-License-Identifier: Apache-2.0
// Which Kubernetes versions a virtual cluster may run on a host, and what the refusal says.
#include "vc/cli/lifecycle/version_skew.h"

#include <gtest/gtest.h>

namespace vc::cli::lifecycle {
namespace {

TEST(VersionSkewTest, ParsesWhatHostsAndTagsSay) {
  EXPECT_EQ(ParseMinorVersion("v1.36.3")->minor, 36);
  EXPECT_EQ(ParseMinorVersion("v1.30.5-gke.1014001")->minor, 30);
  EXPECT_EQ(ParseMinorVersion("1.29")->major, 1);
  EXPECT_FALSE(ParseMinorVersion("latest"));
  EXPECT_FALSE(ParseMinorVersion("v1"));
  EXPECT_FALSE(ParseMinorVersion("v1.3x"));
}

TEST(VersionSkewTest, TheHostsMinorOrUpToThreeOlder) {
  for (const char* v : {"v1.36.0", "v1.35.2", "v1.33.9"}) {
    EXPECT_TRUE(CheckVersionSkew("v1.36.3", v, "controlPlane.distro.k8s.version").ok()) << v;
  }
}

TEST(VersionSkewTest, NewerOrTooOldIsRefusedNamingTheRuleAndTheFix) {
  Status newer = CheckVersionSkew("v1.35.1", "v1.36.3", "controlPlane.distro.k8s.version");
  EXPECT_EQ(newer.code(), Code::kInvalidArgument);
  EXPECT_NE(newer.message().find("v1.36, newer than the host's v1.35"), std::string::npos)
      << newer.message();
  EXPECT_NE(newer.message().find("never a newer one"), std::string::npos) << newer.message();
  EXPECT_NE(newer.message().find("use v1.35 or older"), std::string::npos) << newer.message();

  Status old = CheckVersionSkew("v1.36.3", "v1.32.0", "controlPlane.distro.k8s.version");
  EXPECT_EQ(old.code(), Code::kInvalidArgument);
  EXPECT_NE(old.message().find("4 minor versions older"), std::string::npos) << old.message();
  EXPECT_NE(old.message().find("use v1.33 or newer"), std::string::npos) << old.message();

  EXPECT_FALSE(CheckVersionSkew("v2.0.0", "v1.36.0", "x").ok());
}

TEST(VersionSkewTest, AVersionThatCannotBeReadIsRefusedNotGuessed) {
  Status s = CheckVersionSkew("v1.36.3", "latest", "the tag of the kube-apiserver image k:latest");
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("set controlPlane.distro.k8s.version"), std::string::npos)
      << s.message();
  EXPECT_FALSE(CheckVersionSkew("weird", "v1.36.0", "x").ok());
}

}  // namespace
}  // namespace vc::cli::lifecycle
