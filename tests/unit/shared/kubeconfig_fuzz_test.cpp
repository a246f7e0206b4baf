// SPDX-License-Identifier: Apache-2.0
// Inputs tests/fuzz/kubeconfig_fuzzer.cpp found, minimised: each once threw out of the
// kubeconfig reader (nlohmann type_error on a member of the wrong type, or dump() on text that
// is not UTF-8) instead of saying what to fix.
#include <gtest/gtest.h>

#include "kubeconfig_test_util.h"
#include "vc/cli/connect/kubeconfig_file.h"
#include "vc/kube/kubeconfig.h"
#include "vc/utf8.h"

namespace vc::kube {
namespace {

using cli::connect::KubeconfigFile;
using testing::FakeRunner;

constexpr const char* kHead = R"(apiVersion: v1
kind: Config
current-context: c
clusters: [{name: h, cluster: {server: "https://h:6443", insecure-skip-tls-verify: true}}]
contexts: [{name: c, context: {cluster: h, user: u}}]
)";

StatusOr<RestConfig> Resolve(const std::string& text, std::shared_ptr<FakeRunner> runner) {
  ASSIGN_OR_RETURN(Kubeconfig config, ParseKubeconfig(text, "/home/me/.kube/config"));
  KubeconfigOptions options;
  options.runner = std::move(runner);
  ASSIGN_OR_RETURN(RestConfig rc, ResolveRestConfig(config, options));
  if (rc.credentials) RETURN_IF_ERROR(rc.credentials->Get(false).status());
  return rc;
}

TEST(KubeconfigFuzz, ExecMembersOfTheWrongTypeAreErrors) {
  auto runner = std::make_shared<FakeRunner>();
  auto rc =
      Resolve(std::string(kHead) + "users: [{name: u, user: {exec: {apiVersion: 1}}}]\n", runner);
  ASSERT_FALSE(rc.ok());
  EXPECT_EQ(rc.status().message(),
            "load kubeconfig: user \"u\" in /home/me/.kube/config: exec.apiVersion at "
            "/home/me/.kube/config:6:33: must be a string, not 1");
  rc = Resolve(std::string(kHead) +
                   "users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1, "
                   "command: x, interactiveMode: [Never]}}}]\n",
               runner);
  ASSERT_FALSE(rc.ok());
  EXPECT_NE(rc.status().message().find("exec.interactiveMode at "), std::string::npos);
  EXPECT_NE(rc.status().message().find(": must be a string, not [\"Never\"]"), std::string::npos);
}

TEST(KubeconfigFuzz, ExecCredentialMembersOfTheWrongTypeAreErrors) {
  auto runner = std::make_shared<FakeRunner>();
  runner->result.stdout_data = R"({"apiVersion": 1, "kind": "ExecCredential"})";
  auto rc = Resolve(std::string(kHead) +
                        "users: [{name: u, user: {exec: {apiVersion: "
                        "client.authentication.k8s.io/v1, command: x, interactiveMode: Never}}}]\n",
                    runner);
  ASSERT_FALSE(rc.ok());
  EXPECT_EQ(rc.status().message(),
            "get credentials for user \"u\" in /home/me/.kube/config: exec plugin x is configured "
            "to use API version client.authentication.k8s.io/v1, plugin returned version \"\"; "
            "update the plugin or the kubeconfig's exec.apiVersion");
  runner->result.stdout_data =
      R"({"apiVersion": "client.authentication.k8s.io/v1", "kind": ["ExecCredential"]})";
  rc = Resolve(std::string(kHead) +
                   "users: [{name: u, user: {exec: {apiVersion: "
                   "client.authentication.k8s.io/v1, command: x, interactiveMode: Never}}}]\n",
               runner);
  ASSERT_FALSE(rc.ok());
  EXPECT_EQ(rc.status().message(),
            "get credentials for user \"u\" in /home/me/.kube/config: exec plugin x: returned kind "
            "\"\", want ExecCredential");
}

TEST(KubeconfigFuzz, TextThatIsNotUtf8IsAnError) {
  // A token of Latin-1 bytes once reached `must be a string, not ...` and nlohmann's dump().
  const std::string text = std::string(kHead) + "users: [{name: u, user: {token: \"caf\xe9\"}}]\n";
  auto config = ParseKubeconfig(text, "/home/me/.kube/config");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(
      config.status().message(),
      "load kubeconfig: /home/me/.kube/config:6:37: not valid UTF-8 (save the file as UTF-8)");
  auto file = KubeconfigFile::Parse(text, "k");
  ASSERT_FALSE(file.ok());
  EXPECT_TRUE(utf8::IsValid(file.status().message()));
}

TEST(KubeconfigFuzz, RenderedFileWithALongNameReadsBack) {
  auto file = KubeconfigFile::Parse(std::string(kHead), "k");
  ASSERT_TRUE(file.ok()) << file.status().message();
  file->SetContext(std::string(1500, 'n'), {{"cluster", "h"}});
  auto again = KubeconfigFile::Parse(file->Render(), "k");
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->document(), file->document());
}

}  // namespace
}  // namespace vc::kube
