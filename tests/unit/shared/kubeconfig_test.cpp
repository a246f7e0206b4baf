// SPDX-License-Identifier: Apache-2.0
// Kubeconfig loading, merging and resolution (exec plugins: kubeconfig_exec_test.cpp).
#include "vc/kube/kubeconfig.h"

#include <gtest/gtest.h>

#include "kubeconfig_test_util.h"

namespace vc::kube {
namespace {

using testing::FakeClock;
using testing::TempDir;

constexpr char kFirst[] = R"(apiVersion: v1
kind: Config
current-context: alpha
clusters:
- name: shared
  cluster:
    server: https://first.example:6443/
    certificate-authority-data: Q0EtRklSU1Q=
- name: only-first
  cluster:
    server: https://only-first.example
contexts:
- name: alpha
  context: {cluster: shared, user: alice, namespace: team-a}
users:
- name: alice
  user: {token: alice-token}
)";

constexpr char kSecond[] = R"(apiVersion: v1
kind: Config
current-context: beta
clusters:
- name: shared
  cluster:
    server: https://second.example
    insecure-skip-tls-verify: true
- name: only-second
  cluster:
    server: https://only-second.example
    proxy-url: socks5://proxy.local:1080
    tls-server-name: api.internal
contexts:
- name: beta
  context: {cluster: only-second, user: bob}
- name: alpha
  context: {cluster: only-second, user: bob}
users:
- name: bob
  user: {username: bob, password: secret}
- name: alice
  user: {token: second-alice-token}
)";

StatusOr<Credentials> CredentialsOf(const RestConfig& rc) {
  if (!rc.credentials) return NotFound("no credentials");
  return rc.credentials->Get(false);
}

TEST(KubeconfigLoad, MergesKubeconfigListFirstFileWins) {
  TempDir dir;
  std::string a = dir.Write("a.yaml", kFirst);
  std::string b = dir.Write("b.yaml", kSecond);
  KubeconfigOptions opts;
  opts.env = {{"KUBECONFIG", a + ":" + dir.path() + "/missing.yaml::" + b + ":" + a},
              {"HOME", dir.path()}};
  auto config = LoadKubeconfig(opts);
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->files, (std::vector<std::string>{a, b}));
  EXPECT_EQ(config->current_context, "alpha");
  EXPECT_EQ(config->current_context_file, a);
  EXPECT_EQ(config->clusters.at("shared").file, a);  // whole entry from the first file
  EXPECT_FALSE(config->clusters.at("shared").value.contains("insecure-skip-tls-verify"));
  EXPECT_EQ(config->clusters.size(), 3u);
  EXPECT_EQ(config->contexts.at("alpha").file, a);
  EXPECT_EQ(config->users.at("alice").value["token"], "alice-token");

  auto rc = ResolveRestConfig(*config, opts);
  ASSERT_TRUE(rc.ok()) << rc.status().message();
  EXPECT_EQ(rc->server, "https://first.example:6443");  // trailing slash stripped
  EXPECT_EQ(rc->ca_pem, "CA-FIRST");
  EXPECT_FALSE(rc->insecure_skip_tls_verify);
  EXPECT_EQ(rc->namespace_, "team-a");
  EXPECT_EQ(rc->context, "alpha");
  EXPECT_EQ(rc->origin, "context \"alpha\" in " + a);
  auto creds = CredentialsOf(*rc);
  ASSERT_TRUE(creds.ok());
  EXPECT_EQ(creds->bearer_token, "alice-token");

  opts.context = "beta";  // defined only in the second file
  rc = ResolveRestConfig(*config, opts);
  ASSERT_TRUE(rc.ok()) << rc.status().message();
  EXPECT_EQ(rc->server, "https://only-second.example");
  EXPECT_EQ(rc->proxy_url, "socks5://proxy.local:1080");
  EXPECT_EQ(rc->tls_server_name, "api.internal");
  EXPECT_EQ(rc->namespace_, "default");
  creds = CredentialsOf(*rc);
  ASSERT_TRUE(creds.ok());
  EXPECT_EQ(creds->username, "bob");
  EXPECT_EQ(creds->password, "secret");
}

TEST(KubeconfigLoad, OverridesPickClusterUserAndNamespace) {
  TempDir dir;
  KubeconfigOptions opts;
  opts.env = {{"KUBECONFIG", dir.Write("a.yaml", kFirst) + ":" + dir.Write("b.yaml", kSecond)}};
  opts.cluster = "only-first";
  opts.user = "bob";
  opts.namespace_ = "override";
  auto rc = LoadRestConfig(opts);
  ASSERT_TRUE(rc.ok()) << rc.status().message();
  EXPECT_EQ(rc->server, "https://only-first.example");
  EXPECT_EQ(rc->namespace_, "override");
  EXPECT_EQ(CredentialsOf(*rc)->username, "bob");
}

