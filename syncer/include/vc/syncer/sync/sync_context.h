// SPDX-License-Identifier: Apache-2.0
// What every per-kind syncer shares: the two clients, who the tenant is, what the values ask,
// and how pods reach the virtual API server and the kubelet relay. Built once by `run`.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "vc/kube/client.h"
#include "vc/syncer/sync/sync_metrics.h"
#include "vc/syncer/translate/names.h"
#include "vc/syncer/translate/node_translator.h"
#include "vc/syncer/translate/pod_translator.h"
#include "vc/syncer/translate/sync_config.h"

namespace vc::syncer::sync {

struct SyncContext {
  std::shared_ptr<kube::Client> host;
  std::shared_ptr<kube::Client> virtual_cluster;
  translate::Tenant tenant;
  translate::SyncConfig config;
  translate::PodEnvironment pod_env;
  translate::KubeletEndpoint kubelet;
  std::chrono::milliseconds resync_period{std::chrono::minutes(5)};
  // Where controllers report (/metrics, the sync-health report); none in most unit tests.
  std::shared_ptr<SyncMetrics> metrics;
};

// An Event in the virtual cluster about `object`. Its name is derived from the object and the
// reason + message, so recording the same thing again is a no-op (AlreadyExists), not spam.
void RecordVirtualEvent(kube::Client& virtual_cluster, const nlohmann::json& object,
                        const std::string& type, const std::string& reason,
                        const std::string& message);

// A virtual object a host policy refuses (`why`): logged, a SyncRefused Event on it, and the
// last refusal in ctx.metrics. `controller` names the syncer ("pods").
void RecordRefusal(const SyncContext& ctx, const std::string& controller,
                   const nlohmann::json& object, const std::string& why);

// A virtual object a host policy refuses (`why`): a SyncRefused Event on it, and its host copy
// `host_name` in the tenant's namespace deleted if there is one. Nothing of it stays synced.
Status RefuseOnHost(const SyncContext& ctx, const kube::Resource& resource,
                    const nlohmann::json& virtual_object, const std::string& host_name,
                    bool host_copy_exists, const std::string& why);

// "ns/name" -> {ns, name}; "name" -> {"", name}.
std::pair<std::string, std::string> SplitKey(const std::string& key);

// A virtual key's names on both sides: its namespace and name, and its host copy's name in the
// tenant's host namespace (translate::HostName).
struct KeyNames {
  std::string key;
  std::string ns;
  std::string name;
  std::string host_name;
  std::string hns;
};
KeyNames NamesOfKey(const std::string& key, const translate::Tenant& tenant);

// A kind's syncer as `run` drives it.
class KindSyncer {
 public:
  virtual ~KindSyncer() = default;
  virtual std::string name() const = 0;
  virtual void Start() = 0;
  // Both sides' caches filled (before that, "missing on the host" means nothing).
  virtual bool WaitForSync(std::chrono::milliseconds timeout) = 0;
  virtual void Stop() = 0;
};

}  // namespace vc::syncer::sync
