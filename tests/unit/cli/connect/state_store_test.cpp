// SPDX-License-Identifier: Apache-2.0
#include "vc/cli/connect/state_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "unit/syncer/syncer_test_util.h"

namespace vc::cli::connect {
namespace {

using syncer::testing::ModeOf;
using syncer::testing::TempDir;

Connection Sample(const std::string& context) {
  Connection c;
  c.context = context;
  c.name = "dev";
  c.namespace_ = "vcluster-dev";
  c.host_context = "kind-host";
  c.kubeconfig_file = "/home/u/.kube/config";
  c.previous_context = "kind-host";
  c.server = "https://127.0.0.1:41234";
  c.forwarder_pid = 4242;
  c.forwarder_start_ticks = 123456789012LL;
  c.local_port = 41234;
  c.connected_at = 1790000000;
  return c;
}

void ExpectSame(const Connection& a, const Connection& b) {
  EXPECT_EQ(a.context, b.context);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.namespace_, b.namespace_);
  EXPECT_EQ(a.host_context, b.host_context);
  EXPECT_EQ(a.kubeconfig_file, b.kubeconfig_file);
  EXPECT_EQ(a.previous_context, b.previous_context);
  EXPECT_EQ(a.server, b.server);
  EXPECT_EQ(a.forwarder_pid, b.forwarder_pid);
  EXPECT_EQ(a.forwarder_start_ticks, b.forwarder_start_ticks);
  EXPECT_EQ(a.local_port, b.local_port);
  EXPECT_EQ(a.connected_at, b.connected_at);
}

TEST(StateStoreTest, RoundTripSurvivesReopen) {
  TempDir tmp;
  const std::string dir = tmp.path() + "/state";
  {
    auto store = StateStore::Open(dir);
    ASSERT_TRUE(store.ok()) << store.status().message();
    ASSERT_TRUE((*store)->Put(Sample("vc_b")).ok());
    ASSERT_TRUE((*store)->Put(Sample("vc_a")).ok());
    Connection replaced = Sample("vc_b");
    replaced.local_port = 5555;
    ASSERT_TRUE((*store)->Put(replaced).ok());
  }
  EXPECT_EQ(ModeOf(dir), 0700);
  auto store = StateStore::Open(dir);
  ASSERT_TRUE(store.ok()) << store.status().message();
  auto all = (*store)->List();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  ExpectSame((*all)[0], Sample("vc_a"));
  EXPECT_EQ((*all)[1].local_port, 5555);

  auto one = (*store)->Get("vc_a");
  ASSERT_TRUE(one.ok());
  ASSERT_TRUE(one->has_value());
  ExpectSame(**one, Sample("vc_a"));

  ASSERT_TRUE((*store)->Remove("vc_a").ok());
  ASSERT_TRUE((*store)->Remove("vc_missing").ok());
  auto gone = (*store)->Get("vc_a");
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value());
}

TEST(StateStoreTest, UsesWalAndRecordsSchemaVersion) {
  TempDir tmp;
  ASSERT_TRUE(StateStore::Open(tmp.path()).ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((tmp.path() + "/state.db").c_str(), &db), SQLITE_OK);
  auto scalar = [&](const char* sql) {
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db, sql, -1, &s, nullptr);
    std::string v;
    if (sqlite3_step(s) == SQLITE_ROW) v = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return v;
  };
  EXPECT_EQ(scalar("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(scalar("SELECT version FROM schema_version"), "1");
  sqlite3_close(db);
}

TEST(StateStoreTest, RefusesANewerSchema) {
  TempDir tmp;
  ASSERT_TRUE(StateStore::Open(tmp.path()).ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((tmp.path() + "/state.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE schema_version SET version = 99", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto store = StateStore::Open(tmp.path());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(store.status().message().find("upgrade kubectl-vc"), std::string::npos);
}

}  // namespace
}  // namespace vc::cli::connect
