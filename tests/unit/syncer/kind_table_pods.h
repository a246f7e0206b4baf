// SPDX-License-Identifier: Apache-2.0
// Pods in the table tests (kind_table_pod_test.cpp, and the nodes' and events' rows, which
// need pods running): what a virtual pod and its host pod look like, and the syncers that run
// pods as `vc-syncer run` wires them (run_command.cpp): ConfigMaps and Secrets a pod names,
// the pods, their nodes, and optionally the host's Events about them.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "kind_table.h"
#include "kind_table_objects.h"
#include "vc/syncer/sync/event_syncer.h"
#include "vc/syncer/sync/node_syncer.h"
#include "vc/syncer/sync/object_syncer.h"
#include "vc/syncer/sync/pod_syncer.h"

namespace vc::syncer::sync::table {

inline nlohmann::json Container(const std::string& image = "nginx:1") {
  return {{"name", "app"}, {"image", image}};
}

// The container as TranslatePod writes it: the environment the kubelet would give it is the
// syncer's to set (no Service links, no virtual API server in these rows: none).
inline nlohmann::json HostContainer(const std::string& image = "nginx:1") {
  return {{"name", "app"}, {"image", image}, {"env", nlohmann::json::array()}};
}

inline nlohmann::json Pod(nlohmann::json meta,
                          nlohmann::json spec = {{"containers", {Container()}}},
                          const nlohmann::json& status = nullptr) {
  nlohmann::json pod = {{"kind", "Pod"}, {"metadata", std::move(meta)}, {"spec", std::move(spec)}};
  if (!status.is_null()) pod["status"] = status;
  return pod;
}

// A virtual pod the syncer bound to `node` (the binding gave it PodScheduled).
inline nlohmann::json BoundPod(nlohmann::json meta, const std::string& node,
                               nlohmann::json status = nlohmann::json::object()) {
  status["conditions"] = {{{"type", "PodScheduled"}, {"status", "True"}}};
  return Pod(std::move(meta), {{"nodeName", node}, {"containers", {Container()}}}, status);
}

// Our host pod of virtual shop/NAME, placed on `node` ("": not yet), with `status`.
inline nlohmann::json HostPod(const std::string& name, const std::string& node = "",
                              const nlohmann::json& status = nullptr,
                              const nlohmann::json& extra_labels = nlohmann::json::object()) {
  nlohmann::json spec = {{"automountServiceAccountToken", false},
                         {"enableServiceLinks", false},
                         {"hostname", name},
                         {"containers", {HostContainer()}}};
  if (!node.empty()) spec["nodeName"] = node;
  return Pod(CopyMeta("shop", name, extra_labels), spec, status);
}

// What the kubelet reports of a running pod.
inline nlohmann::json Running(const std::string& ip) {
  return {{"phase", "Running"},
          {"hostIP", "192.0.2.1"},
          {"podIP", ip},
          {"podIPs", {{{"ip", ip}}}},
          {"conditions",
           {{{"type", "PodScheduled"}, {"status", "True"}},
            {{"type", "Initialized"}, {"status", "True"}},
            {{"type", "ContainersReady"}, {"status", "True"}},
            {{"type", "Ready"}, {"status", "True"}}}}};
}

// The syncers of pods: ConfigMaps and Secrets (copied when a pod names them), nodes, pods,
// and with `events` the host's Events about the pods.
inline MakeSyncers PodSyncers(bool events = false) {
  return [events](const std::shared_ptr<const SyncContext>& ctx) {
    auto config_maps = std::make_unique<ObjectSyncer>(ctx, ConfigMapKind(ctx->config));
    auto secrets = std::make_unique<ObjectSyncer>(ctx, SecretKind(ctx->config));
    auto pods = std::make_unique<PodSyncer>(ctx, config_maps.get(), secrets.get(), nullptr);
    PodSyncer* pods_raw = pods.get();
    auto nodes = std::make_unique<NodeSyncer>(ctx, [pods_raw](const std::string& node) {
      const int n = pods_raw->BoundPods(node);
      return n < 0 ? 1 : n;  // unknown: keep the node (as run_command.cpp does)
    });
    pods->SetNodes(nodes.get());
    std::vector<std::unique_ptr<KindSyncer>> out;
    out.push_back(std::move(config_maps));
    out.push_back(std::move(secrets));
    out.push_back(std::move(nodes));
    out.push_back(std::move(pods));
    if (events) {
      out.push_back(std::make_unique<EventSyncer>(ctx, [pods_raw](const std::string& host_pod) {
        return pods_raw->VirtualPodOf(host_pod);
      }));
    }
    return out;
  };
}

}  // namespace vc::syncer::sync::table
