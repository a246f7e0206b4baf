// SPDX-License-Identifier: Apache-2.0
// What the table tests' objects look like (kind_table_*_test.cpp): a virtual object's metadata,
// and the metadata tenant t1 (host namespace vc-t1) writes on its host copies. Written out from
// the translators' contracts (names.h, object_translator.h), not computed by the code under test.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "kind_table.h"
#include "vc/syncer/translate/names.h"

namespace vc::syncer::sync::table {

// The labels of a host copy of an object of virtual namespace `virtual_ns` ("" for a
// cluster-scoped one), at `trust_level`, with `extra` on top.
inline nlohmann::json OurLabels(const std::string& virtual_ns,
                                const nlohmann::json& extra = nlohmann::json::object(),
                                const std::string& trust_level = "high") {
  nlohmann::json labels = {
      {"app.kubernetes.io/managed-by", "kubectl-vc"},  {"kubectl-vc.dev/tenant", "t1"},
      {"kubectl-vc.dev/tenant-namespace", "vc-t1"},    {"kubectl-vc.dev/component", "workload"},
      {"kubectl-vc.dev/object-namespace", virtual_ns}, {"kubectl-vc.dev/trust-level", trust_level}};
  labels.update(extra);
  return labels;
}

inline nlohmann::json OurAnnotations(const std::string& virtual_ns, const std::string& name,
                                     const std::string& uid) {
  return {{"kubectl-vc.dev/object-name", name},
          {"kubectl-vc.dev/object-namespace", virtual_ns},
          {"kubectl-vc.dev/object-uid", uid}};
}

// name-x-namespace-x-vcluster (names.h HostName).
inline std::string Host(const std::string& name, const std::string& ns) {
  return name + "-x-" + ns + "-x-t1";
}

// name-x-vcluster-HASH, HASH of "host namespace/vcluster" (names.h HostClusterName).
inline std::string HostCluster(const std::string& name) {
  return name + "-x-t1-" + translate::Sha256Hex("vc-t1/t1").substr(0, 8);
}

// A virtual object's metadata; its uid is "uid-NAME".
inline nlohmann::json VirtualMeta(const std::string& ns, const std::string& name,
                                  nlohmann::json labels = nlohmann::json::object(),
                                  nlohmann::json annotations = nlohmann::json::object()) {
  nlohmann::json meta = {{"name", name}, {"uid", "uid-" + name}};
  if (!ns.empty()) meta["namespace"] = ns;
  if (!labels.empty()) meta["labels"] = std::move(labels);
  if (!annotations.empty()) meta["annotations"] = std::move(annotations);
  return meta;
}

// The metadata of our host copy of virtual ns/name (cluster-scoped: ns "").
inline nlohmann::json CopyMeta(const std::string& ns, const std::string& name,
                               const nlohmann::json& extra_labels = nlohmann::json::object()) {
  nlohmann::json meta = {{"name", ns.empty() ? HostCluster(name) : Host(name, ns)},
                         {"labels", OurLabels(ns, extra_labels)},
                         {"annotations", OurAnnotations(ns, name, "uid-" + name)}};
  if (!ns.empty()) meta["namespace"] = "vc-t1";
  return meta;
}

// A host object of the same name that is not ours.
inline nlohmann::json ForeignMeta(const std::string& name) {
  return {{"name", name}, {"namespace", "vc-t1"}, {"labels", {{"owner", "host-admin"}}}};
}

// The Warning Event a refused object gets (sync_context.h RecordRefusal).
inline nlohmann::json Refused(const std::string& name) {
  return {{"reason", "SyncRefused"}, {"type", "Warning"}, {"involvedObject", {{"name", name}}}};
}

}  // namespace vc::syncer::sync::table
