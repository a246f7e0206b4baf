// SPDX-License-Identifier: Apache-2.0
// Per-call options of the REST client (client.h), mirroring metav1 ListOptions, CreateOptions,
// PatchOptions and DeleteOptions. Every call may override RestConfig.request_timeout.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace vc::kube {

using Timeout = std::optional<std::chrono::milliseconds>;  // unset: RestConfig's

struct ListOptions {
  std::string label_selector;
  std::string field_selector;
  int64_t limit = 0;  // page size; 0: everything in one answer
  std::string continue_token;
  std::string resource_version;        // "" most recent (quorum read), "0" any cached
  std::string resource_version_match;  // "NotOlderThan" | "Exact" | ""
  Timeout timeout;
};

// One page of a list, or all of them (ListAll). Items carry kind and apiVersion, which the
// server leaves out of list items, so they can be sent back as they are.
struct ObjectList {
  std::vector<nlohmann::json> items;
  std::string resource_version;  // of the list: where a watch should start
  std::string continue_token;    // empty on the last page
};

struct WriteOptions {
  std::string field_manager;
  bool dry_run = false;
  Timeout timeout;
};

enum class PatchType { kMerge, kStrategicMerge, kJson };

struct PatchOptions {
  std::string subresource;  // "status", "scale", ... or empty
  std::string field_manager;
  bool dry_run = false;
  Timeout timeout;
};

struct ApplyOptions {
  std::string field_manager;  // required by the server for apply
  bool force = false;         // take ownership of fields other managers own
  std::string subresource;
  bool dry_run = false;
  Timeout timeout;
};

struct DeleteOptions {
  std::string propagation_policy;  // "Foreground" | "Background" | "Orphan" | ""
  std::optional<int64_t> grace_period_seconds;
  // Delete only if the object still has this uid / resourceVersion (else Conflict).
  std::string precondition_uid;
  std::string precondition_resource_version;
  bool dry_run = false;
  Timeout timeout;
};

// Anything the typed calls do not cover: discovery, /version, proxy subresources, logs.
struct RawRequest {
  std::string method = "GET";
  std::string path;  // "/version", "/api/v1/namespaces/x/pods/y/log?container=z"
  std::string body;
  std::string content_type = "application/json";
  std::string accept = "application/json";
  bool idempotent = false;  // true lets the client retry ambiguous failures
  Timeout timeout;
};

}  // namespace vc::kube
