// SPDX-License-Identifier: Apache-2.0
// The controller's queue: deduplication, re-processing of keys added while running, retries
// with backoff until success. Real threads, deadlines instead of sleeps.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>

#include "support/within.h"
#include "vc/syncer/sync/work_queue.h"

namespace vc::syncer::sync {
namespace {

using vc::testing::Within;

TEST(SyncerControllerTest, RetriesAFailingKeyUntilItSucceeds) {
  std::mutex mu;
  std::map<std::string, int> calls;
  Controller c(
      "test",
      [&](const std::string& key) {
        std::lock_guard lock(mu);
        return ++calls[key] < 3 ? Unavailable("not yet") : Status::Ok();
      },
      std::chrono::milliseconds(1), std::chrono::milliseconds(5));
  c.Start();
  c.Enqueue("a");
  EXPECT_TRUE(Within([&] {
    std::lock_guard lock(mu);
    return calls["a"] == 3;
  }));
  EXPECT_TRUE(Within([&] { return c.Pending() == 0 && c.failures("a") == 0; }));
  c.Stop();
}

TEST(SyncerControllerTest, KeysAddedWhileProcessingAreProcessedAgainOnce) {
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  std::atomic<int> calls{0};
  Controller c("test", [&](const std::string&) {
    if (calls.fetch_add(1) == 0) {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return release; });
    }
    return Status::Ok();
  });
  c.Start();
  c.Enqueue("k");
  ASSERT_TRUE(Within([&] { return calls.load() == 1; }));
  for (int i = 0; i < 10; ++i) c.Enqueue("k");  // while the first run is blocked
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
  EXPECT_TRUE(Within([&] { return c.Pending() == 0; }));
  EXPECT_EQ(calls.load(), 2) << "ten adds during processing make one more run";
  c.Stop();
}

TEST(SyncerControllerTest, DelayedKeysRunAfterTheirDelay) {
  std::atomic<int> calls{0};
  Controller c("test", [&](const std::string&) { return ++calls, Status::Ok(); });
  c.Start();
  const auto start = std::chrono::steady_clock::now();
  c.EnqueueAfter("later", std::chrono::milliseconds(50));
  ASSERT_TRUE(Within([&] { return calls.load() == 1; }));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(50));
  c.Stop();
}

TEST(SyncerControllerTest, AKeyWaitsForOneDelayTheEarliest) {
  std::atomic<int> calls{0};
  Controller c("test", [&](const std::string&) { return ++calls, Status::Ok(); });
  c.Start();
  // A reconcile re-arming its refresh timer on every run must not pile timers up.
  for (int i = 0; i < 10; ++i) c.EnqueueAfter("k", std::chrono::hours(1));
  c.EnqueueAfter("k", std::chrono::seconds(30));
  c.EnqueueAfter("k", std::chrono::hours(2));  // later: the 30 s stay
  EXPECT_EQ(c.Pending(), 1u);
  EXPECT_EQ(calls.load(), 0);
  const auto start = std::chrono::steady_clock::now();
  c.EnqueueAfter("k", std::chrono::milliseconds(20));  // earlier: replaces the 30 s
  ASSERT_TRUE(Within([&] { return calls.load() == 1; }));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(20));
  EXPECT_TRUE(Within([&] { return c.Pending() == 0; })) << "no other timer left for the key";
  c.Stop();
}

TEST(SyncerControllerTest, ARetryComesBeforeALaterTimer) {
  std::atomic<int> calls{0};
  Controller c(
      "test",
      [&](const std::string&) { return ++calls == 1 ? Unavailable("not yet") : Status::Ok(); },
      std::chrono::milliseconds(1), std::chrono::milliseconds(5));
  c.Start();
  c.EnqueueAfter("k", std::chrono::hours(1));
  c.Enqueue("k");  // runs now, fails: the retry in 1 ms replaces the hour
  ASSERT_TRUE(Within([&] { return calls.load() == 2; }));
  EXPECT_TRUE(Within([&] { return c.Pending() == 0 && c.failures("k") == 0; }));
  c.Stop();
}

TEST(SyncerControllerTest, NoDelayQueuesAtOnce) {
  std::atomic<int> calls{0};
  Controller c("test", [&](const std::string&) { return ++calls, Status::Ok(); });
  c.Start();
  c.EnqueueAfter("now", std::chrono::milliseconds(0));
  c.EnqueueAfter("past", std::chrono::milliseconds(-5));
  EXPECT_TRUE(Within([&] { return calls.load() == 2; }));
  EXPECT_TRUE(Within([&] { return c.Pending() == 0; }));
  c.Stop();
}

}  // namespace
}  // namespace vc::syncer::sync
