// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/sync/endpoints_syncer.h"

#include "vc/log.h"
#include "vc/syncer/translate/endpoints_translator.h"

namespace vc::syncer::sync {

using nlohmann::json;
namespace r = kube::resources;
using Action = translate::EndpointsPlan::Action;

namespace {

std::string Uid(const json& o) { return translate::ObjectAt(o, "metadata").value("uid", ""); }

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
      pair_(*ctx_, r::kEndpoints, &controller_) {}

void EndpointsSyncer::EnqueueOf(const json& service) {
  controller_.Enqueue(kube::Informer::KeyOf(service));
}

void EndpointsSyncer::Start() {
  services_.Start();
  pair_.Start();
}

bool EndpointsSyncer::WaitForSync(std::chrono::milliseconds timeout) {
  // The Services first: the controller (started by the pair) reads them.
  return services_.WaitForSync(timeout) && pair_.WaitForSync(timeout);
}

void EndpointsSyncer::Stop() {
  pair_.Stop();
  services_.Stop();
}

void EndpointsSyncer::KeepAcrossServiceRecreation(const json& virtual_service) {
  if (!translate::SyncsEndpoints(virtual_service, ctx_->config)) return;
  const std::string key = kube::Informer::KeyOf(virtual_service);
  const auto [ns, name] = SplitKey(key);
  // From the server: Endpoints applied with the Service may not be in the cache yet.
  auto live = ctx_->virtual_cluster->Get(r::kEndpoints, ns, name);
  if (!live.ok()) {
    if (live.status().code() != Code::kNotFound) {
      VC_LOG(Warning) << "keep endpoints " << key
                      << " across the service's recreation: " << live.status().message();
    }
    return;
  }
  std::lock_guard lock(mu_);
  kept_[key] = {*live, std::chrono::steady_clock::now() + kRecreationWindow};
}

std::optional<json> EndpointsSyncer::KeptCopy(const std::string& key,
                                              const std::optional<json>& current) {
  std::lock_guard lock(mu_);
  auto it = kept_.find(key);
  if (it == kept_.end()) return std::nullopt;
  if (std::chrono::steady_clock::now() > it->second.until ||
      (current && Uid(*current) != Uid(it->second.endpoints))) {
    kept_.erase(it);  // the window passed, or the Endpoints were made again meanwhile
    return std::nullopt;
  }
  if (current) it->second.endpoints = *current;
  return it->second.endpoints;
}

Status EndpointsSyncer::PutBack(const std::string& key, const json& kept) {
  auto created = ctx_->virtual_cluster->Create(r::kEndpoints, SplitKey(key).first,
                                               translate::RecreatedEndpoints(kept));
  if (!created.ok() && created.status().code() != Code::kAlreadyExists) {
    return created.status().Annotate("put back endpoints " + key);
  }
  VC_LOG(Info) << "put back virtual endpoints " << key
               << ", deleted with the service the syncer recreated for the host's ClusterIP";
  std::lock_guard lock(mu_);
  kept_.erase(key);
  return Status::Ok();
}

Status EndpointsSyncer::Reconcile(const std::string& key) {
  const auto [ns, name] = SplitKey(key);
  const std::string host_name = translate::HostName(name, ns, ctx_->tenant.name);
  const std::string& hns = ctx_->tenant.host_namespace;
  auto service = services_.Get(ns, name);
  auto endpoints = pair_.virtual_cache().Get(ns, name);
  auto h = pair_.host_cache().Get(hns, host_name);

  if (auto kept = KeptCopy(key, endpoints); kept && (!service || !endpoints)) {
    // Within the window of the Service's recreation (KeepAcrossServiceRecreation): the
    // Service may be between its delete and its create, and its Endpoints lost to the virtual
    // endpoints controller. Neither is a reason to drop the host copy.
    auto live_service = ctx_->virtual_cluster->Get(r::kServices, ns, name);
    if (!live_service.ok()) {
      if (live_service.status().code() != Code::kNotFound) return live_service.status();
      // Mid-recreation, or deleted for good: look again while the window lasts (KeptCopy
      // drops the copy after it).
      controller_.EnqueueAfter(key, std::chrono::seconds(1));
      return Status::Ok();
    }
    if (!endpoints) {
      auto live_endpoints = ctx_->virtual_cluster->Get(r::kEndpoints, ns, name);
      if (live_endpoints.ok()) return Status::Ok();  // the cache lags; its event will come
      if (live_endpoints.status().code() != Code::kNotFound) return live_endpoints.status();
      if (translate::SyncsEndpoints(*live_service, ctx_->config)) return PutBack(key, *kept);
    }
  }

  auto plan = translate::PlanHostEndpoints(service, endpoints, h, ctx_->config, ctx_->tenant);

  if (plan.action == Action::kDelete) {
    // The caches may lag behind a Service or Endpoints created just now: deleting on their
    // word would flap the host copy. Ask the server.
    auto live_service = ctx_->virtual_cluster->Get(r::kServices, ns, name);
    auto live_endpoints = ctx_->virtual_cluster->Get(r::kEndpoints, ns, name);
    for (const auto* live : {&live_service, &live_endpoints}) {
      if (!live->ok() && live->status().code() != Code::kNotFound) return live->status();
    }
    auto confirmed = translate::PlanHostEndpoints(
        live_service.ok() ? std::optional<json>(*live_service) : std::nullopt,
        live_endpoints.ok() ? std::optional<json>(*live_endpoints) : std::nullopt, h, ctx_->config,
        ctx_->tenant);
    if (confirmed.action != Action::kDelete) return Status::Ok();  // their events will come
    auto deleted = ctx_->host->Delete(r::kEndpoints, hns, host_name, {.precondition_uid = Uid(*h)});
    if (deleted.ok()) VC_LOG(Info) << "deleted host endpoints " << host_name;
    if (!deleted.ok() && deleted.status().code() != Code::kNotFound &&
        deleted.status().code() != Code::kConflict) {
      return deleted.status();
    }
    return Status::Ok();
  }

  // Create, or replace the host controller's Endpoints (the host Service had a selector until
  // now). Something there that is not in our cache (our labels removed, made by hand) is
  // planned against once more.
  for (int attempt = 0; plan.action == Action::kCreate || plan.action == Action::kReplace;
       ++attempt) {
    if (attempt == 2) {
      return Unavailable("create host endpoints " + host_name +
                         ": something else keeps making them under that name; retrying");
    }
    if (plan.action == Action::kReplace) {
      auto deleted =
          ctx_->host->Delete(r::kEndpoints, hns, host_name, {.precondition_uid = Uid(*h)});
      if (!deleted.ok() && deleted.status().code() != Code::kNotFound &&
          deleted.status().code() != Code::kConflict) {
        return deleted.status();
      }
    }
    auto created =
        ctx_->host->Create(r::kEndpoints, hns, plan.object, {.field_manager = "vc-syncer"});
    if (created.ok()) {
      VC_LOG(Info) << "created host endpoints " << host_name;
      return Status::Ok();
    }
    if (created.status().code() != Code::kAlreadyExists) return created.status();
    auto live = ctx_->host->Get(r::kEndpoints, hns, host_name);
    if (!live.ok()) return live.status();
    h = *live;
    plan = translate::PlanHostEndpoints(service, endpoints, h, ctx_->config, ctx_->tenant);
  }

  if (plan.action == Action::kPatch) {
    auto patched = ctx_->host->Patch(r::kEndpoints, hns, host_name, kube::PatchType::kMerge,
                                     plan.object.dump());
    if (!patched.ok()) return patched.status();
  }
  return Status::Ok();
}

}  // namespace vc::syncer::sync
