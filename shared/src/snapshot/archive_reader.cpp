// SPDX-License-Identifier: Apache-2.0
// The reader of every format version: the record layer is the same; the entries inside are
// format 1's own (archive_reader_v1.cpp) or a zstd-compressed tar stream (archive_reader_v2.cpp).
#include "entry_decoder.h"
#include "record_reader.h"

namespace vc::snapshot {

using namespace internal;

StatusOr<ArchiveInfo> ReadArchiveHeader(const ByteSource& source) {
  std::string header, key_id, nonce;
  return ParseHeader(source, &header, &key_id, &nonce);
}

struct ArchiveReader::State {
  explicit State(ByteSource source, std::optional<EncryptionKey> key)
      : records(std::move(source), std::move(key)) {}
  RecordReader records;
  std::unique_ptr<EntryDecoder> entries;
};

ArchiveReader::ArchiveReader(ByteSource source, std::optional<EncryptionKey> key)
    : s_(std::make_unique<State>(std::move(source), std::move(key))) {}

ArchiveReader::~ArchiveReader() = default;

uint64_t ArchiveReader::bytes_in() const { return s_->records.bytes_in(); }

StatusOr<ArchiveInfo> ArchiveReader::Open() {
  ASSIGN_OR_RETURN(ArchiveInfo info, s_->records.Open());
  if (info.format_version == kFormatVersion1) {
    s_->entries = NewFormat1Decoder(s_->records);
  } else {
    ASSIGN_OR_RETURN(s_->entries, NewFormat2Decoder(s_->records));
  }
  return info;
}

StatusOr<std::optional<EntryHeader>> ArchiveReader::Next() {
  if (!s_->entries) return Internal("snapshot archive: Next before Open");
  return s_->entries->Next();
}

StatusOr<size_t> ArchiveReader::Read(char* data, size_t size) {
  if (!s_->entries) return Internal("snapshot archive: Read before Open");
  return s_->entries->Read(data, size);
}

Status ExtractPayload(const ByteSource& source, std::optional<EncryptionKey> key,
                      const ByteSink& sink) {
  RecordReader records(source, std::move(key));
  ASSIGN_OR_RETURN(ArchiveInfo info, records.Open());
  if (info.format_version == kFormatVersion1) {
    return FailedPrecondition(
        "a format-1 snapshot (taken before format 2) holds no tar stream; restore it and take a "
        "new snapshot to get one");
  }
  while (true) {
    ASSIGN_OR_RETURN(std::string_view chunk, records.Chunk());
    if (chunk.empty()) break;
    RETURN_IF_ERROR(sink(chunk.data(), chunk.size()));
  }
  return records.ExpectNoTrailingBytes();
}

StatusOr<std::string> ReadEntryToString(ArchiveReader& reader, size_t limit) {
  std::string out;
  char buf[64 * 1024];
  while (true) {
    ASSIGN_OR_RETURN(size_t n, reader.Read(buf, sizeof buf));
    if (n == 0) break;
    out.append(buf, n);
    if (out.size() > limit) return InvalidArgument("snapshot entry is larger than expected");
  }
  return out;
}

}  // namespace vc::snapshot
