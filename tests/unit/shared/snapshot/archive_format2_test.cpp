// SPDX-License-Identifier: Apache-2.0
// Format 2: the payload is a zstd-compressed tar that tar lists, a database shrinks, the archive
// streams, and SHA256SUMS catches entries altered, reordered, added or removed.
#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <random>

#include "support/prerequisite.h"
#include "support/temp_dir.h"
#include "unit/shared/snapshot/test_archives.h"
#include "vc/snapshot/archive.h"

namespace vc::snapshot {
namespace {

using testing::Payload;
using testing::ReadArchive;
using testing::Sha256SumsLine;
using testing::TarEntry;
using testing::TestEntry;
using testing::WriteArchive;
using testing::WriteRawFormat2;

// Like a kine database: 4 KiB pages of similar rows (keys, JSON values) with a little noise.
std::string DatabaseLike(size_t size) {
  std::mt19937 rng(7);
  std::string out;
  while (out.size() < size) {
    out += "/registry/configmaps/team-" + std::to_string(rng() % 50) + "/cm-" +
           std::to_string(out.size()) + R"({"kind":"ConfigMap","apiVersion":"v1","metadata":)" +
           R"({"uid":")" + std::to_string(rng()) + R"(","resourceVersion":")" +
           std::to_string(rng() % 100000) + R"("},"data":{"k":"v"}})";
    out.append(rng() % 64, '\0');
  }
  out.resize(size);
  return out;
}

std::string Random(size_t size) {
  std::mt19937 rng(1);
  std::string s(size, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

const std::vector<TestEntry>& Sample() {
  static const std::vector<TestEntry> kEntries = {
      {EntryKind::kMeta, "meta.json", R"({"formatVersion":2})"},
      {EntryKind::kFile, "state.db", DatabaseLike(4 << 20)},
      {EntryKind::kFile, "pki/ca.crt", "-----BEGIN CERTIFICATE-----\n"},
      {EntryKind::kFile, "pki/empty", ""},
  };
  return kEntries;
}

std::string Message(const std::string& archive) {
  auto back = ReadArchive(archive, std::nullopt);
  return back.ok() ? "(read fine)" : back.status().message();
}

TEST(SnapshotFormat2, CompressesADatabase) {
  const std::string bytes = WriteArchive(Sample(), std::nullopt);
  const double ratio = static_cast<double>(Sample()[1].data.size()) / bytes.size();
  EXPECT_GT(ratio, 3.0) << bytes.size() << " bytes";
  auto back = ReadArchive(bytes, std::nullopt);
  ASSERT_TRUE(back.ok()) << back.status().message();
  ASSERT_EQ(back->size(), 4u);
  EXPECT_TRUE((*back)[1].data == Sample()[1].data);
  EXPECT_EQ((*back)[0].kind, EntryKind::kMeta);
}

// Names the libarchive reader finds in a tar.zst.
std::vector<std::string> TarNames(const std::string& tar_zst) {
  std::vector<std::string> names;
  archive* a = archive_read_new();
  archive_read_support_filter_zstd(a);
  archive_read_support_format_tar(a);
  EXPECT_EQ(archive_read_open_memory(a, tar_zst.data(), tar_zst.size()), ARCHIVE_OK);
  archive_entry* e = nullptr;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) names.push_back(archive_entry_pathname(e));
  EXPECT_EQ(archive_filter_code(a, 0), ARCHIVE_FILTER_ZSTD);
  archive_read_free(a);
  return names;
}

std::string Shell(const std::string& command) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  out += "exit " + std::to_string(::pclose(p));
  return out;
}

TEST(SnapshotFormat2, PayloadIsATarZstThatTarLists) {
  const std::string bytes = WriteArchive(Sample(), std::nullopt);
  const std::vector<std::string> want = {"meta.json", "state.db", "pki/ca.crt", "pki/empty",
                                         "SHA256SUMS"};
  EXPECT_EQ(TarNames(Payload(bytes)), want);

  // The same bytes out of the public API.
  std::string payload;
  Status s =
      ExtractPayload(testing::StringSource(bytes), std::nullopt, [&](const char* d, size_t n) {
        payload.append(d, n);
        return Status::Ok();
      });
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_TRUE(payload == Payload(bytes));

  VC_REQUIRE(Shell("command -v tar zstd sha256sum >/dev/null") == "exit 0",
             "tar, zstd and sha256sum (Debian: tar, zstd, coreutils)");
  vc::testing::TempDir dir;
  std::ofstream(dir.path() + "/s.tar.zst", std::ios::binary) << Payload(bytes);
  EXPECT_EQ(Shell("tar -t --zstd -f " + dir.path() + "/s.tar.zst"),
            "meta.json\nstate.db\npki/ca.crt\npki/empty\nSHA256SUMS\nexit 0");
  EXPECT_EQ(Shell("cd " + dir.path() + " && tar -x --zstd -f s.tar.zst && sha256sum -c --quiet " +
                  "SHA256SUMS"),
            "exit 0");
}

