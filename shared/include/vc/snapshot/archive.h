// SPDX-License-Identifier: Apache-2.0
// The snapshot archive of a virtual cluster, format version 2 (docs:
// shared/docs/snapshot-format.md). Written by vc-syncer inside the control-plane pod, read by
// vc-syncer (restore) and by kubectl-vc (inspect); both sides stream: neither ever holds a whole
// archive in memory.
//
//   ArchiveWriter w(sink, key);                        ArchiveReader r(source, key);
//   w.BeginEntry(EntryKind::kMeta, "meta.json", ...);  RETURN_IF_ERROR(r.Open());
//   w.Write(...); w.EndEntry(); ... w.Finish();        while (auto e = r.Next()) { r.Read(...) }
//
// Layout: a plain header (magic, version, flags, key id, nonce prefix), then records of at
// most kRecordBytes, each optionally sealed with AES-256-GCM, the last one flagged final.
// Inside the records (format 2), a zstd-compressed POSIX tar stream: meta.json, the files, and
// SHA256SUMS with every entry's SHA-256. Format 1 (custom entries inside the same records) is
// still read, no longer written. A truncated, reordered or altered archive fails with a message
// that says which.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "vc/status.h"

namespace vc::snapshot {

inline constexpr uint16_t kFormatVersion = 2;    // written; 1 and 2 are read
inline constexpr size_t kRecordBytes = 1 << 20;  // plaintext per record
inline constexpr const char* kMediaTypeArchive = "application/vnd.kubectl-vc.snapshot.v1+vcsnap";
inline constexpr const char* kMediaTypeConfig =
    "application/vnd.kubectl-vc.snapshot.config.v1+json";
inline constexpr const char* kArtifactType = "application/vnd.kubectl-vc.snapshot.v1";

// Bytes go out through a sink and come in from a source; both may block (a pipe, a socket).
using ByteSink = std::function<Status(const char* data, size_t size)>;
// Fills up to `size` bytes; 0 only at the end of the stream.
using ByteSource = std::function<StatusOr<size_t>(char* data, size_t size)>;

// An AES-256 key. A key file holds 32 raw bytes, 64 hex digits, or base64 of 32 bytes
// (surrounding whitespace ignored).
struct EncryptionKey {
  std::array<unsigned char, 32> bytes{};
  // First 8 bytes of SHA-256("kubectl-vc snapshot key" || key), in hex: names a key without
  // revealing it, so a wrong key is told apart from a corrupted archive before decrypting.
  std::string Id() const;
};
StatusOr<EncryptionKey> ParseEncryptionKey(const std::string& text);
StatusOr<EncryptionKey> LoadEncryptionKeyFile(const std::string& path);

// kMeta is meta.json, always the first entry; kEnd exists in format 1 only (never returned).
enum class EntryKind : uint8_t { kMeta = 1, kFile = 2, kEnd = 3 };

struct EntryHeader {
  EntryKind kind = EntryKind::kFile;
  // meta.json, or a path relative to the data dir (state.db, pki/ca.crt); the writer takes
  // printable ASCII without a backslash, and not SHA256SUMS.
  std::string name;
  uint32_t mode = 0;  // file permission bits
  uint64_t size = 0;
};

class ArchiveWriter {
 public:
  ArchiveWriter(ByteSink sink, std::optional<EncryptionKey> key);
  ~ArchiveWriter();

  Status BeginEntry(const EntryHeader& header);
  Status Write(const char* data, size_t size);
  Status EndEntry();  // the entry's size must have been written exactly
  Status Finish();    // SHA256SUMS, the end of the tar stream and the final record
  uint64_t bytes_out() const;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

struct ArchiveInfo {
  uint16_t format_version = 0;
  bool encrypted = false;
  std::string key_id;  // when encrypted
};

// Reads just the plain header: works without a key (inspect says "encrypted, key id ...").
StatusOr<ArchiveInfo> ReadArchiveHeader(const ByteSource& source);

class ArchiveReader {
 public:
  ArchiveReader(ByteSource source, std::optional<EncryptionKey> key);
  ~ArchiveReader();

  // Reads the header: newer format versions, a missing or wrong key fail here.
  StatusOr<ArchiveInfo> Open();
  // The next entry (the previous one's unread data is skipped), or nullopt after the whole
  // archive verified (format 2: SHA256SUMS lists exactly the entries read, with their digests;
  // format 1: the end entry).
  StatusOr<std::optional<EntryHeader>> Next();
  // Data of the current entry; 0 at its end (format 1 verifies its checksum there, format 2 at
  // SHA256SUMS).
  StatusOr<size_t> Read(char* data, size_t size);
  uint64_t bytes_in() const;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

// Copies the payload of a format-2 archive to `sink`, decrypted: a zstd-compressed POSIX tar
// stream (`tar -x --zstd` extracts it, `sha256sum -c SHA256SUMS` checks the files). Records are
// authenticated as they pass; the entries are not checked (ArchiveReader does that).
Status ExtractPayload(const ByteSource& source, std::optional<EncryptionKey> key,
                      const ByteSink& sink);

// Reads a whole small entry (meta.json) of the current position into a string.
StatusOr<std::string> ReadEntryToString(ArchiveReader& reader, size_t limit = 16 << 20);

}  // namespace vc::snapshot
