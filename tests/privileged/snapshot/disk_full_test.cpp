// SPDX-License-Identifier: Apache-2.0
// A full data volume in the pod: staging a restore (or writing a container:// snapshot) onto a
// 1 MiB tmpfs fails with "no space left on the pod's data volume", removes its partial files
// and leaves the live state alone. Root only (it mounts the tmpfs, and unmounts it again).
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "support/prerequisite.h"
#include "vc/snapshot/archive.h"
#include "vc/syncer/snapshot/data_archive.h"

namespace vc::syncer::snapshot {
namespace {

namespace fsys = std::filesystem;
using vc::snapshot::ArchiveWriter;
using vc::snapshot::EntryKind;

class ScopedTmpfs {
 public:
  explicit ScopedTmpfs(const std::string& options) {
    std::string pattern = (fsys::temp_directory_path() / "vc-full-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) return;
    path_ = pattern;
    mounted_ = ::mount("tmpfs", path_.c_str(), "tmpfs", 0, options.c_str()) == 0;
  }
  ~ScopedTmpfs() {
    if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
    if (!path_.empty()) ::rmdir(path_.c_str());
  }
  bool mounted() const { return mounted_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  bool mounted_ = false;
};

TEST(SnapshotDiskFull, StagingOnAFullVolumeSaysSoAndLeavesNothing) {
  VC_REQUIRE(::geteuid() == 0, "root (to mount a tmpfs)");
  ScopedTmpfs data("size=1m");
  VC_REQUIRE(data.mounted(), "a tmpfs mount");
  std::ofstream(data.path() + "/state.db") << "live state";

  // A 4 MiB archive (incompressible data) into a 1 MiB volume.
  std::string archive;
  ArchiveWriter w(
      [&](const char* d, size_t n) {
        archive.append(d, n);
        return Status::Ok();
      },
      std::nullopt);
  std::mt19937 rng(1);
  std::string big(4 << 20, '\0');
  for (auto& c : big) c = static_cast<char>(rng());
  const std::string meta = "{}";
  ASSERT_TRUE(w.BeginEntry({EntryKind::kMeta, "meta.json", 0644, meta.size()}).ok());
  ASSERT_TRUE(w.Write(meta.data(), meta.size()).ok());
  ASSERT_TRUE(w.EndEntry().ok());
  ASSERT_TRUE(w.BeginEntry({EntryKind::kFile, "state.db", 0600, big.size()}).ok());
  ASSERT_TRUE(w.Write(big.data(), big.size()).ok());
  ASSERT_TRUE(w.EndEntry().ok());
  ASSERT_TRUE(w.Finish().ok());

  size_t pos = 0;
  auto staged = StageRestore(
      data.path(),
      [&](char* d, size_t n) -> StatusOr<size_t> {
        const size_t k = std::min(n, archive.size() - pos);
        std::memcpy(d, archive.data() + pos, k);
        pos += k;
        return k;
      },
      std::nullopt);
  ASSERT_FALSE(staged.ok());
  EXPECT_EQ(staged.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(staged.status().message().find("no space left on the pod's data volume"),
            std::string::npos)
      << staged.status().message();
  EXPECT_FALSE(fsys::exists(data.path() + "/restore.staging"));
  EXPECT_FALSE(fsys::exists(data.path() + "/restore.ready"));
  std::ifstream live(data.path() + "/state.db");
  std::string text((std::istreambuf_iterator<char>(live)), {});
  EXPECT_EQ(text, "live state");
}

}  // namespace
}  // namespace vc::syncer::snapshot
