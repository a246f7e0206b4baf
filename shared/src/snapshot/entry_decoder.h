// SPDX-License-Identifier: Apache-2.0
// The entries inside the records, one decoder per format version. Not a public interface.
#pragma once

#include "record_reader.h"

namespace vc::snapshot::internal {

// The entries of one format version, over the records.
class EntryDecoder {
 public:
  virtual ~EntryDecoder() = default;
  virtual StatusOr<std::optional<EntryHeader>> Next() = 0;
  virtual StatusOr<size_t> Read(char* data, size_t size) = 0;
};
std::unique_ptr<EntryDecoder> NewFormat1Decoder(RecordReader& records);
StatusOr<std::unique_ptr<EntryDecoder>> NewFormat2Decoder(RecordReader& records);

}  // namespace vc::snapshot::internal
