// SPDX-License-Identifier: Apache-2.0
// Inputs tests/fuzz/kubelet_request_fuzzer.cpp and snapshot_archive_fuzzer.cpp found,
// minimised: the kubelet relay quoted the client's bytes into its messages as they were, and a
// restore took entry names with control characters and meta.json of any depth.
#include <gtest/gtest.h>

#include "support/temp_dir.h"
#include "unit/shared/snapshot/test_archives.h"
#include "vc/snapshot/archive.h"
#include "vc/syncer/kubelet/kubelet_request.h"
#include "vc/syncer/snapshot/data_archive.h"
#include "vc/utf8.h"

namespace vc::syncer {
namespace {

TEST(KubeletFuzz, MessagesQuoteTheClientsBytesAsUtf8) {
  auto r = kubelet::ParseKubeletTarget("/stats/\xff\xfe?x");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "kubelet: no such path /stats/\\xff\\xfe");
  r = kubelet::ParseKubeletTarget("/exec/ns/p\xc3\xa9/c?command=sh");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(utf8::IsValid(r.status().message()));
  r = kubelet::ParseKubeletTarget("/containerLogs/" + std::string(5000, 'a') + "/p/c");
  ASSERT_FALSE(r.ok());
  EXPECT_LT(r.status().message().size(), 400u);
}

// Format 1: it carries names format 2's writer refuses (a NUL, bytes beyond ASCII).
std::string Archive(const std::vector<std::pair<std::string, std::string>>& entries) {
  std::vector<vc::snapshot::testing::TestEntry> out;
  for (const auto& [name, data] : entries) {
    const auto kind = out.empty() ? vc::snapshot::EntryKind::kMeta : vc::snapshot::EntryKind::kFile;
    out.push_back({kind, name, data});
  }
  return vc::snapshot::testing::WriteFormat1(out, std::nullopt);
}

StatusOr<nlohmann::json> Stage(const std::string& archive) {
  vc::testing::TempDir dir;
  auto pos = std::make_shared<size_t>(0);
  return snapshot::StageRestore(
      dir.path(),
      [&archive, pos](char* d, size_t n) -> StatusOr<size_t> {
        n = std::min(n, archive.size() - *pos);
        std::copy_n(archive.data() + *pos, n, d);
        *pos += n;
        return n;
      },
      std::nullopt);
}

TEST(SnapshotFuzz, EntryNamesWithControlCharactersAreRefused) {
  for (const std::string& name :
       {std::string("state.db\0x", 10), std::string("pki/ca\n.crt"), std::string("a\x7f")}) {
    EXPECT_FALSE(snapshot::SafeEntryPath(name)) << utf8::Escape(name);
  }
  auto staged = Stage(Archive({{"meta.json", "{}"}, {std::string("state.db\0../x", 13), "db"}}));
  ASSERT_FALSE(staged.ok());
  EXPECT_EQ(staged.status().message(),
            "snapshot is corrupted: entry path \"state.db\\x00../x\" is not a plain path inside "
            "the data directory");
  staged = Stage(Archive({{"meta.json", "{}"}, {"pki/\xff", "x"}}));
  ASSERT_FALSE(staged.ok());
  EXPECT_TRUE(utf8::IsValid(staged.status().message()));
}

TEST(SnapshotFuzz, Format2EntryPathsOutsideTheDataDirAreRefused) {
  for (const std::string name : {"../x", "/etc/passwd", "pki/../../x", "restore.ready/state.db"}) {
    auto staged = Stage(
        vc::snapshot::testing::WriteArchive({{vc::snapshot::EntryKind::kMeta, "meta.json", "{}"},
                                             {vc::snapshot::EntryKind::kFile, name, "x"}},
                                            std::nullopt));
    ASSERT_FALSE(staged.ok()) << name;
    EXPECT_EQ(staged.status().message(), "snapshot is corrupted: entry path \"" + name +
                                             "\" is not a plain path inside the data directory");
  }
}

TEST(SnapshotFuzz, MetaJsonNestedTooDeepIsRefused) {
  auto staged = Stage(Archive({{"meta.json", std::string(10000, '[') + std::string(10000, ']')}}));
  ASSERT_FALSE(staged.ok());
  EXPECT_EQ(staged.status().message(),
            "snapshot is corrupted: meta.json nests deeper than 64 levels");
}

}  // namespace
}  // namespace vc::syncer
