// SPDX-License-Identifier: Apache-2.0
// vc-syncer end to end, restarts: the host kube-apiserver and the virtual one each go away and
// come back under a running, synced virtual cluster. The syncer must neither exit nor give up
// meanwhile (same process throughout), and once the API is back, what changed meanwhile and
// what changes after is synced both ways.
//
// The host restart needs a host cluster of its own (the shared one serves other tests, and
// every control-plane pod on it would see the restart); the virtual restart only touches the
// test's own virtual cluster, so it runs on the shared host.
#include <signal.h>

#include "integration/syncer/syncer_e2e_fixture.h"
#include "support/prerequisite.h"

namespace vc::testing {
namespace {

const std::string kWeb = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [)" + Sleeper("web") +
                         "]\n";

std::string PodYaml(const std::string& name) {
  return "apiVersion: v1\nkind: Pod\nmetadata: {name: " + name +
         ", namespace: default}\nspec:\n  containers: [" + Sleeper("c") + "]\n";
}

class SyncerRestartTest : public SyncerE2eTest {
 protected:
  // Creates NAME without a background connection (this test talks to the virtual API server
  // directly, see VirtualKubectl) and waits until it serves pods; sets vc_.
  void CreateAndReach(const std::string& name) {
    const std::string values = home_->path() + "/" + name + "-values.yaml";
    std::ofstream(values) << "isolation:\n  trustLevel: high\n";
    Track(name);
    vc_ = name;
    auto created = Run({"create", name, "-f", values, "--connect=false", "--timeout", "3m"});
    ASSERT_EQ(created.code, 0) << created.Both();
    ASSERT_TRUE(Eventually(
        [&] { return !DataDir(name).empty(); },
        // --connect=false returns once the objects are applied; the pod then waits for the
        // host's StatefulSet controller, which can be a minute behind after an earlier test
        // restarted the host API server (client-go's backoff), then for its volume and init.
        std::chrono::seconds(180)))
        << "no syncer process for " << name << "\n"
        << SyncerLog(name);
    // Pods need the default ServiceAccount, which the virtual controller-manager makes a
    // moment after the API server is up.
    CliResult sa;
    ASSERT_TRUE(Eventually(
        [&] {
          sa = VirtualKubectl(name, {"get", "serviceaccount", "default", "-n", "default"});
          return sa.code == 0;
        },
        std::chrono::seconds(120)))
        << sa.Both() << "\n"
        << SyncerLog(name);
  }

  CliResult ApplyVirtual(const std::string& file, const std::string& yaml) {
    const std::string path = home_->path() + "/" + file;
    std::ofstream(path) << yaml;
    return VirtualKubectl(vc_, {"apply", "-f", path});
  }

  json VirtualPods(const std::string& selector) {
    auto r = VirtualKubectl(vc_, {"get", "pods", "-n", "default", "-l", selector, "-o", "json"});
    auto doc = r.code == 0 ? json::parse(r.out, nullptr, false) : json();
    return doc.is_object() ? doc["items"] : json();
  }

  // `want` virtual pods with `app=APP`, each Running with the IP of its host pod, and exactly
  // their host pods on the host: synced both ways.
  bool InSync(const std::string& name, const std::string& app, size_t want) {
    const json vpods = VirtualPods("app=" + app);
    if (!vpods.is_array() || vpods.size() != want) return false;
    for (const auto& vp : vpods) {
      if (vp["status"].value("phase", "") != "Running") return false;
      auto hp = client_->Get(r::kPods, "vcluster-" + name,
                             vp["metadata"].value("name", "") + "-x-default-x-" + name);
      if (!hp.ok() || (*hp)["status"].value("podIP", "a") != vp["status"].value("podIP", "b")) {
        return false;
      }
    }
    size_t on_host = 0;
    for (const auto& hp : HostWorkloadPods(name)) {
      on_host += hp["metadata"]["labels"].value("label.kubectl-vc.dev/app", "") == app ? 1 : 0;
    }
    return on_host == want;
  }

