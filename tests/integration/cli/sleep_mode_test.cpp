// SPDX-License-Identifier: Apache-2.0
// sleepMode on real nodes, as a user meets it: requests keep a cluster awake; once nobody asks
// anything for sleepMode.autoSleep.afterInactivity it sleeps (control plane at 0, its workloads
// off the host, `kubectl vc list` says Sleeping), and the next kubectl request through
// `kubectl vc connect`'s forwarder wakes it and is answered, with the cluster's state kept; so
// does a run of the host CronJob of sleepMode.autoWakeup.schedule.
#include "integration/cli/cli_fixture.h"

namespace vc::testing {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

std::string StatusOf(CliTest& t, const std::string& name) {
  auto r = t.Run({"list", "-o", "json"});
  const json doc = json::parse(r.out, nullptr, false);
  if (!doc.is_object()) return "<unreadable>";
  for (const auto& item : doc.value("items", json::array())) {
    if (item.value("name", "") == name) return item.value("status", "");
  }
  return "<absent>";
}

// What `kubectl create job --from=cronjob/CRON` does: a Job of the CronJob's template, now.
// True once it succeeded.
bool RunCronJobNow(kube::Client& host, const std::string& ns, const std::string& cron,
                   const std::string& job) {
  auto got = host.Get(kube::resources::kCronJobs, ns, cron);
  EXPECT_TRUE(got.ok()) << got.status().message();
  if (!got.ok()) return false;
  const json made = {{"apiVersion", "batch/v1"},
                     {"kind", "Job"},
                     {"metadata", {{"name", job}}},
                     {"spec", (*got)["spec"]["jobTemplate"]["spec"]}};
  auto created = host.Create(kube::resources::kJobs, ns, made);
  EXPECT_TRUE(created.ok()) << created.status().message();
  if (!created.ok()) return false;
  json status;
  const bool done = Eventually(
      [&] {
        auto j = host.Get(kube::resources::kJobs, ns, job);
        status = j.ok() ? (*j)["status"] : json();
        return status.value("succeeded", 0) >= 1 || status.value("failed", 0) >= 1;
      },
      std::chrono::seconds(90));
  EXPECT_TRUE(done && status.value("succeeded", 0) >= 1) << "job " << job << ": " << status.dump();
  return done && status.value("succeeded", 0) >= 1;
}

TEST_F(CliTest, AnIdleClusterSleepsAndARequestThroughConnectWakesIt) {
  const std::string values = home_->path() + "/sleepy.yaml";
  // A wake-up schedule that does not come round during the test: its CronJob is run by hand.
  std::ofstream(values) << "sleepMode:\n  enabled: true\n  autoSleep:\n    afterInactivity: 20s\n"
                           "  autoWakeup:\n    schedule: \"0 0 1 1 *\"\n";
  Track("sleepy");
  auto created = Run({"create", "sleepy", "-f", values, "--timeout", "3m"});
  ASSERT_EQ(created.code, 0) << created.Both();
  ASSERT_EQ(Kubectl({"create", "ns", "kept"}).code, 0);

  const std::string workloads = "kubectl-vc.dev/tenant=sleepy,kubectl-vc.dev/component=workload";
  auto host_workloads = [&]() -> int {  // -1: the host did not answer
    auto pods =
        client_->List(kube::resources::kPods, "vcluster-sleepy", {.label_selector = workloads});
    return pods.ok() ? static_cast<int>(pods->items.size()) : -1;
  };
  ASSERT_TRUE(Eventually([&] { return host_workloads() > 0; }, std::chrono::seconds(60)))
      << "CoreDNS never ran on the host as the tenant's workload";

  // Requests keep it awake: 30 s of them, longer than afterInactivity.
  const auto busy_until = Clock::now() + std::chrono::seconds(30);
  while (Clock::now() < busy_until) {
    auto got = Kubectl({"get", "ns", "kept", "-o", "name"});
    ASSERT_EQ(got.code, 0) << got.Both();
  }
  EXPECT_EQ(StatusOf(*this, "sleepy"), "Running") << "it slept while in use";

  // Nobody asks: it sleeps (20 s, plus the syncer's check period and the pod's stop).
  ASSERT_TRUE(Eventually([&] { return StatusOf(*this, "sleepy") == "Sleeping"; },
                         std::chrono::seconds(120)))
      << Run({"describe", "sleepy"}).Both();
  auto sts = client_->Get(kube::resources::kStatefulSets, "vcluster-sleepy", "sleepy");
  ASSERT_TRUE(sts.ok());
  EXPECT_EQ(sts->value("/spec/replicas"_json_pointer, -1), 0);
  EXPECT_TRUE(Eventually([&] { return host_workloads() == 0; }, std::chrono::seconds(60)))
      << "the tenant's workloads stayed on the host while it slept";
  EXPECT_TRUE(Eventually(
      [&] {
        auto pod = client_->Get(kube::resources::kPods, "vcluster-sleepy", "sleepy-0");
        return !pod.ok() && pod.status().code() == Code::kNotFound;
      },
      std::chrono::seconds(60)))
      << "the control-plane pod is still there";
  auto table = Run({"list"});
  EXPECT_NE(table.out.find("Sleeping ("), std::string::npos) << table.Both();

  // The next request wakes it through the forwarder and is answered: it just takes longer.
  const auto asked = Clock::now();
  auto woken =
      Exec({bin_ + "/kubectl", "get", "ns", "kept", "-o", "name"}, std::chrono::minutes(3));
  const double seconds = std::chrono::duration<double>(Clock::now() - asked).count();
  ASSERT_EQ(woken.code, 0) << woken.Both();
  EXPECT_NE(woken.out.find("namespace/kept"), std::string::npos) << "state lost: " << woken.Both();
  std::cout << "sleepMode: a request to the sleeping cluster was answered after " << seconds
            << " s\n";
  // The API server answers before every container of the pod is ready (the syncer's
  // readiness follows it): Running a moment later.
  EXPECT_TRUE(
      Eventually([&] { return StatusOf(*this, "sleepy") == "Running"; }, std::chrono::seconds(60)))
      << Run({"describe", "sleepy"}).Both();
  EXPECT_TRUE(Eventually([&] { return host_workloads() > 0; }, std::chrono::seconds(60)))
      << "the workloads did not come back";

  // sleepMode.autoWakeup: asleep again, and the host CronJob's run wakes it.
  ASSERT_TRUE(Eventually([&] { return StatusOf(*this, "sleepy") == "Sleeping"; },
                         std::chrono::seconds(120)))
      << Run({"describe", "sleepy"}).Both();
  ASSERT_TRUE(RunCronJobNow(*client_, "vcluster-sleepy", "vc-sleepy-wake", "wake-now"));
  EXPECT_TRUE(
      Eventually([&] { return StatusOf(*this, "sleepy") == "Running"; }, std::chrono::seconds(90)))
      << Run({"describe", "sleepy"}).Both();
}

// A person's pause is not undone by a request or a wake-up schedule: only sleepMode's sleep is.
TEST_F(CliTest, ResumeIfSleepingLeavesAPausedClusterPaused) {
  Track("napping");
  auto created = Run({"create", "napping", "--connect=false", "--set",
                      "sleepMode.enabled=true,sleepMode.autoSleep.afterInactivity=1h,"
                      "sleepMode.autoWakeup.schedule=0 0 1 1 *"});
  ASSERT_EQ(created.code, 0) << created.Both();
  ASSERT_EQ(Run({"pause", "napping"}).code, 0);
  auto woken = Run({"resume", "napping", "--if-sleeping", "--no-wait"});
  EXPECT_EQ(woken.code, 0) << woken.Both();
  EXPECT_NE(woken.err.find("is not sleeping (Paused)"), std::string::npos) << woken.Both();
  EXPECT_EQ(StatusOf(*this, "napping"), "Paused");
  // Nor by the wake-up schedule's run.
  EXPECT_TRUE(RunCronJobNow(*client_, "vcluster-napping", "vc-napping-wake", "wake-now"));
  EXPECT_EQ(StatusOf(*this, "napping"), "Paused");
}

}  // namespace
}  // namespace vc::testing
