// SPDX-License-Identifier: Apache-2.0
#include "unit/shared/snapshot/test_archives.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include "../../../../shared/src/snapshot/record_writer.h"

namespace vc::snapshot::testing {

using namespace internal;

const std::vector<TestEntry>& RestorableEntries() {
  static const std::vector<TestEntry> kEntries = {
      {EntryKind::kMeta, "meta.json",
       R"({"cluster":{"name":"dev-team","namespace":"vcluster-dev-team"},"formatVersion":1,)"
       R"("createdAt":"2026-01-02T03:04:05Z","objects":[{"resource":"pods","namespace":"default",)"
       R"("count":3}],"values":{"isolation":{"trustLevel":"high"}},"encrypted":false})"},
      {EntryKind::kFile, "state.db", std::string("SQLite format 3\0", 16) + "kine rows"},
      {EntryKind::kFile, "pki/ca.crt",
       "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"},
      {EntryKind::kFile, "pki/ca.key",
       "-----BEGIN EC PRIVATE KEY-----\nMHcC\n-----END EC PRIVATE KEY-----\n"},
      {EntryKind::kFile, "pki/empty", ""},
  };
  return kEntries;
}

std::string WriteArchive(const std::vector<TestEntry>& entries,
                         const std::optional<EncryptionKey>& key) {
  std::string out;
  ArchiveWriter w(
      [&](const char* d, size_t n) {
        out.append(d, n);
        return Status::Ok();
      },
      key);
  for (const auto& e : entries) {
    EXPECT_TRUE(w.BeginEntry({e.kind, e.name, 0600, e.data.size()}).ok()) << e.name;
    EXPECT_TRUE(w.Write(e.data.data(), e.data.size()).ok());
    EXPECT_TRUE(w.EndEntry().ok());
  }
  EXPECT_TRUE(w.Finish().ok());
  return out;
}

ByteSource StringSource(std::string bytes) {
  auto pos = std::make_shared<size_t>(0);
  auto data = std::make_shared<std::string>(std::move(bytes));
  return [pos, data](char* out, size_t size) -> StatusOr<size_t> {
    const size_t n = std::min(size, data->size() - *pos);
    std::copy_n(data->data() + *pos, n, out);
    *pos += n;
    return n;
  };
}

StatusOr<std::vector<TestEntry>> ReadArchive(const std::string& bytes,
                                             const std::optional<EncryptionKey>& key) {
  ArchiveReader r(StringSource(bytes), key);
  RETURN_IF_ERROR(r.Open());
  std::vector<TestEntry> out;
  while (true) {
    ASSIGN_OR_RETURN(auto h, r.Next());
    if (!h) break;
    ASSIGN_OR_RETURN(std::string data, ReadEntryToString(r, 256 << 20));
    out.push_back({h->kind, h->name, data});
  }
  return out;
}

// Entries: header, data, SHA-256 of the data; then the end entry with the entry count and the
// SHA-256 over the header and every entry byte before it.
std::string WriteFormat1(const std::vector<TestEntry>& entries,
                         const std::optional<EncryptionKey>& key) {
  std::string out;
  RecordWriter records(
      [&](const char* d, size_t n) {
        out.append(d, n);
        return Status::Ok();
      },
      key, kFormatVersion1);
  (void)records.Start();  // the sink cannot fail
  DigestCtx stream = NewSha256();
  EVP_DigestUpdate(stream.get(), records.header().data(), records.header().size());
  auto plain = [&](const std::string& bytes, bool hash) {
    if (hash) EVP_DigestUpdate(stream.get(), bytes.data(), bytes.size());
    (void)records.Plain(bytes.data(), bytes.size());
  };
  for (const auto& e : entries) {
    plain(EncodeEntryHeader({e.kind, e.name, 0600, e.data.size()}), true);
    plain(e.data, true);
    DigestCtx digest = NewSha256();
    EVP_DigestUpdate(digest.get(), e.data.data(), e.data.size());
    plain(PeekDigest(digest.get()), true);
  }
  std::string body;
  PutU64(&body, entries.size());
  body += PeekDigest(stream.get());
  plain(EncodeEntryHeader({EntryKind::kEnd, "end", 0, body.size()}), false);
  plain(body, false);
  (void)records.Finish();
  return out;
}

std::string Sha256SumsLine(const std::string& name, const std::string& data) {
  DigestCtx digest = NewSha256();
  EVP_DigestUpdate(digest.get(), data.data(), data.size());
  const std::string raw = PeekDigest(digest.get());
  return Hex(reinterpret_cast<const unsigned char*>(raw.data()), raw.size()) + "  " + name + "\n";
}

namespace {
la_ssize_t ToRecords(archive*, void* records, const void* data, size_t size) {
  (void)static_cast<RecordWriter*>(records)->Plain(static_cast<const char*>(data), size);
  return static_cast<la_ssize_t>(size);
}
}  // namespace

std::string WriteRawFormat2(const std::vector<TarEntry>& entries,
                            const std::optional<EncryptionKey>& key) {
  std::string out;
  RecordWriter records(
      [&](const char* d, size_t n) {
        out.append(d, n);
        return Status::Ok();
      },
      key, 2);
  (void)records.Start();
  archive* a = archive_write_new();
  archive_write_add_filter_zstd(a);
  archive_write_set_format_pax_restricted(a);
  archive_write_set_bytes_per_block(a, 0);
  archive_write_open2(a, &records, nullptr, &ToRecords, nullptr, nullptr);
  for (const auto& e : entries) {
    archive_entry* h = archive_entry_new();
    archive_entry_set_pathname(h, e.name.c_str());
    archive_entry_set_perm(h, 0600);
    if (e.symlink) {
      archive_entry_set_filetype(h, AE_IFLNK);
      archive_entry_set_symlink(h, e.data.c_str());
      archive_entry_set_size(h, 0);
    } else {
      archive_entry_set_filetype(h, AE_IFREG);
      archive_entry_set_size(h, static_cast<la_int64_t>(e.data.size()));
    }
    archive_write_header(a, h);
    if (!e.symlink && !e.data.empty()) archive_write_data(a, e.data.data(), e.data.size());
    archive_entry_free(h);
  }
  archive_write_close(a);
  archive_write_free(a);
  (void)records.Finish();
  return out;
}

std::string Payload(const std::string& archive) {
  std::string out;
  size_t pos = sizeof kMagic + 8;  // the unencrypted header
  while (pos + 4 <= archive.size()) {
    const uint32_t word = GetU32(reinterpret_cast<const unsigned char*>(archive.data() + pos));
    const size_t len = word & ~kFinalRecord;
    out.append(archive, pos + 4, len);
    pos += 4 + len;
  }
  return out;
}

}  // namespace vc::snapshot::testing
