// SPDX-License-Identifier: Apache-2.0
// `vc-syncer init` without a host: the kubeconfig files it writes (read back the way kubectl
// reads them), the Secret it applies (through a fake transport), idempotency, flag checks.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <memory>

#include "support/fake_clock.h"
#include "unit/shared/kube/fake_transport.h"
#include "unit/syncer/syncer_test_util.h"
#include "vc/base64.h"
#include "vc/kube/kubeconfig.h"
#include "vc/labels.h"
#include "vc/syncer/init/host_secret.h"
#include "vc/syncer/init/init_command.h"
#include "vc/syncer/init/kubeconfig_render.h"
#include "vc/syncer/pki/certificate.h"
#include "vc/syncer/pki/pki_store.h"
#include "vc/yaml.h"

namespace {
// Decodes into *out; false on invalid base64 (for ASSERT_TRUE).
bool DecodeInto(std::string_view text, std::string* out) {
  auto decoded = vc::Base64Decode(text);
  if (!decoded) return false;
  *out = *decoded;
  return true;
}
}  // namespace

namespace vc::syncer::init {
namespace {

using vc::kube::testing::FakeTransport;
using vc::kube::testing::JsonResponse;
using vc::syncer::testing::ModeOf;
using vc::syncer::testing::MtimeNs;
using vc::syncer::testing::Slurp;

class SyncerInitTest : public ::testing::Test {
 protected:
  InitOptions Options(int port = 31443) {
    return {.name = "dev",
            .namespace_ = "vcluster-dev",
            .data_dir = tmp_.path() + "/data",
            .apiserver_port = port};
  }
  std::string Data(const std::string& rel) { return tmp_.path() + "/data/" + rel; }

  // The RestConfig kubectl would build from `path`.
  static kube::RestConfig Resolve(const std::string& path) {
    kube::KubeconfigOptions options{.kubeconfig = path};
    auto config = kube::LoadRestConfig(options);
    EXPECT_TRUE(config.ok()) << config.status().message();
    return config.ok() ? *config : kube::RestConfig{};
  }

