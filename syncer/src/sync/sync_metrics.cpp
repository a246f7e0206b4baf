// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/sync/sync_metrics.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "vc/prometheus_text.h"
#include "vc/rfc3339.h"
#include "vc/syncer/sync/work_queue.h"

namespace vc::syncer::sync {

using nlohmann::json;

Origin OriginOfUpdate(const json& old_object, const json& new_object, Origin side) {
  const json::json_pointer rv("/metadata/resourceVersion");
  const std::string before = old_object.value(rv, std::string());
  return !before.empty() && before == new_object.value(rv, std::string()) ? Origin::kOther : side;
}

void LagHistogram::Observe(double seconds) {
  size_t bucket = 0;
  while (bucket < kBounds.size() && seconds > kBounds[bucket]) ++bucket;
  ++counts[bucket];
  ++count;
  sum += seconds;
}

std::optional<double> LagHistogram::QuantileBound(double q) const {
  if (count == 0) return std::nullopt;
  const double want = std::max(1.0, std::ceil(q * static_cast<double>(count)));
  uint64_t seen = 0;
  for (size_t b = 0; b < counts.size(); ++b) {
    seen += counts[b];
    if (static_cast<double>(seen) >= want) {
      return b < kBounds.size() ? kBounds[b] : std::numeric_limits<double>::infinity();
    }
  }
  return std::numeric_limits<double>::infinity();
}

void SyncMetrics::Add(const Controller* controller) {
  std::lock_guard lock(mu_);
  controllers_.push_back(controller);
}

void SyncMetrics::Remove(const Controller* controller) {
  std::lock_guard lock(mu_);
  controllers_.erase(std::remove(controllers_.begin(), controllers_.end(), controller),
                     controllers_.end());
}

void SyncMetrics::RecordRefusal(Refusal refusal) {
  std::lock_guard lock(mu_);
  last_refusal_ = std::move(refusal);
}

std::vector<ControllerStats> SyncMetrics::Controllers() const {
  std::vector<ControllerStats> out;
  {
    std::lock_guard lock(mu_);
    for (const Controller* c : controllers_) out.push_back(c->Stats());
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.controller < b.controller; });
  return out;
}

std::optional<Refusal> SyncMetrics::LastRefusal() const {
  std::lock_guard lock(mu_);
  return last_refusal_;
}

namespace {

void WriteHistogram(PrometheusText& w, const std::string& name, const std::string& labels,
                    const LagHistogram& h) {
  uint64_t cumulative = 0;
  for (size_t b = 0; b < h.counts.size(); ++b) {
    cumulative += h.counts[b];
    std::string le = b < LagHistogram::kBounds.size() ? "" : "+Inf";
    if (le.empty()) {
      std::ostringstream bound;
      bound << LagHistogram::kBounds[b];
      le = bound.str();
    }
    w.Sample(name + "_bucket", labels + "," + PrometheusText::Label("le", le), cumulative);
  }
  w.Fixed(name + "_sum", labels, h.sum, 6);
  w.Sample(name + "_count", labels, h.count);
}

json LagSummary(const LagHistogram& h) {
  json out = json::object();
  for (const auto& [key, q] : {std::pair{"p50", 0.5}, std::pair{"p99", 0.99}}) {
    const auto bound = h.QuantileBound(q);
    if (!bound) continue;
    out[key] = std::isinf(*bound) ? json("+Inf") : json(*bound);
  }
  return out;
}

}  // namespace

std::string FormatPrometheus(const std::vector<ControllerStats>& controllers,
                             const std::optional<Refusal>& last_refusal) {
  PrometheusText w;
  auto label = [](const ControllerStats& c) {
    return PrometheusText::Label("controller", c.controller);
  };
  w.Header("vc_syncer_synced_objects", "gauge",
           "Objects a controller keeps synced (its copies on the other side).");
  for (const auto& c : controllers) {
    if (c.synced) w.Sample("vc_syncer_synced_objects", label(c), *c.synced);
  }
  w.Header("vc_syncer_queue_depth", "gauge",
           "Keys queued, processing or waiting to retry a failure.");
  for (const auto& c : controllers) w.Sample("vc_syncer_queue_depth", label(c), c.queued);
  w.Header("vc_syncer_reconciles_total", "counter", "Reconciles run.");
  for (const auto& c : controllers) w.Sample("vc_syncer_reconciles_total", label(c), c.reconciles);
  w.Header("vc_syncer_sync_errors_total", "counter", "Reconciles that failed (and are retried).");
  for (const auto& c : controllers) w.Sample("vc_syncer_sync_errors_total", label(c), c.errors);
  w.Header("vc_syncer_failing_keys", "gauge", "Objects whose last reconcile failed.");
  for (const auto& c : controllers) w.Sample("vc_syncer_failing_keys", label(c), c.failing);
  w.Header("vc_syncer_sync_lag_seconds", "histogram",
           "From a change being seen on one side to it being written on the other, retries "
           "included; by direction.");
  for (const auto& c : controllers) {
    for (const auto& [direction, h] :
         {std::pair{"to_host", &c.to_host}, std::pair{"to_virtual", &c.to_virtual}}) {
      if (h->count == 0) continue;
      WriteHistogram(w, "vc_syncer_sync_lag_seconds",
                     label(c) + "," + PrometheusText::Label("direction", direction), *h);
    }
  }
  w.Header("vc_syncer_last_refusal_timestamp_seconds", "gauge",
           "Unix time a host policy last refused a tenant's object (0: never).");
  w.Fixed("vc_syncer_last_refusal_timestamp_seconds", "",
          last_refusal ? last_refusal->unix_seconds : 0, 3);
  return w.str();
}

json SyncHealth(const std::vector<ControllerStats>& controllers,
                const std::optional<Refusal>& last_refusal) {
  json out = {{"at", FormatRfc3339(std::chrono::system_clock::now())},
              {"controllers", json::array()}};
  for (const auto& c : controllers) {
    json entry = {{"name", c.controller}, {"queued", c.queued}, {"failing", c.failing}};
    if (c.synced) entry["synced"] = *c.synced;
    if (c.to_host.count != 0) entry["lagToHost"] = LagSummary(c.to_host);
    if (c.to_virtual.count != 0) entry["lagToVirtual"] = LagSummary(c.to_virtual);
    out["controllers"].push_back(std::move(entry));
  }
  if (last_refusal) {
    const auto when = std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::duration<double>(last_refusal->unix_seconds)));
    out["lastRefusal"] = {{"at", FormatRfc3339(when)},
                          {"controller", last_refusal->controller},
                          {"object", last_refusal->object},
                          {"message", last_refusal->message}};
  }
  return out;
}

}  // namespace vc::syncer::sync
