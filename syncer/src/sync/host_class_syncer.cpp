// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/sync/host_class_syncer.h"

#include "vc/labels.h"
#include "vc/log.h"
#include "vc/syncer/sync/host_config_map_syncer.h"
#include "vc/syncer/translate/names.h"

namespace vc::syncer::sync {

using nlohmann::json;

json VirtualClassObject(const json& h) {
  const json& meta = translate::ObjectAt(h, "metadata");
  json labels = translate::ObjectAt(meta, "labels");
  labels[kFromHostLabel] = "true";
  json out = {{"apiVersion", h.value("apiVersion", "")},
              {"kind", h.value("kind", "")},
              {"metadata", {{"name", meta.value("name", "")}, {"labels", labels}}}};
  json annotations = translate::ObjectAt(meta, "annotations");
  annotations.erase("kubectl.kubernetes.io/last-applied-configuration");
  if (!annotations.empty()) out["metadata"]["annotations"] = annotations;
  // What the class says: an IngressClass's spec, a RuntimeClass's handler, overhead and
  // scheduling.
  for (const auto& [key, value] : h.items()) {
    if (key != "apiVersion" && key != "kind" && key != "metadata" && key != "status") {
      out[key] = value;
    }
  }
  // The host's default priority is the host's: in the virtual cluster it would clash with the
  // tenant's own default (one is allowed) and stop the copy for good.
  if (out.contains("globalDefault")) out["globalDefault"] = false;
  return out;
}

bool SyncedByATenant(const json& host_object) {
  return translate::ObjectAt(translate::ObjectAt(host_object, "metadata"), "labels")
      .contains(labels::kTenant);
}

std::optional<json> HostClassSyncer::HostObject(const std::string& name) const {
  auto h = host_->Get("", name);
  if (!h || SyncedByATenant(*h)) return std::nullopt;
  return h;
}

std::vector<json> HostClassSyncer::HostObjects() const { return host_->List(); }

HostClassSyncer::HostClassSyncer(std::shared_ptr<const SyncContext> ctx, kube::Resource resource)
    : ctx_(std::move(ctx)),
      resource_(std::move(resource)),
      controller_("sync " + resource_.resource + " from host",
                  [this](const std::string& key) { return Reconcile(key); }) {
  auto enqueue = [this](const json& o) {
    controller_.Enqueue(kube::Informer::KeyOf(o), Origin::kHost);
  };
  host_ = std::make_unique<kube::Informer>(
      ctx_->host,
      kube::InformerOptions{.resource = resource_, .resync_period = ctx_->resync_period},
      kube::InformerHandlers{enqueue,
                             [this](const json& old, const json& o) {
                               controller_.Enqueue(kube::Informer::KeyOf(o),
                                                   OriginOfUpdate(old, o, Origin::kHost));
                             },
                             enqueue});
  controller_.ReportTo(ctx_->metrics, [this] { return host_->Size(); });
}

void HostClassSyncer::Start() { host_->Start(); }

bool HostClassSyncer::WaitForSync(std::chrono::milliseconds timeout) {
  const bool synced = host_->WaitForSync(timeout);
  if (!synced) return false;
  // Copies of classes the host deleted while this syncer was not running (a restart, sleep):
  // no host event will name them, so each copy is looked at once now.
  kube::ListOptions copies{.label_selector = std::string(kFromHostLabel) + "=true"};
  auto listed = ctx_->virtual_cluster->ListAll(resource_, "", copies);
  if (!listed.ok()) {
    VC_LOG(Warning) << "sync " << resource_.resource
                    << " from host: list the copies: " << listed.status().message();
    return false;
  }
  for (const json& copy : listed->items) {
    controller_.Enqueue(kube::Informer::KeyOf(copy), Origin::kHost);
  }
  controller_.Start();
  return true;
}

void HostClassSyncer::Stop() {
  controller_.Stop();
  if (host_) host_->Stop();
}

Status HostClassSyncer::Reconcile(const std::string& name) {
  auto& vc = *ctx_->virtual_cluster;
  auto have = vc.Get(resource_, "", name);
  if (!have.ok() && have.status().code() != Code::kNotFound) return have.status();
  const bool ours =
      have.ok() && translate::ObjectAt(translate::ObjectAt(*have, "metadata"), "labels")
                           .value(kFromHostLabel, "") == "true";
  if (have.ok() && !ours) return Status::Ok();
  auto h = HostObject(name);  // another tenant's synced copy is not the host's
  if (!h) {
    if (!have.ok()) return Status::Ok();
    auto deleted = vc.Delete(resource_, "", name);
    return deleted.ok() || deleted.status().code() == Code::kNotFound ? Status::Ok()
                                                                      : deleted.status();
  }
  auto applied = vc.Apply(resource_, "", name, VirtualClassObject(*h).dump(),
                          {.field_manager = "vc-syncer", .force = true});
  if (applied.ok()) return Status::Ok();
  if (applied.status().code() == Code::kInvalid && have.ok()) {
    // A field that cannot change (a PriorityClass's value, a StorageClass's provisioner): the
    // host made the class anew. The copy goes, and the retry makes it again.
    auto deleted = vc.Delete(resource_, "", name);
    if (!deleted.ok() && deleted.status().code() != Code::kNotFound) return deleted.status();
  }
  return applied.status();
}

}  // namespace vc::syncer::sync