  vc::syncer::testing::TempDir tmp_;
};

TEST_F(SyncerInitTest, WritesControlPlaneKubeconfigs) {
  ASSERT_TRUE(PrepareDataDir(Options()).ok());
  pki::PkiStore store(Data("pki"));
  auto ca = store.LoadCa();
  ASSERT_TRUE(ca.ok());
  for (const auto& [file, leaf] : std::vector<std::pair<std::string, std::string>>{
           {"admin.conf", "admin"},
           {"controller-manager.conf", "controller-manager"},
           {"syncer.conf", "syncer"}}) {
    const std::string path = Data("kubeconfig/" + file);
    EXPECT_EQ(ModeOf(path), 0600) << file;
    kube::RestConfig config = Resolve(path);
    EXPECT_EQ(config.server, "https://127.0.0.1:31443") << file;
    EXPECT_EQ(config.ca_pem, ca->certificate_pem) << file;
    EXPECT_EQ(config.context, "dev");
    ASSERT_NE(config.credentials, nullptr) << file;
    auto creds = config.credentials->Get(false);
    ASSERT_TRUE(creds.ok());
    auto pair = store.LoadLeaf(leaf);
    ASSERT_TRUE(pair.ok());
    EXPECT_EQ(creds->client_cert_pem, pair->certificate_pem) << file;
    EXPECT_EQ(creds->client_key_pem, pair->private_key_pem) << file;
  }
  EXPECT_EQ(ModeOf(Data("kubeconfig")), 0700);
}

TEST_F(SyncerInitTest, SecondRunChangesNothingAndANewPortOnlyTheKubeconfigs) {
  ASSERT_TRUE(PrepareDataDir(Options()).ok());
  const long long conf_mtime = MtimeNs(Data("kubeconfig/syncer.conf"));
  const std::string admin_crt = Slurp(Data("pki/admin.crt"));
  ASSERT_TRUE(PrepareDataDir(Options()).ok());
  EXPECT_EQ(MtimeNs(Data("kubeconfig/syncer.conf")), conf_mtime);

  ASSERT_TRUE(PrepareDataDir(Options(32000)).ok());
  EXPECT_NE(Slurp(Data("kubeconfig/syncer.conf")).find("https://127.0.0.1:32000"),
            std::string::npos);
  EXPECT_EQ(Slurp(Data("pki/admin.crt")), admin_crt);
}

TEST_F(SyncerInitTest, RejectsBadFlags) {
  InitOptions o = Options();
  o.name = "Dev_Team";
  EXPECT_EQ(ValidateInitOptions(o).code(), Code::kInvalidArgument);
  o = Options(0);
  EXPECT_NE(ValidateInitOptions(o).message().find("--apiserver-port"), std::string::npos);
  o = Options();
  o.namespace_ = "";
  EXPECT_EQ(ValidateInitOptions(o).code(), Code::kInvalidArgument);
  o = Options();
  o.service_cidr = "10.96.0.0";
  EXPECT_EQ(ValidateInitOptions(o).code(), Code::kInvalidArgument);
  // Nothing was written for invalid flags, and no host client was asked for.
  bool asked = false;
  o = Options(70000);
  EXPECT_FALSE(RunInit(o, [&]() -> StatusOr<std::shared_ptr<kube::Client>> {
                 asked = true;
                 return Internal("unused");
               }).ok());
  EXPECT_FALSE(asked);
  EXPECT_FALSE(std::filesystem::exists(Data("pki")));
}

// What the host answers for GET services/dev: the Service the pods dial the apiserver at.
nlohmann::json HostService() {
  return {{"kind", "Service"},
          {"metadata", {{"name", "dev"}, {"namespace", "vcluster-dev"}}},
          {"spec", {{"clusterIP", "10.105.76.222"}, {"clusterIPs", {"10.105.76.222"}}}}};
}

TEST_F(SyncerInitTest, AppliesTheHostSecret) {
  auto transport = std::make_shared<FakeTransport>();
  transport->Reply(JsonResponse(200, HostService()));
  transport->Reply(JsonResponse(
      200, {{"kind", "Secret"}, {"metadata", {{"name", "vc-dev"}, {"resourceVersion", "7"}}}}));
  kube::RestConfig config{.server = "https://host.example:6443"};
  auto host = std::make_shared<kube::Client>(config, transport, std::make_shared<FakeClock>());
  Status s = RunInit(Options(), [&]() -> StatusOr<std::shared_ptr<kube::Client>> { return host; });
  ASSERT_TRUE(s.ok()) << s.message();

  const auto requests = transport->requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].url,
            "https://host.example:6443/api/v1/namespaces/vcluster-dev/services/dev");
  // Pods on the host reach the apiserver at the host Service's IP: the certificate names it.
  auto serving = pki::InspectCertificate(Slurp(Data("pki/apiserver.crt")));
  ASSERT_TRUE(serving.ok());
  EXPECT_NE(std::find(serving->ip_addresses.begin(), serving->ip_addresses.end(), "10.105.76.222"),
            serving->ip_addresses.end());
  const kube::HttpRequest& r = requests.back();
  EXPECT_EQ(r.method, "PATCH");
  EXPECT_EQ(r.url,
            "https://host.example:6443/api/v1/namespaces/vcluster-dev/secrets/vc-dev"
            "?fieldManager=vc-syncer&force=true");
  auto secret = nlohmann::json::parse(r.body);
  EXPECT_EQ(secret["metadata"]["labels"][labels::kManagedBy], labels::kManagedByValue);
  EXPECT_EQ(secret["metadata"]["labels"][labels::kTenant], "dev");
  EXPECT_EQ(secret["metadata"]["labels"][labels::kTenantNamespace], "vcluster-dev");

  std::string ca, cert, key, config_text;
  ASSERT_TRUE(DecodeInto(secret["data"]["certificate-authority"].get<std::string>(), &ca));
  ASSERT_TRUE(DecodeInto(secret["data"]["client-certificate"].get<std::string>(), &cert));
  ASSERT_TRUE(DecodeInto(secret["data"]["client-key"].get<std::string>(), &key));
  ASSERT_TRUE(DecodeInto(secret["data"]["config"].get<std::string>(), &config_text));
  EXPECT_EQ(ca, Slurp(Data("pki/ca.crt")));
  EXPECT_EQ(cert, Slurp(Data("pki/admin.crt")));
  EXPECT_EQ(key, Slurp(Data("pki/admin.key")));

