// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/sync/host_config_map_syncer.h"

#include "vc/log.h"
#include "vc/syncer/translate/custom_resources.h"

namespace vc::syncer::sync {

using nlohmann::json;
namespace r = kube::resources;

std::string MapHostConfigMap(const std::map<std::string, std::string>& mappings,
                             const std::string& host_ns, const std::string& host_name) {
  if (auto it = mappings.find(host_ns + "/" + host_name); it != mappings.end()) return it->second;
  if (auto it = mappings.find(host_ns + "/*"); it != mappings.end()) {
    const auto [vns, star] = SplitKey(it->second);
    if (star == "*" && !vns.empty()) return vns + "/" + host_name;
  }
  return {};
}

HostConfigMapSyncer::HostConfigMapSyncer(std::shared_ptr<const SyncContext> ctx)
    : ctx_(std::move(ctx)),
      controller_("sync configmaps from host",
                  [this](const std::string& key) { return Reconcile(key); }) {
  auto enqueue = [this](const json& o) {
    controller_.Enqueue(kube::Informer::KeyOf(o), Origin::kHost);
  };
  for (const auto& [from, to] : ctx_->config.config_map_mappings) {
    const auto [ns, name] = SplitKey(from);
    if (ns.empty() || host_.count(ns) != 0) continue;
    host_[ns] = std::make_unique<kube::Informer>(
        ctx_->host,
        kube::InformerOptions{
            .resource = r::kConfigMaps, .namespace_ = ns, .resync_period = ctx_->resync_period},
        kube::InformerHandlers{enqueue,
                               [this](const json& old, const json& o) {
                                 controller_.Enqueue(kube::Informer::KeyOf(o),
                                                     OriginOfUpdate(old, o, Origin::kHost));
                               },
                               enqueue});
  }
  controller_.ReportTo(ctx_->metrics);
}

void HostConfigMapSyncer::Start() {
  for (auto& [_, informer] : host_) informer->Start();
}

std::string UnmapVirtualConfigMap(const std::map<std::string, std::string>& mappings,
                                  const std::string& vns, const std::string& vname) {
  for (const auto& [from, to] : mappings) {
    if (to == vns + "/" + vname) return from;
    const auto [hns, star] = SplitKey(from);
    if (star == "*" && to == vns + "/*") return hns + "/" + vname;
  }
  return {};
}

bool HostConfigMapSyncer::WaitForSync(std::chrono::milliseconds timeout) {
  for (auto& [_, informer] : host_) {
    if (!informer->WaitForSync(timeout)) return false;
  }
  // Copies whose host object went while this syncer was not running (a restart, sleep): no
  // host event will name them, so each is looked at once now; one no mapping makes any more
  // goes. (A ConfigMap a custom resource's reference imported is not one of ours here.)
  kube::ListOptions copies{.label_selector = std::string(kFromHostLabel) + "=true"};
  auto listed = ctx_->virtual_cluster->ListAll(r::kConfigMaps, "", copies);
  if (!listed.ok()) {
    VC_LOG(Warning) << "sync configmaps from host: list the copies: " << listed.status().message();
    return false;
  }
  for (const json& copy : listed->items) {
    const json& meta = translate::ObjectAt(copy, "metadata");
    if (translate::ObjectAt(meta, "annotations").contains(translate::kImportedFrom)) continue;
    const std::string vns = meta.value("namespace", "");
    const std::string vname = meta.value("name", "");
    const std::string host_key =
        UnmapVirtualConfigMap(ctx_->config.config_map_mappings, vns, vname);
    if (!host_key.empty()) {
      controller_.Enqueue(host_key, Origin::kHost);
      continue;
    }
    auto deleted = ctx_->virtual_cluster->Delete(r::kConfigMaps, vns, vname);
    if (!deleted.ok() && deleted.status().code() != Code::kNotFound) {
      VC_LOG(Warning) << "sync configmaps from host: delete unmapped copy " << vns << "/" << vname
                      << ": " << deleted.status().message();
    }
  }
  controller_.Start();
  return true;
}

void HostConfigMapSyncer::Stop() {
  controller_.Stop();
  for (auto& [_, informer] : host_) informer->Stop();
}

std::optional<json> HostConfigMapSyncer::HostGet(const std::string& ns,
                                                 const std::string& name) const {
  auto it = host_.find(ns);
  return it == host_.end() ? std::nullopt : it->second->Get(ns, name);
}

Status HostConfigMapSyncer::Reconcile(const std::string& host_key) {
  const auto [hns, hname] = SplitKey(host_key);
  const std::string target = MapHostConfigMap(ctx_->config.config_map_mappings, hns, hname);
  if (target.empty()) return Status::Ok();
  const auto [vns, vname] = SplitKey(target);
  auto h = HostGet(hns, hname);
  auto& vc = *ctx_->virtual_cluster;
  if (!h) {
    auto have = vc.Get(r::kConfigMaps, vns, vname);
    if (!have.ok()) return have.status().code() == Code::kNotFound ? Status::Ok() : have.status();
    if (translate::ObjectAt(translate::ObjectAt(*have, "metadata"), "labels")
            .value(kFromHostLabel, "") != "true") {
      return Status::Ok();  // the tenant's own object: not ours to delete
    }
    auto deleted = vc.Delete(r::kConfigMaps, vns, vname);
    return deleted.ok() || deleted.status().code() == Code::kNotFound ? Status::Ok()
                                                                      : deleted.status();
  }
  json want = {
      {"apiVersion", "v1"},
      {"kind", "ConfigMap"},
      {"metadata", {{"name", vname}, {"namespace", vns}, {"labels", {{kFromHostLabel, "true"}}}}}};
  for (const char* key : {"data", "binaryData"}) {
    if (h->contains(key)) want[key] = (*h)[key];
  }
  auto applied = vc.Apply(r::kConfigMaps, vns, vname, want.dump(),
                          {.field_manager = "vc-syncer", .force = true});
  if (applied.ok()) return Status::Ok();
  if (applied.status().code() != Code::kNotFound) return applied.status();
  // The virtual namespace does not exist yet.
  const json ns = {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", vns}}}};
  auto created = vc.Create(r::kNamespaces, "", ns);
  if (!created.ok() && created.status().code() != Code::kAlreadyExists) return created.status();
  auto again = vc.Apply(r::kConfigMaps, vns, vname, want.dump(),
                        {.field_manager = "vc-syncer", .force = true});
  return again.ok() ? Status::Ok() : again.status();
}

}  // namespace vc::syncer::sync
