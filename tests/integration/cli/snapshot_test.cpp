// SPDX-License-Identifier: Apache-2.0
// kubectl vc snapshot / restore end to end, as the seed does it: create dev-team, put a
// ConfigMap and a Secret in it, snapshot it (encrypted) to a real OCI registry, delete it,
// create it again from the snapshot, and the objects are back; restore into a running
// cluster rolls its state back. A wrong key, a corrupted blob, an unreachable registry and a
// paused cluster each fail with a clear message and leave nothing behind.
#include <filesystem>

#include "integration/cli/cli_fixture.h"
#include "integration/support/registry.h"
#include "support/prerequisite.h"

namespace vc::testing {
namespace {

using nlohmann::json;

class SnapshotCliTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    if (IsSkipped()) return;
    VC_REQUIRE(LocalRegistry::Available(), "/usr/bin/docker-registry");
    registry_ = std::make_unique<LocalRegistry>(LocalRegistry::Options{});
    Status s = registry_->Start();
    ASSERT_TRUE(s.ok()) << s.message();
    key_ = home_->path() + "/snapshot.key";
    std::ofstream(key_) << std::string(64, '7') << "\n";
    wrong_key_ = home_->path() + "/wrong.key";
    std::ofstream(wrong_key_) << std::string(64, 'a') << "\n";
  }

  std::string Url(const std::string& tag) const {
    return "oci://" + registry_->host() + "/snapshots/dev-team:" + tag;
  }

  // kubectl inside the virtual cluster, through `kubectl vc connect NAME -- ...`.
  CliResult InCluster(const std::string& name, std::vector<std::string> kubectl_args) {
    std::vector<std::string> args = {"connect", name, "--", bin_ + "/kubectl"};
    args.insert(args.end(), kubectl_args.begin(), kubectl_args.end());
    return Run(args, std::chrono::seconds(120));
  }

  std::unique_ptr<LocalRegistry> registry_;
  std::string key_, wrong_key_;
};

