// SPDX-License-Identifier: Apache-2.0
// `snapshot inspect --tar FILE`: a file:// snapshot, encrypted, comes out as the .tar.zst it
// holds; a wrong key or a format-1 snapshot leaves no file behind.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/temp_dir.h"
#include "unit/shared/snapshot/test_archives.h"
#include "vc/cli/snapshot/snapshot_flow.h"

namespace vc::cli::snapshot {
namespace {

using vc::snapshot::EncryptionKey;
using vc::snapshot::EntryKind;

EncryptionKey Key(char fill) {
  EncryptionKey key;
  key.bytes.fill(static_cast<unsigned char>(fill));
  return key;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(ExportSnapshotTar, WritesTheDecryptedTarZst) {
  vc::testing::TempDir dir;
  const std::string archive = dir.path() + "/s.vcsnap", tar = dir.path() + "/s.tar.zst";
  std::ofstream(archive, std::ios::binary) << vc::snapshot::testing::WriteArchive(
      {{EntryKind::kMeta, "meta.json", "{}"}, {EntryKind::kFile, "state.db", "rows"}}, Key('k'));
  auto store = NewFileStore(archive);
  Status s = ExportSnapshotTar(*store, Key('k'), tar);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Slurp(tar).substr(0, 4), "\x28\xb5\x2f\xfd") << "a zstd frame";
  EXPECT_FALSE(std::filesystem::exists(tar + ".partial"));

  std::filesystem::remove(tar);
  s = ExportSnapshotTar(*NewFileStore(archive), Key('x'), tar);
  EXPECT_NE(s.message().find("wrong encryption key"), std::string::npos) << s.ToString();
  EXPECT_FALSE(std::filesystem::exists(tar));
  EXPECT_FALSE(std::filesystem::exists(tar + ".partial"));

  std::ofstream(archive, std::ios::binary)
      << vc::snapshot::testing::WriteFormat1({{EntryKind::kMeta, "meta.json", "{}"}}, std::nullopt);
  s = ExportSnapshotTar(*NewFileStore(archive), std::nullopt, tar);
  EXPECT_NE(s.message().find("holds no tar stream"), std::string::npos) << s.ToString();
  EXPECT_FALSE(std::filesystem::exists(tar));
}

}  // namespace
}  // namespace vc::cli::snapshot
