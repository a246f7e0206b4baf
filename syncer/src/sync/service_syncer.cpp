// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/sync/service_syncer.h"

#include "vc/log.h"
#include "vc/syncer/translate/apiserver_service.h"
#include "vc/syncer/translate/object_translator.h"

namespace vc::syncer::sync {

using nlohmann::json;
namespace r = kube::resources;

ServiceSyncer::ServiceSyncer(std::shared_ptr<const SyncContext> ctx)
    : ctx_(std::move(ctx)),
      controller_("sync services", [this](const std::string& key) { return Reconcile(key); }),
      pair_(*ctx_, r::kServices, &controller_) {}

std::vector<json> ServiceSyncer::VirtualServices(const std::string& ns) const {
  std::vector<json> out;
  for (auto& svc : pair_.virtual_cache().List()) {
    if (translate::ObjectAt(svc, "metadata").value("namespace", "") == ns) {
      out.push_back(std::move(svc));
    }
  }
  return out;
}

void ServiceSyncer::Start() { pair_.Start(); }

bool ServiceSyncer::WaitForSync(std::chrono::milliseconds timeout) {
  return pair_.WaitForSync(timeout);
}

void ServiceSyncer::Stop() { pair_.Stop(); }

Status ServiceSyncer::Reconcile(const std::string& key) {
  // The virtual API server's own Service: it points at the virtual cluster, not a workload.
  if (key ==
      std::string(translate::kApiServerServiceNamespace) + "/" + translate::kApiServerServiceName) {
    return KeepApiServerService();
  }
  const auto [ns, name] = SplitKey(key);
  const std::string host_name = translate::HostName(name, ns, ctx_->tenant.name);
  const std::string& hns = ctx_->tenant.host_namespace;
  auto v = pair_.virtual_cache().Get(ns, name);
  auto h = pair_.host_cache().Get(hns, host_name);
  if (!v) {
    auto live = ctx_->virtual_cluster->Get(r::kServices, ns, name);
    if (live.ok()) return Status::Ok();  // recreated just now (AdoptHostClusterIp)
    if (live.status().code() != Code::kNotFound) return live.status();
    if (!h) return Status::Ok();
    auto deleted = ctx_->host->Delete(r::kServices, hns, host_name);
    if (!deleted.ok() && deleted.status().code() != Code::kNotFound) return deleted.status();
    VC_LOG(Info) << "deleted host service " << host_name;
    return Status::Ok();
  }
  if (const std::string refusal = translate::ServiceRefusal(*v, ctx_->config); !refusal.empty()) {
    return RefuseOnHost(*ctx_, r::kServices, *v, host_name, h.has_value(), refusal);
  }
  const json want = translate::TranslateService(*v, ctx_->tenant, ctx_->config);
  if (!h) {
    auto created = CreateOnHost(*v, want);
    if (!created.ok() && created.status().code() != Code::kAlreadyExists) return created.status();
    if (created.ok()) {
      VC_LOG(Info) << "created host service " << host_name;
      h = *created;
    } else {
      return Status::Ok();  // the informer brings it
    }
  } else {
    // A Service gaining a ClusterIP (ExternalName to ClusterIP) asks for the virtual one's, as
    // at create; refused, the host picks and the virtual Service takes its address.
    const std::string vip = translate::ObjectAt(*v, "spec").value("clusterIP", "");
    const std::string hip = translate::ObjectAt(*h, "spec").value("clusterIP", "");
    json same = want;
    if (hip.empty() && !vip.empty() && vip != "None") {
      same["spec"]["clusterIP"] = vip;
      same["spec"]["clusterIPs"] = json::array({vip});
    }
    const json patch = translate::HostObjectPatch(same, *h, {"spec"});
    if (!patch.is_null()) {
      auto patched =
          ctx_->host->Patch(r::kServices, hns, host_name, kube::PatchType::kMerge, patch.dump());
      if (const json fallback = translate::HostObjectPatch(want, *h, {"spec"});
          !patched.ok() && patched.status().code() == Code::kInvalid && same != want &&
          !fallback.is_null()) {
        patched = ctx_->host->Patch(r::kServices, hns, host_name, kube::PatchType::kMerge,
                                    fallback.dump());
      }
      if (!patched.ok()) {
        // A node port the tenant asked for is taken on the host: the virtual Service takes
        // the host's, so the port it shows is the one that works.
        if (patched.status().code() == Code::kInvalid) {
          if (auto ports = translate::HostNodePorts(*v, *h)) return AdoptHostNodePorts(*v, *ports);
        }
        return patched.status();
      }
      h = *patched;
    }
  }
  const json hspec = h->value("spec", json::object());
  const std::string host_ip = hspec.value("clusterIP", "");
  const std::string virtual_ip = v->value("spec", json::object()).value("clusterIP", "");
  if (!host_ip.empty() && host_ip != "None" && host_ip != virtual_ip) {
    return AdoptHostClusterIp(*v, host_ip, translate::HostNodePorts(*v, *h));
  }
  if (auto ports = translate::HostNodePorts(*v, *h)) return AdoptHostNodePorts(*v, *ports);
  return Status::Ok();
}

// Node ports, unlike a ClusterIP, change in place.
Status ServiceSyncer::AdoptHostNodePorts(const json& vsvc, const json& ports) {
  json updated = vsvc;
  updated["spec"]["ports"] = ports;
  const json& meta = translate::ObjectAt(vsvc, "metadata");
  auto done = ctx_->virtual_cluster->Update(r::kServices, meta.value("namespace", ""), updated);
  if (!done.ok()) return done.status();
  VC_LOG(Info) << "virtual service " << meta.value("namespace", "") << "/" << meta.value("name", "")
               << " now has the host's node ports";
  return Status::Ok();
}

// translate/apiserver_service.h says why. Reconciled on the Service's own events; a missing
// address (the host has not listed this pod yet) is retried with the queue's backoff.
Status ServiceSyncer::KeepApiServerService() {
  const std::string& ip = ctx_->pod_env.apiserver_host;
  if (ip.empty()) return Status::Ok();  // no host Service in front of this control plane
  const char* ns = translate::kApiServerServiceNamespace;
  const char* name = translate::kApiServerServiceName;
  auto v = pair_.virtual_cache().Get(ns, name);
  if (!v) return Status::Ok();  // the API server creates it; that event brings us back
  if (auto fresh = translate::ApiServerServiceAt(*v, ip); fresh && !apiserver_ip_refused_) {
    const std::string uid = translate::ObjectAt(*v, "metadata").value("uid", "");
    auto deleted = ctx_->virtual_cluster->Delete(r::kServices, ns, name, {.precondition_uid = uid});
    if (!deleted.ok() && deleted.status().code() != Code::kNotFound) return deleted.status();
    auto created = ctx_->virtual_cluster->Create(r::kServices, ns, *fresh);
    if (!created.ok() && created.status().code() == Code::kInvalid) {
      // Outside the virtual service range, or taken there: the API server puts its own back
      // (it creates the Service when missing), and the syncer stops trying.
      apiserver_ip_refused_ = true;
      VC_LOG(Warning) << "the virtual API server refused default/kubernetes on " << ip << " ("
                      << created.status().message()
                      << "); in-cluster clients that resolve kubernetes.default.svc reach the "
                         "address the API server picks";
      return Status::Ok();
    }
    // AlreadyExists: the API server's controller put its own back first; the event retries.
    if (!created.ok()) return created.status();
    VC_LOG(Info) << "virtual service default/kubernetes now has the host ClusterIP " << ip;
  }
  kube::ListOptions options;
  options.label_selector = "kubernetes.io/service-name=" + ctx_->tenant.name;
  ASSIGN_OR_RETURN(auto slices,
                   ctx_->host->ListAll(r::kEndpointSlices, ctx_->tenant.host_namespace, options));
  const translate::ApiServerAddresses addresses = translate::ApiServerAddressesFrom(slices.items);
  if (addresses.ips.empty() || addresses.port == 0) {
    return Unavailable("the host service " + ctx_->tenant.name +
                       " lists no address for this pod yet");
  }
  RETURN_IF_ERROR(KeepVirtual(r::kEndpoints, translate::ApiServerEndpoints(addresses)));
  return KeepVirtual(r::kEndpointSlices, translate::ApiServerEndpointSlice(addresses));
}

// Creates `want` in the virtual cluster, or updates the object there unless it carries it.
Status ServiceSyncer::KeepVirtual(const kube::Resource& resource, json want) {
  const json& meta = translate::ObjectAt(want, "metadata");
  const std::string ns = meta.value("namespace", "");
  const std::string name = meta.value("name", "");
  auto current = ctx_->virtual_cluster->Get(resource, ns, name);
  if (!current.ok() && current.status().code() != Code::kNotFound) return current.status();
  if (!current.ok()) {
    auto created = ctx_->virtual_cluster->Create(resource, ns, want);
    return created.ok() ? Status::Ok() : created.status();
  }
  if (translate::ApiServerEndpointsCurrent(*current, want)) return Status::Ok();
  want["metadata"]["resourceVersion"] =
      translate::ObjectAt(*current, "metadata").value("resourceVersion", "");
  auto updated = ctx_->virtual_cluster->Update(resource, ns, want);
  return updated.ok() ? Status::Ok() : updated.status();
}

// The host Service asks for the virtual one's ClusterIP, so both have one address from the
// start: a client keeps using the address its create returned (the conformance specs do). The
// virtual API server's range is the host's (create finds it). When the host refuses that
// address (taken there, or outside its range), the host picks one and Reconcile recreates the
// virtual Service with it (AdoptHostClusterIp). Node ports likewise: asked for, and when
// refused, the host's are taken into the virtual Service (AdoptHostNodePorts).
StatusOr<json> ServiceSyncer::CreateOnHost(const json& vsvc, const json& want) {
  const std::string& hns = ctx_->tenant.host_namespace;
  const std::string ip = vsvc.value("spec", json::object()).value("clusterIP", "");
  json same = want;
  if (!ip.empty() && ip != "None") {
    same["spec"]["clusterIP"] = ip;
    same["spec"]["clusterIPs"] = json::array({ip});
  }
  auto created = ctx_->host->Create(r::kServices, hns, same, {.field_manager = "vc-syncer"});
  if (created.ok() || created.status().code() != Code::kInvalid) return created;
  VC_LOG(Info) << "host service " << translate::ObjectAt(want, "metadata").value("name", "")
               << " cannot have the virtual ClusterIP " << ip << " or node ports ("
               << created.status().message() << "); the host picks them";
  json host_picks = want;
  if (host_picks["spec"].contains("ports") && host_picks["spec"]["ports"].is_array()) {
    for (auto& p : host_picks["spec"]["ports"]) {
      if (p.is_object()) p.erase("nodePort");
    }
  }
  return ctx_->host->Create(r::kServices, hns, host_picks, {.field_manager = "vc-syncer"});
}

Status ServiceSyncer::AdoptHostClusterIp(const json& vsvc, const std::string& ip,
                                         const std::optional<json>& host_ports) {
  const json& meta = translate::ObjectAt(vsvc, "metadata");
  const std::string ns = meta.value("namespace", "");
  const std::string name = meta.value("name", "");
  json fresh = {{"apiVersion", "v1"},
                {"kind", "Service"},
                {"metadata",
                 {{"name", name},
                  {"namespace", ns},
                  {"labels", translate::ObjectAt(meta, "labels")},
                  {"annotations", translate::ObjectAt(meta, "annotations")}}},
                {"spec", vsvc.value("spec", json::object())}};
  fresh["spec"]["clusterIP"] = ip;
  fresh["spec"]["clusterIPs"] = json::array({ip});
  if (host_ports) fresh["spec"]["ports"] = *host_ports;
  // The endpoints syncer keeps the Endpoints the virtual endpoints controller deletes along,
  // and learns which Service the recreation left, whichever way this returns.
  struct Recreation {
    EndpointsSyncer* endpoints;
    std::string key;
    std::string uid;
    ~Recreation() {
      if (endpoints != nullptr) endpoints->ServiceRecreated(key, uid);
    }
  } recreation{endpoints_, ns + "/" + name, meta.value("uid", "")};
  if (endpoints_ != nullptr) endpoints_->KeepAcrossServiceRecreation(vsvc);
  auto deleted = ctx_->virtual_cluster->Delete(r::kServices, ns, name,
                                               {.precondition_uid = meta.value("uid", "")});
  if (!deleted.ok() && deleted.status().code() != Code::kNotFound) return deleted.status();
  recreation.uid.clear();
  auto created = ctx_->virtual_cluster->Create(r::kServices, ns, fresh);
  if (created.ok()) {
    recreation.uid = translate::ObjectAt(*created, "metadata").value("uid", "");
    VC_LOG(Info) << "virtual service " << ns << "/" << name << " now has the host's ClusterIP "
                 << ip;
    return Status::Ok();
  }
  // The address is taken in the virtual cluster: put the Service back as it was, and say so.
  json back = fresh;
  back["spec"].erase("clusterIP");
  back["spec"].erase("clusterIPs");
  auto restored = ctx_->virtual_cluster->Create(r::kServices, ns, back);
  if (restored.ok()) {
    recreation.uid = translate::ObjectAt(*restored, "metadata").value("uid", "");
    RecordVirtualEvent(
        *ctx_->virtual_cluster, *restored, "Warning", "ClusterIPNotMirrored",
        "the host's ClusterIP " + ip + " could not be used: " + created.status().message());
  }
  return created.status().Annotate("recreate virtual service " + ns + "/" + name);
}

}  // namespace vc::syncer::sync
