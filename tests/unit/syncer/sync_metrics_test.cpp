// SPDX-License-Identifier: Apache-2.0
// What the syncer reports about itself: lag histograms and their quantile bounds, the
// controller's counts by origin, the registry's lifetime, the Prometheus text and the summary
// describe shows. Real controller threads, deadlines instead of sleeps.
#include "vc/syncer/sync/sync_metrics.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <thread>

#include "support/within.h"
#include "vc/syncer/sync/work_queue.h"

namespace vc::syncer::sync {
namespace {

using nlohmann::json;

using vc::testing::Within;

TEST(SyncMetricsTest, QuantileBoundsAreTheBucketsThatHoldThem) {
  LagHistogram h;
  EXPECT_EQ(h.QuantileBound(0.5), std::nullopt);
  for (int i = 0; i < 98; ++i) h.Observe(0.002);  // <= 0.005
  h.Observe(0.2);                                 // <= 0.25
  h.Observe(100);                                 // past the last bound
  EXPECT_EQ(h.count, 100u);
  EXPECT_EQ(h.counts[0], 98u);
  EXPECT_EQ(h.QuantileBound(0.5), 0.005);
  EXPECT_EQ(h.QuantileBound(0.99), 0.25);
  EXPECT_TRUE(std::isinf(*h.QuantileBound(1.0)));
  EXPECT_NEAR(h.sum, 98 * 0.002 + 0.2 + 100, 1e-9);
}

TEST(SyncMetricsTest, AControllerCountsReconcilesErrorsAndTheLagOfEachSide) {
  auto metrics = std::make_shared<SyncMetrics>();
  std::atomic<int> calls_b{0};
  Controller c(
      "sync widgets",
      [&](const std::string& key) {
        if (key == "ns/b" && ++calls_b < 3) return Unavailable("not yet");
        return Status::Ok();
      },
      std::chrono::milliseconds(1), std::chrono::milliseconds(5));
  c.ReportTo(metrics, [] { return size_t{7}; });
  c.Start();
  c.Enqueue("ns/a", Origin::kVirtual);
  c.Enqueue("ns/b", Origin::kHost);  // fails twice: one lag sample, retries included
  c.Enqueue("ns/c");                 // a timer or another syncer: no lag
  ASSERT_TRUE(Within([&] {
    auto all = metrics->Controllers();
    return all.size() == 1 && all[0].reconciles == 5 && all[0].queued == 0;
  })) << metrics->Controllers().at(0).reconciles;
  const ControllerStats s = metrics->Controllers().at(0);
  EXPECT_EQ(s.controller, "widgets");
  EXPECT_EQ(s.synced, 7u);
  EXPECT_EQ(s.errors, 2u);
  EXPECT_EQ(s.failing, 0u) << "b succeeded in the end";
  EXPECT_EQ(s.to_host.count, 1u);
  EXPECT_EQ(s.to_virtual.count, 1u);

  c.Stop();  // its owner stops it before the caches `synced` counts go
  EXPECT_TRUE(metrics->Controllers().empty());
}

TEST(SyncMetricsTest, AnEventDuringAReconcileIsALaterChangeWithItsOwnLag) {
  auto metrics = std::make_shared<SyncMetrics>();
  std::atomic<bool> release{false};
  std::atomic<int> calls{0};
  // Declared before the controller: a failed ASSERT releases the reconcile before ~Controller
  // joins its worker (it would wait for ever).
  struct Release {
    std::atomic<bool>* flag;
    ~Release() { *flag = true; }
  } guard{&release};
  Controller c("sync pods", [&](const std::string&) {
    if (++calls == 1) {
      while (!release) std::this_thread::yield();
    }
    return Status::Ok();
  });
  c.ReportTo(metrics);
  c.Start();
  c.Enqueue("ns/a", Origin::kVirtual);
  ASSERT_TRUE(Within([&] { return calls.load() == 1; }));
  c.Enqueue("ns/a", Origin::kHost);  // while the first reconcile runs
  release = true;
  ASSERT_TRUE(Within([&] { return metrics->Controllers().at(0).reconciles == 2; }));
  ASSERT_TRUE(Within([&] { return metrics->Controllers().at(0).queued == 0; }));
  const ControllerStats s = metrics->Controllers().at(0);
  EXPECT_EQ(s.to_host.count, 1u);
  EXPECT_EQ(s.to_virtual.count, 1u);
  EXPECT_FALSE(s.synced.has_value());
}

TEST(SyncMetricsTest, PrometheusTextHasCountsPerControllerAndCumulativeBuckets) {
  ControllerStats pods{
      .controller = "pods", .queued = 2, .synced = 5, .reconciles = 9, .errors = 1};
  pods.to_host.Observe(0.003);
  pods.to_host.Observe(0.3);
  ControllerStats nodes{.controller = "nodes"};
  const std::string text = FormatPrometheus({pods, nodes}, Refusal{.unix_seconds = 12.5});
  for (const char* line :
       {"# TYPE vc_syncer_sync_lag_seconds histogram\n",
        "vc_syncer_synced_objects{controller=\"pods\"} 5\n",
        "vc_syncer_queue_depth{controller=\"pods\"} 2\n",
        "vc_syncer_queue_depth{controller=\"nodes\"} 0\n",
        "vc_syncer_reconciles_total{controller=\"pods\"} 9\n",
        "vc_syncer_sync_errors_total{controller=\"pods\"} 1\n",
        "vc_syncer_failing_keys{controller=\"pods\"} 0\n",
        "vc_syncer_sync_lag_seconds_bucket{controller=\"pods\",direction=\"to_host\",le=\"0.005\"} "
        "1\n",
        "vc_syncer_sync_lag_seconds_bucket{controller=\"pods\",direction=\"to_host\",le=\"0.25\"} "
        "1\n",
        "vc_syncer_sync_lag_seconds_bucket{controller=\"pods\",direction=\"to_host\",le=\"0.5\"} "
        "2\n",
        "vc_syncer_sync_lag_seconds_bucket{controller=\"pods\",direction=\"to_host\",le=\"+Inf\"} "
        "2\n",
        "vc_syncer_sync_lag_seconds_count{controller=\"pods\",direction=\"to_host\"} 2\n",
        "vc_syncer_last_refusal_timestamp_seconds 12.500\n"}) {
    EXPECT_NE(text.find(line), std::string::npos) << line << "\nin:\n" << text;
  }
  EXPECT_EQ(text.find("synced_objects{controller=\"nodes\"}"), std::string::npos)
      << "a controller without a count reports none";
  EXPECT_EQ(text.find("direction=\"to_virtual\""), std::string::npos) << "no samples, no series";
}

TEST(SyncMetricsTest, TheSummaryNamesTheLastRefusalAndHasNoGrowingCounts) {
  ControllerStats pods{
      .controller = "pods", .queued = 0, .synced = 3, .reconciles = 40, .errors = 2};
  for (int i = 0; i < 10; ++i) pods.to_host.Observe(0.04);
  const json h = SyncHealth({pods}, Refusal{.unix_seconds = 1.7e9,
                                            .controller = "pods",
                                            .object = "team/web",
                                            .message = "privileged is not allowed"});
  ASSERT_EQ(h["controllers"].size(), 1u);
  const json& c = h["controllers"][0];
  EXPECT_EQ(c["name"], "pods");
  EXPECT_EQ(c["synced"], 3);
  EXPECT_EQ(c["failing"], 0);
  EXPECT_FALSE(c.contains("errors")) << "a growing count would rewrite the report each time";
  EXPECT_EQ(c["lagToHost"]["p50"], 0.05);
  EXPECT_EQ(c["lagToHost"]["p99"], 0.05);
  EXPECT_FALSE(c.contains("lagToVirtual"));
  EXPECT_FALSE(c.contains("reconciles")) << "a quiet syncer's report must not change";
  EXPECT_EQ(h["lastRefusal"]["object"], "team/web");
  EXPECT_EQ(h["lastRefusal"]["at"], "2023-11-14T22:13:20Z");
  EXPECT_TRUE(h["at"].is_string());
}

TEST(SyncMetricsTest, AResyncIsNoChangeAndHasNoLag) {
  const json a = {{"metadata", {{"resourceVersion", "5"}}}};
  const json b = {{"metadata", {{"resourceVersion", "6"}}}};
  EXPECT_EQ(OriginOfUpdate(a, b, Origin::kHost), Origin::kHost);
  EXPECT_EQ(OriginOfUpdate(a, a, Origin::kHost), Origin::kOther);
  EXPECT_EQ(OriginOfUpdate(json::object(), json::object(), Origin::kVirtual), Origin::kVirtual);
}

}  // namespace
}  // namespace vc::syncer::sync