  // A standalone virtual pod Running with its host pod's IP.
  bool PodInSync(const std::string& name, const std::string& pod) {
    auto r = VirtualKubectl(name, {"get", "pod", pod, "-n", "default", "-o", "json"});
    const json vp = r.code == 0 ? json::parse(r.out, nullptr, false) : json();
    if (!vp.is_object() || vp["status"].value("phase", "") != "Running") return false;
    auto hp = client_->Get(r::kPods, "vcluster-" + name, pod + "-x-default-x-" + name);
    return hp.ok() && (*hp)["status"].value("podIP", "a") == vp["status"].value("podIP", "b");
  }

  // After a restart: a pod created now is synced, and by the syncer process of before.
  void ExpectANewPodSyncsBySameSyncer(const std::string& name, pid_t syncer) {
    auto late = ApplyVirtual("late.yaml", PodYaml("after-restart"));
    ASSERT_EQ(late.code, 0) << late.Both();
    EXPECT_TRUE(
        Eventually([&] { return PodInSync(name, "after-restart"); }, std::chrono::seconds(90)))
        << SyncerLog(name);
    EXPECT_EQ(SyncerPid(name), syncer) << "the syncer exited\n" << SyncerLog(name);
  }

  // How often the syncer's log says a reconcile of `key` failed and will be retried.
  size_t Retries(const std::string& name, const std::string& key) {
    const std::string log = SyncerLog(name, std::string::npos);
    size_t n = 0;
    for (size_t at = log.find(" " + key + ": "); at != std::string::npos;
         at = log.find(" " + key + ": ", at + 1)) {
      const size_t eol = log.find('\n', at);
      n += log.substr(at, eol - at).find("(retry ") != std::string::npos ? 1 : 0;
    }
    return n;
  }

  std::string vc_;  // the virtual cluster CreateAndReach made
};

// The virtual kube-apiserver dies (SIGKILL: a crash, or kubelet's kill after a failed liveness
// probe) and kubelet starts it again (restartPolicy Always). SIGTERM would do the same
// but slowly: kube-apiserver then waits 60s for open watches before it exits. While it is down
// a host pod is deleted behind the syncer's back, which the syncer can only act on through the
// virtual API; once it is back, the Deployment heals, a new pod is synced, and the syncer is
// the same process throughout.
TEST_F(SyncerRestartTest, SyncingResumesAfterTheVirtualApiserverRestarts) {
  const std::string name = "sync-vrestart";
  const std::string hns = "vcluster-" + name;
  ASSERT_NO_FATAL_FAILURE(CreateAndReach(name));
  auto applied = ApplyVirtual("web.yaml", kWeb);
  ASSERT_EQ(applied.code, 0) << applied.Both();
  ASSERT_EQ(
      VirtualKubectl(name, {"scale", "deployment", "web", "-n", "default", "--replicas=2"}).code,
      0);
  ASSERT_TRUE(Eventually([&] { return InSync(name, "web", 2); }, std::chrono::seconds(120)))
      << SyncerLog(name);
  const pid_t syncer = SyncerPid(name);
  const pid_t apiserver = VirtualApiserverPid(name);
  ASSERT_GT(apiserver, 0) << "no virtual kube-apiserver in the pod of " << name;

  const std::string victim = VirtualPods("app=web")[0]["metadata"].value("name", "");
  ASSERT_EQ(::kill(apiserver, SIGKILL), 0);
  ASSERT_TRUE(Eventually([&] { return ::kill(apiserver, 0) != 0; }, std::chrono::seconds(60)))
      << "the virtual kube-apiserver did not stop";
  ASSERT_TRUE(
      client_->Delete(r::kPods, hns, victim + "-x-default-x-" + name, {.grace_period_seconds = 0})
          .ok());
  pid_t restarted = 0;
  ASSERT_TRUE(Eventually(
      [&] {
        restarted = VirtualApiserverPid(name);
        return restarted > 0 && restarted != apiserver &&
               VirtualKubectl(name, {"get", "--raw", "/readyz"}).code == 0;
      },
      std::chrono::seconds(120)))
      << "the virtual kube-apiserver did not come back";

  // The virtual pod of the deleted host pod goes, its ReplicaSet makes another, synced.
  EXPECT_TRUE(Eventually(
      [&] {
        for (const auto& p : VirtualPods("app=web")) {
          if (p["metadata"].value("name", "") == victim) return false;
        }
        return InSync(name, "web", 2);
      },
      std::chrono::seconds(120)))
      << SyncerLog(name);
  ExpectANewPodSyncsBySameSyncer(name, syncer);
}

// A host cluster of this test's own (CliTest::UpOwnHost), taken down in TearDown with
// everything on it, also on failure.
class SyncerHostRestartTest : public SyncerRestartTest {
 protected:
  void SetUp() override {
    SyncerRestartTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
#if !defined(VC_PROJECT_BUILD_DIR)
    VC_REQUIRE(false, "vc-syncer and vc-node-agent, built");
#else
    ASSERT_NO_FATAL_FAILURE(UpOwnHost("host-r"));
#endif
  }

