// SPDX-License-Identifier: Apache-2.0
// The REST client against a real kube-apiserver: CRUD, apply conflicts, paging, errors.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "integration/support/cluster.h"
#include "vc/kube/errors.h"

namespace vc::kube {
namespace {

using resources::kConfigMaps;

class ClientCrudTest : public vc::testing::NamespacedTest {};

TEST_F(ClientCrudTest, ConfigMapLifecycle) {
  auto created = client_->Create(kConfigMaps, ns_, ConfigMap("app", {{"k", "v1"}}));
  ASSERT_TRUE(created.ok()) << created.status().message();
  const std::string uid = (*created)["metadata"]["uid"];
  const std::string rv1 = (*created)["metadata"]["resourceVersion"];

  auto again = client_->Create(kConfigMaps, ns_, ConfigMap("app"));
  EXPECT_EQ(again.status().code(), Code::kAlreadyExists) << again.status().message();

  auto got = client_->Get(kConfigMaps, ns_, "app");
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ((*got)["data"]["k"], "v1");

  nlohmann::json changed = *got;
  changed["data"]["k"] = "v2";
  auto updated = client_->Update(kConfigMaps, ns_, changed);
  ASSERT_TRUE(updated.ok()) << updated.status().message();
  EXPECT_NE((*updated)["metadata"]["resourceVersion"], rv1);

  // The same object again still carries rv1: stale.
  auto stale = client_->Update(kConfigMaps, ns_, changed);
  EXPECT_EQ(stale.status().code(), Code::kConflict) << stale.status().message();

  auto patched =
      client_->Patch(kConfigMaps, ns_, "app", PatchType::kMerge, R"({"data":{"extra":"x"}})");
  ASSERT_TRUE(patched.ok()) << patched.status().message();
  EXPECT_EQ((*patched)["data"]["extra"], "x");
  EXPECT_EQ((*patched)["data"]["k"], "v2");

  auto json_patched = client_->Patch(kConfigMaps, ns_, "app", PatchType::kJson,
                                     R"([{"op":"remove","path":"/data/extra"}])");
  ASSERT_TRUE(json_patched.ok()) << json_patched.status().message();
  EXPECT_FALSE((*json_patched)["data"].contains("extra"));

  auto wrong_uid = client_->Delete(kConfigMaps, ns_, "app", {.precondition_uid = "not-" + uid});
  EXPECT_EQ(wrong_uid.status().code(), Code::kConflict) << wrong_uid.status().message();

  auto deleted = client_->Delete(kConfigMaps, ns_, "app", {.precondition_uid = uid});
  ASSERT_TRUE(deleted.ok()) << deleted.status().message();
  auto gone = client_->Get(kConfigMaps, ns_, "app");
  EXPECT_EQ(gone.status().code(), Code::kNotFound);
  EXPECT_NE(gone.status().message().find("not found"), std::string::npos);
}

TEST_F(ClientCrudTest, InvalidObjectListsCauses) {
  auto bad = client_->Create(kConfigMaps, ns_, ConfigMap("Not_Valid", {{"bad key", "v"}}));
  ASSERT_EQ(bad.status().code(), Code::kInvalid) << bad.status().message();
  EXPECT_NE(bad.status().message().find("\n  - metadata.name"), std::string::npos)
      << bad.status().message();
}

TEST_F(ClientCrudTest, ServerSideApplyConflictAndForce) {
  const std::string a = R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"ssa"},)"
                        R"("data":{"owner":"a","only-a":"1"}})";
  const std::string b = R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"ssa"},)"
                        R"("data":{"owner":"b"}})";
  auto first = client_->Apply(kConfigMaps, ns_, "ssa", a, {.field_manager = "manager-a"});
  ASSERT_TRUE(first.ok()) << first.status().message();
  // Applying the same intent twice changes nothing.
  ASSERT_TRUE(client_->Apply(kConfigMaps, ns_, "ssa", a, {.field_manager = "manager-a"}).ok());

  auto conflict = client_->Apply(kConfigMaps, ns_, "ssa", b, {.field_manager = "manager-b"});
  ASSERT_EQ(conflict.status().code(), Code::kConflict) << conflict.status().message();
  EXPECT_NE(conflict.status().message().find("manager-a"), std::string::npos)
      << conflict.status().message();

  auto forced =
      client_->Apply(kConfigMaps, ns_, "ssa", b, {.field_manager = "manager-b", .force = true});
  ASSERT_TRUE(forced.ok()) << forced.status().message();
  EXPECT_EQ((*forced)["data"]["owner"], "b");
  EXPECT_EQ((*forced)["data"]["only-a"], "1");  // still manager-a's
}

