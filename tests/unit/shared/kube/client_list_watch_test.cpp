// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "fake_transport.h"
#include "support/fake_clock.h"
#include "vc/kube/client.h"

namespace vc::kube {
namespace {

using testing::ApiStatus;
using testing::FakeTransport;
using testing::JsonResponse;
using testing::StreamScript;

nlohmann::json Page(std::vector<std::string> names, const std::string& rv,
                    const std::string& cont) {
  nlohmann::json list = {{"kind", "ConfigMapList"},
                         {"apiVersion", "v1"},
                         {"metadata", {{"resourceVersion", rv}}},
                         {"items", nlohmann::json::array()}};
  if (!cont.empty()) list["metadata"]["continue"] = cont;
  for (const auto& n : names) {
    list["items"].push_back({{"metadata", {{"name", n}, {"namespace", "ns"}}}});
  }
  return list;
}

std::string Event(const std::string& type, const nlohmann::json& object) {
  return nlohmann::json{{"type", type}, {"object", object}}.dump() + "\n";
}

class ClientListWatchTest : public ::testing::Test {
 protected:
  ClientListWatchTest() {
    RestConfig config;
    config.server = "https://api:6443";
    client = std::make_unique<Client>(config, transport, std::make_shared<FakeClock>());
  }
  std::shared_ptr<FakeTransport> transport = std::make_shared<FakeTransport>();
  std::unique_ptr<Client> client;
};

TEST_F(ClientListWatchTest, ListPageQueryAndItems) {
  transport->Reply(JsonResponse(200, Page({"a", "b"}, "100", "tok")));
  ListOptions opts;
  opts.label_selector = "app=web,tier in (a,b)";
  opts.limit = 2;
  opts.resource_version = "0";
  opts.resource_version_match = "NotOlderThan";
  auto page = client->List(resources::kConfigMaps, "ns", opts);
  ASSERT_TRUE(page.ok()) << page.status().message();
  EXPECT_EQ(transport->requests()[0].url,
            "https://api:6443/api/v1/namespaces/ns/configmaps?labelSelector=app%3Dweb%2Ctier+in+"
            "%28a%2Cb%29&limit=2&resourceVersion=0&resourceVersionMatch=NotOlderThan");
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[0]["kind"], "ConfigMap");
  EXPECT_EQ(page->items[0]["apiVersion"], "v1");
  EXPECT_EQ(page->resource_version, "100");
  EXPECT_EQ(page->continue_token, "tok");
}

TEST_F(ClientListWatchTest, ListAllFollowsContinue) {
  transport->Reply(JsonResponse(200, Page({"a", "b"}, "100", "t1")));
  transport->Reply(JsonResponse(200, Page({"c"}, "100", "")));
  ListOptions opts;
  opts.limit = 2;
  opts.resource_version = "55";
  auto all = client->ListAll(resources::kConfigMaps, "ns", opts);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->items.size(), 3u);
  EXPECT_EQ(all->resource_version, "100");
  auto reqs = transport->requests();
  EXPECT_NE(reqs[0].url.find("resourceVersion=55"), std::string::npos);
  EXPECT_NE(reqs[1].url.find("continue=t1"), std::string::npos);
  EXPECT_EQ(reqs[1].url.find("resourceVersion="), std::string::npos);
}

TEST_F(ClientListWatchTest, ListAllRestartsOnceOnExpiredContinue) {
  transport->Reply(JsonResponse(200, Page({"a"}, "100", "t1")));
  transport->Reply(JsonResponse(410, ApiStatus(410, "Expired", "continue token expired")));
  transport->Reply(JsonResponse(200, Page({"a"}, "200", "t2")));
  transport->Reply(JsonResponse(200, Page({"b"}, "200", "")));
  auto all = client->ListAll(resources::kConfigMaps, "ns", {.limit = 1});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->items.size(), 2u);
  EXPECT_EQ(all->resource_version, "200");
  EXPECT_EQ(transport->requests().size(), 4u);

  transport->Reply(JsonResponse(200, Page({"a"}, "100", "t1")));
  transport->Reply(JsonResponse(410, ApiStatus(410, "Expired", "expired")));
  transport->Reply(JsonResponse(200, Page({"a"}, "200", "t2")));
  transport->Reply(JsonResponse(410, ApiStatus(410, "Expired", "expired again")));
  EXPECT_EQ(client->ListAll(resources::kConfigMaps, "ns", {.limit = 1}).status().code(),
            Code::kGone);
}

TEST_F(ClientListWatchTest, WatchDecodesSplitChunks) {
  const std::string stream =
      Event("ADDED", {{"metadata", {{"name", "a"}, {"resourceVersion", "5"}}}}) +
      Event("MODIFIED", {{"metadata", {{"name", "a"}, {"resourceVersion", "6"}}}}) +
      Event("BOOKMARK", {{"metadata", {{"resourceVersion", "9"}}}});
  StreamScript script;
  for (size_t i = 0; i < stream.size(); i += 7) script.chunks.push_back(stream.substr(i, 7));
  transport->ReplyStream(script);
  std::vector<std::string> seen;
  WatchOptions opts;
  opts.resource_version = "4";
  opts.timeout_seconds = 300;
  opts.label_selector = "app=x";
  Status s = client->Watch(
      resources::kConfigMaps, "ns", opts,
      [&](const WatchEvent& e) {
        seen.push_back(std::string(WatchEventTypeName(e.type)) + "@" +
                       e.object["metadata"]["resourceVersion"].get<std::string>());
        return true;
      },
      nullptr);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(seen, (std::vector<std::string>{"ADDED@5", "MODIFIED@6", "BOOKMARK@9"}));
  EXPECT_EQ(transport->requests()[0].url,
            "https://api:6443/api/v1/namespaces/ns/configmaps?watch=1&allowWatchBookmarks=true"
            "&resourceVersion=4&timeoutSeconds=300&labelSelector=app%3Dx");
}

TEST_F(ClientListWatchTest, WatchErrorEvent410IsGone) {
  StreamScript script;
  script.chunks.push_back(Event("ERROR", ApiStatus(410, "Expired", "too old resource version")));
  transport->ReplyStream(script);
  Status s = client->Watch(
      resources::kConfigMaps, "ns", {.resource_version = "1"},
      [](const WatchEvent&) { return true; }, nullptr);
  EXPECT_EQ(s.code(), Code::kGone);
}

TEST_F(ClientListWatchTest, WatchHttpErrorIsMapped) {
  StreamScript script;
  script.end = JsonResponse(403, ApiStatus(403, "Forbidden", "configmaps is forbidden"));
  transport->ReplyStream(script);
  Status s = client->Watch(
      resources::kConfigMaps, "ns", {}, [](const WatchEvent&) { return true; }, nullptr);
  EXPECT_EQ(s.code(), Code::kForbidden);
}

TEST_F(ClientListWatchTest, WatchCancelEndsPromptly) {
  CancelToken cancel;  // no script: the fake blocks like an idle stream until cancelled
  std::thread t([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    cancel.Cancel();
  });
  const auto start = std::chrono::steady_clock::now();
  Status s = client->Watch(
      resources::kConfigMaps, "ns", {}, [](const WatchEvent&) { return true; }, &cancel);
  t.join();
  EXPECT_EQ(s.code(), Code::kCancelled);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

}  // namespace
}  // namespace vc::kube
