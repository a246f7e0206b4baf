// SPDX-License-Identifier: Apache-2.0
// The fake API server (tests/support/fake_apiserver.h) through the real kube::Client and
// Informer: what the syncer's table tests rely on it to answer as a real server would.
#include "support/fake_apiserver.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "support/within.h"
#include "vc/kube/client.h"
#include "vc/kube/informer.h"

namespace vc::testing {
namespace {

using nlohmann::json;
namespace r = kube::resources;

class FakeApiServerTest : public ::testing::Test {
 protected:
  static kube::RestConfig Config() {
    kube::RestConfig config;
    config.server = "https://fake.test";
    return config;
  }

  std::shared_ptr<FakeApiServer> server_ = std::make_shared<FakeApiServer>();
  std::shared_ptr<kube::Client> client_ = std::make_shared<kube::Client>(Config(), server_);
};

json ConfigMap(const std::string& ns, const std::string& name, json labels = json::object()) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", name}, {"namespace", ns}, {"labels", labels}}},
          {"data", {{"k", "v"}}}};
}

std::vector<std::string> Names(const StatusOr<kube::ObjectList>& list) {
  std::vector<std::string> out;
  if (!list.ok()) return {"error: " + list.status().message()};
  for (const auto& item : list->items) out.push_back(item["metadata"]["name"]);
  return out;
}

TEST_F(FakeApiServerTest, CreateFillsServerFieldsAndGetReadsItBack) {
  auto created = client_->Create(r::kConfigMaps, "shop", ConfigMap("", "app"));
  ASSERT_TRUE(created.ok()) << created.status().message();
  EXPECT_EQ((*created)["metadata"]["namespace"], "shop") << "the namespace comes from the path";
  EXPECT_FALSE((*created)["metadata"].value("uid", "").empty());
  EXPECT_FALSE((*created)["metadata"].value("creationTimestamp", "").empty());
  EXPECT_EQ((*created)["metadata"]["generation"], 1);
  auto got = client_->Get(r::kConfigMaps, "shop", "app");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, *created);
  EXPECT_EQ(server_->Get(r::kConfigMaps, "shop", "app"), *created);

  EXPECT_EQ(client_->Create(r::kConfigMaps, "shop", ConfigMap("shop", "app")).status().code(),
            Code::kAlreadyExists);
  EXPECT_EQ(client_->Get(r::kConfigMaps, "shop", "nope").status().code(), Code::kNotFound);
  EXPECT_EQ(client_->Create(r::kConfigMaps, "shop", {{"metadata", json::object()}}).status().code(),
            Code::kInvalid)
      << "no name";
}

TEST_F(FakeApiServerTest, ClusterScopedObjectsHaveNoNamespace) {
  json pc = {{"metadata", {{"name", "high"}, {"namespace", "x"}}}, {"value", 1000}};
  ASSERT_TRUE(client_->Create(r::kPriorityClasses, "", pc).ok());
  auto got = client_->Get(r::kPriorityClasses, "", "high");
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE((*got)["metadata"].contains("namespace"));
  EXPECT_EQ((*got)["apiVersion"], "scheduling.k8s.io/v1");
  EXPECT_EQ(server_->List(r::kPriorityClasses).size(), 1u);
}

TEST_F(FakeApiServerTest, ListsFilterByNamespaceLabelsAndFieldsAndPage) {
  server_->Put(r::kConfigMaps, ConfigMap("a", "one", {{"tier", "web"}, {"team", "x"}}));
  server_->Put(r::kConfigMaps, ConfigMap("a", "two", {{"tier", "db"}}));
  server_->Put(r::kConfigMaps, ConfigMap("b", "three", {{"tier", "web"}}));
  server_->Put(r::kConfigMaps, ConfigMap("b", "four"));
  auto list = [&](const std::string& ns, const std::string& labels, const std::string& fields = "",
                  int64_t limit = 0) {
    return Names(client_->ListAll(
        r::kConfigMaps, ns, {.label_selector = labels, .field_selector = fields, .limit = limit}));
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(list("", ""), (V{"one", "two", "four", "three"})) << "every namespace, by ns/name";
  EXPECT_EQ(list("a", ""), (V{"one", "two"}));
  EXPECT_EQ(list("", "tier=web"), (V{"one", "three"}));
  EXPECT_EQ(list("", "tier==web,team"), (V{"one"}));
  EXPECT_EQ(list("", "tier!=web"), (V{"two", "four"})) << "!= matches objects without the label";
  EXPECT_EQ(list("", "!tier"), (V{"four"}));
  EXPECT_EQ(list("", "tier in (db, web),!team"), (V{"two", "three"}));
  EXPECT_EQ(list("", "tier notin (web)"), (V{"two", "four"}));
  EXPECT_EQ(list("", "", "metadata.name=three"), (V{"three"}));
  EXPECT_EQ(list("", "", "metadata.namespace!=a"), (V{"four", "three"}));
  EXPECT_EQ(list("", "", "", 1), (V{"one", "two", "four", "three"})) << "four pages of one";
  auto page = client_->List(r::kConfigMaps, "", {.limit = 3});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->items.size(), 3u);
  EXPECT_FALSE(page->continue_token.empty());
  EXPECT_EQ(page->resource_version, std::to_string(server_->ResourceVersion()));
}

