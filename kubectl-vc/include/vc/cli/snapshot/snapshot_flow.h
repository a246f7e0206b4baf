// SPDX-License-Identifier: Apache-2.0
// snapshot/: kubectl vc snapshot, restore, create --restore and snapshot inspect.
//
// Bytes flow as streams through bounded pipes, never a whole snapshot in memory:
//   take:    pod POST /snapshot -> [verify; encrypt with --encryption-key-file] -> store
//   restore: store -> [verify; decrypt] -> pod PUT /restore (staged; applied by the next
//            vc-syncer init, which the flow triggers by restarting the pod)
// The encryption key never leaves this machine (except for container:// snapshots, which the
// pod writes and reads itself: the key then travels to it over the mutual-TLS forward).
// Every stage verifies checksums, so a damaged archive fails before the pod stages anything.
#pragma once

#include <chrono>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "vc/cancel_token.h"
#include "vc/cli/host.h"
#include "vc/cli/lifecycle/lifecycle.h"
#include "vc/cli/output/output.h"
#include "vc/cli/snapshot/pod_endpoint.h"
#include "vc/cli/snapshot/store.h"
#include "vc/snapshot/archive.h"

namespace vc::cli::snapshot {

// Bytes and rate on stderr while a transfer runs ("  84.0 MiB  41.9 MiB/s"), and a summary.
class TransferMeter {
 public:
  TransferMeter(std::ostream& err, std::string what);
  void Add(uint64_t bytes);
  void Finish();
  uint64_t bytes() const { return bytes_; }
  double seconds() const;

 private:
  std::ostream& err_;
  std::string what_;
  uint64_t bytes_ = 0;
  std::chrono::steady_clock::time_point start_, last_print_;
  std::mutex mu_;
};

// Reads an archive from `in` (decrypting with `in_key`) and writes the same entries to the sink
// `open_out` returns (encrypting with `out_key`), verifying every checksum; `open_out` gets
// meta.json before the first byte is written. Returns meta.json.
using OpenSink = std::function<StatusOr<vc::snapshot::ByteSink>(const nlohmann::json& meta)>;
StatusOr<nlohmann::json> Transcode(const vc::snapshot::ByteSource& in,
                                   const std::optional<vc::snapshot::EncryptionKey>& in_key,
                                   const OpenSink& open_out,
                                   const std::optional<vc::snapshot::EncryptionKey>& out_key);

struct TransferOptions {
  Location location;
  StoreOptions store;
  std::optional<vc::snapshot::EncryptionKey> key;
  nlohmann::json meta = nlohmann::json::object();  // take: merged into meta.json
};

// Takes a snapshot through `endpoint` to options.location. Returns meta.json.
StatusOr<nlohmann::json> TakeSnapshot(const PodEndpoint& endpoint, const TransferOptions& options,
                                      std::ostream& err);

// Streams the snapshot at options.location into the pod, where it is verified and staged.
StatusOr<nlohmann::json> StageSnapshot(const PodEndpoint& endpoint, const TransferOptions& options,
                                       std::ostream& err);

// meta.json of a snapshot: from the store's side copy (OCI) when there is one, else by reading
// the archive's first entry. With `verify`, reads the whole archive and checks every checksum;
// the result then has "verified": true and "archiveBytes". Without `side_copy` meta.json
// always comes from the archive (create --restore: the side copy of an encrypted snapshot
// leaves out the values).
StatusOr<nlohmann::json> InspectSnapshot(const TransferOptions& options, bool verify,
                                         bool side_copy = true);

// Writes the content of a format-2 snapshot, decrypted, as the zstd-compressed tar it holds to
// `path` (through PATH.partial, renamed when complete): `tar -x --zstd -f PATH` extracts it and
// `sha256sum -c SHA256SUMS` checks the files. Records are authenticated as they pass; the
// entries are checked by inspect --verify.
Status ExportSnapshotTar(SnapshotStore& store,
                         const std::optional<vc::snapshot::EncryptionKey>& key,
                         const std::string& path);

// Restore into the existing virtual cluster `info`: stage, restart the control-plane pod (its
// init swaps the staged state in), wait until it is ready.
struct RestoreOptions {
  TransferOptions transfer;
  std::chrono::milliseconds timeout{std::chrono::minutes(5)};
};
Status RestoreInto(const HostCluster& host, const lifecycle::Info& info,
                   const RestoreOptions& options, const kube::Environment& env,
                   output::Progress& progress, std::ostream& err, const CancelToken* cancel);

}  // namespace vc::cli::snapshot

namespace vc::cli::snapshot {

// create NAME --restore URL: the snapshot's values first (its meta.json), then the caller's
// files and --set on top; create and wait; restore into it. Any failure deletes what this
// call created. options.wait is ignored (it always waits: the restore needs the pod).
StatusOr<lifecycle::CreateResult> CreateFromSnapshot(const HostCluster& host,
                                                     lifecycle::CreateOptions options,
                                                     const RestoreOptions& restore,
                                                     const kube::Environment& env,
                                                     output::Progress& progress, std::ostream& err,
                                                     const CancelToken* cancel);

}  // namespace vc::cli::snapshot