TEST_F(SnapshotCliTest, SnapshotDeleteCreateRestoreAndBadInput) {
  Track("dev-team");
  // --connect=false, then every kubectl through `connect --`, retried: on the local cluster the
  // pod reads Ready before its apiserver listens, and a port-forward that dials too early dies.
  // A value not the default, to see that the values go with the data.
  auto created = Run({"create", "dev-team", "--set", "sync.fromHost.events.enabled=false",
                      "--connect=false", "--timeout", "3m"});
  ASSERT_EQ(created.code, 0) << created.Both();

  // Its apiserver makes the default namespace right after it starts.
  CliResult cm;
  ASSERT_TRUE(Eventually(
      [&] {
        cm = InCluster("dev-team",
                       {"create", "configmap", "web-config", "--from-literal=greeting=hello"});
        return cm.code == 0;
      },
      std::chrono::seconds(120)))
      << cm.Both();
  auto secret = InCluster(
      "dev-team", {"create", "secret", "generic", "web-secret", "--from-literal=password=s3cr3t"});
  ASSERT_EQ(secret.code, 0) << secret.Both();

  // Snapshot, encrypted, to the registry; progress with bytes and rate on stderr.
  auto snap =
      Run({"snapshot", "dev-team", Url("v1"), "--plain-http", "--encryption-key-file", key_});
  ASSERT_EQ(snap.code, 0) << snap.Both();
  EXPECT_NE(snap.err.find("MiB/s"), std::string::npos) << snap.err;
  EXPECT_EQ(snap.out, Url("v1") + "\n");

  // inspect needs no cluster (no kubeconfig at all) and no key for the side copy.
  auto inspected = Exec({"/usr/bin/env", "KUBECONFIG=/nonexistent", VC_KUBECTL_VC_BIN, "snapshot",
                         "inspect", Url("v1"), "--plain-http", "-o", "json"});
  ASSERT_EQ(inspected.code, 0) << inspected.Both();
  const json meta = json::parse(inspected.out, nullptr, false);
  ASSERT_TRUE(meta.is_object()) << inspected.out;
  EXPECT_EQ(meta["cluster"]["name"], "dev-team");
  EXPECT_EQ(meta["formatVersion"], 2);
  EXPECT_TRUE(meta.value("encrypted", false));
  EXPECT_FALSE(meta.contains("values")) << "an encrypted snapshot's side copy keeps no values";
  bool configmaps_in_default = false;
  for (const auto& o : meta["objects"]) {
    configmaps_in_default |= o["resource"] == "configmaps" && o["namespace"] == "default";
  }
  EXPECT_TRUE(configmaps_in_default) << meta.dump();
  auto verified = Run({"snapshot", "inspect", Url("v1"), "--plain-http", "--verify",
                       "--encryption-key-file", key_});
  ASSERT_EQ(verified.code, 0) << verified.Both();
  EXPECT_NE(verified.out.find("yes, every checksum"), std::string::npos) << verified.out;

  // Restore into the running cluster: a change made after the snapshot is rolled back.
  ASSERT_EQ(InCluster("dev-team", {"create", "configmap", "after-snapshot"}).code, 0);
  auto restored = Run({"restore", "dev-team", Url("v1"), "--plain-http", "--encryption-key-file",
                       key_, "--timeout", "3m"});
  ASSERT_EQ(restored.code, 0) << restored.Both();
  CliResult after;
  EXPECT_TRUE(Eventually(
      [&] {
        after = InCluster("dev-team", {"get", "configmap", "-o", "name"});
        return after.code == 0;
      },
      std::chrono::seconds(90)))
      << after.Both();
  EXPECT_NE(after.out.find("configmap/web-config"), std::string::npos) << after.Both();
  EXPECT_EQ(after.out.find("after-snapshot"), std::string::npos) << after.Both();

  // file:// on this machine, and container:// inside the pod (written and read by the pod).
  const std::string file_url = "file://" + home_->path() + "/dev-team.vcsnap";
  auto to_file = Run({"snapshot", "dev-team", file_url});
  ASSERT_EQ(to_file.code, 0) << to_file.Both();
  auto file_meta = Run({"snapshot", "inspect", file_url, "--verify", "-o", "json"});
  ASSERT_EQ(file_meta.code, 0) << file_meta.Both();
  EXPECT_TRUE(json::parse(file_meta.out, nullptr, false).value("verified", false)) << file_meta.out;
  const std::string in_pod = "container:///data/snapshots/dev-team.vcsnap";
  auto to_pod = Run({"snapshot", "dev-team", in_pod, "--encryption-key-file", key_});
  ASSERT_EQ(to_pod.code, 0) << to_pod.Both();
  EXPECT_NE(to_pod.err.find("inside the pod"), std::string::npos) << to_pod.Both();
  ASSERT_EQ(InCluster("dev-team", {"create", "configmap", "after-container"}).code, 0);
  auto from_pod =
      Run({"restore", "dev-team", in_pod, "--encryption-key-file", key_, "--timeout", "3m"});
  ASSERT_EQ(from_pod.code, 0) << from_pod.Both();
  EXPECT_TRUE(Eventually(
      [&] {
        after = InCluster("dev-team", {"get", "configmap", "-o", "name"});
        return after.code == 0;
      },
      std::chrono::seconds(90)))
      << after.Both();
  EXPECT_NE(after.out.find("configmap/web-config"), std::string::npos) << after.Both();
  EXPECT_EQ(after.out.find("after-container"), std::string::npos) << after.Both();

  // A paused cluster has no database running: snapshot and restore say to resume it.
  ASSERT_EQ(Run({"pause", "dev-team"}).code, 0);
  auto paused = Run({"snapshot", "dev-team", Url("paused"), "--plain-http"});
  EXPECT_EQ(paused.code, 1);
  EXPECT_NE(paused.err.find("is paused"), std::string::npos) << paused.Both();
  EXPECT_NE(paused.err.find("kubectl vc resume dev-team"), std::string::npos) << paused.Both();
  auto paused_restore =
      Run({"restore", "dev-team", Url("v1"), "--plain-http", "--encryption-key-file", key_});
  EXPECT_EQ(paused_restore.code, 1);
  EXPECT_NE(paused_restore.err.find("resume it first"), std::string::npos) << paused_restore.Both();

  // The virtual cluster goes away; create --restore brings it back whole.
  auto deleted = Run({"delete", "dev-team", "--wait", "--timeout", "90s"});
  ASSERT_EQ(deleted.code, 0) << deleted.Both();

  // Wrong key: refused before anything is created.
  auto wrong = Run({"create", "dev-team", "--restore", Url("v1"), "--plain-http",
                    "--encryption-key-file", wrong_key_});
  EXPECT_EQ(wrong.code, 1);
  EXPECT_NE(wrong.err.find("wrong encryption key"), std::string::npos) << wrong.Both();
  EXPECT_TRUE(LeftOnHost("dev-team").empty());

  auto back = Run({"create", "dev-team", "--restore", Url("v1"), "--plain-http",
                   "--encryption-key-file", key_, "--connect=false", "--timeout", "3m"});
  ASSERT_EQ(back.code, 0) << back.Both();
  CliResult greeting;
  EXPECT_TRUE(Eventually(
      [&] {
        greeting = InCluster("dev-team",
                             {"get", "configmap", "web-config", "-o", "jsonpath={.data.greeting}"});
        return greeting.code == 0;
      },
      std::chrono::seconds(90)))
      << greeting.Both();
  EXPECT_EQ(greeting.out, "hello");
  auto password =
      InCluster("dev-team", {"get", "secret", "web-secret", "-o", "jsonpath={.data.password}"});
  EXPECT_EQ(password.out, Base64Encode("s3cr3t")) << password.Both();
  auto described = Run({"describe", "dev-team", "-o", "json"});
  const json doc = json::parse(described.out, nullptr, false);
  ASSERT_TRUE(doc.is_object()) << described.Both();
  EXPECT_EQ(doc.value("/values/sync/fromHost/events/enabled"_json_pointer, true), false)
      << "the restored cluster runs with other values than the snapshot's: " << described.out;

  // Unreachable registry.
  const std::string nowhere = "oci://127.0.0.1:" + std::to_string(FreePort()) + "/snapshots/x:v1";
  Track("dev-nowhere");
  auto unreachable = Run({"create", "dev-nowhere", "--restore", nowhere, "--plain-http"});
  EXPECT_EQ(unreachable.code, 1);
  EXPECT_NE(unreachable.err.find("cannot reach http://127.0.0.1"), std::string::npos)
      << unreachable.Both();
  EXPECT_TRUE(LeftOnHost("dev-nowhere").empty());

  // A corrupted blob: detected while streaming; create --restore removes what it made.
  auto plain = Run({"snapshot", "dev-team", Url("plain"), "--plain-http"});
  ASSERT_EQ(plain.code, 0) << plain.Both();
  std::uintmax_t biggest = 0;
  std::filesystem::path blob;
  for (const auto& e : std::filesystem::recursive_directory_iterator(registry_->storage())) {
    if (e.path().filename() == "data" && e.file_size() > biggest &&
        e.path().string().find("/blobs/") != std::string::npos) {
      biggest = e.file_size();
      blob = e.path();
    }
  }
  ASSERT_GT(biggest, 20000u);  // the archive (compressed), not the manifest or config
  {
    std::fstream f(blob, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(biggest / 2));
    const char c = static_cast<char>(f.get());
    f.seekp(static_cast<std::streamoff>(biggest / 2));
    f.put(static_cast<char>(c ^ 0x20));
  }
  Track("dev-bad");
  auto corrupted =
      Run({"create", "dev-bad", "--restore", Url("plain"), "--plain-http", "--timeout", "3m"});
  EXPECT_EQ(corrupted.code, 1);
  EXPECT_NE(corrupted.err.find("corrupted"), std::string::npos) << corrupted.Both();
  // Small snapshots are caught while their values are read, before anything is created;
  // large ones while streaming into the new pod, and then the new cluster is deleted again.
  EXPECT_TRUE(Eventually([&] { return LeftOnHost("dev-bad").empty(); }, std::chrono::seconds(60)));
}

