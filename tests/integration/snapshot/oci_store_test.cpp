// SPDX-License-Identifier: Apache-2.0
// The OCI store against a real registry (docker-registry 2.8 on loopback): chunked push and
// streamed pull, anonymous over plain HTTP and with basic auth over TLS with a test CA, and
// every way it can go wrong: wrong or missing credentials, unknown CA, tag not found, nothing
// listening, a blob damaged in the registry's storage.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "integration/support/registry.h"
#include "support/prerequisite.h"
#include "vc/cli/snapshot/store.h"

namespace vc::cli::snapshot {
namespace {

using nlohmann::json;
using vc::testing::LocalRegistry;

std::string Bytes(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

Status Push(SnapshotStore& store, const std::string& data, const json& meta) {
  ASSIGN_OR_RETURN(auto upload, store.Create(meta));
  for (size_t i = 0; i < data.size(); i += 300000) {
    Status s = upload->Write(data.data() + i, std::min<size_t>(300000, data.size() - i));
    if (!s.ok()) {
      upload->Abort();
      return s;
    }
  }
  return upload->Commit();
}

StatusOr<std::string> Pull(SnapshotStore& store) {
  std::string out;
  RETURN_IF_ERROR(store.Read([&](const char* d, size_t n) {
    out.append(d, n);
    return Status::Ok();
  }));
  return out;
}

StoreOptions Options(const kube::Environment& env = {}) {
  StoreOptions o;
  o.part_bytes = 5 << 20;  // several PATCHes for the data below
  o.env = env;
  return o;
}

class OciStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { VC_REQUIRE(LocalRegistry::Available(), "/usr/bin/docker-registry"); }
};

TEST_F(OciStoreTest, AnonymousPlainHttpRoundTrip) {
  LocalRegistry registry({});
  ASSERT_TRUE(registry.Start().ok());
  auto location = ParseLocation("oci://" + registry.host() + "/snapshots/dev-team:v1");
  ASSERT_TRUE(location.ok());
  StoreOptions options = Options();
  options.plain_http = true;
  auto store = OpenStore(*location, options);
  ASSERT_TRUE(store.ok());
  const std::string data = Bytes((12 << 20) + 777, 3);
  const json meta = {{"cluster", {{"name", "dev-team"}}}, {"createdAt", "2026-01-01T00:00:00Z"}};
  Status pushed = Push(**store, data, meta);
  ASSERT_TRUE(pushed.ok()) << pushed.message();

  auto again = OpenStore(*location, options);
  auto stored = (*again)->ReadStoredMeta();
  ASSERT_TRUE(stored.ok()) << stored.status().message();
  ASSERT_TRUE(stored->has_value());
  EXPECT_EQ((**stored)["cluster"]["name"], "dev-team");
  EXPECT_EQ((*again)->size_hint(), data.size());
  auto pulled = Pull(**again);
  ASSERT_TRUE(pulled.ok()) << pulled.status().message();
  EXPECT_TRUE(*pulled == data);

  // The manifest carries our media types.
  vc::testing::RunToCompletion(
      {"/usr/bin/curl", "-s", "-H", "Accept: application/vnd.oci.image.manifest.v1+json",
       "http://" + registry.host() + "/v2/snapshots/dev-team/manifests/v1"},
      registry.storage() + "/../manifest.json");
  const std::string manifest = LocalRegistry::ReadText(registry.storage() + "/../manifest.json");
  EXPECT_NE(manifest.find("application/vnd.kubectl-vc.snapshot.v1+vcsnap"), std::string::npos)
      << manifest;
  EXPECT_NE(manifest.find("application/vnd.kubectl-vc.snapshot.config.v1+json"), std::string::npos);

  auto missing =
      OpenStore(*ParseLocation("oci://" + registry.host() + "/snapshots/dev-team:nope"), options);
  Status not_found = Pull(**missing).status();
  EXPECT_EQ(not_found.code(), Code::kNotFound);
  EXPECT_NE(not_found.message().find("has no snapshots/dev-team:nope"), std::string::npos)
      << not_found.message();
}

TEST_F(OciStoreTest, CorruptedBlobIsDetected) {
  LocalRegistry registry({});
  ASSERT_TRUE(registry.Start().ok());
  auto location = ParseLocation("oci://" + registry.host() + "/snapshots/x:v1");
  StoreOptions options = Options();
  options.plain_http = true;
  auto store = OpenStore(*location, options);
  const std::string data = Bytes(1 << 20, 5);
  ASSERT_TRUE(Push(**store, data, json::object()).ok());
  // Flip a byte of the 1 MiB blob in the registry's storage.
  int damaged = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(registry.storage())) {
    if (e.path().filename() == "data" && e.file_size() == data.size()) {
      std::fstream f(e.path(), std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(1000);
      f.put('\x5a' ^ data[1000]);
      ++damaged;
    }
  }
  ASSERT_EQ(damaged, 1);
  Status s = Pull(**OpenStore(*location, options)).status();
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("snapshot is corrupted"), std::string::npos) << s.message();
}

TEST_F(OciStoreTest, UnreachableRegistry) {
  const int port = vc::testing::FreePort();
  auto location = ParseLocation("oci://127.0.0.1:" + std::to_string(port) + "/snapshots/x:v1");
  StoreOptions options = Options();
  options.plain_http = true;
  Status s = Pull(**OpenStore(*location, options)).status();
  EXPECT_EQ(s.code(), Code::kUnavailable);
  EXPECT_NE(s.message().find("cannot reach http://127.0.0.1:" + std::to_string(port)),
            std::string::npos)
      << s.message();
}

TEST_F(OciStoreTest, BasicAuthOverTlsWithTestCa) {
  LocalRegistry registry({.tls_and_basic_auth = true});
  Status started = registry.Start();
  ASSERT_TRUE(started.ok()) << started.message();
  auto location = ParseLocation("oci://" + registry.host() + "/team/snap:v2");
  ASSERT_TRUE(location.ok());
  const std::string data = Bytes((6 << 20) + 3, 9);

  // Good credentials from a docker config.json, the test CA trusted.
  StoreOptions good = Options({{"DOCKER_CONFIG", registry.DockerConfig("snapper", "s3cret-pass")}});
  good.ca_file = registry.ca_file();
  Status pushed = Push(**OpenStore(*location, good), data, json::object());
  ASSERT_TRUE(pushed.ok()) << pushed.message();
  auto pulled = Pull(**OpenStore(*location, good));
  ASSERT_TRUE(pulled.ok()) << pulled.status().message();
  EXPECT_TRUE(*pulled == data);

  // Wrong password: says so, names the user and where the credentials came from.
  StoreOptions wrong = Options({{"DOCKER_CONFIG", registry.DockerConfig("snapper", "nope")}});
  wrong.ca_file = registry.ca_file();
  Status refused = Pull(**OpenStore(*location, wrong)).status();
  EXPECT_EQ(refused.code(), Code::kUnauthorized);
  EXPECT_NE(refused.message().find("refused the credentials of user snapper"), std::string::npos)
      << refused.message();
  EXPECT_NE(refused.message().find("config.json"), std::string::npos) << refused.message();

  // No credentials at all: says how to log in.
  StoreOptions none = Options({{"HOME", "/nonexistent"}});
  none.ca_file = registry.ca_file();
  Status anonymous = Pull(**OpenStore(*location, none)).status();
  EXPECT_EQ(anonymous.code(), Code::kUnauthorized);
  EXPECT_NE(anonymous.message().find("docker login"), std::string::npos) << anonymous.message();

  // The test CA not trusted: a TLS error; --insecure gets through.
  StoreOptions untrusted =
      Options({{"DOCKER_CONFIG", registry.DockerConfig("snapper", "s3cret-pass")}});
  Status tls = Pull(**OpenStore(*location, untrusted)).status();
  EXPECT_EQ(tls.code(), Code::kUnavailable);
  EXPECT_NE(tls.message().find("certificate"), std::string::npos) << tls.message();
  untrusted.insecure = true;
  EXPECT_TRUE(Pull(**OpenStore(*location, untrusted)).ok());
}

}  // namespace
}  // namespace vc::cli::snapshot
