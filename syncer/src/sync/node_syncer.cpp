// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/sync/node_syncer.h"

#include "vc/labels.h"
#include "vc/log.h"
#include "vc/syncer/translate/names.h"

namespace vc::syncer::sync {

using nlohmann::json;
namespace r = kube::resources;

NodeSyncer::NodeSyncer(std::shared_ptr<const SyncContext> ctx,
                       std::function<int(const std::string&)> bound_pods)
    : ctx_(std::move(ctx)),
      bound_pods_(std::move(bound_pods)),
      controller_("sync nodes", [this](const std::string& key) { return Reconcile(key); }) {
  auto handlers = [this](Origin origin) {
    auto enqueue = [this, origin](const json& o) {
      controller_.Enqueue(kube::Informer::KeyOf(o), origin);
    };
    return kube::InformerHandlers{enqueue,
                                  [this, origin](const json& old, const json& o) {
                                    controller_.Enqueue(kube::Informer::KeyOf(o),
                                                        OriginOfUpdate(old, o, origin));
                                  },
                                  enqueue};
  };
  virtual_ = std::make_unique<kube::Informer>(
      ctx_->virtual_cluster,
      kube::InformerOptions{.resource = r::kNodes, .resync_period = ctx_->resync_period},
      handlers(Origin::kVirtual));
  if (RealMode()) {
    host_ = std::make_unique<kube::Informer>(
        ctx_->host, kube::InformerOptions{.resource = r::kNodes}, handlers(Origin::kHost));
  }
  controller_.ReportTo(ctx_->metrics, [this] { return virtual_->Size(); });
}

void NodeSyncer::Start() {
  virtual_->Start();
  if (host_) host_->Start();
  controller_.Start();
}

bool NodeSyncer::WaitForSync(std::chrono::milliseconds timeout) {
  return virtual_->WaitForSync(timeout) && (!host_ || host_->WaitForSync(timeout));
}

void NodeSyncer::Stop() {
  controller_.Stop();
  if (virtual_) virtual_->Stop();
  if (host_) host_->Stop();
}

// A tenant on dedicated nodes sees only its own: the others are not its to schedule onto.
bool NodeSyncer::Selected(const json& host_node) const {
  if (ctx_->config.dedicated_nodes &&
      !translate::NodeMatches(host_node, {{labels::kDedicatedNodeLabel, ctx_->tenant.name}})) {
    return false;
  }
  return ctx_->config.nodes == translate::NodeSyncMode::kAll ||
         translate::NodeMatches(host_node, ctx_->config.node_selector);
}

json NodeSyncer::Virtual(const json& host_node) const {
  json mirror = translate::RealNode(host_node, ctx_->kubelet,
                                    ctx_->config.dedicated_nodes ? ctx_->tenant.name : "");
  if (ctx_->config.node_sync_back) {
    mirror["metadata"]["annotations"][translate::kNodeBaseAnnotation] =
        translate::NodeBase(mirror).dump();
  }
  return mirror;
}

// A real node the tenant sees: with syncBackChanges, its changes go to the host node first,
// then the mirror is made from the host node as changed.
Status NodeSyncer::Mirror(const std::optional<json>& have, json host_node) {
  if (ctx_->config.node_sync_back && have) {
    const std::string name = host_node["metadata"].value("name", "");
    translate::NodeChangesBack back =
        translate::ChangesBack(*have, host_node, Virtual(host_node), ctx_->tenant.name);
    // Over the host node compared, from our cache: one changed since (a taint the node
    // lifecycle added, another tenant's label) is a conflict and a retry, not overwritten.
    auto version = [](const json& node) {
      return translate::ObjectAt(node, "metadata").value("resourceVersion", "");
    };
    for (const auto& refused : back.refused) {
      VC_LOG(Warning) << "node " << name << ": the tenant's change of " << refused
                      << " does not go to the host node (the host decides it)";
    }
    if (!back.patch.is_null()) {
      back.patch["metadata"]["resourceVersion"] = version(host_node);
      ASSIGN_OR_RETURN(host_node, ctx_->host->Patch(r::kNodes, "", name, kube::PatchType::kMerge,
                                                    back.patch.dump()));
      VC_LOG(Info) << "node " << name
                   << ": the tenant's change went to the host node: " << back.patch.dump();
    }
    if (!back.status_patch.is_null()) {
      back.status_patch["metadata"]["resourceVersion"] = version(host_node);
      ASSIGN_OR_RETURN(host_node,
                       ctx_->host->Patch(r::kNodes, "", name, kube::PatchType::kMerge,
                                         back.status_patch.dump(), {.subresource = "status"}));
      VC_LOG(Info) << "node " << name << ": the tenant's resources went to the host node: "
                   << back.status_patch.dump();
    }
  }
  return Upsert(Virtual(host_node), have);
}

Status NodeSyncer::Upsert(const json& want, const std::optional<json>& have) {
  const std::string name = want["metadata"].value("name", "");
  if (!have) {
    json create = want;
    create.erase("status");
    auto created = ctx_->virtual_cluster->Create(r::kNodes, "", create);
    if (!created.ok() && created.status().code() != Code::kAlreadyExists) return created.status();
    if (created.ok()) VC_LOG(Info) << "created virtual node " << name;
  } else {
    const json& have_meta = translate::ObjectAt(*have, "metadata");
    const json& hl = translate::ObjectAt(have_meta, "labels");
    const json want_annotations = want["metadata"].value("annotations", json::object());
    bool annotations_missing = false;
    for (const auto& [k, v] : want_annotations.items()) {
      const json& ha = translate::ObjectAt(have_meta, "annotations");
      annotations_missing = annotations_missing || !ha.contains(k) || ha[k] != v;
    }
    if (hl != want["metadata"]["labels"] || have->value("spec", json::object()) != want["spec"] ||
        annotations_missing) {
      json patch = {{"metadata", {{"labels", want["metadata"]["labels"]}}}, {"spec", want["spec"]}};
      // With syncBackChanges, only over the node we compared: a change of the tenant's since
      // is a conflict (and a retry that sends it to the host) instead of being overwritten.
      if (ctx_->config.node_sync_back) {
        patch["metadata"]["resourceVersion"] = have_meta.value("resourceVersion", "");
      }
      if (!want_annotations.empty()) patch["metadata"]["annotations"] = want_annotations;
      // The virtual API server's TaintNodesByCondition admission taints every new node
      // not-ready; nothing in the virtual cluster would lift it (no node lifecycle controller).
      if (!want["spec"].contains("taints")) patch["spec"]["taints"] = nullptr;
      for (const auto& [k, v] : hl.items()) {
        if (!want["metadata"]["labels"].contains(k)) patch["metadata"]["labels"][k] = nullptr;
      }
      auto patched =
          ctx_->virtual_cluster->Patch(r::kNodes, "", name, kube::PatchType::kMerge, patch.dump());
      if (!patched.ok()) return patched.status();
    }
    const json have_status = have->value("status", json::object());
    if (have_status.value("conditions", json::array()).size() ==
            want["status"]["conditions"].size() &&
        have_status.value("addresses", json::array()) == want["status"]["addresses"] &&
        have_status.value("capacity", json::object()) == want["status"]["capacity"] &&
        have_status.value("allocatable", json::object()) == want["status"]["allocatable"]) {
      return Status::Ok();
    }
  }
  auto status = ctx_->virtual_cluster->Patch(r::kNodes, "", name, kube::PatchType::kMerge,
                                             json{{"status", want["status"]}}.dump(),
                                             {.subresource = "status"});
  return status.ok() ? Status::Ok() : status.status();
}

Status NodeSyncer::EnsureNode(const std::string& name) {
  std::lock_guard lock(mu_);
  if (host_) {
    if (auto hn = host_->Get("", name); hn && Selected(*hn)) {
      return Mirror(virtual_->Get("", name), *hn);
    }
  }
  if (virtual_->Get("", name)) return Status::Ok();
  return Upsert(translate::PseudoNode(name, json(), ctx_->kubelet), std::nullopt);
}

Status NodeSyncer::Reconcile(const std::string& name) {
  std::lock_guard lock(mu_);
  auto have = virtual_->Get("", name);
  if (host_) {
    // A host node the tenant sees is the syncer's mirror, also where the tenant made a Node of
    // that name first.
    auto hn = host_->Get("", name);
    if (hn && Selected(*hn)) return Mirror(have, *hn);
  }
  // Any other Node the tenant created itself (as the node lifecycle spec does) is the tenant's.
  if (have && !translate::SyncedNode(*have)) return Status::Ok();
  const bool pseudo = have && translate::ObjectAt(translate::ObjectAt(*have, "metadata"), "labels")
                                  .contains(translate::kPseudoNodeLabel);
  if (host_) {
    // A real node we mirrored that no longer matches (or is gone): remove unless pods use it.
    if (have && !pseudo && bound_pods_(name) == 0) {
      auto deleted = ctx_->virtual_cluster->Delete(r::kNodes, "", name);
      if (!deleted.ok() && deleted.status().code() != Code::kNotFound) return deleted.status();
      return Status::Ok();
    }
  }
  if (have && pseudo && bound_pods_(name) == 0) {
    auto deleted = ctx_->virtual_cluster->Delete(r::kNodes, "", name);
    if (!deleted.ok() && deleted.status().code() != Code::kNotFound) return deleted.status();
    VC_LOG(Info) << "deleted unused pseudo node " << name;
  }
  return Status::Ok();
}

}  // namespace vc::syncer::sync
