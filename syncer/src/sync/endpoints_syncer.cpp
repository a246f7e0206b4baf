// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/sync/endpoints_syncer.h"

#include <set>
#include <tuple>
#include <vector>

#include "vc/log.h"
#include "vc/syncer/translate/endpoints_translator.h"

namespace vc::syncer::sync {

using nlohmann::json;
namespace r = kube::resources;
using Action = translate::EndpointsPlan::Action;

namespace {

std::string Uid(const json& o) { return translate::ObjectAt(o, "metadata").value("uid", ""); }

// The IPs a pod holds (none once it finished: they go back to the pool).
std::vector<std::string> PodIps(const json& pod) {
  std::vector<std::string> out;
  const json& status = translate::ObjectAt(pod, "status");
  const std::string phase = status.value("phase", "");
  if (phase == "Succeeded" || phase == "Failed") return out;
  const json ips = status.value("podIPs", json::array());
  if (ips.is_array()) {
    for (const json& ip : ips) {
      if (ip.is_object() && ip.contains("ip") && ip["ip"].is_string()) out.push_back(ip["ip"]);
    }
  }
  if (out.empty() && status.contains("podIP") && status["podIP"].is_string()) {
    out.push_back(status["podIP"]);
  }
  return out;
}

// What the host pods informer keeps: names and what PodIps reads.
json SlimPod(json pod) {
  json meta = json::object();
  for (const char* k : {"name", "namespace", "resourceVersion"}) {
    if (pod["metadata"].contains(k)) meta[k] = std::move(pod["metadata"][k]);
  }
  json status = json::object();
  for (const char* k : {"phase", "podIP", "podIPs"}) {
    if (pod["status"].contains(k)) status[k] = std::move(pod["status"][k]);
  }
  return {{"metadata", std::move(meta)}, {"status", std::move(status)}};
}

}  // namespace

EndpointsSyncer::EndpointsSyncer(std::shared_ptr<const SyncContext> ctx)
    : ctx_(std::move(ctx)),
      controller_("sync endpoints", [this](const std::string& key) { return Reconcile(key); }),
      services_(
          ctx_->virtual_cluster,
          kube::InformerOptions{.resource = r::kServices, .resync_period = ctx_->resync_period},
          kube::InformerHandlers{[this](const json& o) { EnqueueOf(o); },
                                 [this](const json&, const json& o) { EnqueueOf(o); },
                                 [this](const json& o) { EnqueueOf(o); }}),
      pair_(*ctx_, r::kEndpoints, &controller_, [this](const json& o) { KeepDeleted(o); }),
      host_pods_(
          ctx_->host,
          [this] {
            kube::InformerOptions o{.resource = r::kPods,
                                    .namespace_ = ctx_->tenant.host_namespace,
                                    .label_selector = translate::SyncedSelector(ctx_->tenant),
                                    .resync_period = ctx_->resync_period};
            o.transform = SlimPod;
            return o;
          }(),
          kube::InformerHandlers{
              [this](const json& o) { HostPodIpsChanged(nullptr, &o); },
              [this](const json& old, const json& o) { HostPodIpsChanged(&old, &o); },
              [this](const json& o) { HostPodIpsChanged(&o, nullptr); }}) {}

void EndpointsSyncer::HostPodIpsChanged(const json* before, const json* after) {
  if (ctx_->config.trust_level == "high") return;
  if ((before ? PodIps(*before) : std::vector<std::string>()) ==
      (after ? PodIps(*after) : std::vector<std::string>())) {
    return;
  }
  for (const json& e : pair_.virtual_cache().List()) controller_.Enqueue(kube::Informer::KeyOf(e));
}

translate::EndpointAddressFilter EndpointsSyncer::Filter() const {
  std::set<std::string> ips;
  if (ctx_->config.trust_level != "high") {
    for (const json& pod : host_pods_.List()) {
      for (std::string& ip : PodIps(pod)) ips.insert(std::move(ip));
    }
  }
  return translate::FilterForTrustLevel(ctx_->config, std::move(ips));
}

void EndpointsSyncer::EnqueueOf(const json& service) {
  controller_.Enqueue(kube::Informer::KeyOf(service));
}

void EndpointsSyncer::Start() {
  services_.Start();
  host_pods_.Start();
  pair_.Start();
}

bool EndpointsSyncer::WaitForSync(std::chrono::milliseconds timeout) {
  // The Services and host pods first: the controller (started by the pair) reads them.
  return services_.WaitForSync(timeout) && host_pods_.WaitForSync(timeout) &&
         pair_.WaitForSync(timeout);
}

void EndpointsSyncer::Stop() {
  pair_.Stop();
  host_pods_.Stop();
  services_.Stop();
}

void EndpointsSyncer::KeepAcrossServiceRecreation(const json& virtual_service) {
  if (!translate::SyncsEndpoints(virtual_service, ctx_->config)) return;
  const std::string key = kube::Informer::KeyOf(virtual_service);
  const auto [ns, name] = SplitKey(key);
  // From the server: Endpoints applied with the Service may not be in the cache yet. None
  // there yet is no reason not to open the window: they may come in the middle of it.
  auto live = ctx_->virtual_cluster->Get(r::kEndpoints, ns, name);
  if (!live.ok() && live.status().code() != Code::kNotFound) {
    VC_LOG(Warning) << "keep endpoints " << key
                    << " across the service's recreation: " << live.status().message();
  }
  std::lock_guard lock(mu_);
  kept_[key] = {live.ok() ? std::optional<json>(*live) : std::nullopt,
                std::chrono::steady_clock::now() + kRecreationWindow};
}

void EndpointsSyncer::ServiceRecreated(const std::string& key, const std::string& uid) {
  std::lock_guard lock(mu_);
  auto it = kept_.find(key);
  if (it == kept_.end()) return;
  if (uid.empty()) {
    kept_.erase(it);  // no Service: nothing to keep its Endpoints for
    return;
  }
  it->second.recreated = true;
  it->second.service_uid = uid;
}

void EndpointsSyncer::CloseWindow(const std::string& key) {
  std::lock_guard lock(mu_);
  kept_.erase(key);
}

std::optional<EndpointsSyncer::Kept> EndpointsSyncer::KeptCopy(const std::string& key,
                                                               const std::optional<json>& current) {
  std::lock_guard lock(mu_);
  auto it = kept_.find(key);
  if (it == kept_.end()) return std::nullopt;
  Kept& kept = it->second;
  if (std::chrono::steady_clock::now() > kept.until ||
      (current && kept.endpoints && Uid(*current) != Uid(*kept.endpoints))) {
    kept_.erase(it);
    return std::nullopt;
  }
  if (current) kept.endpoints = *current;
  return kept;
}

void EndpointsSyncer::KeepDeleted(const json& last_known) {
  const std::string key = kube::Informer::KeyOf(last_known);
  {
    std::lock_guard lock(mu_);
    auto it = kept_.find(key);
    if (it == kept_.end()) return;
    if (it->second.endpoints && Uid(*it->second.endpoints) != Uid(last_known)) return;
    it->second.endpoints = last_known;
  }
  // The pair queued the key before this ran: look again with the copy in place.
  controller_.Enqueue(key);
}

Status EndpointsSyncer::PutBack(const std::string& key, const json& kept) {
  auto created = ctx_->virtual_cluster->Create(r::kEndpoints, SplitKey(key).first,
                                               translate::RecreatedEndpoints(kept));
  if (!created.ok()) {
    if (created.status().code() == Code::kAlreadyExists) return Status::Ok();
    return created.status().Annotate("put back endpoints " + key);
  }
  VC_LOG(Info) << "put back virtual endpoints " << key
               << ", deleted with the service the syncer recreated for the host's ClusterIP";
  // The window stays open for the copy just made: the endpoints controller, told of its own
  // delete, may delete again while it has not seen the new Service yet.
  std::lock_guard lock(mu_);
  if (auto it = kept_.find(key); it != kept_.end()) it->second.endpoints = *created;
  return Status::Ok();
}

// The names one reconcile of a key works with, and what the caches hold under them.
struct EndpointsSyncer::KeyView : KeyNames {
  std::optional<json> service;
  std::optional<json> endpoints;
  std::optional<json> host;
  translate::EndpointAddressFilter filter;
};

void EndpointsSyncer::WarnOfRefusedAddresses(const KeyView& view) const {
  if (!view.endpoints || !view.service || !translate::SyncsEndpoints(*view.service, ctx_->config))
    return;
  const auto refused = translate::RefusedEndpointAddresses(*view.endpoints, view.filter);
  if (refused.empty()) return;
  std::string list;
  for (const std::string& ip : refused) list += (list.empty() ? "" : ", ") + ip;
  VC_LOG(Warning) << "endpoints " << view.key << ": not synced to the host: " << list;
  RecordVirtualEvent(*ctx_->virtual_cluster, *view.endpoints, "Warning", "EndpointAddressRefused",
                     "not synced to the host: " + list +
                         " (not a pod of this virtual cluster); trust level " +
                         ctx_->config.trust_level +
                         " syncs only its own pods' addresses (isolation.trustLevel: high "
                         "syncs any)");
}

Status EndpointsSyncer::DeleteHostEndpoints(const KeyView& view, const std::optional<Kept>& kept) {
  // The caches may lag behind a Service or Endpoints created just now: deleting on their
  // word would flap the host copy. Ask the server.
  auto live_service = ctx_->virtual_cluster->Get(r::kServices, view.ns, view.name);
  auto live_endpoints = ctx_->virtual_cluster->Get(r::kEndpoints, view.ns, view.name);
  for (const auto* live : {&live_service, &live_endpoints}) {
    if (!live->ok() && live->status().code() != Code::kNotFound) return live->status();
  }
  if (kept) {
    // Within the window of the Service's recreation: the Service may be between its delete
    // and its create, its Endpoints lost to the virtual endpoints controller. Neither is a
    // reason to drop the host copy.
    if (!live_service.ok() && !kept->recreated) {
      controller_.EnqueueAfter(view.key, std::chrono::seconds(1));  // look again once it is done
      return Status::Ok();
    }
    if (!live_service.ok() || (kept->recreated && Uid(*live_service) != kept->service_uid)) {
      CloseWindow(view.key);  // deleted, or made again by someone else, since the recreation
    } else if (!live_endpoints.ok() && translate::SyncsEndpoints(*live_service, ctx_->config)) {
      if (kept->endpoints) return PutBack(view.key, *kept->endpoints);
      // None seen yet: their create or delete event brings us back; else the window's end.
      controller_.EnqueueAfter(view.key, std::chrono::duration_cast<std::chrono::milliseconds>(
                                             kept->until - std::chrono::steady_clock::now()) +
                                             std::chrono::seconds(1));
      return Status::Ok();
    }
  }
  auto confirmed = translate::PlanHostEndpoints(
      live_service.ok() ? std::optional<json>(*live_service) : std::nullopt,
      live_endpoints.ok() ? std::optional<json>(*live_endpoints) : std::nullopt, view.host,
      ctx_->config, ctx_->tenant, view.filter);
  if (confirmed.action != Action::kDelete) return Status::Ok();  // their events will come
  auto deleted = ctx_->host->Delete(r::kEndpoints, view.hns, view.host_name,
                                    {.precondition_uid = Uid(*view.host)});
  if (deleted.ok()) VC_LOG(Info) << "deleted host endpoints " << view.host_name;
  if (!deleted.ok() && deleted.status().code() != Code::kNotFound &&
      deleted.status().code() != Code::kConflict) {
    return deleted.status();
  }
  return Status::Ok();
}

Status EndpointsSyncer::WriteHostEndpoints(KeyView& view, translate::EndpointsPlan plan) {
  // Create, or replace the host controller's Endpoints (the host Service had a selector until
  // now). Something there that is not in our cache (our labels removed, made by hand) is
  // planned against once more.
  for (int attempt = 0; plan.action == Action::kCreate || plan.action == Action::kReplace;
       ++attempt) {
    if (attempt == 2) {
      return Unavailable("create host endpoints " + view.host_name +
                         ": something else keeps making them under that name; retrying");
    }
    if (plan.action == Action::kReplace) {
      auto deleted = ctx_->host->Delete(r::kEndpoints, view.hns, view.host_name,
                                        {.precondition_uid = Uid(*view.host)});
      if (!deleted.ok() && deleted.status().code() != Code::kNotFound &&
          deleted.status().code() != Code::kConflict) {
        return deleted.status();
      }
    }
    auto created =
        ctx_->host->Create(r::kEndpoints, view.hns, plan.object, {.field_manager = "vc-syncer"});
    if (created.ok()) {
      VC_LOG(Info) << "created host endpoints " << view.host_name;
      return Status::Ok();
    }
    if (created.status().code() != Code::kAlreadyExists) return created.status();
    auto live = ctx_->host->Get(r::kEndpoints, view.hns, view.host_name);
    if (!live.ok()) return live.status();
    view.host = *live;
    plan = translate::PlanHostEndpoints(view.service, view.endpoints, view.host, ctx_->config,
                                        ctx_->tenant, view.filter);
  }

  if (plan.action == Action::kPatch) {
    auto patched = ctx_->host->Patch(r::kEndpoints, view.hns, view.host_name,
                                     kube::PatchType::kMerge, plan.object.dump());
    if (!patched.ok()) return patched.status();
  }
  return Status::Ok();
}

Status EndpointsSyncer::Reconcile(const std::string& key) {
  KeyView view{NamesOfKey(key, ctx_->tenant)};
  view.service = services_.Get(view.ns, view.name);
  view.endpoints = pair_.virtual_cache().Get(view.ns, view.name);
  view.host = pair_.host_cache().Get(view.hns, view.host_name);

  const auto kept = KeptCopy(key, view.endpoints);
  view.filter = Filter();
  auto plan = translate::PlanHostEndpoints(view.service, view.endpoints, view.host, ctx_->config,
                                           ctx_->tenant, view.filter);
  WarnOfRefusedAddresses(view);
  if (plan.action == Action::kDelete || (kept && (!view.service || !view.endpoints))) {
    return DeleteHostEndpoints(view, kept);
  }
  return WriteHostEndpoints(view, std::move(plan));
}

}  // namespace vc::syncer::sync
