// SPDX-License-Identifier: Apache-2.0
// BpfSegmentationMaps against the real pinned maps: pod addresses go to the exact hash the
// datapath consults first, prefixes to the trie, and an older build's pod address in the
// trie is rewritten into the hash and dropped from the trie only when asked. Run:
//   build/tests/vc_privileged_tests --gtest_filter='BpfSegmentationMapsTest.*'
#include <bpf/bpf.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "privileged/datapath/netns_lab.h"
#include "support/bpffs.h"
#include "support/prerequisite.h"
#include "vc/agent/datapath/bpffs.h"
#include "vc/agent/datapath/datapath_diff.h"
#include "vc/agent/datapath/segmentation_datapath.h"
#include "vc_segmentation.h"

namespace vc::testing {
namespace {

using agent::IpPrefix;

IpPrefix P(const char* text) { return IpPrefix::Parse(text).value(); }

class BpfSegmentationMapsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    VC_REQUIRE(geteuid() == 0, "root (bpf)");
    VC_REQUIRE(std::filesystem::exists("/sys/kernel/btf/vmlinux"),
               "kernel BTF (/sys/kernel/btf/vmlinux)");
    VC_REQUIRE(bpffs_.ok(), "a bpffs of the test's own: " << bpffs_.error());
    pin_root_ = bpffs_.path();
    if (Status s = agent::EnsurePinRoot(pin_root_); !s.ok()) {
      pin_root_.clear();
      VC_REQUIRE(false, "bpffs: " << s.ToString());
    }
    auto dp = agent::SegmentationDatapath::Open({pin_root_});
    ASSERT_TRUE(dp.ok()) << dp.status().ToString();
    datapath_ = std::move(*dp);
    addr_fd_ = bpf_obj_get((pin_root_ + "/vc_pod_addr_v1").c_str());
    trie_fd_ = bpf_obj_get((pin_root_ + "/vc_pod_tenant_v1").c_str());
    ASSERT_GE(addr_fd_, 0);
    ASSERT_GE(trie_fd_, 0);
  }
  void TearDown() override {
    if (addr_fd_ >= 0) close(addr_fd_);
    if (trie_fd_ >= 0) close(trie_fd_);
    datapath_.reset();
    if (!pin_root_.empty()) {
      EXPECT_TRUE(agent::RemovePinRoot(pin_root_).ok());
    }
  }

  static int Count(int fd, size_t key_size) {
    std::vector<uint8_t> key(key_size), next(key_size);
    int n = 0;
    for (void* prev = nullptr; bpf_map_get_next_key(fd, prev, next.data()) == 0;
         prev = key.data()) {
      key = next;
      ++n;
    }
    return n;
  }
  // A pod address in the trie, as builds before vc_pod_addr_v1 wrote it.
  void PutInTrie(const IpPrefix& p, agent::TenantId tenant) {
    vc_ip_key key{};
    key.prefixlen = p.length;
    std::memcpy(key.addr, p.address.bytes.data(), 16);
    vc_pod_info info{};
    info.tenant_id = tenant;
    ASSERT_EQ(bpf_map_update_elem(trie_fd_, &key, &info, BPF_ANY), 0);
  }
  agent::DatapathState Read() { return datapath_->maps().ReadState().value(); }

  TestPinRoot bpffs_;
  std::string pin_root_;
  std::unique_ptr<agent::SegmentationDatapath> datapath_;
  int addr_fd_ = -1;
  int trie_fd_ = -1;
};

TEST_F(BpfSegmentationMapsTest, PodAddressesGoToTheExactMapAndPrefixesToTheTrie) {
  agent::SegmentationMaps& maps = datapath_->maps();
  ASSERT_TRUE(maps.PutPodTenant(P("10.0.0.1"), 1).ok());
  ASSERT_TRUE(maps.PutPodTenant(P("fd00::1"), 2).ok());
  ASSERT_TRUE(maps.PutPodTenant(P("10.9.0.0/16"), 3).ok());
  EXPECT_EQ(Count(addr_fd_, sizeof(vc_addr_key)), 2);
  EXPECT_EQ(Count(trie_fd_, sizeof(vc_ip_key)), 1);
  std::map<IpPrefix, agent::TenantId> want = {
      {P("10.0.0.1"), 1}, {P("fd00::1"), 2}, {P("10.9.0.0/16"), 3}};
  EXPECT_EQ(Read().pod_tenants, want);

  ASSERT_TRUE(maps.DeletePodTenant(P("10.0.0.1")).ok());
  ASSERT_TRUE(maps.DeletePodTenant(P("10.9.0.0/16")).ok());
  want = {{P("fd00::1"), 2}};
  EXPECT_EQ(Read().pod_tenants, want);
  EXPECT_EQ(Count(trie_fd_, sizeof(vc_ip_key)), 0);
}

TEST_F(BpfSegmentationMapsTest, OlderBuildsPodAddressesInTheTrieMoveToTheExactMap) {
  PutInTrie(P("10.0.0.5"), 4);  // still a pod of tenant 4
  PutInTrie(P("10.0.0.6"), 4);  // its pod went away while the agent was down
  PutInTrie(P("10.9.0.0/16"), 3);
  // Read as held by no tenant, so that the diff rewrites or deletes them.
  std::map<IpPrefix, agent::TenantId> read = {
      {P("10.0.0.5"), agent::kNoTenant}, {P("10.0.0.6"), agent::kNoTenant}, {P("10.9.0.0/16"), 3}};
  EXPECT_EQ(Read().pod_tenants, read);

  agent::DatapathState desired;
  desired.pod_tenants = {{P("10.0.0.5"), 4}, {P("10.9.0.0/16"), 3}};
  ASSERT_TRUE(agent::ApplyDiff(agent::DiffDatapath(desired, Read()), datapath_->maps()).ok());
  EXPECT_EQ(Read().pod_tenants, desired.pod_tenants);
  // The trie keeps 10.0.0.5 for programs of the older build that may still be attached.
  EXPECT_EQ(Count(trie_fd_, sizeof(vc_ip_key)), 2);
  EXPECT_EQ(Count(addr_fd_, sizeof(vc_addr_key)), 1);

  ASSERT_TRUE(datapath_->maps().DropSupersededEntries().ok());
  EXPECT_EQ(Count(trie_fd_, sizeof(vc_ip_key)), 1) << "only the prefix stays in the trie";
  EXPECT_EQ(Read().pod_tenants, desired.pod_tenants);
  EXPECT_TRUE(agent::DiffDatapath(desired, Read()).size() == 0);
}

}  // namespace
}  // namespace vc::testing
