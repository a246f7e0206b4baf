// SPDX-License-Identifier: Apache-2.0
// The snapshot archive of a virtual cluster, format version 1 (docs:
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
// Inside the records, a sequence of entries, each with its own SHA-256, and an end entry with
// the SHA-256 over everything before it. A truncated, reordered or altered archive fails
// with a message that says which.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "vc/status.h"

namespace vc::snapshot {

inline constexpr uint16_t kFormatVersion = 1;
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

enum class EntryKind : uint8_t { kMeta = 1, kFile = 2, kEnd = 3 };

struct EntryHeader {
  EntryKind kind = EntryKind::kFile;
  std::string name;   // meta.json, or a path relative to the data dir (state.db, pki/ca.crt)
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
  Status Finish();    // the end entry and the final record
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
  // The next entry (the previous one's unread data is skipped and verified), or nullopt after
  // the end entry verified the whole archive.
  StatusOr<std::optional<EntryHeader>> Next();
  // Data of the current entry; 0 at its end, after its checksum verified.
  StatusOr<size_t> Read(char* data, size_t size);
  uint64_t bytes_in() const;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

// Reads a whole small entry (meta.json) of the current position into a string.
StatusOr<std::string> ReadEntryToString(ArchiveReader& reader, size_t limit = 16 << 20);

}  // namespace vc::snapshot
