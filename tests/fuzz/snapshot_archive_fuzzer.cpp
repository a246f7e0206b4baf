// SPDX-License-Identifier: Apache-2.0
// A snapshot archive from a byte stream, as both readers take it: ArchiveReader (what
// `snapshot inspect --verify` and the transcoding of kubectl-vc run: header, records, entries
// and checksums; format 1's entries or format 2's zstd-compressed tar stream through libarchive
// and SHA256SUMS) and vc-syncer's StageRestore (the same, plus entry paths and files written
// under DATA/restore.staging, renamed to restore.ready when complete); and ExtractPayload (the
// records alone). The stream is served in pieces of varying size, as a pipe or a socket would.
// Seeds: format 2 (restorable, meta-only, encrypted) and format 1 (*-v1.vcsnap).
// Invariants: errors are UTF-8 text; nothing is written outside the data directory; a staged
// restore has state.db and the CA.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "fuzz_support.h"
#include "vc/snapshot/archive.h"
#include "vc/syncer/snapshot/data_archive.h"

namespace {

namespace fs = std::filesystem;

// Serves `data` in pieces of 1 to 4096 bytes, sizes drawn from the data itself.
vc::snapshot::ByteSource Source(const uint8_t* data, size_t size) {
  auto offset = std::make_shared<size_t>(0);
  return [data, size, offset](char* out, size_t want) -> vc::StatusOr<size_t> {
    if (*offset >= size) return size_t{0};
    const size_t piece = 1 + (data[*offset] * 17u + *offset) % 4096;
    const size_t n = std::min({want, piece, size - *offset});
    std::memcpy(out, data + *offset, n);
    *offset += n;
    return n;
  };
}

// One data directory per process, removed at exit: under $TMPDIR when set (run-fuzzers points
// it at its work directory on tmpfs), else on /dev/shm, as StageRestore fsyncs every file.
const std::string& DataDir() {
  static const std::string dir = [] {
    const char* tmp = std::getenv("TMPDIR");
    const fs::path base = tmp != nullptr && *tmp != '\0' ? fs::path(tmp)
                          : fs::exists("/dev/shm")       ? fs::path("/dev/shm")
                                                         : fs::temp_directory_path();
    const fs::path d = base / ("vc-fuzz-restore-" + std::to_string(::getpid()));
    fs::create_directories(d);
    return d.string();
  }();
  static const bool cleanup = [] {
    std::atexit([] {
      std::error_code ec;
      fs::remove_all(dir, ec);
    });
    return true;
  }();
  (void)cleanup;
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vc::fuzz::QuietLogs();
  auto header = vc::snapshot::ReadArchiveHeader(Source(data, size));
  vc::fuzz::CheckStatus(header.status(), "ReadArchiveHeader error");

  vc::snapshot::ArchiveReader reader(Source(data, size), std::nullopt);
  vc::Status status = [&]() -> vc::Status {
    ASSIGN_OR_RETURN(auto info, reader.Open());
    (void)info;
    char buf[8192];
    for (int entries = 0; entries < 10000; ++entries) {
      ASSIGN_OR_RETURN(auto entry, reader.Next());
      if (!entry) return vc::Status::Ok();
      vc::fuzz::Check(entry->name.size() <= 0xffff, "entry name length");
      if (entry->kind == vc::snapshot::EntryKind::kMeta) {
        ASSIGN_OR_RETURN(std::string meta, vc::snapshot::ReadEntryToString(reader));
        (void)meta;
        continue;
      }
      while (true) {
        ASSIGN_OR_RETURN(size_t n, reader.Read(buf, sizeof buf));
        if (n == 0) break;
      }
    }
    return vc::Status::Ok();
  }();
  vc::fuzz::CheckStatus(status, "ArchiveReader error");

  uint64_t payload = 0;
  vc::Status extracted = vc::snapshot::ExtractPayload(Source(data, size), std::nullopt,
                                                      [&payload](const char*, size_t n) {
                                                        payload += n;
                                                        return vc::Status::Ok();
                                                      });
  vc::fuzz::CheckStatus(extracted, "ExtractPayload error");
  vc::fuzz::Check(payload <= size, "ExtractPayload wrote more than it read");

  const std::string& dir = DataDir();
  auto meta = vc::syncer::snapshot::StageRestore(dir, Source(data, size), std::nullopt);
  vc::fuzz::CheckStatus(meta.status(), "StageRestore error");
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    vc::fuzz::Check(name == "restore.ready", "StageRestore left something in the data dir", name);
  }
  if (meta.ok()) {
    (void)meta->dump();
    vc::fuzz::Check(fs::exists(dir + "/restore.ready/state.db") &&
                        fs::exists(dir + "/restore.ready/pki/ca.crt"),
                    "staged restore without state.db or pki/ca.crt");
  }
  fs::remove_all(dir + "/restore.ready", ec);
  return 0;
}
