// SPDX-License-Identifier: Apache-2.0
// What the CLI reads from a snapshot's meta.json: `snapshot inspect`'s table, the line and the
// values of `create --restore`, the object count `snapshot` reports. meta.json comes from
// outside (an archive, a registry's config blob, a bucket, the pod's answer), so every member
// is type-checked here: one of the wrong type is an error naming it, never an exception.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "vc/status.h"

namespace vc::cli::snapshot {

struct SnapshotMeta {
  int64_t format_version = 0;
  std::string created_at;
  std::string cluster_name;
  std::string cluster_namespace;
  std::string host_context;
  std::string kubernetes_version;
  uint64_t archive_bytes = 0;
  bool encrypted = false;
  std::string key_id;
  bool verified = false;
  struct Objects {
    std::string resource;
    std::string namespace_;  // "" for cluster-scoped resources
    int64_t count = 0;
  };
  std::vector<Objects> objects;
  int64_t object_count = 0;  // the sum of objects[].count
  nlohmann::json values = nlohmann::json::object();
};

// Absent members (and null) read as their defaults. InvalidArgument("snapshot meta.json: KEY
// is a number, expected a string ...") for a member of another type or a count out of range.
StatusOr<SnapshotMeta> ReadSnapshotMeta(const nlohmann::json& meta);

// `kubectl vc snapshot inspect URL`'s table.
std::string RenderSnapshotTable(const SnapshotMeta& meta, const std::string& url);

}  // namespace vc::cli::snapshot
