// SPDX-License-Identifier: Apache-2.0
// Exec credential plugins: a fake runner for the protocol, real scripts for the process side.
#include <gtest/gtest.h>

#include "kubeconfig_test_util.h"
#include "vc/kube/credential_providers.h"
#include "vc/kube/kubeconfig.h"

namespace vc::kube {
namespace {

using nlohmann::json;
using testing::FakeClock;
using testing::FakeRunner;
using testing::TempDir;

constexpr char kExecKubeconfig[] = R"(
current-context: c
clusters:
- name: k
  cluster:
    server: https://k.example/
    certificate-authority-data: Q0E=
    extensions:
    - name: client.authentication.k8s.io/exec
      extension: {audience: vc}
contexts: [{name: c, context: {cluster: k, user: u}}]
users:
- name: u
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: get-token
      args: [--cluster, k]
      env: [{name: FOO, value: bar}, {name: HOME, value: /plugin-home}]
      installHint: |
        get-token is part of the cloud CLI:
        https://example.com/install
      provideClusterInfo: true
      interactiveMode: IfAvailable
)";

ProcessResult Credential(const std::string& status_json,
                         const std::string& version = "client.authentication.k8s.io/v1") {
  ProcessResult r;
  r.stdout_data = R"({"apiVersion": ")" + version + R"(", "kind": "ExecCredential", "status": )" +
                  status_json + "}";
  return r;
}

struct ExecFixture {
  TempDir dir;
  FakeClock clock;
  std::shared_ptr<FakeRunner> runner = std::make_shared<FakeRunner>();
  KubeconfigOptions opts;

