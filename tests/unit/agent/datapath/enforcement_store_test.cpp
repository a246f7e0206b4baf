// SPDX-License-Identifier: Apache-2.0
// The SQLite record of what was enforced, on a temporary file.
#include "vc/agent/datapath/enforcement_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace vc::agent {
namespace {

IpPrefix P(const char* text) { return IpPrefix::Parse(text).value(); }

class DatapathEnforcementStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("vc-store-test-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path() const { return (dir_ / "sub" / "state.db").string(); }

  std::filesystem::path dir_;
};

EnforcedState Sample() {
  EnforcedState s;
  s.maps.pod_tenants = {{P("10.0.0.1"), 1}, {P("fd00::1"), 2}, {P("10.9.0.0/16"), 3}};
  s.maps.tenant_policies = {
      {1, TrustLevel::kZero}, {2, TrustLevel::kPartial}, {3, TrustLevel::kHigh}};
  s.maps.allow_rules = {{1, Direction::kEgress, IpProto::kUdp, 53, P("10.96.0.10/32")},
                        {1, Direction::kIngress, IpProto::kTcp, 0, P("fd00::/64")}};
  s.maps.iface_tenants = {{11, 1}};
  s.veths = {{11, AttachedVeth{"cali1234", 1}}};
  return s;
}

TEST_F(DatapathEnforcementStoreTest, EmptyUntilSaved) {
  auto store = EnforcementStore::Open(path());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto loaded = (*store)->Load();
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(*loaded, EnforcedState{});
}

TEST_F(DatapathEnforcementStoreTest, RoundTripsAcrossReopen) {
  {
    auto store = EnforcementStore::Open(path());
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->Save(Sample()).ok());
  }
  auto store = EnforcementStore::Open(path());
  ASSERT_TRUE(store.ok());
  auto loaded = (*store)->Load();
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(*loaded, Sample());
}

TEST_F(DatapathEnforcementStoreTest, SaveReplacesThePreviousRecord) {
  auto store = EnforcementStore::Open(path());
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Save(Sample()).ok());
  EnforcedState smaller;
  smaller.maps.tenant_policies = {{4, TrustLevel::kZero}};
  ASSERT_TRUE((*store)->Save(smaller).ok());
  EXPECT_EQ((*store)->Load().value(), smaller);
}

TEST_F(DatapathEnforcementStoreTest, UnwritablePathIsAnError) {
  EXPECT_FALSE(EnforcementStore::Open("/proc/vc-no-such-dir/state.db").ok());
}

}  // namespace
}  // namespace vc::agent