TEST(SnapshotFormat2, ExtractPayloadOfAnEncryptedArchive) {
  EncryptionKey key;
  key.bytes.fill('k');
  const std::string bytes = WriteArchive(Sample(), key);
  std::string payload;
  Status s = ExtractPayload(testing::StringSource(bytes), key, [&](const char* d, size_t n) {
    payload.append(d, n);
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(TarNames(payload).size(), 5u);
  s = ExtractPayload(testing::StringSource(bytes), std::nullopt,
                     [](const char*, size_t) { return Status::Ok(); });
  EXPECT_NE(s.message().find("--encryption-key-file"), std::string::npos) << s.message();
}

TEST(SnapshotFormat2, WriterStreams) {
  std::string out;
  ArchiveWriter w(
      [&](const char* d, size_t n) {
        out.append(d, n);
        return Status::Ok();
      },
      std::nullopt);
  const std::string data = Random(4 << 20);
  ASSERT_TRUE(w.BeginEntry({EntryKind::kMeta, "meta.json", 0644, 2}).ok());
  ASSERT_TRUE(w.Write("{}", 2).ok());
  ASSERT_TRUE(w.EndEntry().ok());
  ASSERT_TRUE(w.BeginEntry({EntryKind::kFile, "state.db", 0600, data.size()}).ok());
  ASSERT_TRUE(w.Write(data.data(), data.size()).ok());
  EXPECT_GT(out.size(), 2u << 20) << "records go out while the entry is written";
}

TEST(SnapshotFormat2, SinkErrorsComeBackAsTheyAre) {
  size_t written = 0;
  ArchiveWriter w(
      [&](const char*, size_t n) {
        written += n;
        return written > (1 << 20) ? Status(Code::kFailedPrecondition, "disk full") : Status::Ok();
      },
      std::nullopt);
  const std::string data = Random(3 << 20);
  ASSERT_TRUE(w.BeginEntry({EntryKind::kMeta, "meta.json", 0644, 2}).ok());
  ASSERT_TRUE(w.Write("{}", 2).ok());
  ASSERT_TRUE(w.EndEntry().ok());
  Status s = w.BeginEntry({EntryKind::kFile, "state.db", 0600, data.size()});
  for (size_t i = 0; s.ok() && i < data.size(); i += 65536) s = w.Write(data.data() + i, 65536);
  if (s.ok()) s = w.EndEntry();
  if (s.ok()) s = w.Finish();
  EXPECT_EQ(s.message(), "disk full");
}

TEST(SnapshotFormat2, WriterRefusesNamesTarOrSha256sumsCannotCarry) {
  ArchiveWriter w([](const char*, size_t) { return Status::Ok(); }, std::nullopt);
  EXPECT_FALSE(w.BeginEntry({EntryKind::kFile, "state.db", 0600, 0}).ok()) << "meta.json first";
  ASSERT_TRUE(w.BeginEntry({EntryKind::kMeta, "meta.json", 0644, 0}).ok());
  ASSERT_TRUE(w.EndEntry().ok());
  for (const std::string& name :
       {std::string("a\0b", 3), std::string("pki/\xff"), std::string("a\\b"), std::string("a\nb"),
        std::string("SHA256SUMS"), std::string("meta.json")}) {
    EXPECT_FALSE(w.BeginEntry({EntryKind::kFile, name, 0600, 0}).ok()) << name;
  }
}

std::vector<TarEntry> Entries(const std::vector<std::pair<std::string, std::string>>& files,
                              const std::string& sums) {
  std::vector<TarEntry> out;
  for (const auto& [name, data] : files) out.push_back({name, data});
  out.push_back({"SHA256SUMS", sums});
  return out;
}

TEST(SnapshotFormat2, Sha256SumsCatchesReorderedAddedRemovedAndAlteredEntries) {
  const std::string meta = Sha256SumsLine("meta.json", "{}");
  const std::string a = Sha256SumsLine("pki/a", "A"), b = Sha256SumsLine("pki/b", "B");
  const std::vector<std::pair<std::string, std::string>> files = {
      {"meta.json", "{}"}, {"pki/a", "A"}, {"pki/b", "B"}};
  EXPECT_EQ(Message(WriteRawFormat2(Entries(files, meta + a + b), std::nullopt)), "(read fine)");
  EXPECT_EQ(Message(WriteRawFormat2(Entries(files, meta + b + a), std::nullopt)),
            "snapshot is corrupted: SHA256SUMS lists pki/b as entry 2, the archive has pki/a "
            "there (entries were reordered, added or removed)");
  EXPECT_EQ(Message(WriteRawFormat2(Entries(files, meta + a), std::nullopt)),
            "snapshot is corrupted: SHA256SUMS lists 2 entries, 3 were read");
  EXPECT_EQ(Message(WriteRawFormat2(Entries({{"meta.json", "{}"}, {"pki/a", "A"}}, meta + a + b),
                                    std::nullopt)),
            "snapshot is corrupted: SHA256SUMS lists pki/b, which the archive does not have (an "
            "entry was removed)");
  const std::string altered = Message(WriteRawFormat2(
      Entries({{"meta.json", "{}"}, {"pki/a", "X"}, {"pki/b", "B"}}, meta + a + b), std::nullopt));
  EXPECT_EQ(altered.rfind("snapshot is corrupted: the checksum of pki/a does not match", 0), 0u)
      << altered;
  EXPECT_EQ(Message(WriteRawFormat2(Entries(files, meta + "zz  pki/a\n"), std::nullopt)),
            "snapshot is corrupted: SHA256SUMS has a malformed line");
}

TEST(SnapshotFormat2, StructureErrorsSayWhich) {
  const std::string meta = Sha256SumsLine("meta.json", "{}");
  EXPECT_EQ(Message(WriteRawFormat2({{"meta.json", "{}"}}, std::nullopt)),
            "snapshot is corrupted: it ends without its SHA256SUMS entry");
  EXPECT_EQ(Message(WriteRawFormat2({{"meta.json", "{}"}, {"SHA256SUMS", meta}, {"x", ""}},
                                    std::nullopt)),
            "snapshot is corrupted: an entry follows its SHA256SUMS");
  EXPECT_EQ(Message(WriteRawFormat2({{"meta.json", "{}"}, {"pki/ca.crt", "/etc/passwd", true}},
                                    std::nullopt)),
            "snapshot is corrupted: entry pki/ca.crt is not a regular file");
  EXPECT_EQ(Message(WriteRawFormat2({{"meta.json", "{}"}, {"meta.json", "{}"}}, std::nullopt)),
            "snapshot is corrupted: a second meta.json");
}

TEST(SnapshotFormat2, GarbageInsideTheRecordsIsCorruption) {
  std::string bytes = WriteArchive(Sample(), std::nullopt);
  const size_t payload_start = 8 + 8 + 4;
  for (size_t i = 0; i < 64; ++i) bytes[payload_start + i] = 'x';  // the zstd frame header
  const std::string m = Message(bytes);
  EXPECT_EQ(m.rfind("snapshot is corrupted: its compressed tar stream is damaged (", 0), 0u) << m;
}

TEST(SnapshotFormat2, EncryptedRecordsCannotBeDroppedOrSwapped) {
  EncryptionKey key;
  key.bytes.fill('k');
  std::vector<TestEntry> entries = {{EntryKind::kMeta, "meta.json", "{}"},
                                    {EntryKind::kFile, "state.db", Random(3 << 20)}};
  const std::string bytes = WriteArchive(entries, key);
  const size_t header = 8 + 8 + 8 + 4, record = 4 + kRecordBytes + 16;
  ASSERT_GT(bytes.size(), header + 3 * record);
  const std::string r0 = bytes.substr(header, record), r1 = bytes.substr(header + record, record);
  const std::string rest = bytes.substr(header + 2 * record);
  const std::string head = bytes.substr(0, header);
  for (const std::string& bad : {head + r0 + rest, head + r1 + r0 + rest}) {
    auto back = ReadArchive(bad, key);
    ASSERT_FALSE(back.ok());
    EXPECT_NE(back.status().message().find("fails authentication"), std::string::npos)
        << back.status().message();
  }
}

}  // namespace
}  // namespace vc::snapshot