TEST_F(ClientCrudTest, PagesThroughAThousandConfigMaps) {
  constexpr int kCount = 1000;
  std::atomic<int> next{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < 8; ++w) {
    writers.emplace_back([&] {
      for (int i = next++; i < kCount; i = next++) {
        if (!client_->Create(kConfigMaps, ns_, ConfigMap("cm-" + std::to_string(i))).ok()) {
          ++failures;
        }
      }
    });
  }
  for (auto& t : writers) t.join();
  ASSERT_EQ(failures.load(), 0);

  int pages = 0;
  std::set<std::string> names;
  ListOptions options{.limit = 100};
  do {
    auto page = client_->List(kConfigMaps, ns_, options);
    ASSERT_TRUE(page.ok()) << page.status().message();
    EXPECT_LE(page->items.size(), 100u);
    for (const auto& item : page->items) names.insert(item["metadata"]["name"]);
    options.continue_token = page->continue_token;
    ++pages;
  } while (!options.continue_token.empty());
  // kube-root-ca.crt is created in every namespace by the controller-manager.
  EXPECT_GE(names.size(), static_cast<size_t>(kCount));
  EXPECT_GE(pages, 10);

  auto all = client_->ListAll(kConfigMaps, ns_, {.limit = 100});
  ASSERT_TRUE(all.ok()) << all.status().message();
  EXPECT_EQ(all->items.size(), names.size());
  EXPECT_FALSE(all->resource_version.empty());
  EXPECT_EQ(all->items[0]["kind"], "ConfigMap");
}

TEST_F(ClientCrudTest, ForbiddenForAUserWithoutRights) {
  auto limited = vc::testing::LoadClusterConfig("limited.kubeconfig");
  ASSERT_TRUE(limited.ok()) << limited.status().message();
  auto client = Client::ForConfig(*limited);
  auto list = client->List(kConfigMaps, ns_, {});
  ASSERT_EQ(list.status().code(), Code::kForbidden) << list.status().message();
  EXPECT_NE(list.status().message().find("cannot list"), std::string::npos);
  EXPECT_NE(list.status().message().find("configmaps"), std::string::npos);
  EXPECT_EQ(ApiReason(list.status()), "Forbidden");

  auto create = client->Create(kConfigMaps, ns_, ConfigMap("x"));
  ASSERT_EQ(create.status().code(), Code::kForbidden);
  EXPECT_NE(create.status().message().find("cannot create"), std::string::npos);
}

TEST_F(ClientCrudTest, WrongTokenIsUnauthorized) {
  RestConfig config = config_;
  // Keep the cluster's TLS settings, present a token nobody issued.
  class BadToken : public CredentialProvider {
   public:
    StatusOr<Credentials> Get(bool) override {
      Credentials c;
      c.bearer_token = "not-a-token";
      return c;
    }
  };
  config.credentials = std::make_shared<BadToken>();
  auto got = Client::ForConfig(config)->Get(kConfigMaps, ns_, "x");
  ASSERT_EQ(got.status().code(), Code::kUnauthorized) << got.status().message();
  EXPECT_NE(got.status().message().find("rejected the credentials"), std::string::npos);
}

TEST(ClientUnreachableTest, StoppedServerIsUnavailableWithinTheTimeout) {
  // Bind then close a port: nothing listens there afterwards.
  int port = 0;
  {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    socklen_t len = sizeof(addr);
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
    close(fd);
  }
  RestConfig config;
  config.server = "https://127.0.0.1:" + std::to_string(port);
  config.request_timeout = std::chrono::seconds(3);
  auto client = Client::ForConfig(config);
  const auto start = std::chrono::steady_clock::now();
  auto got = client->List(resources::kNamespaces, "", {});
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_EQ(got.status().code(), Code::kUnavailable) << got.status().message();
  EXPECT_NE(got.status().message().find("connection refused"), std::string::npos);
  EXPECT_NE(got.status().message().find(config.server + "/api/v1/namespaces"), std::string::npos)
      << got.status().message();
  EXPECT_LT(took, std::chrono::milliseconds(3500));
}

}  // namespace
}  // namespace vc::kube
