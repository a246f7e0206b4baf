// SPDX-License-Identifier: Apache-2.0
// Snapshot URLs and registry credentials: pure parsing, no network.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "vc/base64.h"
#include "vc/cli/snapshot/registry_client.h"
#include "vc/cli/snapshot/store.h"

namespace vc::cli::snapshot {
namespace {

TEST(SnapshotLocation, OciReferences) {
  auto l = ParseLocation("oci://registry.example.com:5000/snapshots/dev-team:v1");
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->scheme, Location::Scheme::kOci);
  EXPECT_EQ(l->registry, "registry.example.com:5000");
  EXPECT_EQ(l->repository, "snapshots/dev-team");
  EXPECT_EQ(l->reference, "v1");
  auto latest = ParseLocation("oci://ghcr.io/acme/snaps");
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->reference, "latest");
  auto digest = ParseLocation("oci://r.io/a/b@sha256:abc");
  ASSERT_TRUE(digest.ok());
  EXPECT_EQ(digest->repository, "a/b");
  EXPECT_EQ(digest->reference, "sha256:abc");
  EXPECT_FALSE(ParseLocation("oci://r.io/Upper/case:v1").ok());
  EXPECT_FALSE(ParseLocation("oci://r.io").ok());
}

TEST(SnapshotLocation, OtherSchemes) {
  auto s3 = ParseLocation("s3://backups/teams/dev-team.vcsnap");
  ASSERT_TRUE(s3.ok());
  EXPECT_EQ(s3->bucket, "backups");
  EXPECT_EQ(s3->key, "teams/dev-team.vcsnap");
  EXPECT_FALSE(ParseLocation("s3://backups").ok());
  auto file = ParseLocation("file:///tmp/x.vcsnap");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->path, "/tmp/x.vcsnap");
  EXPECT_FALSE(ParseLocation("file://relative").ok());
  auto pod = ParseLocation("container:///data/snapshots/a.vcsnap");
  ASSERT_TRUE(pod.ok());
  EXPECT_EQ(pod->scheme, Location::Scheme::kContainer);
  auto outside = ParseLocation("container:///tmp/a.vcsnap");
  ASSERT_FALSE(outside.ok());
  EXPECT_NE(outside.status().message().find("under /data"), std::string::npos);
  auto unknown = ParseLocation("ftp://x/y");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("oci://REGISTRY/REPOSITORY:TAG"), std::string::npos);
}

TEST(RegistryCredentials, FromDockerConfig) {
  const auto dir = std::filesystem::temp_directory_path() / "vc-docker-config-test";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "config.json")
      << R"({"auths":{"r.example.com":{"auth":")" << Base64Encode("alice:pa:ss")
      << R"("},"https://other.io":{"username":"bob","password":"pw"}}})";
  const kube::Environment env = {{"DOCKER_CONFIG", dir.string()}};
  auto a = DockerConfigCredentials(env, "r.example.com");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->username, "alice");
  EXPECT_EQ(a->password, "pa:ss");
  auto b = DockerConfigCredentials(env, "other.io");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->username, "bob");
  EXPECT_FALSE(DockerConfigCredentials(env, "nobody.io").has_value());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace vc::cli::snapshot

namespace vc::cli::snapshot {
namespace {

TEST(S3Target, AddressingStyles) {
  const Location l = *ParseLocation("s3://backups/teams/dev team+1.vcsnap");
  StoreOptions aws;
  aws.env = {{"AWS_REGION", "eu-central-1"}};
  S3Target t = ResolveS3Target(l, aws);
  EXPECT_FALSE(t.path_style);
  EXPECT_EQ(t.region, "eu-central-1");
  EXPECT_EQ(t.object_url,
            "https://backups.s3.eu-central-1.amazonaws.com/teams/dev%20team%2B1.vcsnap");

  StoreOptions minio;
  minio.env = {{"AWS_ENDPOINT_URL", "http://127.0.0.1:9000/"}};
  t = ResolveS3Target(l, minio);
  EXPECT_TRUE(t.path_style);
  EXPECT_EQ(t.region, "us-east-1");
  EXPECT_EQ(t.object_url, "http://127.0.0.1:9000/backups/teams/dev%20team%2B1.vcsnap");

  minio.env["VC_S3_VIRTUAL_HOST"] = "1";
  t = ResolveS3Target(l, minio);
  EXPECT_EQ(t.object_url, "http://backups.127.0.0.1:9000/teams/dev%20team%2B1.vcsnap");

  StoreOptions forced = aws;
  forced.s3_path_style = true;
  EXPECT_EQ(ResolveS3Target(l, forced).object_url,
            "https://s3.eu-central-1.amazonaws.com/backups/teams/dev%20team%2B1.vcsnap");
}

}  // namespace
}  // namespace vc::cli::snapshot
