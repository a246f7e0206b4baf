// SPDX-License-Identifier: Apache-2.0
// The record layer's writing side (shared/docs/snapshot-format.md, Records). Not a public
// interface.
#pragma once

#include "archive_internal.h"

namespace vc::snapshot::internal {

// The plain header and the records after it, as written: bytes go into records of at most
// kRecordBytes, sealed when there is a key; the last record carries the final flag.
class RecordWriter {
 public:
  RecordWriter(ByteSink sink, std::optional<EncryptionKey> key, uint16_t format_version);
  // Writes the header once (later calls do nothing).
  Status Start();
  // A full record goes out only once more bytes follow, so the last record is always the one
  // Finish flags final.
  Status Plain(const char* data, size_t size);
  Status Finish();  // the final record
  const std::string& header() const { return header_; }
  uint64_t bytes_out() const { return bytes_out_; }

 private:
  Status FlushRecord(bool final);

  ByteSink sink_;
  std::optional<EncryptionKey> key_;
  uint16_t format_version_;
  std::string header_;  // the plain header as written (AAD of every record)
  std::string nonce_prefix_;
  std::string record_;  // plaintext not yet sealed
  std::string out_;     // the sealed record being written
  uint64_t record_index_ = 0;
  uint64_t bytes_out_ = 0;
  bool started_ = false;
};

}  // namespace vc::snapshot::internal