  int Apiserver(const std::string& verb) {
    return RunToCompletion({LocalClusterScript(), verb, "--dir", own_host_dir_},
                           own_host_->path() + "/" + verb + ".log", std::chrono::seconds(180));
  }
};

// The host kube-apiserver stops under a synced virtual cluster. Meanwhile the tenant scales its
// Deployment and creates a pod (the virtual API is up; only the host is gone): the syncer keeps
// trying, backing off, and does not exit. Once the host is back, the new pods reach it and
// their status comes back, and a pod created afterwards syncs as usual.
TEST_F(SyncerHostRestartTest, SyncingResumesAfterTheHostApiserverRestarts) {
  const std::string name = "sync-hrestart";
  ASSERT_NO_FATAL_FAILURE(CreateAndReach(name));
  auto applied = ApplyVirtual("web.yaml", kWeb);
  ASSERT_EQ(applied.code, 0) << applied.Both();
  ASSERT_TRUE(Eventually([&] { return InSync(name, "web", 1); }, std::chrono::seconds(120)))
      << SyncerLog(name);
  const pid_t syncer = SyncerPid(name);

  ASSERT_EQ(Apiserver("stop-apiserver"), 0) << ReadAll(own_host_->path() + "/stop-apiserver.log");
  ASSERT_EQ(
      VirtualKubectl(name, {"scale", "deployment", "web", "-n", "default", "--replicas=3"}).code,
      0);
  auto during = ApplyVirtual("during.yaml", PodYaml("during-outage"));
  ASSERT_EQ(during.code, 0) << during.Both();
  // The syncer notices: it cannot create the host pod and retries, backing off. (From a pod the
  // host API is a ClusterIP through kube-proxy: some attempts time out rather than being
  // refused at once, so retries come about every 20 s.)
  EXPECT_TRUE(Eventually([&] { return Retries(name, "default/during-outage") >= 2; },
                         std::chrono::seconds(90)))
      << SyncerLog(name);
  EXPECT_EQ(SyncerPid(name), syncer) << "the syncer exited while the host was down\n"
                                     << SyncerLog(name);

  ASSERT_EQ(Apiserver("start-apiserver"), 0) << ReadAll(own_host_->path() + "/start-apiserver.log");
  // The syncer writes to the host again once it answers through the ClusterIP (kube-proxy, a
  // client of the restarted apiserver too, and the syncer's own backoff: up to a minute here);
  // the pods' status then waits for the host's own scheduler and kubelet, which come back from
  // the outage at their own pace (client-go backs off up to a minute: 40-90s here).
  EXPECT_TRUE(
      Eventually([&] { return HostWorkloadPods(name).size() == 4; }, std::chrono::seconds(90)))
      << SyncerLog(name);
  EXPECT_TRUE(Eventually([&] { return InSync(name, "web", 3); }, std::chrono::seconds(120)))
      << SyncerLog(name);
  EXPECT_TRUE(
      Eventually([&] { return PodInSync(name, "during-outage"); }, std::chrono::seconds(60)))
      << SyncerLog(name);
  ExpectANewPodSyncsBySameSyncer(name, syncer);
}

}  // namespace
}  // namespace vc::testing
