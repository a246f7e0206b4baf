// SPDX-License-Identifier: Apache-2.0
#include "vc/kube/informer.h"

#include <gtest/gtest.h>

#include <thread>

#include "fake_transport.h"
#include "support/fake_clock.h"

namespace vc::kube {
namespace {

using testing::ApiStatus;
using testing::ConnectionRefused;
using testing::ConnectionReset;
using testing::FakeTransport;
using testing::JsonResponse;
using testing::StreamScript;

nlohmann::json Obj(const std::string& name, const std::string& rv) {
  return {{"metadata", {{"name", name}, {"namespace", "ns"}, {"resourceVersion", rv}}}};
}

nlohmann::json ListOf(std::vector<nlohmann::json> items, const std::string& rv) {
  return {{"kind", "ConfigMapList"},
          {"metadata", {{"resourceVersion", rv}}},
          {"items", std::move(items)}};
}

std::string Event(const std::string& type, const nlohmann::json& object) {
  return nlohmann::json{{"type", type}, {"object", object}}.dump() + "\n";
}

// Records handler calls as "add:a@5", "update:a@5->6", "delete:d@3".
class Recorder {
 public:
  InformerHandlers handlers() {
    return {[this](const nlohmann::json& o) { Push("add:" + Id(o)); },
            [this](const nlohmann::json& old, const nlohmann::json& o) {
              Push("update:" + Id(old) + "->" + Rv(o));
            },
            [this](const nlohmann::json& o) { Push("delete:" + Id(o)); }};
  }
  // Waits (real time) until `n` calls were recorded.
  std::vector<std::string> WaitFor(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(5), [&] { return calls_.size() >= n; });
    return calls_;
  }

 private:
  static std::string Rv(const nlohmann::json& o) { return o["metadata"]["resourceVersion"]; }
  static std::string Id(const nlohmann::json& o) {
    return o["metadata"]["name"].get<std::string>() + "@" + Rv(o);
  }
  void Push(std::string s) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      calls_.push_back(std::move(s));
    }
    cv_.notify_all();
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> calls_;
};

class InformerTest : public ::testing::Test {
 protected:
  std::shared_ptr<Client> NewClient(std::shared_ptr<vc::Clock> clock) {
    RestConfig config;
    config.server = "https://api:6443";
    return std::make_shared<Client>(config, transport, clock);
  }
  InformerOptions Options() {
    InformerOptions o;
    o.resource = resources::kConfigMaps;
    o.namespace_ = "ns";
    o.label_selector = "app=web";
    o.page_size = 2;
    return o;
  }
  std::shared_ptr<FakeTransport> transport = std::make_shared<FakeTransport>();
  Recorder recorder;
};

TEST_F(InformerTest, ListsPagedThenWatchesAndServesTheCache) {
  auto first = ListOf({Obj("a", "5"), Obj("b", "6")}, "10");
  first["metadata"]["continue"] = "t";
  transport->Reply(JsonResponse(200, first));
  transport->Reply(JsonResponse(200, ListOf({Obj("c", "7")}, "10")));
  StreamScript watch;
  watch.chunks = {Event("MODIFIED", Obj("a", "11")), Event("DELETED", Obj("b", "12"))};
  transport->ReplyStream(watch);
  auto clock = std::make_shared<FakeClock>();
  Informer informer(NewClient(clock), Options(), recorder.handlers(), clock);
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(std::chrono::seconds(5)));
  auto calls = recorder.WaitFor(5);
  EXPECT_EQ(calls, (std::vector<std::string>{"add:a@5", "add:b@6", "add:c@7", "update:a@5->11",
                                             "delete:b@12"}));
  ASSERT_TRUE(informer.Get("ns", "a").has_value());
  EXPECT_EQ((*informer.Get("ns", "a"))["metadata"]["resourceVersion"], "11");
  EXPECT_FALSE(informer.Get("ns", "b").has_value());
  EXPECT_EQ(informer.List().size(), 2u);
  informer.Stop();
  auto watches = transport->requests("watch=1");
  ASSERT_GE(watches.size(), 1u);
  EXPECT_NE(watches[0].url.find("resourceVersion=10"), std::string::npos);
  EXPECT_NE(watches[0].url.find("labelSelector=app%3Dweb"), std::string::npos);
  EXPECT_NE(transport->requests()[0].url.find("limit=2"), std::string::npos);
}

