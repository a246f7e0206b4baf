// SPDX-License-Identifier: Apache-2.0
// `snapshot inspect --tar FILE`: the content of a format-2 snapshot, decrypted, as the
// .tar.zst it holds. The store pushes bytes (a download's callback) into a BytePipe on its own
// thread; ExtractPayload pulls them, authenticating every record, into FILE.partial.
#include <cstdio>
#include <thread>

#include "vc/cli/snapshot/byte_pipe.h"
#include "vc/cli/snapshot/snapshot_flow.h"

namespace vc::cli::snapshot {

Status ExportSnapshotTar(SnapshotStore& store,
                         const std::optional<vc::snapshot::EncryptionKey>& key,
                         const std::string& path) {
  const std::string partial = path + ".partial";
  std::FILE* out = std::fopen(partial.c_str(), "wb");
  if (out == nullptr) return InvalidArgument("write " + partial + ": cannot create it");
  BytePipe pipe(4 << 20);
  Status read_status;
  std::thread reader([&] {
    read_status = store.Read([&](const char* d, size_t n) { return pipe.Write(d, n); });
    if (read_status.ok()) {
      pipe.Close();
    } else {
      pipe.Fail(read_status);
    }
  });
  Status status =
      vc::snapshot::ExtractPayload([&](char* d, size_t n) { return pipe.Read(d, n); }, key,
                                   [&](const char* d, size_t n) {
                                     if (std::fwrite(d, 1, n, out) != n)
                                       return Internal("write " + partial + ": disk full?");
                                     return Status::Ok();
                                   });
  if (!status.ok()) pipe.Fail(status);  // stop the download
  reader.join();
  if (std::fclose(out) != 0 && status.ok()) status = Internal("write " + partial + ": close");
  // A store that failed first failed the pipe with its error: ExtractPayload returned it.
  if (status.ok() && !read_status.ok()) status = read_status;
  if (status.ok() && std::rename(partial.c_str(), path.c_str()) != 0) {
    status = Internal("rename " + partial + " to " + path);
  }
  if (!status.ok()) std::remove(partial.c_str());
  return status;
}

}  // namespace vc::cli::snapshot