TEST_F(FakeApiServerTest, UpdateConflictsOnAStaleResourceVersionAndCountsGenerations) {
  auto created = client_->Create(r::kConfigMaps, "shop", ConfigMap("shop", "app"));
  ASSERT_TRUE(created.ok());
  json next = *created;
  next["data"]["k"] = "w";
  auto updated = client_->Update(r::kConfigMaps, "shop", next);
  ASSERT_TRUE(updated.ok()) << updated.status().message();
  EXPECT_EQ((*updated)["metadata"]["generation"], 2);
  EXPECT_NE((*updated)["metadata"]["resourceVersion"], (*created)["metadata"]["resourceVersion"]);
  EXPECT_EQ(client_->Update(r::kConfigMaps, "shop", next).status().code(), Code::kConflict)
      << "next still carries the first resourceVersion";
  // A write that changes nothing keeps the resourceVersion.
  auto same = client_->Update(r::kConfigMaps, "shop", *updated);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ((*same)["metadata"]["resourceVersion"], (*updated)["metadata"]["resourceVersion"]);
  json labels_only = *updated;
  labels_only["metadata"]["labels"]["x"] = "y";
  auto relabelled = client_->Update(r::kConfigMaps, "shop", labels_only);
  ASSERT_TRUE(relabelled.ok());
  EXPECT_EQ((*relabelled)["metadata"]["generation"], 2) << "metadata is no generation";
}

TEST_F(FakeApiServerTest, ImmutableFieldsAreInvalidToChange) {
  json pc = {{"metadata", {{"name", "high"}}}, {"value", 1000}, {"description", "a"}};
  ASSERT_TRUE(client_->Create(r::kPriorityClasses, "", pc).ok());
  EXPECT_EQ(
      client_->Patch(r::kPriorityClasses, "", "high", kube::PatchType::kMerge, R"({"value": 2000})")
          .status()
          .code(),
      Code::kInvalid);
  EXPECT_TRUE(client_
                  ->Patch(r::kPriorityClasses, "", "high", kube::PatchType::kMerge,
                          R"({"description": "b"})")
                  .ok());
  server_->SetImmutableFields(r::kPriorityClasses, {});
  EXPECT_TRUE(
      client_->Patch(r::kPriorityClasses, "", "high", kube::PatchType::kMerge, R"({"value": 2000})")
          .ok());
}