TEST_F(InformerTest, TransformShrinksWhatIsStoredAndHandedOut) {
  auto big = Obj("a", "5");
  big["data"] = {{"huge", std::string(1000, 'x')}};
  transport->Reply(JsonResponse(200, ListOf({big}, "10")));
  StreamScript watch;
  auto big_b = Obj("b", "11");
  big_b["data"] = {{"huge", "y"}};
  watch.chunks = {Event("ADDED", big_b)};
  transport->ReplyStream(watch);
  auto clock = std::make_shared<FakeClock>();
  InformerOptions options = Options();
  options.transform = [](nlohmann::json object) {
    object.erase("data");
    return object;
  };
  Informer informer(NewClient(clock), options, recorder.handlers(), clock);
  informer.Start();
  EXPECT_EQ(recorder.WaitFor(2), (std::vector<std::string>{"add:a@5", "add:b@11"}));
  ASSERT_TRUE(informer.Get("ns", "a").has_value());
  EXPECT_FALSE(informer.Get("ns", "a")->contains("data"));
  ASSERT_TRUE(informer.Get("ns", "b").has_value());
  EXPECT_FALSE(informer.Get("ns", "b")->contains("data"));
  informer.Stop();
}

TEST_F(InformerTest, BrokenWatchResumesFromLastResourceVersionIncludingBookmarks) {
  transport->Reply(JsonResponse(200, ListOf({Obj("a", "5")}, "10")));
  StreamScript broken;
  broken.chunks = {Event("MODIFIED", Obj("a", "11")),
                   Event("BOOKMARK", {{"metadata", {{"resourceVersion", "15"}}}})};
  broken.end = ConnectionReset();
  transport->ReplyStream(broken);
  StreamScript resumed;
  resumed.chunks = {Event("ADDED", Obj("n", "16"))};
  transport->ReplyStream(resumed);
  auto clock = std::make_shared<FakeClock>();
  Informer informer(NewClient(clock), Options(), recorder.handlers(), clock);
  informer.Start();
  auto calls = recorder.WaitFor(3);
  EXPECT_EQ(calls, (std::vector<std::string>{"add:a@5", "update:a@5->11", "add:n@16"}));
  informer.Stop();
  auto watches = transport->requests("watch=1");
  ASSERT_GE(watches.size(), 2u);
  EXPECT_NE(watches[1].url.find("resourceVersion=15"), std::string::npos);
  EXPECT_EQ(informer.lists(), 1);         // resumed, not relisted
  EXPECT_FALSE(clock->sleeps().empty());  // backed off before resuming
}