TEST(KubeconfigLoad, ExplicitPathIsTheOnlyFileAndMustExist) {
  TempDir dir;
  KubeconfigOptions opts;
  opts.env = {{"KUBECONFIG", dir.Write("b.yaml", kSecond)}};
  opts.kubeconfig = dir.Write("a.yaml", kFirst);
  auto config = LoadKubeconfig(opts);
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->files, std::vector<std::string>{opts.kubeconfig});
  EXPECT_EQ(config->contexts.count("beta"), 0u);

  opts.kubeconfig = dir.path() + "/nope";
  config = LoadKubeconfig(opts);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), Code::kNotFound);
  EXPECT_EQ(config.status().message(), "load kubeconfig: --kubeconfig " + dir.path() +
                                           "/nope: no such file or directory; pass an existing "
                                           "file");
}

TEST(KubeconfigLoad, DefaultsToHomeKubeConfig) {
  TempDir dir;
  dir.Write(".kube/config", kFirst);
  KubeconfigOptions opts;
  opts.env = {{"HOME", dir.path()}};
  auto rc = LoadRestConfig(opts);
  ASSERT_TRUE(rc.ok()) << rc.status().message();
  EXPECT_EQ(rc->origin, "context \"alpha\" in " + dir.path() + "/.kube/config");

  KubeconfigOptions nothing;
  nothing.env = {{"HOME", dir.path() + "/elsewhere"}};
  rc = LoadRestConfig(nothing);
  ASSERT_FALSE(rc.ok());
  EXPECT_EQ(rc.status().message(), "load kubeconfig: no kubeconfig found (looked in " + dir.path() +
                                       "/elsewhere/.kube/config); set KUBECONFIG or "
                                       "pass --kubeconfig");
}

TEST(KubeconfigLoad, RelativePathsResolveAgainstTheirFile) {
  TempDir dir;
  dir.Write("conf/pki/ca.crt", "CA-PEM");
  dir.Write("conf/pki/client.crt", "CERT-PEM");
  dir.Write("conf/pki/client.key", "KEY-PEM");
  dir.Write("conf/token", "  file-token\n");
  std::string path = dir.Write("conf/kubeconfig", R"(
current-context: c
clusters:
- name: k
  cluster: {server: "https://k:6443", certificate-authority: pki/ca.crt}
contexts:
- {name: c, context: {cluster: k, user: u}}
- {name: t, context: {cluster: k, user: tok}}
users:
- name: u
  user: {client-certificate: ./pki/client.crt, client-key: pki/../pki/client.key}
- name: tok
  user: {tokenFile: token}
- name: e1
  user: {exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: bin/plugin}}
- name: e2
  user: {exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: aws}}
)");
  KubeconfigOptions opts;
  opts.kubeconfig = path;
  auto config = LoadKubeconfig(opts);
  ASSERT_TRUE(config.ok()) << config.status().message();
  std::string conf = dir.path() + "/conf/";
  EXPECT_EQ(config->clusters.at("k").value["certificate-authority"], conf + "pki/ca.crt");
  EXPECT_EQ(config->users.at("u").value["client-key"], conf + "pki/client.key");
  EXPECT_EQ(config->users.at("tok").value["tokenFile"], conf + "token");
  EXPECT_EQ(config->users.at("e1").value["exec"]["command"], conf + "bin/plugin");
  EXPECT_EQ(config->users.at("e2").value["exec"]["command"], "aws");  // looked up in PATH

  auto rc = ResolveRestConfig(*config, opts);
  ASSERT_TRUE(rc.ok()) << rc.status().message();
  EXPECT_EQ(rc->ca_pem, "CA-PEM");
  auto creds = CredentialsOf(*rc);
  EXPECT_EQ(creds->client_cert_pem, "CERT-PEM");
  EXPECT_EQ(creds->client_key_pem, "KEY-PEM");

  opts.context = "t";
  rc = ResolveRestConfig(*config, opts);
  ASSERT_TRUE(rc.ok()) << rc.status().message();
  EXPECT_EQ(CredentialsOf(*rc)->bearer_token, "file-token");
}

