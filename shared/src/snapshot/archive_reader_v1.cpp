// SPDX-License-Identifier: Apache-2.0
// Format 1's entries (shared/docs/snapshot-format.md, "Format version 1"): no longer written,
// still read, so that snapshots taken before format 2 restore and inspect.
#include "entry_decoder.h"

namespace vc::snapshot::internal {
namespace {

class Format1Decoder : public EntryDecoder {
 public:
  explicit Format1Decoder(RecordReader& records) : records_(records) {
    EVP_DigestUpdate(stream_.get(), records_.header().data(), records_.header().size());
  }

  StatusOr<std::optional<EntryHeader>> Next() override {
    if (done_) return std::optional<EntryHeader>();
    if (in_entry_) {
      char skip[64 * 1024];
      while (true) {
        ASSIGN_OR_RETURN(size_t n, Read(skip, sizeof skip));
        if (n == 0) break;
      }
    }
    const std::string before = PeekDigest(stream_.get());
    unsigned char fixed[kEntryFixedBytes];
    RETURN_IF_ERROR(PlainFull(reinterpret_cast<char*>(fixed), sizeof fixed, true));
    EntryHeader h;
    h.kind = static_cast<EntryKind>(fixed[0]);
    const uint16_t name_len = GetU16(fixed + 1);
    h.mode = GetU32(fixed + 3);
    h.size = GetU64(fixed + 7);
    h.name.resize(name_len);
    RETURN_IF_ERROR(PlainFull(h.name.data(), name_len, true));
    if (h.kind == EntryKind::kEnd) {
      RETURN_IF_ERROR(VerifyEnd(h, before));
      done_ = true;
      return std::optional<EntryHeader>();
    }
    if (h.kind != EntryKind::kMeta && h.kind != EntryKind::kFile) {
      return Corrupted("entry of unknown kind " + std::to_string(fixed[0]));
    }
    current_ = h;
    entry_ = NewSha256();
    entry_left_ = h.size;
    in_entry_ = true;
    ++entries_;
    if (h.size == 0) {
      // Nothing to read: verify its (empty) checksum now, as Read would.
      RETURN_IF_ERROR(FinishEntry());
      in_entry_ = true;  // Read returns 0 once, then Next moves on
      entry_ = nullptr;
    }
    return std::optional<EntryHeader>(h);
  }

  StatusOr<size_t> Read(char* data, size_t size) override {
    if (!in_entry_) return size_t{0};
    if (entry_left_ == 0) {
      if (entry_) RETURN_IF_ERROR(FinishEntry());
      in_entry_ = false;
      return size_t{0};
    }
    const size_t want = static_cast<size_t>(std::min<uint64_t>(size, entry_left_));
    ASSIGN_OR_RETURN(size_t n, records_.Plain(data, want));
    EVP_DigestUpdate(stream_.get(), data, n);
    EVP_DigestUpdate(entry_.get(), data, n);
    entry_left_ -= n;
    return n;
  }

 private:
  Status PlainFull(char* data, size_t size, bool hash) {
    RETURN_IF_ERROR(records_.PlainFull(data, size));
    if (hash) EVP_DigestUpdate(stream_.get(), data, size);
    return Status::Ok();
  }

  Status FinishEntry() {
    char digest[kDigestBytes];
    RETURN_IF_ERROR(PlainFull(digest, sizeof digest, true));
    const std::string want(digest, sizeof digest);
    const std::string got = PeekDigest(entry_.get());
    in_entry_ = false;
    if (want != got) return Corrupted(DigestMismatch(current_.name, want, got));
    return Status::Ok();
  }

  // The end entry: the number of entries before it and the SHA-256 over everything before it.
  Status VerifyEnd(const EntryHeader& h, const std::string& before) {
    if (h.size != 8 + kDigestBytes) return Corrupted("its end entry has the wrong size");
    unsigned char body[8 + kDigestBytes];
    RETURN_IF_ERROR(PlainFull(reinterpret_cast<char*>(body), sizeof body, false));
    if (GetU64(body) != entries_) {
      return Corrupted("its end entry counts " + std::to_string(GetU64(body)) + " entries, " +
                       std::to_string(entries_) + " were read");
    }
    if (std::string(reinterpret_cast<char*>(body) + 8, kDigestBytes) != before) {
      return Corrupted("the checksum over the whole archive does not match");
    }
    if (!records_.AtEnd()) return Corrupted("data follows its end entry");
    return records_.ExpectNoTrailingBytes();
  }

  RecordReader& records_;
  DigestCtx stream_ = NewSha256();  // header + every entry byte before the end entry
  DigestCtx entry_;
  EntryHeader current_;
  uint64_t entry_left_ = 0;
  uint64_t entries_ = 0;
  bool in_entry_ = false;
  bool done_ = false;
};

}  // namespace

std::unique_ptr<EntryDecoder> NewFormat1Decoder(RecordReader& records) {
  return std::make_unique<Format1Decoder>(records);
}

}  // namespace vc::snapshot::internal
