// SPDX-License-Identifier: Apache-2.0
#include "record_reader.h"

#include <cstring>

namespace vc::snapshot::internal {

namespace {

// Reads exactly `size` bytes unless the stream ends first; returns how many it got.
StatusOr<size_t> ReadFull(const ByteSource& source, char* data, size_t size) {
  size_t got = 0;
  while (got < size) {
    ASSIGN_OR_RETURN(size_t n, source(data + got, size - got));
    if (n == 0) break;
    got += n;
  }
  return got;
}

}  // namespace

StatusOr<ArchiveInfo> ParseHeader(const ByteSource& source, std::string* header,
                                  std::string* key_id, std::string* nonce_prefix) {
  char fixed[sizeof kMagic + 8];
  ASSIGN_OR_RETURN(size_t got, ReadFull(source, fixed, sizeof fixed));
  if (got < sizeof kMagic || std::memcmp(fixed, kMagic, sizeof kMagic) != 0) {
    return InvalidArgument("not a kubectl-vc snapshot (its first bytes are not the VCSNAP magic)");
  }
  if (got < sizeof fixed) return Truncated("it ends inside its header");
  const auto* u = reinterpret_cast<const unsigned char*>(fixed) + sizeof kMagic;
  ArchiveInfo info;
  info.format_version = GetU16(u);
  if (info.format_version > kFormatVersion) {
    return FailedPrecondition("snapshot format version " + std::to_string(info.format_version) +
                              " is newer than this version understands (" +
                              std::to_string(kFormatVersion) +
                              "); upgrade kubectl-vc (and vc-syncer) to read it");
  }
  if (info.format_version == 0) return Corrupted("format version 0 in its header");
  const uint16_t flags = GetU16(u + 2);
  if (flags & ~kFlagEncrypted) return Corrupted("unknown header flags");
  if (GetU32(u + 4) != kRecordBytes) return Corrupted("unexpected record size in its header");
  header->assign(fixed, sizeof fixed);
  info.encrypted = flags & kFlagEncrypted;
  if (info.encrypted) {
    char extra[kKeyIdBytes + kNoncePrefixBytes];
    ASSIGN_OR_RETURN(size_t n, ReadFull(source, extra, sizeof extra));
    if (n < sizeof extra) return Truncated("it ends inside its header");
    key_id->assign(extra, kKeyIdBytes);
    nonce_prefix->assign(extra + kKeyIdBytes, kNoncePrefixBytes);
    header->append(extra, sizeof extra);
    info.key_id = Hex(reinterpret_cast<const unsigned char*>(extra), kKeyIdBytes);
  }
  return info;
}

RecordReader::RecordReader(ByteSource source, std::optional<EncryptionKey> key)
    : source_(std::move(source)), key_(std::move(key)) {}

StatusOr<ArchiveInfo> RecordReader::Open() {
  ASSIGN_OR_RETURN(ArchiveInfo info, ParseHeader(source_, &header_, &key_id_, &nonce_prefix_));
  bytes_in_ = header_.size();
  if (info.encrypted && !key_) {
    return FailedPrecondition("the snapshot is encrypted (key id " + info.key_id +
                              "): pass the key it was taken with, --encryption-key-file FILE");
  }
  if (info.encrypted && KeyIdBytes(*key_) != key_id_) {
    return Status(Code::kInvalidArgument,
                  "wrong encryption key: the snapshot was encrypted with key id " + info.key_id +
                      ", the key given has id " + key_->Id());
  }
  if (!info.encrypted) key_.reset();  // a key for a plain snapshot is not needed
  return info;
}

Status RecordReader::NextRecord() {
  const auto truncated = [&] {
    return Truncated("it ends after " + std::to_string(bytes_in_) + " bytes");
  };
  unsigned char word_bytes[4];
  ASSIGN_OR_RETURN(size_t got, ReadFull(source_, reinterpret_cast<char*>(word_bytes), 4));
  bytes_in_ += got;
  if (got < 4) return truncated();
  const uint32_t word = GetU32(word_bytes);
  const size_t len = word & ~kFinalRecord;
  if (len > kRecordBytes) {
    return Corrupted("record " + std::to_string(record_index_) + " is too long");
  }
  record_.resize(len);
  ASSIGN_OR_RETURN(size_t n, ReadFull(source_, record_.data(), len));
  bytes_in_ += n;
  if (n < len) return truncated();
  if (key_) {
    std::string tag(kTagBytes, '\0');
    ASSIGN_OR_RETURN(size_t t, ReadFull(source_, tag.data(), kTagBytes));
    bytes_in_ += t;
    if (t < kTagBytes) return truncated();
    if (!internal::Open(*key_, RecordNonce(nonce_prefix_, record_index_),
                        RecordAad(header_, record_index_, word), &record_, tag)) {
      return Corrupted("record " + std::to_string(record_index_) +
                       " fails authentication (AES-256-GCM): the data was altered or damaged");
    }
  }
  ++record_index_;
  pos_ = 0;
  final_seen_ = word & kFinalRecord;
  return Status::Ok();
}

StatusOr<std::string_view> RecordReader::Chunk(size_t max) {
  while (pos_ == record_.size()) {
    if (final_seen_) return std::string_view();
    RETURN_IF_ERROR(NextRecord());
  }
  const size_t n = std::min(max, record_.size() - pos_);
  std::string_view chunk(record_.data() + pos_, n);
  pos_ += n;
  return chunk;
}

StatusOr<size_t> RecordReader::Plain(char* data, size_t size) {
  ASSIGN_OR_RETURN(std::string_view chunk, Chunk(size));
  if (chunk.empty()) return Truncated("it ends after its final record but inside an entry");
  std::memcpy(data, chunk.data(), chunk.size());
  return chunk.size();
}

Status RecordReader::PlainFull(char* data, size_t size) {
  size_t got = 0;
  while (got < size) {
    ASSIGN_OR_RETURN(size_t n, Plain(data + got, size - got));
    got += n;
  }
  return Status::Ok();
}

Status RecordReader::ExpectNoTrailingBytes() {
  char extra;
  ASSIGN_OR_RETURN(size_t n, source_(&extra, 1));
  if (n != 0) return Corrupted("bytes follow its final record");
  return Status::Ok();
}

}  // namespace vc::snapshot::internal
