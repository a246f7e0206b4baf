// SPDX-License-Identifier: Apache-2.0
#include "vc/cli/connect/context_entries.h"

#include <gtest/gtest.h>

namespace vc::cli::connect {
namespace {

// "-----BEGIN X-----\n" etc. are not needed: the entries carry the data as the Secret has it.
const SecretCredentials kCreds{"Y2E=", "Y2VydA==", "a2V5"};  // "ca", "cert", "key"

constexpr const char* kUserConfig = R"(apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster: {server: "https://prod:6443", certificate-authority-data: UFJPRA==}
users:
- name: admin
  user: {token: secret-token}
contexts:
- name: prod
  context: {cluster: prod, user: admin, namespace: shop}
current-context: prod
preferences: {colors: true}
)";

TEST(ContextEntriesTest, WriteThenRemoveLeavesOtherEntriesAsTheyWere) {
  auto file = KubeconfigFile::Parse(kUserConfig, "config");
  ASSERT_TRUE(file.ok()) << file.status().message();
  const nlohmann::json before = file->document();

  ContextEntries e{
      .name = "vc_dev_ns_prod", .server = "https://127.0.0.1:4000", .credentials = kCreds};
  WriteEntries(e, /*make_current=*/true, &*file);
  const auto& doc = file->document();
  EXPECT_EQ(file->current_context(), "vc_dev_ns_prod");
  ASSERT_EQ(doc["clusters"].size(), 2u);
  EXPECT_EQ(doc["clusters"][0], before["clusters"][0]);
  EXPECT_EQ(doc["clusters"][1]["cluster"]["server"], "https://127.0.0.1:4000");
  EXPECT_EQ(doc["clusters"][1]["cluster"]["certificate-authority-data"], "Y2E=");
  EXPECT_FALSE(doc["clusters"][1]["cluster"].contains("tls-server-name"));
  EXPECT_EQ(doc["users"][1]["user"]["client-key-data"], "a2V5");
  EXPECT_EQ(doc["contexts"][1]["context"]["namespace"], "default");

  file->SetCurrentContext("prod");
  RemoveEntries("vc_dev_ns_prod", &*file);
  EXPECT_EQ(file->document(), before);
}

TEST(ContextEntriesTest, WithoutMakeCurrentTheCurrentContextStays) {
  auto file = KubeconfigFile::Parse(kUserConfig, "config");
  ASSERT_TRUE(file.ok());
  WriteEntries({.name = "vc_x",
                .server = "https://lb:443",
                .tls_server_name = "localhost",
                .credentials = kCreds},
               false, &*file);
  EXPECT_EQ(file->current_context(), "prod");
  EXPECT_EQ(file->document()["clusters"][1]["cluster"]["tls-server-name"], "localhost");
}

TEST(ContextEntriesTest, CredentialsFromSecretNamesTheMissingKey) {
  nlohmann::json secret = {{"metadata", {{"name", "vc-dev"}, {"namespace", "ns"}}},
                           {"data",
                            {{"certificate-authority", "Y2E="},
                             {"client-certificate", "Y2VydA=="},
                             {"client-key", "a2V5"}}}};
  auto creds = CredentialsFromSecret(secret);
  ASSERT_TRUE(creds.ok());
  EXPECT_EQ(creds->client_certificate_data, "Y2VydA==");
  secret["data"].erase("client-key");
  auto missing = CredentialsFromSecret(secret);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(missing.status().message().find("ns/vc-dev has no client-key"), std::string::npos);
}

TEST(ContextEntriesTest, RestConfigDecodesSecretData) {
  auto config =
      RestConfigFor({.name = "vc_x", .server = "https://127.0.0.1:4000", .credentials = kCreds});
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->ca_pem, "ca");
  auto creds = config->credentials->Get(false);
  ASSERT_TRUE(creds.ok());
  EXPECT_EQ(creds->client_cert_pem, "cert");
  EXPECT_EQ(creds->client_key_pem, "key");
  EXPECT_FALSE(RestConfigFor({.credentials = {"!!", "Y2VydA==", "a2V5"}}).ok());
}

}  // namespace
}  // namespace vc::cli::connect