  StatusOr<RestConfig> Load(const std::string& kubeconfig = kExecKubeconfig) {
    opts.kubeconfig = dir.Write("k", kubeconfig);
    opts.env = {{"HOME", "/home/me"}, {"PATH", "/usr/bin:/bin"}};
    opts.runner = runner;
    opts.now = clock.AsClock();
    return LoadRestConfig(opts);
  }
};

TEST(KubeconfigExec, SendsTheRequestAndCachesUntilExpiry) {
  ExecFixture f;
  f.runner->result =
      Credential(R"({"token": "t1", "expirationTimestamp": "2023-11-14T22:23:20Z"})");
  auto rc = f.Load();
  ASSERT_TRUE(rc.ok()) << rc.status().message();
  EXPECT_TRUE(f.runner->specs.empty());  // nothing runs until credentials are needed
  auto creds = rc->credentials->Get(false);
  ASSERT_TRUE(creds.ok()) << creds.status().message();
  EXPECT_EQ(creds->bearer_token, "t1");
  ASSERT_TRUE(creds->expiry.has_value());
  EXPECT_EQ(std::chrono::system_clock::to_time_t(*creds->expiry), 1'700'000'600);

  ASSERT_EQ(f.runner->specs.size(), 1u);
  const ProcessSpec& spec = f.runner->specs[0];
  EXPECT_EQ(spec.command, "get-token");
  EXPECT_EQ(spec.args, (std::vector<std::string>{"--cluster", "k"}));
  EXPECT_EQ(spec.timeout, std::chrono::seconds(60));
  EXPECT_EQ(f.runner->EnvOf(0, "FOO"), "bar");
  EXPECT_EQ(f.runner->EnvOf(0, "HOME"), "/plugin-home");  // the plugin's env overrides ours
  EXPECT_EQ(f.runner->EnvOf(0, "PATH"), "/usr/bin:/bin");
  json info = json::parse(f.runner->EnvOf(0, "KUBERNETES_EXEC_INFO"));
  EXPECT_EQ(info, json::parse(R"({
    "kind": "ExecCredential", "apiVersion": "client.authentication.k8s.io/v1",
    "spec": {"interactive": false, "cluster": {
      "server": "https://k.example", "certificate-authority-data": "Q0E=",
      "config": {"audience": "vc"}}}})"));

  f.clock.now += std::chrono::seconds(599);
  EXPECT_EQ(rc->credentials->Get(false)->bearer_token, "t1");
  EXPECT_EQ(f.runner->specs.size(), 1u);
  f.runner->result = Credential(R"({"token": "t2"})");
  f.clock.now += std::chrono::seconds(1);  // expired now
  EXPECT_EQ(rc->credentials->Get(false)->bearer_token, "t2");
  EXPECT_EQ(f.runner->specs.size(), 2u);
  // No expiry: cached until a 401 forces a refresh.
  f.clock.now += std::chrono::hours(100);
  EXPECT_EQ(rc->credentials->Get(false)->bearer_token, "t2");
  f.runner->result = Credential(R"({"token": "t3"})");
  EXPECT_EQ(rc->credentials->Get(true)->bearer_token, "t3");
  EXPECT_EQ(f.runner->specs.size(), 3u);
}

TEST(KubeconfigExec, ClientCertificatesFromV1beta1) {
  ExecFixture f;
  std::string config = kExecKubeconfig;
  config.replace(config.find("k8s.io/v1\n"), 10, "k8s.io/v1beta1\n");
  f.runner->result = Credential(R"({"clientCertificateData": "CERT", "clientKeyData": "KEY"})",
                                "client.authentication.k8s.io/v1beta1");
  auto rc = f.Load(config);
  ASSERT_TRUE(rc.ok()) << rc.status().message();
  auto creds = rc->credentials->Get(false);
  ASSERT_TRUE(creds.ok()) << creds.status().message();
  EXPECT_EQ(creds->client_cert_pem, "CERT");
  EXPECT_EQ(creds->client_key_pem, "KEY");
  EXPECT_FALSE(creds->expiry.has_value());
}

std::string GetError(ExecFixture& f) {
  auto rc = f.Load();
  EXPECT_TRUE(rc.ok()) << rc.status().message();
  if (!rc.ok()) return "";
  auto creds = rc->credentials->Get(false);
  EXPECT_FALSE(creds.ok());
  std::string m = creds.ok() ? "" : creds.status().message();
  std::string prefix = "get credentials for user \"u\" in " + f.opts.kubeconfig + ": ";
  EXPECT_EQ(m.rfind(prefix, 0), 0u) << m;
  return m.rfind(prefix, 0) == 0 ? m.substr(prefix.size()) : m;
}

TEST(KubeconfigExec, PluginOutputIsChecked) {
  ExecFixture f;
  f.runner->result = Credential(R"({"token": "t"})", "client.authentication.k8s.io/v1beta1");
  EXPECT_EQ(GetError(f),
            "exec plugin get-token is configured to use API version "
            "client.authentication.k8s.io/v1, plugin returned version "
            "\"client.authentication.k8s.io/v1beta1\"; update the plugin or the kubeconfig's "
            "exec.apiVersion");
  f.runner->result.stdout_data = "not json";
  EXPECT_EQ(GetError(f),
            "exec plugin get-token: decoding stdout: not an ExecCredential JSON object");
  f.runner->result = Credential("{}");
  EXPECT_EQ(GetError(f), "exec plugin get-token didn't return a token or cert/key pair");
  f.runner->result = Credential(R"({"clientCertificateData": "CERT"})");
  EXPECT_EQ(GetError(f), "exec plugin get-token returned only certificate or key, not both");
  f.runner->result = Credential(R"({"token": "t", "expirationTimestamp": "tomorrow"})");
  EXPECT_EQ(GetError(f), "exec plugin get-token: expirationTimestamp \"tomorrow\" is not RFC 3339");
  // Members of the wrong type are missing ones, never an exception out of the provider.
  f.runner->result.stdout_data = R"({"apiVersion": 1, "kind": ["ExecCredential"], "status": 2})";
  EXPECT_NE(GetError(f).find("plugin returned version \"\""), std::string::npos);
  f.runner->result = Credential(R"({"token": 7, "clientCertificateData": {}})");
  EXPECT_EQ(GetError(f), "exec plugin get-token didn't return a token or cert/key pair");
  // A token that would end its header line and start another.
  f.runner->result = Credential(R"({"token": "t\r\nImpersonate-User: admin"})");
  EXPECT_NE(GetError(f).find("not visible ASCII"), std::string::npos) << GetError(f);
}

TEST(KubeconfigExec, RunFailuresSayWhatToDo) {
  ExecFixture f;
  f.runner->start_error = NotFound("executable get-token not found in PATH");
  EXPECT_EQ(GetError(f),
            "exec: executable get-token not found (executable get-token not found in PATH); "
            "get-token is part of the cloud CLI: https://example.com/install");
  f.runner->start_error = Status::Ok();
  f.runner->result.timed_out = true;
  EXPECT_EQ(GetError(f),
            "exec: executable get-token did not finish within 60000ms and was killed; check that "
            "the plugin can run without a terminal");
  f.runner->result = ProcessResult{.exit_code = 3, .stderr_data = "debug\nerror: not logged in\n"};
  EXPECT_EQ(GetError(f),
            "exec: executable get-token failed with exit code 3: error: not logged in");
}

TEST(KubeconfigExec, ConfigIsValidatedAtLoad) {
  ExecFixture f;
  std::string config = kExecKubeconfig;
  config.replace(config.find("      interactiveMode: IfAvailable\n"), 35, "");
  auto rc = f.Load(config);
  ASSERT_FALSE(rc.ok());
  EXPECT_NE(rc.status().message().find("exec.interactiveMode at " + f.opts.kubeconfig +
                                       ":15:5: must be set"),
            std::string::npos)
      << rc.status().message();
  config = kExecKubeconfig;
  config.replace(config.find("k8s.io/v1\n"), 10, "k8s.io/v1alpha1\n");
  rc = f.Load(config);
  ASSERT_FALSE(rc.ok());
  EXPECT_NE(rc.status().message().find("v1alpha1 is no longer supported"), std::string::npos);
  config = kExecKubeconfig;
  config.replace(config.find("IfAvailable"), 11, "Always");
  rc = f.Load(config);
  ASSERT_TRUE(rc.ok());
  auto creds = rc->credentials->Get(false);
  ASSERT_FALSE(creds.ok());
  EXPECT_EQ(creds.status().code(), Code::kFailedPrecondition);
  EXPECT_TRUE(f.runner->specs.empty());
}

// The real runner, with a plugin script relative to the kubeconfig (as clientcmd resolves it).
TEST(KubeconfigExec, RealScriptPlugin) {
  TempDir dir;
  dir.Write("plugins/token.sh", R"(#!/bin/sh
case "$KUBERNETES_EXEC_INFO" in
  *'"interactive":false'*) ;;
  *) echo "bad request: $KUBERNETES_EXEC_INFO" >&2; exit 2 ;;
esac
printf '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential",'
printf '"status":{"token":"%s-%s"}}\n' "$PREFIX" "$1"
)",
            0700);
  KubeconfigOptions opts;
  opts.kubeconfig = dir.Write("conf/kubeconfig", R"(
current-context: c
clusters: [{name: k, cluster: {server: "https://k"}}]
contexts: [{name: c, context: {cluster: k, user: u}}]
users:
- name: u
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: ../plugins/token.sh
      args: [abc]
      env: [{name: PREFIX, value: real}]
)");
  opts.env = {{"PATH", "/usr/bin:/bin"}};
  auto rc = LoadRestConfig(opts);
  ASSERT_TRUE(rc.ok()) << rc.status().message();
  auto creds = rc->credentials->Get(false);
  ASSERT_TRUE(creds.ok()) << creds.status().message();
  EXPECT_EQ(creds->bearer_token, "real-abc");
}

