// SPDX-License-Identifier: Apache-2.0
// Where snapshots are kept, by URL:
//   oci://REGISTRY[:PORT]/REPOSITORY:TAG   an OCI artifact (oci_registry.h)
//   s3://BUCKET/KEY                        an S3 object (s3_bucket.h)
//   file:///PATH                           a file on this machine
//   container:///data/PATH                 a file inside the control-plane pod (the pod writes
//                                          and reads it itself: snapshot_flow.h)
// A store streams: Create returns a writer that takes the archive piece by piece and holds at
// most one part (OCI chunk, S3 part) in memory; Read pushes the archive into a sink.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "vc/kube/kubeconfig.h"
#include "vc/snapshot/archive.h"
#include "vc/status.h"

namespace vc::cli::snapshot {

struct Location {
  enum class Scheme { kOci, kS3, kFile, kContainer };
  Scheme scheme = Scheme::kFile;
  std::string url;         // as given
  std::string registry;    // oci: host[:port]
  std::string repository;  // oci: path
  std::string reference;   // oci: tag or sha256:... digest
  std::string bucket;      // s3
  std::string key;         // s3: object key
  std::string path;        // file: absolute path; container: path inside the pod (/data/...)
};

// Parses and checks the URL; errors list the accepted forms.
StatusOr<Location> ParseLocation(const std::string& url);

struct StoreOptions {
  bool insecure = false;         // TLS without verification
  bool plain_http = false;       // oci: http:// instead of https:// (local registries)
  std::string ca_file;           // extra CA for the registry or S3 endpoint
  std::string s3_endpoint;       // default: $AWS_ENDPOINT_URL, else AWS
  bool s3_path_style = false;    // also implied by a custom endpoint unless $VC_S3_VIRTUAL_HOST
  size_t part_bytes = 16 << 20;  // OCI chunk / S3 part size
  kube::Environment env;         // HOME, DOCKER_CONFIG, AWS_* variables
};

class ArchiveUpload {
 public:
  virtual ~ArchiveUpload() = default;
  virtual Status Write(const char* data, size_t size) = 0;
  // Makes the archive visible at its location (tag pushed, multipart completed, file renamed).
  virtual Status Commit() = 0;
  // Best effort after a failure: nothing half-written stays visible.
  virtual void Abort() = 0;
};

class SnapshotStore {
 public:
  virtual ~SnapshotStore() = default;
  // `meta` is the archive's meta.json (OCI keeps it as the config blob, for inspect).
  virtual StatusOr<std::unique_ptr<ArchiveUpload>> Create(const nlohmann::json& meta) = 0;
  virtual Status Read(const vc::snapshot::ByteSink& sink) = 0;
  // Bytes the stored archive has, when the store knows before reading (0: unknown; OCI knows
  // after Read or ReadStoredMeta looked at the manifest).
  virtual uint64_t size_hint() const { return 0; }
  // meta.json when the store keeps it beside the archive (OCI's config blob), else nullopt.
  virtual StatusOr<std::optional<nlohmann::json>> ReadStoredMeta() {
    return std::optional<nlohmann::json>();
  }
};

// For oci://, s3:// and file:// (container:// has no store on this side).
StatusOr<std::unique_ptr<SnapshotStore>> OpenStore(const Location& location,
                                                   const StoreOptions& options);

std::unique_ptr<SnapshotStore> NewFileStore(const std::string& path);
std::unique_ptr<SnapshotStore> NewOciStore(const Location& location, const StoreOptions& options);
std::unique_ptr<SnapshotStore> NewS3Store(const Location& location, const StoreOptions& options);

// Where an s3:// location is: the object's URL (virtual-host style on AWS, path style with a
// custom endpoint unless $VC_S3_VIRTUAL_HOST, or with --s3-path-style) and the signing region.
struct S3Target {
  std::string object_url;
  std::string region;
  bool path_style = false;
};
S3Target ResolveS3Target(const Location& location, const StoreOptions& options);

}  // namespace vc::cli::snapshot