TEST_F(InformerTest, GoneRelistsAndDeliversTheDifference) {
  transport->Reply(JsonResponse(200, ListOf({Obj("a", "5"), Obj("b", "6"), Obj("d", "3")}, "10")));
  StreamScript expired;
  expired.chunks = {Event("ERROR", ApiStatus(410, "Expired", "too old resource version: 10"))};
  transport->ReplyStream(expired);
  // Meanwhile: a unchanged, b modified, d deleted, e created.
  transport->Reply(
      JsonResponse(200, ListOf({Obj("a", "5"), Obj("b", "20"), Obj("e", "21")}, "30")));
  auto clock = std::make_shared<FakeClock>();
  Informer informer(NewClient(clock), Options(), recorder.handlers(), clock);
  informer.Start();
  auto calls = recorder.WaitFor(6);
  EXPECT_EQ(calls, (std::vector<std::string>{"add:a@5", "add:b@6", "add:d@3", "delete:d@3",
                                             "update:b@6->20", "add:e@21"}));
  // Wait for the watch after the relist, then check where it started.
  for (int i = 0; i < 100 && transport->requests("watch=1").size() < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  informer.Stop();
  EXPECT_EQ(informer.lists(), 2);
  auto watches = transport->requests("watch=1");
  ASSERT_EQ(watches.size(), 2u);
  EXPECT_NE(watches[1].url.find("resourceVersion=30"), std::string::npos);
  EXPECT_EQ(informer.LastResourceVersion(), "30");
}

TEST_F(InformerTest, ResyncRedeliversEveryObject) {
  transport->Reply(JsonResponse(200, ListOf({Obj("a", "5"), Obj("b", "6")}, "10")));
  auto clock = std::make_shared<FakeClock>(/*auto_advance=*/false);
  InformerOptions options = Options();
  options.resync_period = std::chrono::minutes(10);
  Informer informer(NewClient(clock), options, recorder.handlers(), clock);
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(std::chrono::seconds(5)));
  recorder.WaitFor(2);
  for (int i = 0; i < 500 && clock->sleepers() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  clock->Advance(std::chrono::minutes(9));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(recorder.WaitFor(2).size(), 2u);  // not yet
  clock->Advance(std::chrono::minutes(1));
  auto calls = recorder.WaitFor(4);
  EXPECT_EQ(calls,
            (std::vector<std::string>{"add:a@5", "add:b@6", "update:a@5->5", "update:b@6->6"}));
  informer.Stop();
}

TEST_F(InformerTest, FailingListBacksOffExponentially) {
  // Forbidden is not retried by the client, so each failure here is one informer list.
  for (int i = 0; i < 3; ++i) {
    transport->Reply(JsonResponse(403, ApiStatus(403, "Forbidden", "configmaps is forbidden")));
  }
  transport->Reply(JsonResponse(200, ListOf({Obj("a", "5")}, "10")));
  auto clock = std::make_shared<FakeClock>();
  InformerOptions options = Options();
  Informer informer(NewClient(clock), options, recorder.handlers(), clock);
  informer.Start();
  EXPECT_EQ(recorder.WaitFor(1), (std::vector<std::string>{"add:a@5"}));
  informer.Stop();
  auto sleeps = clock->sleeps();
  ASSERT_GE(sleeps.size(), 3u);
  EXPECT_GE(sleeps[0], std::chrono::milliseconds(800));
  EXPECT_GE(sleeps[1], std::chrono::milliseconds(1600));
  EXPECT_GE(sleeps[2], std::chrono::milliseconds(3200));
  EXPECT_LE(sleeps[2], std::chrono::milliseconds(3840));
}

TEST(ReachabilityTest, OneRecoveryPerOutageTellsEverySubscriberOnce) {
  auto reach = std::make_shared<Reachability>();
  int told = 0;
  {
    auto a = reach->Subscribe(reach->recoveries(), [&] { ++told; });
    auto b = reach->Subscribe(reach->recoveries(), [&] { ++told; });
    reach->Answered();  // reachable all along: nothing to tell
    EXPECT_EQ(told, 0);
    reach->Failed();
    reach->Failed();
    reach->Answered();
    reach->Answered();
    EXPECT_EQ(told, 2);
    EXPECT_EQ(reach->recoveries(), 1u);
  }
  reach->Failed();
  reach->Answered();  // both unsubscribed
  EXPECT_EQ(told, 2);
  // A recovery between the caller's look and its subscription is not missed.
  auto late = reach->Subscribe(1, [&] { ++told; });
  EXPECT_EQ(told, 3);
}

// After an outage every informer of a client resumes with the first answer to any call through
// that client, not after its own (by then long) backoff.
TEST_F(InformerTest, OutageEndsWithTheFirstAnswerNotTheWholeBackoff) {
  transport->Reply(JsonResponse(200, ListOf({Obj("a", "5")}, "10")));
  for (int i = 0; i < 5; ++i) {
    StreamScript down;
    down.end = ConnectionRefused();
    transport->ReplyStream(down);
  }
  StreamScript back;
  back.chunks = {Event("ADDED", Obj("n", "11"))};
  transport->ReplyStream(back);
  auto clock = std::make_shared<FakeClock>(/*auto_advance=*/false);
  auto client = NewClient(clock);
  Informer informer(client, Options(), recorder.handlers(), clock);
  informer.Start();
  ASSERT_EQ(recorder.WaitFor(1), (std::vector<std::string>{"add:a@5"}));
  auto wait_for_sleeps = [&](size_t n) {
    for (int i = 0; i < 500 && (clock->sleepers() == 0 || clock->sleeps().size() < n); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return clock->sleeps().size() >= n && clock->sleepers() == 1;
  };
  // Four failed watches, each backoff slept out: 0.8, 1.6, 3.2, 6.4s (+ up to 20%).
  for (size_t n = 1; n <= 4; ++n) {
    ASSERT_TRUE(wait_for_sleeps(n)) << n;
    clock->Advance(std::chrono::seconds(8));
  }
  // The fifth: a backoff of 12.8s or more. Another call through the client gets an answer.
  ASSERT_TRUE(wait_for_sleeps(5));
  EXPECT_GE(clock->sleeps()[4], std::chrono::milliseconds(12800));
  transport->Reply(JsonResponse(200, Obj("other", "12")));
  ASSERT_TRUE(client->Get(resources::kConfigMaps, "ns", "other").ok());
  // The backoff ends; what is left of initial_backoff (all of it: the fake clock stood still)
  // is slept, then the watch resumes.
  ASSERT_TRUE(wait_for_sleeps(6));
  EXPECT_EQ(clock->sleeps()[5], std::chrono::milliseconds(800));
  clock->Advance(std::chrono::milliseconds(800));
  EXPECT_EQ(recorder.WaitFor(2), (std::vector<std::string>{"add:a@5", "add:n@11"}));
  informer.Stop();
}

}  // namespace
}  // namespace vc::kube
