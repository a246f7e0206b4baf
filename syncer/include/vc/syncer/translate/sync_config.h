// SPDX-License-Identifier: Apache-2.0
// SyncConfig: what the effective values (Secret vc-config-NAME, config.yaml) ask of the
// syncer, read once at start. Pure: values in, config out; missing keys take the schema's
// defaults (kubectl-vc/src/values/values.schema.json), so a config from an older kubectl-vc
// still works.
#pragma once

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "vc/status.h"
#include "vc/syncer/translate/custom_resources.h"

namespace vc::syncer::translate {

struct Toleration {
  std::string key;
  std::string op = "Equal";  // Equal | Exists
  std::string value;
  std::string effect;  // "" = every effect
};

enum class NodeSyncMode {
  kPseudo,    // default: a sanitized stand-in for each host node that runs the tenant's pods
  kSelected,  // sync.fromHost.nodes.enabled: the real nodes (labels included) that match
  kAll,       // ... selector.all
};

struct SyncConfig {
  // toHost
  bool pods = true;
  bool services = true;
  bool endpoints = true;
  bool ingresses = false;
  bool config_maps = true;
  bool config_maps_all = false;
  bool secrets = true;
  bool secrets_all = false;
  bool pvcs = true;
  std::vector<Toleration> enforce_tolerations;
  // fromHost
  NodeSyncMode nodes = NodeSyncMode::kPseudo;
  std::map<std::string, std::string> node_selector;  // kSelected
  // sync.fromHost.nodes.syncBackChanges, honoured at trust high only: the labels, taints and
  // extended resources a tenant writes on a mirrored node go to the host node.
  bool node_sync_back = false;
  // sync.toHost.priorityClasses, honoured at trust high only (its pods could preempt others').
  bool priority_classes = false;
  // sync.toHost.podDisruptionBudgets, honoured at trust high only (a budget that allows no
  // disruption holds the drain of a node other tenants share).
  bool pod_disruption_budgets = false;
  bool events = true;
  bool ingress_classes = false;
  // sync.fromHost.runtimeClasses.enabled: host RuntimeClasses shown in the virtual cluster, and
  // pods that name a RuntimeClass run with the host's of the same handler. Off: such pods are
  // refused (nothing to check the handler against).
  bool runtime_classes = false;
  // sync.fromHost.{storageClasses,csiDrivers,csiNodes}.enabled: the host's, read-only (CSINodes
  // name every host node: at trust high only).
  bool storage_classes = false;
  bool csi_drivers = false;
  bool csi_nodes = false;
  // sync.fromHost.priorityClasses.enabled, honoured at trust high only: the host's classes
  // shown, and a pod naming one runs with it on the host.
  bool host_priority_classes = false;
  // sync.toHost.customResources and sync.fromHost.customResources (custom_resources.h), not
  // honoured at trust level zero: a host controller acting on the tenant's objects, or host
  // objects shown to it, is a channel between tenants the node cannot watch.
  std::vector<CustomResourceSync> to_host_custom_resources;
  std::vector<CustomResourceSync> from_host_custom_resources;
  // "hostns/name" -> "virtualns/name"; "hostns/*" -> "virtualns/*" maps a whole namespace.
  std::map<std::string, std::string> config_map_mappings;
  // placement and policy
  // controlPlane.advanced.virtualScheduler.enabled: the virtual cluster's kube-scheduler binds
  // pods; a host pod is made only for a bound pod, and pinned to its node.
  bool virtual_scheduler = false;
  std::string trust_level = "high";
  std::string pod_security_standard;  // "" | privileged | baseline | restricted
  bool dedicated_nodes = false;
  std::map<std::string, std::string> dedicated_node_selector;
  std::vector<std::string> service_types = {"ClusterIP", "NodePort", "LoadBalancer",
                                            "ExternalName"};
  // networking
  nlohmann::json replicate_services_to_host = nlohmann::json::array();
  nlohmann::json replicate_services_from_host = nlohmann::json::array();
  nlohmann::json resolve_dns = nlohmann::json::array();
  std::string cluster_domain = "cluster.local";
  // experimental.deploy.vcluster.manifests
  std::string manifests;
  // sleepMode.autoSleep.afterInactivity while sleepMode.enabled ("" : never sleeps); checked
  // by CheckSyncConfig, read with sleep_after().
  std::string sleep_after_inactivity;
  std::chrono::milliseconds sleep_after() const;
};

SyncConfig SyncConfigFromValues(const nlohmann::json& values);

// What the syncer cannot check against fails closed: a trust level, pod security standard or
// service type it does not know (a config Secret edited on the host, or written by a newer
// kubectl-vc) is an error naming the key, and the syncer does not start, rather than treating
// the unknown as the most permissive (an unknown trust level would mean no pod checks).
Status CheckSyncConfig(const SyncConfig& config);

// "key=value:Effect", "key:Effect", "key" (Exists), as vcluster's enforceTolerations.
Toleration ParseToleration(const std::string& text);

}  // namespace vc::syncer::translate
