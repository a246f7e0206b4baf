// SPDX-License-Identifier: Apache-2.0
#include "record_writer.h"

#include <openssl/rand.h>

namespace vc::snapshot::internal {

RecordWriter::RecordWriter(ByteSink sink, std::optional<EncryptionKey> key, uint16_t format_version)
    : sink_(std::move(sink)), key_(std::move(key)), format_version_(format_version) {
  record_.reserve(kRecordBytes);
}

Status RecordWriter::Start() {
  if (started_) return Status::Ok();
  started_ = true;
  header_.assign(kMagic, sizeof kMagic);
  PutU16(&header_, format_version_);
  PutU16(&header_, key_ ? kFlagEncrypted : 0);
  PutU32(&header_, static_cast<uint32_t>(kRecordBytes));
  if (key_) {
    header_ += KeyIdBytes(*key_);
    nonce_prefix_.assign(kNoncePrefixBytes, '\0');
    RAND_bytes(reinterpret_cast<unsigned char*>(nonce_prefix_.data()), kNoncePrefixBytes);
    header_ += nonce_prefix_;
  }
  bytes_out_ += header_.size();
  return sink_(header_.data(), header_.size());
}

Status RecordWriter::FlushRecord(bool final) {
  const uint32_t word = static_cast<uint32_t>(record_.size()) | (final ? kFinalRecord : 0);
  out_.clear();
  PutU32(&out_, word);
  std::string tag;
  if (key_) {
    RETURN_IF_ERROR(Seal(*key_, RecordNonce(nonce_prefix_, record_index_),
                         RecordAad(header_, record_index_, word), &record_, &tag));
  }
  out_ += record_;
  out_ += tag;
  ++record_index_;
  record_.clear();
  bytes_out_ += out_.size();
  return sink_(out_.data(), out_.size());
}

Status RecordWriter::Plain(const char* data, size_t size) {
  while (size > 0) {
    if (record_.size() == kRecordBytes) RETURN_IF_ERROR(FlushRecord(false));
    const size_t n = std::min(size, kRecordBytes - record_.size());
    record_.append(data, n);
    data += n;
    size -= n;
  }
  return Status::Ok();
}

Status RecordWriter::Finish() {
  RETURN_IF_ERROR(Start());
  return FlushRecord(true);
}

}  // namespace vc::snapshot::internal
