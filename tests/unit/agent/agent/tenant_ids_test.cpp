// SPDX-License-Identifier: Apache-2.0
#include "vc/agent/agent/tenant_ids.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace vc::agent {
namespace {

TEST(TenantIdAllocatorTest, LowestFreeIdStableUntilReleased) {
  TenantIdAllocator ids;
  EXPECT_EQ(ids.IdFor("ns/a").value(), 1u);
  EXPECT_EQ(ids.IdFor("ns/b").value(), 2u);
  EXPECT_EQ(ids.IdFor("ns/a").value(), 1u);
  EXPECT_TRUE(ids.Retain({"ns/b"}));
  EXPECT_FALSE(ids.Retain({"ns/b"}));
  EXPECT_EQ(ids.IdFor("ns/b").value(), 2u) << "b keeps its id";
  EXPECT_EQ(ids.IdFor("ns/c").value(), 1u) << "the gap is reused";
}

TEST(TenantIdAllocatorTest, RunsOutAtTheDatapathLimit) {
  std::map<std::string, TenantId> full;
  for (TenantId id = 1; id <= kMaxTenantId; ++id) full["t/" + std::to_string(id)] = id;
  TenantIdAllocator ids(full);
  EXPECT_EQ(ids.IdFor("one/more").status().code(), Code::kFailedPrecondition);
}

TEST(TenantIdAllocatorTest, SurvivesARestartThroughItsFile) {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("vc-ids-" + std::to_string(getpid())) / "tenant-ids.json")
                               .string();
  auto empty = TenantIdAllocator::Load(path);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->assigned().empty());
  TenantIdAllocator ids;
  ids.IdFor("ns/a").value();
  ids.IdFor("ns/b").value();
  ids.Retain({"ns/b"});
  ASSERT_TRUE(ids.Save(path).ok());
  auto loaded = TenantIdAllocator::Load(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->assigned(), ids.assigned());
  EXPECT_EQ(loaded->IdFor("ns/new").value(), 1u);
  std::filesystem::remove_all(std::filesystem::path(path).parent_path());

  EXPECT_FALSE(TenantIdAllocator::FromJson("{\"tenants\": {\"a\": 0}}").ok());
  EXPECT_FALSE(TenantIdAllocator::FromJson("{\"tenants\": {\"a\": 1, \"b\": 1}}").ok());
  EXPECT_FALSE(TenantIdAllocator::FromJson("garbage").ok());
}

}  // namespace
}  // namespace vc::agent
