// SPDX-License-Identifier: Apache-2.0
// The seed corpus of tests/fuzz/snapshot_archive_fuzzer.cpp, written by our own ArchiveWriter
// (format 2) and by the format-1 writer (*-v1.vcsnap, as users' older snapshots are): the
// checked-in files must be what the writers make today (VC_UPDATE_FUZZ_CORPUS=1 rewrites them)
// and must be what the readers accept, so the fuzzer starts from archives that reach the end of
// the reader and of StageRestore rather than stopping at the magic.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/temp_dir.h"
#include "unit/shared/snapshot/test_archives.h"
#include "vc/snapshot/archive.h"
#include "vc/syncer/snapshot/data_archive.h"

namespace vc::snapshot {
namespace {

const std::string kDir = std::string(VC_FUZZ_CORPUS_DIR) + "/snapshot_archive";

using Entry = testing::TestEntry;

std::string Write(const std::vector<Entry>& entries, std::optional<EncryptionKey> key) {
  return testing::WriteArchive(entries, key);
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool Updating() { return std::getenv("VC_UPDATE_FUZZ_CORPUS") != nullptr; }

void Spit(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary) << data;
}

std::string WriteFormat1(const std::vector<Entry>& entries) {
  return testing::WriteFormat1(entries, std::nullopt);
}

const std::vector<Entry>& kRestorable = testing::RestorableEntries();

TEST(FuzzSeeds, SnapshotArchiveSeedsAreWhatTheWriterMakes) {
  const std::map<std::string, std::string> seeds = {
      {"restorable.vcsnap", Write(kRestorable, std::nullopt)},
      {"meta-only.vcsnap", Write({{EntryKind::kMeta, "meta.json", "{}"}}, std::nullopt)},
      {"restorable-v1.vcsnap", WriteFormat1(kRestorable)},
  };
  // Compared by what they hold and their header: another libzstd may compress differently.
  const auto content = [](const std::string& bytes) {
    auto entries = testing::ReadArchive(bytes, std::nullopt);
    std::string out = bytes.substr(0, 20);
    if (!entries.ok()) return out + entries.status().ToString();
    for (const auto& e : *entries) out += e.name + ":" + e.data + ";";
    return out;
  };
  for (const auto& [name, bytes] : seeds) {
    if (Updating()) Spit(kDir + "/" + name, bytes);
    EXPECT_EQ(content(Slurp(kDir + "/" + name)), content(bytes))
        << name << " is not what ArchiveWriter writes now; rerun with VC_UPDATE_FUZZ_CORPUS=1";
  }
  // The nonce is random: written once, checked to open with the seed's key (the format-1 one
  // was written by the format-1 writer, and stays).
  EncryptionKey key;
  key.bytes.fill('k');
  if (Updating()) Spit(kDir + "/encrypted.vcsnap", Write(kRestorable, key));
  for (const auto& [name, version] : {std::pair{"encrypted.vcsnap", kFormatVersion},
                                      std::pair{"encrypted-v1.vcsnap", uint16_t{1}}}) {
    ArchiveReader reader(testing::StringSource(Slurp(kDir + "/" + name)), key);
    auto info = reader.Open();
    ASSERT_TRUE(info.ok()) << info.status().ToString();
    EXPECT_TRUE(info->encrypted);
    EXPECT_EQ(info->format_version, version) << name;
    auto first = reader.Next();
    ASSERT_TRUE(first.ok() && *first) << first.status().ToString();
    EXPECT_EQ((*first)->name, "meta.json");
  }
}

TEST(FuzzSeeds, RestorableSeedsAreStaged) {
  for (const char* name : {"restorable.vcsnap", "restorable-v1.vcsnap"}) {
    vc::testing::TempDir dir;
    auto meta = syncer::snapshot::StageRestore(
        dir.path(), testing::StringSource(Slurp(kDir + "/" + name)), std::nullopt);
    ASSERT_TRUE(meta.ok()) << name << ": " << meta.status().ToString();
    EXPECT_EQ((*meta)["cluster"]["name"], "dev-team");
    EXPECT_TRUE(std::filesystem::exists(dir.path() + "/restore.ready/pki/ca.key"));
  }
}

}  // namespace
}  // namespace vc::snapshot
