// SPDX-License-Identifier: Apache-2.0
// sleepMode.autoSleep: the syncer puts its virtual cluster to sleep once no user or workload
// has asked its API server anything for `after` (activity.h). Sleeping is what `kubectl vc
// pause` does, marked as the syncer's: the tenant's workload pods deleted from the host, then
// the control plane's StatefulSet scaled to 0 with the paused-replicas/at/by annotations
// (vc/labels.h), which `kubectl vc list` shows as Sleeping and `kubectl vc resume` or a
// request through `kubectl vc connect` undoes. The state on the volume is kept; on waking the
// syncer makes the workloads again.
#pragma once

#include <chrono>
#include <string>

#include "vc/kube/client.h"
#include "vc/status.h"
#include "vc/syncer/translate/names.h"

namespace vc::syncer::sleep {

// Whether `last_activity` is at least `after` before `now` (after > 0).
bool Idle(std::chrono::system_clock::time_point last_activity,
          std::chrono::system_clock::time_point now, std::chrono::milliseconds after);

// The StatefulSet patch that sleeps a control plane running `replicas` (pure).
nlohmann::json SleepPatch(int replicas, const std::string& now_rfc3339);

// Puts the tenant to sleep. Call with the syncers stopped (nothing may make host pods again):
// deletes the workload pods, then scales the StatefulSet NAME to 0, which ends this pod.
// An error leaves the cluster running (the caller exits, the syncer restarts and syncs).
Status GoToSleep(kube::Client& host, const translate::Tenant& tenant);

// The StatefulSet patch that wakes a control plane asleep with `statefulset`'s annotations, or
// null when it is not asleep: running, or paused by a person (that stays paused). Pure.
nlohmann::json WakePatch(const nlohmann::json& statefulset);

// sleepMode.autoWakeup (`vc-syncer wake`, run by the host CronJob NAME-wake): wakes the virtual
// cluster NAME in `ns` if sleepMode put it to sleep. `*woke` says whether it did.
Status WakeUp(kube::Client& host, const std::string& ns, const std::string& name, bool* woke);

}  // namespace vc::syncer::sleep
