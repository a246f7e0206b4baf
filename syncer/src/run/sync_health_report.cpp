// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/run/sync_health_report.h"

#include "vc/log.h"

namespace vc::syncer::run {

using nlohmann::json;

SyncHealthReport::SyncHealthReport(std::shared_ptr<kube::Client> host, std::string namespace_,
                                   std::string pod, std::shared_ptr<sync::SyncMetrics> metrics,
                                   std::chrono::milliseconds period)
    : host_(std::move(host)),
      namespace_(std::move(namespace_)),
      pod_(std::move(pod)),
      metrics_(std::move(metrics)),
      period_(period) {}

Status SyncHealthReport::ReportOnce() {
  json health = sync::SyncHealth(metrics_->Controllers(), metrics_->LastRefusal());
  json compared = health;
  compared.erase("at");
  if (compared == last_written_) return Status::Ok();
  const json patch = {{"metadata", {{"annotations", {{kSyncHealthAnnotation, health.dump()}}}}}};
  auto patched =
      host_->Patch(kube::resources::kPods, namespace_, pod_, kube::PatchType::kMerge, patch.dump());
  if (!patched.ok()) return patched.status().Annotate("report sync health on pod " + pod_);
  last_written_ = std::move(compared);
  return Status::Ok();
}

void SyncHealthReport::Start() {
  thread_ = std::thread([this] {
    bool failing = false;
    do {
      Status s = ReportOnce();
      if (!s.ok() && !failing) VC_LOG(Warning) << s.message() << " (retried every period)";
      failing = !s.ok();
    } while (!stop_.WaitFor(period_));
  });
}

void SyncHealthReport::Stop() {
  stop_.Cancel();
  if (thread_.joinable()) thread_.join();
}

}  // namespace vc::syncer::run