TEST(KubeconfigResolve, InlineCertificatesAreBase64) {
  TempDir dir;
  KubeconfigOptions opts;
  // "CERT" and "KEY" base64-encoded, the second wrapped as some tools write it.
  opts.kubeconfig = dir.Write("k", R"(
current-context: c
clusters: [{name: k, cluster: {server: "k.example:443", certificate-authority-data: Q0E=}}]
contexts: [{name: c, context: {cluster: k, user: u}}]
users: [{name: u, user: {client-certificate-data: Q0VSVA==, client-key-data: "S0V\nZ"}}]
)");
  auto rc = LoadRestConfig(opts);
  ASSERT_TRUE(rc.ok()) << rc.status().message();
  EXPECT_EQ(rc->server, "https://k.example:443");  // scheme added as client-go does
  EXPECT_EQ(rc->ca_pem, "CA");
  auto creds = CredentialsOf(*rc);
  EXPECT_EQ(creds->client_cert_pem, "CERT");
  EXPECT_EQ(creds->client_key_pem, "KEY");
}

TEST(KubeconfigResolve, PlainHttpGetsNoCredentials) {
  TempDir dir;
  KubeconfigOptions opts;
  opts.kubeconfig = dir.Write("k", R"(
current-context: c
clusters: [{name: k, cluster: {server: "http://127.0.0.1:8080"}}]
contexts: [{name: c, context: {cluster: k, user: u}}]
users: [{name: u, user: {token: t}}]
)");
  auto rc = LoadRestConfig(opts);
  ASSERT_TRUE(rc.ok()) << rc.status().message();
  EXPECT_EQ(rc->credentials, nullptr);
}

std::string ErrorFor(const std::string& kubeconfig, KubeconfigOptions opts = {}) {
  TempDir dir;
  opts.kubeconfig = dir.Write("k", kubeconfig);
  auto rc = LoadRestConfig(opts);
  EXPECT_FALSE(rc.ok());
  std::string message = rc.ok() ? "" : rc.status().message();
  size_t at = message.find(dir.path());
  while (at != std::string::npos) {
    message.replace(at, dir.path().size(), "DIR");
    at = message.find(dir.path());
  }
  return message;
}

constexpr char kBase[] = R"(current-context: c
clusters: [{name: k, cluster: {server: "https://k"}}]
contexts:
- {name: c, context: {cluster: k, user: u}}
- {name: d, context: {cluster: k, user: u}}
)";

TEST(KubeconfigErrors, NameFileEntryKeyAndWhatToDo) {
  KubeconfigOptions prod;
  prod.context = "prod";
  EXPECT_EQ(ErrorFor(kBase, prod),
            "load kubeconfig: context \"prod\" not found in DIR/k (contexts: c, d); pass "
            "--context with one of them");
  EXPECT_EQ(ErrorFor("current-context: gone\ncontexts: [{name: a, context: {}}]\n"),
            "load kubeconfig: current-context \"gone\" of DIR/k not found (contexts: a); run "
            "kubectl config use-context with one of them or pass --context");
  KubeconfigOptions user_x;
  user_x.user = "x";
  EXPECT_EQ(ErrorFor(kBase, user_x),
            "load kubeconfig: user \"x\" not found in DIR/k (users: none); pass --user with one "
            "of them");
  EXPECT_EQ(ErrorFor(std::string(kBase) + "users: [{name: u, user: {client-certificate-data: "
                                          "Q0E=, client-key: /tmp/vc-missing.key}}]\n"),
            "load kubeconfig: user \"u\" in DIR/k: client-key /tmp/vc-missing.key: no such file "
            "or directory; fix the path at DIR/k:6:57");
  EXPECT_EQ(ErrorFor(std::string(kBase) + "users:\n- name: u\n  user:\n    token: t\n"
                                          "    client-key-data: '%%%'\n"
                                          "    client-certificate-data: Q0E=\n"),
            "load kubeconfig: user \"u\" in DIR/k: client-key-data at DIR/k:10:5: not valid "
            "base64; it holds the PEM, base64-encoded");
  EXPECT_EQ(ErrorFor("current-context: c\ncontexts: [{name: c, context: {cluster: k}}]\n"
                     "clusters:\n- name: k\n  cluster:\n    server: https://k\n"
                     "    insecure-skip-tls-verify: maybe\n"),
            "load kubeconfig: cluster \"k\" in DIR/k: insecure-skip-tls-verify at DIR/k:7:5: must "
            "be true or false, not \"maybe\"");
  EXPECT_EQ(ErrorFor("current-context: c\ncontexts: [{name: c, context: {cluster: nope}}]\n"),
            "load kubeconfig: context \"c\" in DIR/k names cluster \"nope\", which does not exist "
            "(clusters: none); fix the context or pass --cluster");
  EXPECT_EQ(ErrorFor("current-context: c\ncontexts: [{name: c, context: {cluster: k}}]\n"
                     "clusters: [{name: k, cluster: {}}]\n"),
            "load kubeconfig: cluster \"k\" in DIR/k: server at DIR/k:3:22: no server is set; add "
            "the API server's https:// URL");
  EXPECT_EQ(ErrorFor("clusters:\n  name: k\n"),
            "load kubeconfig: DIR/k:1:1: clusters must be a list; see `kubectl config view`");
  EXPECT_EQ(ErrorFor("a: [\n"), "load kubeconfig: DIR/k:2:1: end of sequence flow not found");
  EXPECT_EQ(ErrorFor(std::string(kBase) + "users: [{name: u, user: {token: t, username: x}}]\n"),
            "load kubeconfig: user \"u\" in DIR/k: username at DIR/k:6:36: more than one "
            "authentication method (token and basic auth); keep only one");
  EXPECT_EQ(
      ErrorFor(std::string(kBase) + "users: [{name: u, user: {tokenFile: /nonexistent/t}}]\n"),
      "load kubeconfig: user \"u\" in DIR/k: tokenFile /nonexistent/t: no such file or directory; "
      "fix the "
      "path or the file's permissions");
}