#if defined(VC_PROJECT_BUILD_DIR)
// The seed's move: snapshot on one host cluster, a brand-new host cluster, create --restore
// there, and the objects (and the cluster's identity) are back.
TEST_F(SnapshotCliTest, MovesToABrandNewHostCluster) {
  Track("dev-team");
  // A value not the default, to see that the values go with the data.
  auto created = Run({"create", "dev-team", "--set", "sync.fromHost.events.enabled=false",
                      "--connect=false", "--timeout", "3m"});
  ASSERT_EQ(created.code, 0) << created.Both();
  CliResult cm;
  ASSERT_TRUE(Eventually(
      [&] {
        cm = InCluster("dev-team",
                       {"create", "configmap", "web-config", "--from-literal=greeting=moved"});
        return cm.code == 0;
      },
      std::chrono::seconds(120)))
      << cm.Both();
  auto snap = Run({"snapshot", "dev-team", Url("move"), "--plain-http"});
  ASSERT_EQ(snap.code, 0) << snap.Both();

  // A second host cluster, as the CTest fixture makes the first.
  TempDir second("vc-host-b");
  struct Down {
    std::string dir;
    ~Down() { RunToCompletion({LocalClusterScript(), "down", "--dir", dir}, dir + "-down.log"); }
  } down{second.path() + "/cluster"};
  // Once more after a failed start: on a loaded 2-core machine a second control plane can miss
  // local-cluster's readiness deadline (or lose a free port to a neighbour).
  int up = 1;
  for (int attempt = 0; attempt < 2 && up != 0; ++attempt) {
    if (attempt > 0) {
      RunToCompletion({LocalClusterScript(), "down", "--dir", down.dir}, down.dir + "-down.log");
    }
    up = RunToCompletion(
        {LocalClusterScript(), "up", "--dir", down.dir, "--name", "host-b", "--nodes", "0",
         "--real-nodes", "1", "--project-build", VC_PROJECT_BUILD_DIR},
        second.path() + "/up.log", std::chrono::seconds(240));
  }
  ASSERT_EQ(up, 0) << ReadAll(second.path() + "/up.log");
  const std::string kubeconfig_b = second.path() + "/kubeconfig";
  ASSERT_EQ(RunToCompletion(
                {"/bin/sh", "-c", "exec \"$0\" config view --flatten --raw --kubeconfig \"$1\"",
                 bin_ + "/kubectl", second.path() + "/cluster/kubeconfig"},
                kubeconfig_b),
            0);

  auto restored = Run({"--kubeconfig", kubeconfig_b, "create", "dev-team", "--restore", Url("move"),
                       "--plain-http", "--connect=false", "--timeout", "3m"});
  ASSERT_EQ(restored.code, 0) << restored.Both();
  CliResult greeting;
  EXPECT_TRUE(Eventually(
      [&] {
        greeting =
            Run({"--kubeconfig", kubeconfig_b, "connect", "dev-team", "--", bin_ + "/kubectl",
                 "get", "configmap", "web-config", "-o", "jsonpath={.data.greeting}"});
        return greeting.code == 0;
      },
      std::chrono::seconds(90)))
      << greeting.Both();
  EXPECT_EQ(greeting.out, "moved");
  // The identity moved too: host B's Secret vc-dev-team holds the same CA as host A's.
  auto ca_a = Kubectl({"get", "secret", "vc-dev-team", "-n", "vcluster-dev-team", "-o",
                       "jsonpath={.data.certificate-authority}"});
  auto ca_b = Kubectl({"--kubeconfig", kubeconfig_b, "get", "secret", "vc-dev-team", "-n",
                       "vcluster-dev-team", "-o", "jsonpath={.data.certificate-authority}"});
  EXPECT_FALSE(ca_b.out.empty()) << ca_b.Both();
  EXPECT_EQ(ca_a.out, ca_b.out);
}
#endif

}  // namespace
}  // namespace vc::testing
