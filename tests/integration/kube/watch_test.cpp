// SPDX-License-Identifier: Apache-2.0
// Watch and Informer against a real kube-apiserver: too-old resourceVersions, relisting, and
// resuming across an apiserver restart.
#include <mutex>
#include <set>

#include "integration/support/cluster.h"
#include "vc/kube/curl_transport.h"
#include "vc/kube/informer.h"

namespace vc::kube {
namespace {

using resources::kConfigMaps;

// What an informer's handlers saw, by name.
class Seen {
 public:
  InformerHandlers Handlers() {
    return {[this](const nlohmann::json& o) { Add("add:" + Name(o)); },
            [this](const nlohmann::json&, const nlohmann::json& o) { Add("update:" + Name(o)); },
            [this](const nlohmann::json& o) { Add("delete:" + Name(o)); }};
  }
  bool Has(const std::string& event) {
    std::lock_guard<std::mutex> lock(mu_);
    return events_.count(event) > 0;
  }

 private:
  static std::string Name(const nlohmann::json& o) { return o["metadata"]["name"]; }
  void Add(const std::string& e) {
    std::lock_guard<std::mutex> lock(mu_);
    events_.insert(e);
  }
  std::mutex mu_;
  std::set<std::string> events_;
};

class WatchTest : public vc::testing::NamespacedTest {
 protected:
  InformerOptions Options() {
    InformerOptions o;
    o.resource = kConfigMaps;
    o.namespace_ = ns_;
    o.label_selector = "test=watch";
    o.page_size = 10;
    o.initial_backoff = std::chrono::milliseconds(200);
    o.max_backoff = std::chrono::seconds(2);
    return o;
  }
  nlohmann::json Labelled(const std::string& name) {
    nlohmann::json cm = ConfigMap(name);
    cm["metadata"]["labels"] = {{"test", "watch"}};
    return cm;
  }
  // Creates, retrying while the apiserver comes back after a restart.
  void CreateEventually(const std::string& name) {
    ASSERT_TRUE(vc::testing::Eventually(
        [&] {
          auto r = client_->Create(kConfigMaps, ns_, Labelled(name));
          return r.ok() || r.status().code() == Code::kAlreadyExists;
        },
        std::chrono::seconds(60)));
  }

