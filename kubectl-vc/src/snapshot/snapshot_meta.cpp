// SPDX-License-Identifier: Apache-2.0
#include "vc/cli/snapshot/snapshot_meta.h"

#include <iomanip>
#include <limits>
#include <sstream>

namespace vc::cli::snapshot {
namespace {

using nlohmann::json;

Status WrongType(const std::string& key, const json& value, const std::string& expected) {
  return InvalidArgument("snapshot meta.json: " + key + " is " + std::string(value.type_name()) +
                         ", expected " + expected +
                         " (the snapshot was not written by kubectl-vc, or it is damaged: "
                         "take it again)");
}

// The member `key` of `object`, or null when absent.
const json& Member(const json& object, const char* key) {
  static const json kNull;
  auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

Status ReadString(const json& object, const char* key, const std::string& path, std::string* out) {
  const json& v = Member(object, key);
  if (v.is_null()) return Status::Ok();
  if (!v.is_string()) return WrongType(path, v, "a string");
  *out = v.get<std::string>();
  return Status::Ok();
}

Status ReadBool(const json& object, const char* key, bool* out) {
  const json& v = Member(object, key);
  if (v.is_null()) return Status::Ok();
  if (!v.is_boolean()) return WrongType(key, v, "true or false");
  *out = v.get<bool>();
  return Status::Ok();
}

// A whole number >= 0 that fits `T` (json holds it as signed, unsigned or float).
template <typename T>
Status ReadCount(const json& object, const char* key, const std::string& path, T* out) {
  const json& v = Member(object, key);
  if (v.is_null()) return Status::Ok();
  if (v.is_number_unsigned() && v.get<uint64_t>() <= uint64_t{std::numeric_limits<T>::max()}) {
    *out = static_cast<T>(v.get<uint64_t>());
    return Status::Ok();
  }
  if (v.is_number_integer() && !v.is_number_unsigned() && v.get<int64_t>() >= 0) {
    *out = static_cast<T>(v.get<int64_t>());
    return Status::Ok();
  }
  return WrongType(path, v, "a whole number of at least 0");
}

}  // namespace

StatusOr<SnapshotMeta> ReadSnapshotMeta(const json& meta) {
  if (!meta.is_object()) return WrongType("the document", meta, "a JSON object");
  SnapshotMeta m;
  RETURN_IF_ERROR(ReadCount(meta, "formatVersion", "formatVersion", &m.format_version));
  RETURN_IF_ERROR(ReadString(meta, "createdAt", "createdAt", &m.created_at));
  RETURN_IF_ERROR(
      ReadString(meta, "kubernetesVersion", "kubernetesVersion", &m.kubernetes_version));
  RETURN_IF_ERROR(ReadCount(meta, "archiveBytes", "archiveBytes", &m.archive_bytes));
  RETURN_IF_ERROR(ReadBool(meta, "encrypted", &m.encrypted));
  RETURN_IF_ERROR(ReadString(meta, "keyId", "keyId", &m.key_id));
  RETURN_IF_ERROR(ReadBool(meta, "verified", &m.verified));
  if (const json& cluster = Member(meta, "cluster"); !cluster.is_null()) {
    if (!cluster.is_object()) return WrongType("cluster", cluster, "a JSON object");
    RETURN_IF_ERROR(ReadString(cluster, "name", "cluster.name", &m.cluster_name));
    RETURN_IF_ERROR(ReadString(cluster, "namespace", "cluster.namespace", &m.cluster_namespace));
    RETURN_IF_ERROR(ReadString(cluster, "hostContext", "cluster.hostContext", &m.host_context));
  }
  if (const json& objects = Member(meta, "objects"); !objects.is_null()) {
    if (!objects.is_array()) return WrongType("objects", objects, "a list");
    for (size_t i = 0; i < objects.size(); ++i) {
      const std::string at = "objects[" + std::to_string(i) + "]";
      const json& o = objects[i];
      if (!o.is_object()) return WrongType(at, o, "a JSON object");
      SnapshotMeta::Objects entry;
      RETURN_IF_ERROR(ReadString(o, "resource", at + ".resource", &entry.resource));
      RETURN_IF_ERROR(ReadString(o, "namespace", at + ".namespace", &entry.namespace_));
      RETURN_IF_ERROR(ReadCount(o, "count", at + ".count", &entry.count));
      if (entry.count > std::numeric_limits<int64_t>::max() - m.object_count) {
        return InvalidArgument(
            "snapshot meta.json: the object counts add up to more than a "
            "64-bit number (the snapshot is damaged: take it again)");
      }
      m.object_count += entry.count;
      m.objects.push_back(std::move(entry));
    }
  }
  if (const json& values = Member(meta, "values"); !values.is_null()) {
    if (!values.is_object()) return WrongType("values", values, "a mapping of values");
    m.values = values;
  }
  return m;
}

std::string RenderSnapshotTable(const SnapshotMeta& m, const std::string& url) {
  std::ostringstream out;
  out << "Snapshot:            " << url << "\n"
      << "Format version:      " << m.format_version << "\n"
      << "Created:             " << m.created_at << "\n"
      << "Source cluster:      " << m.cluster_name << " (namespace " << m.cluster_namespace
      << ", host " << m.host_context << ")\n"
      << "Kubernetes version:  " << m.kubernetes_version << "\n"
      << "Size:                " << m.archive_bytes << " bytes\n"
      << "Encrypted:           "
      << (m.encrypted ? "yes (key id " + (m.key_id.empty() ? "?" : m.key_id) + ")"
                      : std::string("no"))
      << "\n"
      << "Verified:            "
      << (m.verified ? "yes, every checksum" : "no (--verify reads it all)") << "\n\n";
  out << std::left << std::setw(40) << "RESOURCE" << std::setw(28) << "NAMESPACE"
      << "COUNT\n";
  for (const auto& o : m.objects) {
    out << std::setw(40) << o.resource << std::setw(28)
        << (o.namespace_.empty() ? "<cluster>" : o.namespace_) << o.count << "\n";
  }
  return out.str();
}

}  // namespace vc::cli::snapshot
