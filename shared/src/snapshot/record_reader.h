// SPDX-License-Identifier: Apache-2.0
// The record layer's reading side (shared/docs/snapshot-format.md, Records). Not a public
// interface.
#pragma once

#include "archive_internal.h"

namespace vc::snapshot::internal {

// Parses the header, then hands out the records' plaintext.
class RecordReader {
 public:
  RecordReader(ByteSource source, std::optional<EncryptionKey> key);
  // Reads the header: newer format versions, a missing or wrong key fail here.
  StatusOr<ArchiveInfo> Open();
  // The unread rest of the current record (reading, authenticating the next ones as needed),
  // marked read; empty once the final record is used up.
  StatusOr<std::string_view> Chunk(size_t max = kRecordBytes);
  // Up to `size` bytes, at least 1: inside an entry, the stream may not end.
  StatusOr<size_t> Plain(char* data, size_t size);
  Status PlainFull(char* data, size_t size);
  // True when the current record is used up and it was the final one.
  bool AtEnd() const { return final_seen_ && pos_ == record_.size(); }
  // Nothing may follow the final record.
  Status ExpectNoTrailingBytes();
  const std::string& header() const { return header_; }
  uint64_t bytes_in() const { return bytes_in_; }

 private:
  Status NextRecord();

  ByteSource source_;
  std::optional<EncryptionKey> key_;
  std::string header_, key_id_, nonce_prefix_;
  std::string record_;
  size_t pos_ = 0;
  uint64_t record_index_ = 0;
  bool final_seen_ = false;
  uint64_t bytes_in_ = 0;
};

}  // namespace vc::snapshot::internal
