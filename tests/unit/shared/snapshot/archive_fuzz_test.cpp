// SPDX-License-Identifier: Apache-2.0
// An input tests/fuzz/snapshot_archive_fuzzer.cpp found, minimised: the reader quoted an entry's
// name (the archive's bytes) into its message as it was, so a damaged name made a message that
// was not UTF-8. Format 1 (what the fuzzer found it in) and format 2 (a tar name of any bytes).
#include <gtest/gtest.h>

#include "unit/shared/snapshot/test_archives.h"
#include "vc/snapshot/archive.h"
#include "vc/utf8.h"

namespace vc::snapshot {
namespace {

TEST(ArchiveFuzz, ChecksumMessageQuotesTheEntryNameAsUtf8) {
  std::string bytes =
      testing::WriteFormat1({{EntryKind::kMeta, "\x93\x91ta.json", "hello"}}, std::nullopt);
  bytes[bytes.find("hello")] = 'j';  // the entry's data no longer matches its checksum

  auto pos = std::make_shared<size_t>(0);
  ArchiveReader reader(
      [&bytes, pos](char* d, size_t n) -> StatusOr<size_t> {
        n = std::min(n, bytes.size() - *pos);
        std::copy_n(bytes.data() + *pos, n, d);
        *pos += n;
        return n;
      },
      std::nullopt);
  ASSERT_TRUE(reader.Open().ok());
  auto entry = reader.Next();
  ASSERT_TRUE(entry.ok() && *entry);
  auto text = ReadEntryToString(reader);
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().message().rfind(
                "snapshot is corrupted: the checksum of \\x93\\x91ta.json does not match", 0),
            0u)
      << text.status().message();
  EXPECT_TRUE(utf8::IsValid(text.status().message()));
}

TEST(ArchiveFuzz, Format2ChecksumMessageQuotesTheEntryNameAsUtf8) {
  const std::string sums =
      testing::Sha256SumsLine("meta.json", "{}") + testing::Sha256SumsLine("pki/\xff", "other");
  auto back = testing::ReadArchive(
      testing::WriteRawFormat2({{"meta.json", "{}"}, {"pki/\xff", "x"}, {"SHA256SUMS", sums}},
                               std::nullopt),
      std::nullopt);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.status().message().rfind("snapshot is corrupted: the checksum of pki/\\xff", 0),
            0u)
      << back.status().message();
  EXPECT_TRUE(utf8::IsValid(back.status().message()));
}

}  // namespace
}  // namespace vc::snapshot
