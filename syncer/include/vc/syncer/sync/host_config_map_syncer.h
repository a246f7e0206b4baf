// SPDX-License-Identifier: Apache-2.0
// HostConfigMapSyncer: sync.fromHost.configMaps.mappings.byName, host -> virtual.
//   "platform/settings": "shared/settings"   one ConfigMap
//   "platform/*": "shared/*"                  every ConfigMap of a host namespace
// The virtual copy carries kubectl-vc.dev/from-host=true, follows the host object and is
// deleted with it (also when that happened while the syncer was not running, or when no mapping
// makes it any more: its copies are looked at once at start); the virtual namespace is created
// when missing. Needs read access to the
// source namespaces' ConfigMaps on the host (kubectl-vc renders it when the mapping is on).
#pragma once

#include <map>
#include <memory>
#include <vector>

#include "vc/kube/informer.h"
#include "vc/syncer/sync/sync_context.h"
#include "vc/syncer/sync/work_queue.h"

namespace vc::syncer::sync {

inline constexpr const char* kFromHostLabel = "kubectl-vc.dev/from-host";

// Where host ns/name goes in the virtual cluster ("ns/name"), or "" when no mapping covers it.
std::string MapHostConfigMap(const std::map<std::string, std::string>& mappings,
                             const std::string& host_ns, const std::string& host_name);

// The host key ("ns/name") whose mapping makes virtual vns/vname, or "" when none does.
std::string UnmapVirtualConfigMap(const std::map<std::string, std::string>& mappings,
                                  const std::string& vns, const std::string& vname);

class HostConfigMapSyncer : public KindSyncer {
 public:
  explicit HostConfigMapSyncer(std::shared_ptr<const SyncContext> ctx);
  ~HostConfigMapSyncer() override { Stop(); }

  std::string name() const override { return "configmaps from host"; }
  void Start() override;
  bool WaitForSync(std::chrono::milliseconds timeout) override;
  void Stop() override;

 private:
  Status Reconcile(const std::string& host_key);
  std::optional<nlohmann::json> HostGet(const std::string& ns, const std::string& name) const;

  std::shared_ptr<const SyncContext> ctx_;
  std::map<std::string, std::unique_ptr<kube::Informer>> host_;  // by host namespace
  Controller controller_;
};

}  // namespace vc::syncer::sync
