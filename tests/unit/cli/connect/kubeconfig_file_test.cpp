// SPDX-License-Identifier: Apache-2.0
#include "vc/cli/connect/kubeconfig_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "unit/shared/kubeconfig_test_util.h"
#include "vc/kube/kubeconfig.h"
#include "vc/yaml.h"

namespace vc::cli::connect {
namespace {

using kube::KubeconfigOptions;
using kube::LoadRestConfig;
using kube::testing::TempDir;
using nlohmann::json;

constexpr char kExisting[] = R"(apiVersion: v1
kind: Config
current-context: kind-main
preferences: {colors: true}
clusters:
- name: kind-main
  cluster: {server: "https://127.0.0.1:6443", certificate-authority-data: Q0E=}
contexts:
- name: kind-main
  context: {cluster: kind-main, user: kind-main, namespace: dev}
users:
- name: kind-main
  user: {client-certificate-data: Q0VSVA==, client-key-data: S0VZ}
)";

TEST(KubeconfigFile, UpdateAddsEntriesAndKeepsTheRest) {
  TempDir dir;
  std::string path = dir.Write("config", kExisting, 0644);
  json before = yaml::ParseFile(path)->value;
  Status s = UpdateKubeconfigFile(path, [](KubeconfigFile* f) {
    f->SetCluster("vc-dev", {{"server", "https://vc.example"}});
    f->SetUser("vc-dev", {{"token", "abc"}});
    f->SetContext("vc-dev", {{"cluster", "vc-dev"}, {"user", "vc-dev"}});
    f->SetCurrentContext("vc-dev");
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.message();

  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  json after = yaml::ParseFile(path)->value;
  EXPECT_EQ(after["current-context"], "vc-dev");
  EXPECT_EQ(after["preferences"], before["preferences"]);
  EXPECT_EQ(after["clusters"][0], before["clusters"][0]);
  EXPECT_EQ(after["users"][0], before["users"][0]);
  EXPECT_EQ(after["clusters"][1], json::parse(R"({"name": "vc-dev",
                                                  "cluster": {"server": "https://vc.example"}})"));

  // What we wrote, kubectl's loader reads back.
  KubeconfigOptions opts;
  opts.kubeconfig = path;
  auto rc = LoadRestConfig(opts);
  ASSERT_TRUE(rc.ok()) << rc.status().message();
  EXPECT_EQ(rc->server, "https://vc.example");
  EXPECT_EQ(rc->credentials->Get(false)->bearer_token, "abc");
  opts.context = "kind-main";
  EXPECT_EQ(LoadRestConfig(opts)->namespace_, "dev");

  // Replace in place, then remove.
  s = UpdateKubeconfigFile(path, [](KubeconfigFile* f) {
    f->SetCluster("vc-dev", {{"server", "https://vc2.example"}});
    EXPECT_TRUE(f->RemoveUser("vc-dev"));
    EXPECT_TRUE(f->RemoveContext("vc-dev"));
    EXPECT_FALSE(f->RemoveContext("vc-dev"));
    f->SetCurrentContext("kind-main");
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.message();
  after = yaml::ParseFile(path)->value;
  EXPECT_EQ(after["clusters"].size(), 2u);
  EXPECT_EQ(after["clusters"][1]["cluster"]["server"], "https://vc2.example");
  EXPECT_EQ(after["users"], before["users"]);
  EXPECT_EQ(after["contexts"], before["contexts"]);
  EXPECT_EQ(after["current-context"], "kind-main");
}

// kubectl takes the same lock by creating FILE.lock exclusively: we must leave none behind, and
// wait while one exists.
TEST(KubeconfigFile, LocksAsKubectlDoesAndLeavesNoLockFile) {
  TempDir dir;
  const std::string path = dir.Write("config", kExisting, 0600);
  const std::string lock = path + ".lock";
  ASSERT_TRUE(UpdateKubeconfigFile(path, [](KubeconfigFile*) { return Status::Ok(); }).ok());
  EXPECT_NE(::access(lock.c_str(), F_OK), 0) << "a lock file stayed behind";

  // Someone (kubectl) holds the lock for a moment: the update waits, then goes on.
  dir.Write("config.lock", "", 0600);
  std::thread holder([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    ::unlink(lock.c_str());
  });
  const auto start = std::chrono::steady_clock::now();
  Status s = UpdateKubeconfigFile(path, [](KubeconfigFile* f) {
    f->SetCurrentContext("after-wait");
    return Status::Ok();
  });
  holder.join();
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(150));
  EXPECT_EQ(yaml::ParseFile(path)->value["current-context"], "after-wait");
  EXPECT_NE(::access(lock.c_str(), F_OK), 0);
}

TEST(KubeconfigFile, CreatesAMissingFileAndLeavesItAloneOnError) {
  TempDir dir;
  std::string path = dir.path() + "/new/.kube/config";
  Status s = UpdateKubeconfigFile(path, [](KubeconfigFile* f) {
    f->SetContext("x", {{"cluster", "x"}});
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.message();
  auto file = KubeconfigFile::Load(path);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->document()["kind"], "Config");
  EXPECT_EQ(file->document()["contexts"][0]["name"], "x");
  EXPECT_EQ(file->current_context(), "");

  std::string before = file->Render();
  s = UpdateKubeconfigFile(path, [](KubeconfigFile* f) {
    f->RemoveContext("x");
    return FailedPrecondition("changed my mind");
  });
  EXPECT_EQ(s.message(), "changed my mind");
  EXPECT_EQ(KubeconfigFile::Load(path)->Render(), before);
}

TEST(KubeconfigFile, RejectsFilesThatAreNotKubeconfigs) {
  auto bad = KubeconfigFile::Parse("clusters: {a: 1}\n", "/k");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "load kubeconfig: /k:1:1: clusters must be a list");
  bad = KubeconfigFile::Parse("a: [\n", "/k");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().rfind("load kubeconfig: /k:2:1: ", 0), 0u);
}

}  // namespace
}  // namespace vc::cli::connect