TEST(KubeconfigTokenFile, RereadAtMostOnceAMinuteAndOnForce) {
  TempDir dir;
  std::string path = dir.Write("token", "one\n");
  FakeClock clock;
  Credentials base;
  base.client_cert_pem = "CERT";
  auto provider = NewTokenFileCredentialProvider(path, base, "test", clock.AsClock());
  ASSERT_TRUE(provider.ok());
  EXPECT_EQ((*provider)->Get(false)->bearer_token, "one");
  EXPECT_EQ((*provider)->Get(false)->client_cert_pem, "CERT");
  dir.Write("token", "two");
  clock.now += std::chrono::seconds(59);
  EXPECT_EQ((*provider)->Get(false)->bearer_token, "one");
  clock.now += std::chrono::seconds(1);
  EXPECT_EQ((*provider)->Get(false)->bearer_token, "two");
  dir.Write("token", "three");
  EXPECT_EQ((*provider)->Get(true)->bearer_token, "three");
  // Mid-rotation the file may be missing: keep the last token.
  std::filesystem::remove(path);
  EXPECT_EQ((*provider)->Get(true)->bearer_token, "three");
}

TEST(KubeconfigTokenFile, StaticTokenIsTheFallback) {
  TempDir dir;
  Credentials base;
  base.bearer_token = "static";
  FakeClock clock;
  auto provider =
      NewTokenFileCredentialProvider(dir.path() + "/absent", base, "test", clock.AsClock());
  ASSERT_TRUE(provider.ok());
  EXPECT_EQ((*provider)->Get(false)->bearer_token, "static");
  auto empty =
      NewTokenFileCredentialProvider(dir.Write("empty", "\n"), Credentials{}, "test", nullptr);
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("is empty"), std::string::npos);
}

TEST(KubeconfigInCluster, ServiceAccountWithRotatingToken) {
  TempDir dir;
  std::string sa = "var/run/secrets/kubernetes.io/serviceaccount/";
  dir.Write(sa + "token", "sa-token-1");
  dir.Write(sa + "ca.crt", "SA-CA");
  dir.Write(sa + "namespace", "kube-system\n");
  FakeClock clock;
  KubeconfigOptions opts;
  opts.service_account_dir = dir.path() + "/" + sa;
  opts.env = {{"KUBERNETES_SERVICE_HOST", "fd00::1"},
              {"KUBERNETES_SERVICE_PORT", "443"},
              {"HOME", dir.path()}};
  opts.now = clock.AsClock();
  ASSERT_TRUE(InClusterPossible(opts));
  auto rc = LoadRestConfig(opts);  // no kubeconfig anywhere: falls back to in-cluster
  ASSERT_TRUE(rc.ok()) << rc.status().message();
  EXPECT_EQ(rc->server, "https://[fd00::1]:443");
  EXPECT_EQ(rc->ca_pem, "SA-CA");
  EXPECT_EQ(rc->namespace_, "kube-system");
  EXPECT_EQ(rc->credentials->Get(false)->bearer_token, "sa-token-1");
  dir.Write(sa + "token", "sa-token-2");
  clock.now += std::chrono::minutes(1);
  EXPECT_EQ(rc->credentials->Get(false)->bearer_token, "sa-token-2");

  opts.env["POD_NAMESPACE"] = "from-env";
  EXPECT_EQ(InClusterRestConfig(opts)->namespace_, "from-env");
  opts.namespace_ = "flag";
  EXPECT_EQ(InClusterRestConfig(opts)->namespace_, "flag");

  opts.env.erase("KUBERNETES_SERVICE_HOST");
  EXPECT_FALSE(InClusterPossible(opts));
  auto bad = InClusterRestConfig(opts);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kFailedPrecondition);
}

}  // namespace
}  // namespace vc::kube