TEST_F(FakeApiServerTest, PatchesMergeJsonPatchAndApply) {
  ASSERT_TRUE(client_->Create(r::kConfigMaps, "shop", ConfigMap("shop", "app")).ok());
  auto merged = client_->Patch(r::kConfigMaps, "shop", "app", kube::PatchType::kMerge,
                               R"({"data": {"k": null, "n": "1"}})");
  ASSERT_TRUE(merged.ok()) << merged.status().message();
  EXPECT_EQ((*merged)["data"], json({{"n", "1"}}));
  auto strategic = client_->Patch(r::kConfigMaps, "shop", "app", kube::PatchType::kStrategicMerge,
                                  R"({"metadata": {"labels": {"a": "b"}}})");
  ASSERT_TRUE(strategic.ok());
  EXPECT_EQ((*strategic)["metadata"]["labels"]["a"], "b");
  auto json_patch = client_->Patch(r::kConfigMaps, "shop", "app", kube::PatchType::kJson,
                                   R"([{"op": "add", "path": "/data/m", "value": "2"}])");
  ASSERT_TRUE(json_patch.ok());
  EXPECT_EQ((*json_patch)["data"]["m"], "2");
  EXPECT_EQ(client_
                ->Patch(r::kConfigMaps, "shop", "app", kube::PatchType::kJson,
                        R"([{"op": "test", "path": "/data/m", "value": "3"}])")
                .status()
                .code(),
            Code::kInvalid);
  EXPECT_EQ(
      client_->Patch(r::kConfigMaps, "shop", "gone", kube::PatchType::kMerge, "{}").status().code(),
      Code::kNotFound);

  // Apply: creates what is missing, merges into what is there (the documented approximation).
  auto applied =
      client_->Apply(r::kConfigMaps, "shop", "applied",
                     "metadata:\n  name: applied\ndata:\n  a: '1'\n", {.field_manager = "test"});
  ASSERT_TRUE(applied.ok()) << applied.status().message();
  EXPECT_EQ((*applied)["metadata"]["namespace"], "shop");
  applied = client_->Apply(r::kConfigMaps, "shop", "applied",
                           R"({"metadata": {"name": "applied"}, "data": {"b": "2"}})",
                           {.field_manager = "test", .force = true});
  ASSERT_TRUE(applied.ok());
  EXPECT_EQ((*applied)["data"], json({{"a", "1"}, {"b", "2"}}));
}

TEST_F(FakeApiServerTest, StatusOnlyChangesThroughItsSubresource) {
  json pvc = {{"metadata", {{"name", "data"}, {"namespace", "shop"}}},
              {"spec", {{"resources", {{"requests", {{"storage", "1Gi"}}}}}}},
              {"status", {{"phase", "Pending"}}}};
  auto created = client_->Create(r::kPersistentVolumeClaims, "shop", pvc);
  ASSERT_TRUE(created.ok());
  json changed = *created;
  changed["status"]["phase"] = "Bound";
  auto updated = client_->Update(r::kPersistentVolumeClaims, "shop", changed);
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ((*updated)["status"]["phase"], "Pending") << "the main resource ignores status";
  auto patched = client_->Patch(r::kPersistentVolumeClaims, "shop", "data", kube::PatchType::kMerge,
                                R"({"status": {"phase": "Bound"}, "spec": {"x": 1}})",
                                {.subresource = "status"});
  ASSERT_TRUE(patched.ok()) << patched.status().message();
  EXPECT_EQ((*patched)["status"]["phase"], "Bound");
  EXPECT_FALSE((*patched)["spec"].contains("x")) << "the status subresource ignores the rest";
  EXPECT_EQ(client_
                ->Patch(r::kConfigMaps, "shop", "x", kube::PatchType::kMerge, "{}",
                        {.subresource = "status"})
                .status()
                .code(),
            Code::kNotFound)
      << "ConfigMaps have no status";
}

TEST_F(FakeApiServerTest, DeleteHonoursPreconditionsFinalizersAndDryRun) {
  json cm = ConfigMap("shop", "app");
  cm["metadata"]["finalizers"] = {"test/hold"};
  auto created = client_->Create(r::kConfigMaps, "shop", cm);
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(
      client_->Delete(r::kConfigMaps, "shop", "app", {.precondition_uid = "other"}).status().code(),
      Code::kConflict);
  ASSERT_TRUE(client_->Delete(r::kConfigMaps, "shop", "app", {.dry_run = true}).ok());
  EXPECT_TRUE(server_->Get(r::kConfigMaps, "shop", "app").has_value());
  ASSERT_TRUE(client_->Delete(r::kConfigMaps, "shop", "app").ok());
  auto held = server_->Get(r::kConfigMaps, "shop", "app");
  ASSERT_TRUE(held.has_value()) << "a finalizer holds it";
  EXPECT_TRUE((*held)["metadata"].contains("deletionTimestamp"));
  ASSERT_TRUE(client_
                  ->Patch(r::kConfigMaps, "shop", "app", kube::PatchType::kMerge,
                          R"({"metadata": {"finalizers": null}})")
                  .ok());
  EXPECT_FALSE(server_->Get(r::kConfigMaps, "shop", "app").has_value());
  EXPECT_EQ(client_->Delete(r::kConfigMaps, "shop", "app").status().code(), Code::kNotFound);
}

