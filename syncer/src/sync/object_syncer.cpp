// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/sync/object_syncer.h"

#include "vc/labels.h"
#include "vc/log.h"
#include "vc/syncer/translate/custom_resources.h"
#include "vc/syncer/translate/endpoints_translator.h"
#include "vc/syncer/translate/host_policy.h"
#include "vc/syncer/translate/object_translator.h"

namespace vc::syncer::sync {

using nlohmann::json;
namespace r = kube::resources;

ObjectKind ConfigMapKind(const translate::SyncConfig& config) {
  return {r::kConfigMaps,
          translate::TranslateDataObject,
          {"data", "binaryData"},
          config.config_maps_all,
          nullptr};
}

ObjectKind SecretKind(const translate::SyncConfig& config) {
  return {r::kSecrets, translate::TranslateDataObject, {"data"}, config.secrets_all, nullptr};
}

ObjectKind PvcKind() {
  return {r::kPersistentVolumeClaims,
          translate::TranslatePvc,
          {},
          true,
          [](const json& v, const json& h) -> json {
            const json want = h.value("status", json::object());
            if (want.empty() || v.value("status", json::object()) == want) return json();
            return {{"status", want}};
          }};
}

ObjectKind IngressKind() {
  return {r::kIngresses,
          translate::TranslateIngress,
          {"spec"},
          true,
          [](const json& v, const json& h) -> json {
            const json want = h.value("status", json::object());
            if (want.empty() || v.value("status", json::object()) == want) return json();
            return {{"status", want}};
          },
          translate::IngressRefusal,
          translate::IngressSecrets};
}

ObjectKind EndpointSliceKind() {
  ObjectKind kind{r::kEndpointSlices,
                  translate::TranslateEndpointSlice,
                  {"addressType", "endpoints", "ports"},
                  true,
                  nullptr,
                  translate::EndpointSliceRefusal};
  kind.selects = translate::SyncsEndpointSlice;
  return kind;
}

ObjectKind PriorityClassKind() {
  ObjectKind kind{r::kPriorityClasses,
                  translate::TranslatePriorityClass,
                  {"value", "preemptionPolicy", "description"},
                  true,
                  nullptr};
  kind.selects = translate::SyncsPriorityClass;
  return kind;
}

// Status stays the virtual cluster's: its own disruption controller counts the virtual pods.
ObjectKind PodDisruptionBudgetKind() {
  return {
      r::kPodDisruptionBudgets, translate::TranslatePodDisruptionBudget, {"spec"}, true, nullptr};
}

ObjectSyncer::ObjectSyncer(std::shared_ptr<const SyncContext> ctx, ObjectKind kind)
    : ctx_(std::move(ctx)),
      kind_(std::move(kind)),
      controller_("sync " + kind_.resource.resource,
                  [this](const std::string& key) { return Reconcile(key); }),
      pair_(*ctx_, kind_.resource, &controller_) {}

void ObjectSyncer::Start() { pair_.Start(); }

bool ObjectSyncer::WaitForSync(std::chrono::milliseconds timeout) {
  return pair_.WaitForSync(timeout);
}

void ObjectSyncer::Stop() { pair_.Stop(); }

Status ObjectSyncer::EnsureOnHost(const std::string& ns, const std::string& name) {
  {
    std::lock_guard lock(mu_);
    wanted_.insert(ns + "/" + name);
  }
  auto v = pair_.virtual_cache().Get(ns, name);
  if (!v) {
    // The cache may lag behind a just-created object: ask the server.
    auto live = ctx_->virtual_cluster->Get(kind_.resource, ns, name);
    if (!live.ok()) return live.status();
    v = *live;
  }
  return Upsert(*v);
}

Status ObjectSyncer::Upsert(const json& v) {
  const json& meta = translate::ObjectAt(v, "metadata");
  const std::string ns = meta.value("namespace", "");
  const std::string host_name = HostNameOf(ns, meta.value("name", ""));
  if (translate::ObjectAt(meta, "annotations").value(translate::kImportedFrom, "") == host_name) {
    return Status::Ok();  // its host object is its source
  }
  if (const std::string why = kind_.refusal ? kind_.refusal(v, ctx_->config) : std::string();
      !why.empty()) {
    std::lock_guard lock(mu_);
    return RefuseOnHost(*ctx_, kind_.resource, v, host_name,
                        pair_.host_cache().Get(HostNamespace(), host_name).has_value(), why);
  }
  if (kind_.secrets && secrets_ != nullptr) {
    for (const std::string& secret : kind_.secrets(v)) {
      // A Secret not made yet is wanted still: it is copied when it appears.
      Status s = secrets_->EnsureOnHost(ns, secret);
      if (!s.ok() && s.code() != Code::kNotFound)
        return s.Annotate("sync secret " + ns + "/" + secret);
    }
  }
  std::lock_guard lock(mu_);
  const json want = kind_.translate(v, ctx_->tenant);
  auto h = pair_.host_cache().Get(HostNamespace(), host_name);
  if (!h) {
    auto created =
        ctx_->host->Create(kind_.resource, HostNamespace(), want, {.field_manager = "vc-syncer"});
    if (created.ok()) {
      VC_LOG(Info) << "created host " << kind_.resource.kind << " " << host_name;
      return Status::Ok();
    }
    if (created.status().code() != Code::kAlreadyExists) return created.status();
    auto live = ctx_->host->Get(kind_.resource, HostNamespace(), host_name);
    if (!live.ok()) return live.status();
    // Only ever our own copy: an object of that name someone else made stays theirs.
    const json& labels = translate::ObjectAt(translate::ObjectAt(*live, "metadata"), "labels");
    if (labels.value(labels::kTenant, "") != ctx_->tenant.name ||
        labels.value(labels::kTenantNamespace, "") != ctx_->tenant.host_namespace) {
      return FailedPrecondition("host " + kind_.resource.kind + " " + host_name +
                                " exists and is not virtual cluster " + ctx_->tenant.name +
                                "'s; it is left alone");
    }
    h = *live;
  }
  const json patch = translate::HostObjectPatch(want, *h, kind_.fields);
  if (!patch.is_null()) {
    auto patched = ctx_->host->Patch(kind_.resource, HostNamespace(), host_name,
                                     kube::PatchType::kMerge, patch.dump());
    if (!patched.ok() && patched.status().code() == Code::kInvalid) {
      // A field that cannot change (a PriorityClass's value, a Secret's type): the virtual
      // object was made anew. The copy goes (only the one we read), and is made again.
      kube::DeleteOptions only_that;
      only_that.precondition_uid = (*h)["metadata"].value("uid", "");
      auto deleted = ctx_->host->Delete(kind_.resource, HostNamespace(), host_name, only_that);
      if (!deleted.ok() && deleted.status().code() != Code::kNotFound) return deleted.status();
      auto created =
          ctx_->host->Create(kind_.resource, HostNamespace(), want, {.field_manager = "vc-syncer"});
      if (!created.ok()) return created.status();
      VC_LOG(Info) << "made host " << kind_.resource.kind << " " << host_name
                   << " again: a field of it cannot change";
    } else if (!patched.ok()) {
      return patched.status();
    }
  }
  RETURN_IF_ERROR(CopyStatusBack(v, *h));
  return ImportReferenced(v);
}

Status ObjectSyncer::CopyStatusBack(const json& v, const json& h) {
  if (!kind_.status_back) return Status::Ok();
  const json status = kind_.status_back(v, h);
  if (status.is_null()) return Status::Ok();
  const json& meta = translate::ObjectAt(v, "metadata");
  kube::PatchOptions options;
  if (kind_.status_subresource) options.subresource = "status";
  auto patched = ctx_->virtual_cluster->Patch(kind_.resource, meta.value("namespace", ""),
                                              meta.value("name", ""), kube::PatchType::kMerge,
                                              status.dump(), options);
  if (!patched.ok() && patched.status().code() != Code::kNotFound) return patched.status();
  return Status::Ok();
}

// What a host controller made for the tenant under the name a reference was translated to
// comes into the virtual namespace, and follows the host object; a virtual object of that name
// the tenant made itself is left alone.
Status ObjectSyncer::ImportReferenced(const json& v) {
  if (!kind_.imports) return Status::Ok();
  const std::string ns = translate::ObjectAt(v, "metadata").value("namespace", "");
  for (const auto& import : kind_.imports(v)) {
    const std::string host_name = translate::HostName(import.name, ns, ctx_->tenant.name);
    auto h = ctx_->host->Get(*import.resource, ctx_->tenant.host_namespace, host_name);
    if (!h.ok() && h.status().code() == Code::kNotFound) continue;
    if (!h.ok()) return h.status();
    const json want = translate::ImportedObject(*h, ns, import.name);
    auto have = ctx_->virtual_cluster->Get(*import.resource, ns, import.name);
    if (!have.ok() && have.status().code() != Code::kNotFound) return have.status();
    if (!have.ok()) {
      auto created =
          ctx_->virtual_cluster->Create(*import.resource, ns, want, {.field_manager = "vc-syncer"});
      if (!created.ok() && created.status().code() != Code::kAlreadyExists) {
        return created.status();
      }
      VC_LOG(Info) << "imported host " << import.resource->kind << " " << host_name;
      continue;
    }
    const json& annotations =
        translate::ObjectAt(translate::ObjectAt(*have, "metadata"), "annotations");
    if (annotations.value(translate::kImportedFrom, "") != host_name) continue;  // the tenant's
    json replace = want;
    replace["metadata"]["resourceVersion"] = (*have)["metadata"].value("resourceVersion", "");
    bool same = true;
    for (const char* key : {"data", "binaryData", "type"}) {
      same = same && have->value(key, json()) == want.value(key, json());
    }
    if (same) continue;
    auto updated = ctx_->virtual_cluster->Update(*import.resource, ns, replace,
                                                 {.field_manager = "vc-syncer"});
    if (!updated.ok()) return updated.status();
  }
  return Status::Ok();
}

Status ObjectSyncer::Reconcile(const std::string& key) {
  const auto [ns, name] = SplitKey(key);
  const std::string host_name = HostNameOf(ns, name);
  auto v = pair_.virtual_cache().Get(ns, name);
  if (!v) {
    // Gone from the cache; make sure it is gone from the server before deleting the copy.
    auto live = ctx_->virtual_cluster->Get(kind_.resource, ns, name);
    if (live.ok()) {
      v = *live;
    } else if (live.status().code() != Code::kNotFound) {
      return live.status();
    }
  }
  if (!v || v->contains("/metadata/deletionTimestamp"_json_pointer) ||
      (kind_.selects && !kind_.selects(*v))) {
    {
      std::lock_guard lock(mu_);
      wanted_.erase(key);
    }
    if (!pair_.host_cache().Get(HostNamespace(), host_name)) return Status::Ok();
    auto deleted = ctx_->host->Delete(kind_.resource, HostNamespace(), host_name);
    if (!deleted.ok() && deleted.status().code() != Code::kNotFound) return deleted.status();
    VC_LOG(Info) << "deleted host " << kind_.resource.kind << " " << host_name;
    return Status::Ok();
  }
  bool wanted = kind_.sync_all || pair_.host_cache().Get(HostNamespace(), host_name).has_value();
  {
    std::lock_guard lock(mu_);
    wanted = wanted || wanted_.count(key) != 0;
  }
  if (!wanted) return Status::Ok();
  return Upsert(*v);
}

}  // namespace vc::syncer::sync