TEST(KubeconfigExec, RealRunnerKillsAPluginThatHangs) {
  TempDir dir;
  std::string script = dir.Write("hang.sh", "#!/bin/sh\necho started >&2\nexec sleep 30\n", 0700);
  ExecConfig config;
  config.api_version = "client.authentication.k8s.io/v1";
  config.command = script;
  config.base_env = {"PATH=/usr/bin:/bin"};
  config.timeout = std::chrono::milliseconds(200);
  config.origin = "user \"u\"";
  auto provider = NewExecCredentialProvider(config, nullptr, nullptr);
  auto started = std::chrono::steady_clock::now();
  auto creds = provider->Get(false);
  auto took = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(creds.ok());
  EXPECT_EQ(creds.status().code(), Code::kTimeout);
  EXPECT_LT(took, std::chrono::seconds(10));
}

TEST(KubeconfigExec, RealRunnerReportsMissingCommandsAndExitCodes) {
  auto runner = NewPosixProcessRunner();
  auto missing = runner->Run({.command = "vc-no-such-plugin", .env = {"PATH=/usr/bin:/bin"}});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  missing = runner->Run({.command = "/nonexistent/plugin"});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  auto result = runner->Run({.command = "sh",
                             .args = {"-c", "echo out; echo err >&2; exit 7"},
                             .env = {"PATH=/usr/bin:/bin"},
                             .timeout = std::chrono::seconds(30)});
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_EQ(result->exit_code, 7);
  EXPECT_EQ(result->stdout_data, "out\n");
  EXPECT_EQ(result->stderr_data, "err\n");
  EXPECT_FALSE(result->timed_out);
}

}  // namespace
}  // namespace vc::kube