TEST_F(FakeApiServerTest, DryRunStoresNothing) {
  ASSERT_TRUE(
      client_->Create(r::kConfigMaps, "shop", ConfigMap("shop", "app"), {.dry_run = true}).ok());
  EXPECT_FALSE(server_->Get(r::kConfigMaps, "shop", "app").has_value());
  EXPECT_EQ(server_->ResourceVersion(), 0);
}

TEST_F(FakeApiServerTest, WatchStreamsChangesAfterTheResourceVersionUntilCancelled) {
  // A resourceVersion of 0 would mean "the current state first": start after a real one.
  server_->Put(r::kConfigMaps, ConfigMap("shop", "earlier", {{"app", "web"}}));
  auto before = client_->List(r::kConfigMaps, "shop", {});
  ASSERT_TRUE(before.ok());
  std::mutex mu;
  std::vector<std::string> seen;
  CancelToken cancel;
  Status result;
  std::thread watcher([&] {
    result = client_->Watch(
        r::kConfigMaps, "shop",
        {.resource_version = before->resource_version, .label_selector = "app=web"},
        [&](const kube::WatchEvent& e) {
          std::lock_guard lock(mu);
          seen.push_back(std::string(kube::WatchEventTypeName(e.type)) + " " +
                         e.object["metadata"]["name"].get<std::string>());
          return true;
        },
        &cancel);
  });
  ASSERT_TRUE(
      client_->Create(r::kConfigMaps, "other", ConfigMap("other", "x", {{"app", "web"}})).ok());
  ASSERT_TRUE(
      client_->Create(r::kConfigMaps, "shop", ConfigMap("shop", "a", {{"app", "web"}})).ok());
  ASSERT_TRUE(client_->Create(r::kConfigMaps, "shop", ConfigMap("shop", "b")).ok());
  ASSERT_TRUE(client_
                  ->Patch(r::kConfigMaps, "shop", "b", kube::PatchType::kMerge,
                          R"({"metadata": {"labels": {"app": "web"}}})")
                  .ok());
  ASSERT_TRUE(client_
                  ->Patch(r::kConfigMaps, "shop", "a", kube::PatchType::kMerge,
                          R"({"metadata": {"labels": {"app": "db"}}})")
                  .ok());
  ASSERT_TRUE(client_->Delete(r::kConfigMaps, "shop", "b").ok());
  const std::vector<std::string> want = {"ADDED a", "ADDED b", "DELETED a", "DELETED b"};
  EXPECT_TRUE(Within([&] {
    std::lock_guard lock(mu);
    return seen == want;
  })) << "entering and leaving the selector are ADDED and DELETED; seen: "
      << ::testing::PrintToString(seen);
  cancel.Cancel();
  watcher.join();
  EXPECT_EQ(result.code(), Code::kCancelled);
  EXPECT_EQ(server_->CountRequests("watch=1"), 1);
}

TEST_F(FakeApiServerTest, InformersListThenFollowEveryChange) {
  server_->Put(r::kConfigMaps, ConfigMap("shop", "seeded"));
  std::atomic<int> adds{0}, updates{0}, deletes{0};
  kube::Informer informer(
      client_, {.resource = r::kConfigMaps},
      {[&](const json&) { ++adds; }, [&](const json&, const json&) { ++updates; },
       [&](const json&) { ++deletes; }});
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(std::chrono::seconds(5)));
  EXPECT_EQ(informer.Size(), 1u);
  ASSERT_TRUE(client_->Create(r::kConfigMaps, "shop", ConfigMap("shop", "new")).ok());
  ASSERT_TRUE(client_
                  ->Patch(r::kConfigMaps, "shop", "seeded", kube::PatchType::kMerge,
                          R"({"data": {"k": "changed"}})")
                  .ok());
  ASSERT_TRUE(server_->Remove(r::kConfigMaps, "shop", "new"));
  EXPECT_TRUE(Within([&] { return adds == 2 && updates == 1 && deletes == 1; }));
  auto cached = informer.Get("shop", "seeded");
  ASSERT_TRUE(cached.has_value());
  EXPECT_EQ((*cached)["data"]["k"], "changed");
  informer.Stop();
}

}  // namespace
}  // namespace vc::testing
