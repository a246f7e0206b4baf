// SPDX-License-Identifier: Apache-2.0
// Format 1 is still read: the archives the format-1 writer made (tests/unit/testdata/snapshot/)
// restore and inspect, and its damage is still told apart.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "support/temp_dir.h"
#include "unit/shared/snapshot/test_archives.h"
#include "vc/snapshot/archive.h"
#include "vc/syncer/snapshot/data_archive.h"

namespace vc::snapshot {
namespace {

using testing::ReadArchive;
using testing::TestEntry;
using testing::WriteFormat1;

const std::string kDir = std::string(VC_TEST_DATA_DIR) + "/snapshot";

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// What the fixtures hold (tests/unit/fuzz/snapshot_archive_seeds_test.cpp wrote them).
const std::vector<TestEntry>& kFixture = testing::RestorableEntries();

EncryptionKey FixtureKey() {
  EncryptionKey key;
  key.bytes.fill('k');
  return key;
}

TEST(SnapshotFormat1, FixturesStillRead) {
  for (const auto& [file, key] :
       {std::pair{"format1-plain.vcsnap", std::optional<EncryptionKey>()},
        std::pair{"format1-encrypted.vcsnap", std::optional<EncryptionKey>(FixtureKey())}}) {
    const std::string bytes = Slurp(kDir + "/" + file);
    auto info = ReadArchiveHeader(testing::StringSource(bytes));
    ASSERT_TRUE(info.ok()) << file;
    EXPECT_EQ(info->format_version, 1);
    auto back = ReadArchive(bytes, key);
    ASSERT_TRUE(back.ok()) << file << ": " << back.status().message();
    ASSERT_EQ(back->size(), kFixture.size());
    for (size_t i = 0; i < kFixture.size(); ++i) {
      EXPECT_EQ((*back)[i].kind, kFixture[i].kind);
      EXPECT_EQ((*back)[i].name, kFixture[i].name);
      EXPECT_EQ((*back)[i].data, kFixture[i].data);
    }
  }
}

TEST(SnapshotFormat1, TestWriterWritesWhatTheFormat1WriterWrote) {
  EXPECT_TRUE(WriteFormat1(kFixture, std::nullopt) == Slurp(kDir + "/format1-plain.vcsnap"));
}

TEST(SnapshotFormat1, FixtureStagesARestore) {
  vc::testing::TempDir dir;
  auto meta = syncer::snapshot::StageRestore(
      dir.path(), testing::StringSource(Slurp(kDir + "/format1-encrypted.vcsnap")), FixtureKey());
  ASSERT_TRUE(meta.ok()) << meta.status().ToString();
  EXPECT_EQ((*meta)["cluster"]["name"], "dev-team");
  EXPECT_EQ(Slurp(dir.path() + "/restore.ready/pki/ca.key"), kFixture[3].data);
}

TEST(SnapshotFormat1, DamageIsStillNamed) {
  std::vector<TestEntry> entries = kFixture;
  entries[1].data = std::string(3 * kRecordBytes, 'd');
  std::string bytes = WriteFormat1(entries, std::nullopt);
  std::string altered = bytes;
  altered[altered.size() / 2] ^= 1;
  auto back = ReadArchive(altered, std::nullopt);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.status().message().rfind("snapshot is corrupted: the checksum of state.db", 0), 0u)
      << back.status().message();
  back = ReadArchive(bytes.substr(0, bytes.size() - 10), std::nullopt);
  ASSERT_FALSE(back.ok());
  EXPECT_NE(back.status().message().find("truncated"), std::string::npos);
  back = ReadArchive(bytes + "x", std::nullopt);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.status().message(), "snapshot is corrupted: bytes follow its final record");
  EXPECT_FALSE(ExtractPayload(testing::StringSource(bytes), std::nullopt, [](const char*, size_t) {
                 return Status::Ok();
               }).ok());
}

}  // namespace
}  // namespace vc::snapshot