  // Compacts etcd at its current revision: every older resourceVersion is now too old.
  void CompactEtcd() {
    const std::string etcd = "http://127.0.0.1:" + vc::testing::ClusterPort("ETCD_PORT");
    CurlTransport http({});
    HttpRequest range{.method = "POST", .url = etcd + "/v3/kv/range", .body = R"({"key":"Lw=="})"};
    range.timeout = std::chrono::seconds(5);
    auto r = http.Do(range);
    ASSERT_TRUE(r.ok() && r->status == 200) << (r.ok() ? r->body : r.status().message());
    const std::string revision = nlohmann::json::parse(r->body)["header"]["revision"];
    HttpRequest compact{.method = "POST",
                        .url = etcd + "/v3/kv/compaction",
                        .body = R"({"revision":")" + revision + R"(","physical":true})"};
    compact.timeout = std::chrono::seconds(10);
    auto c = http.Do(compact);
    ASSERT_TRUE(c.ok() && c->status == 200) << (c.ok() ? c->body : c.status().message());
  }
};

TEST_F(WatchTest, TooOldResourceVersionIsGone) {
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(client_->Create(kConfigMaps, ns_, Labelled("w" + std::to_string(i))).ok());
  }
  // The apiserver answers watches from its watch cache, whose window in a young cluster can
  // still reach back to revision 1. Compacting etcd and restarting the apiserver makes its
  // cache start now, so "1" is too old for both the cache and etcd.
  ASSERT_EQ(vc::testing::LocalCluster("stop-apiserver"), 0);
  CompactEtcd();
  ASSERT_EQ(vc::testing::LocalCluster("start-apiserver"), 0);
  ASSERT_TRUE(vc::testing::Eventually([&] { return client_->List(kConfigMaps, ns_, {}).ok(); },
                                      std::chrono::seconds(60)));
  WatchOptions options;
  options.resource_version = "1";
  options.timeout_seconds = 10;
  Status s = client_->Watch(
      kConfigMaps, ns_, options, [](const WatchEvent&) { return true; }, nullptr);
  EXPECT_EQ(s.code(), Code::kGone) << s.message();
}

TEST_F(WatchTest, WatchStreamsEventsAndCancels) {
  auto list = client_->List(kConfigMaps, ns_, {});
  ASSERT_TRUE(list.ok());
  CancelToken cancel;
  std::vector<std::string> seen;
  std::thread writer(
      [&] { ASSERT_TRUE(client_->Create(kConfigMaps, ns_, Labelled("streamed")).ok()); });
  WatchOptions options;
  options.resource_version = list->resource_version;
  options.timeout_seconds = 30;
  // Only the test's own objects: the controller-manager adds kube-root-ca.crt to a new
  // namespace at its own pace, possibly after the list.
  options.label_selector = "test=watch";
  const auto start = std::chrono::steady_clock::now();
  std::thread canceller([&] {
    vc::testing::Eventually([&] { return cancel.cancelled(); }, std::chrono::seconds(20));
  });
  Status s = client_->Watch(
      kConfigMaps, ns_, options,
      [&](const WatchEvent& e) {
        if (e.type == WatchEventType::kAdded) {
          seen.push_back(e.object["metadata"]["name"]);
          cancel.Cancel();  // from inside: the next progress check ends the stream
        }
        return true;
      },
      &cancel);
  writer.join();
  canceller.join();
  EXPECT_EQ(s.code(), Code::kCancelled) << s.message();
  EXPECT_EQ(seen, std::vector<std::string>{"streamed"});
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST_F(WatchTest, InformerRelistsAfterCompactionAndRestart) {
  ASSERT_TRUE(client_->Create(kConfigMaps, ns_, Labelled("before")).ok());
  ASSERT_TRUE(client_->Create(kConfigMaps, ns_, Labelled("doomed")).ok());
  Seen seen;
  Informer informer(client_, Options(), seen.Handlers());
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(std::chrono::seconds(30)));
  EXPECT_TRUE(seen.Has("add:before"));
  EXPECT_EQ(informer.lists(), 1);

  // Move etcd past the informer's resourceVersion with an object it does not select, then
  // compact and restart: the new apiserver's cache starts after that resourceVersion and can
  // only answer the informer's resume with 410.
  ASSERT_TRUE(client_->Create(kConfigMaps, ns_, ConfigMap("unselected")).ok());
  ASSERT_EQ(vc::testing::LocalCluster("stop-apiserver"), 0);
  CompactEtcd();
  ASSERT_EQ(vc::testing::LocalCluster("start-apiserver"), 0);

  CreateEventually("after");
  ASSERT_TRUE(client_->Delete(kConfigMaps, ns_, "doomed").ok());
  EXPECT_TRUE(vc::testing::Eventually([&] { return seen.Has("add:after"); }));
  EXPECT_TRUE(vc::testing::Eventually([&] { return seen.Has("delete:doomed"); }));
  EXPECT_TRUE(informer.Get(ns_, "after").has_value());
  EXPECT_FALSE(informer.Get(ns_, "doomed").has_value());
  EXPECT_TRUE(informer.Get(ns_, "before").has_value());
  EXPECT_FALSE(informer.Get(ns_, "unselected").has_value());
  EXPECT_EQ(informer.lists(), 2);
  informer.Stop();
}

TEST_F(WatchTest, InformerRecoversAcrossApiserverRestart) {
  ASSERT_TRUE(client_->Create(kConfigMaps, ns_, Labelled("one")).ok());
  Seen seen;
  Informer informer(client_, Options(), seen.Handlers());
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(std::chrono::seconds(30)));
  ASSERT_EQ(vc::testing::LocalCluster("restart-apiserver"), 0);
  CreateEventually("two");
  EXPECT_TRUE(vc::testing::Eventually([&] { return seen.Has("add:two"); }));
  auto two = client_->Get(kConfigMaps, ns_, "two");
  ASSERT_TRUE(two.ok());
  nlohmann::json changed = *two;
  changed["data"] = {{"k", "v"}};
  ASSERT_TRUE(client_->Update(kConfigMaps, ns_, changed).ok());
  EXPECT_TRUE(vc::testing::Eventually([&] { return seen.Has("update:two"); }));
  EXPECT_EQ(informer.List().size(), 2u);
  // Whether it resumed or had to relist depends on how far etcd moved meanwhile; either
  // way it must not have relisted more than once.
  EXPECT_LE(informer.lists(), 2);
  informer.Stop();
}

}  // namespace
}  // namespace vc::kube