  auto kubeconfig = yaml::Parse(config_text, "config");
  ASSERT_TRUE(kubeconfig.ok()) << kubeconfig.status().message();
  const nlohmann::json& doc = kubeconfig->value;
  EXPECT_EQ(doc["current-context"], "dev");
  EXPECT_EQ(doc["contexts"][0]["name"], "dev");
  EXPECT_EQ(doc["clusters"][0]["cluster"]["server"], "https://localhost:8443");
  std::string embedded_cert;
  ASSERT_TRUE(DecodeInto(doc["users"][0]["user"]["client-certificate-data"].get<std::string>(),
                         &embedded_cert));
  EXPECT_EQ(embedded_cert, cert);
  auto info = pki::InspectCertificate(embedded_cert);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->subject.organizations, std::vector<std::string>{"system:masters"});
}

TEST_F(SyncerInitTest, AMissingHostServiceIsNamedAndNothingIsWritten) {
  auto transport = std::make_shared<FakeTransport>();
  transport->Reply(
      JsonResponse(404, kube::testing::ApiStatus(404, "NotFound", "services \"dev\" not found")));
  auto host = std::make_shared<kube::Client>(kube::RestConfig{.server = "https://h:1"}, transport,
                                             std::make_shared<FakeClock>());
  Status s = RunInit(Options(), [&]() -> StatusOr<std::shared_ptr<kube::Client>> { return host; });
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_NE(s.message().find("host Service vcluster-dev/dev not found"), std::string::npos)
      << s.message();
  EXPECT_FALSE(std::filesystem::exists(Data("pki")));
}

TEST_F(SyncerInitTest, ExplainsAForbiddenApply) {
  auto transport = std::make_shared<FakeTransport>();
  transport->Reply(JsonResponse(200, HostService()));
  transport->Reply(JsonResponse(
      403, kube::testing::ApiStatus(403, "Forbidden", "secrets \"vc-dev\" is forbidden")));
  auto host = std::make_shared<kube::Client>(kube::RestConfig{.server = "https://h:1"}, transport,
                                             std::make_shared<FakeClock>());
  Status s = RunInit(Options(), [&]() -> StatusOr<std::shared_ptr<kube::Client>> { return host; });
  EXPECT_EQ(s.code(), Code::kForbidden);
  EXPECT_NE(s.message().find("needs get, create and patch on secrets"), std::string::npos)
      << s.message();
  // The local half is done; a rerun with RBAC fixed only has the Secret left to do.
  EXPECT_TRUE(std::filesystem::exists(Data("kubeconfig/admin.conf")));
}

TEST(SyncerKubeconfigTest, RenderAndBase64) {
  auto doc = RenderKubeconfig({.name = "dev",
                               .server = "https://127.0.0.1:1",
                               .ca_pem = "CA",
                               .client_certificate_pem = "CERT",
                               .client_key_pem = "KEY"});
  EXPECT_EQ(doc["kind"], "Config");
  EXPECT_EQ(doc["clusters"][0]["cluster"]["certificate-authority-data"], vc::Base64Encode("CA"));
  EXPECT_EQ(doc["users"][0]["user"]["client-key-data"], vc::Base64Encode("KEY"));
  EXPECT_EQ(doc["contexts"][0]["context"]["user"], "dev");
  const std::vector<std::string> samples = {"",    "a",    "ab",
                                            "abc", "abcd", std::string("\0\xff\x10", 3)};
  for (const std::string& s : samples) {
    std::string back;
    ASSERT_TRUE(DecodeInto(vc::Base64Encode(s), &back)) << s;
    EXPECT_EQ(back, s);
  }
  EXPECT_EQ(vc::Base64Encode("abcd"), "YWJjZA==");
  std::string out;
  EXPECT_FALSE(DecodeInto("ab$d", &out));
}

}  // namespace
}  // namespace vc::syncer::init
