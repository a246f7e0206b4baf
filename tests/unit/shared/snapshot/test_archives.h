// SPDX-License-Identifier: Apache-2.0
// Archives ArchiveWriter does not write, for tests of the readers: format 1 as the format-1
// ArchiveWriter wrote it (kubectl-vc reads format 1 but no longer writes it; real format-1
// bytes are in tests/unit/testdata/snapshot/), and format-2 archives with any tar entries and
// any SHA256SUMS (reordered, missing, symlinks).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "vc/snapshot/archive.h"

namespace vc::snapshot::testing {

struct TestEntry {
  EntryKind kind;
  std::string name;
  std::string data;
};

// A small cluster's snapshot: meta.json, state.db and three pki files (one empty). The fuzz
// seeds and the format-1 fixtures in tests/unit/testdata/snapshot/ hold these.
const std::vector<TestEntry>& RestorableEntries();

// What ArchiveWriter writes today (format 2).
std::string WriteArchive(const std::vector<TestEntry>& entries,
                         const std::optional<EncryptionKey>& key);
ByteSource StringSource(std::string bytes);
// Every entry, its data read whole.
StatusOr<std::vector<TestEntry>> ReadArchive(const std::string& bytes,
                                             const std::optional<EncryptionKey>& key);

std::string WriteFormat1(const std::vector<TestEntry>& entries,
                         const std::optional<EncryptionKey>& key);

struct TarEntry {
  std::string name;
  std::string data;
  bool symlink = false;  // to `data`
};

// The tar entries as given (add SHA256SUMS yourself: Sha256SumsLine), zstd-compressed, in
// format-2 records.
std::string WriteRawFormat2(const std::vector<TarEntry>& entries,
                            const std::optional<EncryptionKey>& key);
std::string Sha256SumsLine(const std::string& name, const std::string& data);

// The tar.zst payload of an unencrypted format-2 archive (its records' contents).
std::string Payload(const std::string& archive);

}  // namespace vc::snapshot::testing
