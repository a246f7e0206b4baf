// SPDX-License-Identifier: Apache-2.0
// What the syncer reports about itself: per controller (one per kind and direction) the
// objects it keeps synced, its queue, its reconciles and errors, and a histogram of the lag
// from a change being seen to it being written on the other side; and the last object a host
// policy refused. Served as Prometheus text on the health port (/metrics: counts only, no
// object names) and written as a summary to the syncer's own host pod (annotation
// `kubectl-vc.dev/sync-health`), which `kubectl vc describe` shows.
//
// Lag is controller-runtime's queue + work duration of one change: from the first time a key
// was queued by an informer event (of the virtual side or the host side) until a reconcile of
// it succeeded, retries included.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace vc::syncer::sync {

// Which side's event queued a key: the lag of a virtual change is the time to the host, of a
// host change the time back to the virtual cluster. kOther (timers, other syncers) is not lag.
enum class Origin { kOther, kVirtual, kHost };

// An informer update on `side`: a change, or a resync (the same resourceVersion: kOther).
Origin OriginOfUpdate(const nlohmann::json& old_object, const nlohmann::json& new_object,
                      Origin side);

struct LagHistogram {
  // Upper bounds, seconds (the last bucket, +Inf, is implied).
  static constexpr std::array<double, 12> kBounds = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                     0.5,   1,    2.5,   5,    10,  30};
  std::array<uint64_t, kBounds.size() + 1> counts{};  // per bucket, not cumulative
  uint64_t count = 0;
  double sum = 0;

  void Observe(double seconds);
  // The upper bound of the bucket that holds quantile q (0..1), as Prometheus'
  // histogram_quantile would bound it; nullopt without samples; +Inf past the last bound.
  std::optional<double> QuantileBound(double q) const;
};

struct ControllerStats {
  std::string controller;          // "pods", "configmaps", "ingressclasses-from-host", ...
  uint64_t queued = 0;             // queued, processing or waiting to retry (not timers)
  std::optional<uint64_t> synced;  // objects it keeps synced, where that is countable
  uint64_t reconciles = 0;
  uint64_t errors = 0;
  uint64_t failing = 0;     // keys whose last reconcile failed (retried with backoff)
  LagHistogram to_host;     // changes that came from the virtual side
  LagHistogram to_virtual;  // changes that came from the host side
};

struct Refusal {
  double unix_seconds = 0;
  std::string controller;
  std::string object;  // virtual ns/name
  std::string message;
};

class Controller;

// The registry the health server and the reporter read. Controllers add themselves
// (Controller::ReportTo) and leave when destroyed; all methods are thread-safe.
class SyncMetrics {
 public:
  void Add(const Controller* controller);
  void Remove(const Controller* controller);
  void RecordRefusal(Refusal refusal);

  std::vector<ControllerStats> Controllers() const;  // sorted by name
  std::optional<Refusal> LastRefusal() const;

 private:
  mutable std::mutex mu_;
  std::vector<const Controller*> controllers_;
  std::optional<Refusal> last_refusal_;
};

// Prometheus text exposition (0.0.4) of a snapshot.
std::string FormatPrometheus(const std::vector<ControllerStats>& controllers,
                             const std::optional<Refusal>& last_refusal);

// The summary `kubectl vc describe` shows (the pod annotation's JSON): per controller synced,
// queued, failing (keys whose last reconcile failed) and the p50/p99 lag bounds each way; the last
// refusal; `at`, the report time (RFC 3339). No counts that grow with every reconcile: a quiet
// syncer's report stays the same.
nlohmann::json SyncHealth(const std::vector<ControllerStats>& controllers,
                          const std::optional<Refusal>& last_refusal);

}  // namespace vc::syncer::sync
