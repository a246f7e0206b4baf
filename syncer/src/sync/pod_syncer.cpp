// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/sync/pod_syncer.h"

#include <algorithm>
#include <tuple>

#include "vc/labels.h"
#include "vc/log.h"
#include "vc/rfc3339.h"
#include "vc/syncer/translate/object_translator.h"
#include "vc/syncer/translate/pod_policy.h"
#include "vc/syncer/translate/pod_tokens.h"

namespace vc::syncer::sync {

using nlohmann::json;
namespace r = kube::resources;

namespace {

std::string NodeOf(const json& pod) {
  return pod.value("spec", json::object()).value("nodeName", "");
}
bool Deleting(const json& o) { return o.contains("/metadata/deletionTimestamp"_json_pointer); }

// "WHAT refused by the virtual cluster's pod security level "L": v1; v2"
std::string RefusalMessage(const std::string& what, const std::string& level,
                           const std::vector<std::string>& violations) {
  std::string message =
      what + " refused by the virtual cluster's pod security level \"" + level + "\":";
  for (const auto& v : violations) message += " " + v + ";";
  message.pop_back();
  return message;
}
std::string Uid(const json& o) { return translate::ObjectAt(o, "metadata").value("uid", ""); }

}  // namespace

PodSyncer::PodSyncer(std::shared_ptr<const SyncContext> ctx, ObjectSyncer* config_maps,
                     ObjectSyncer* secrets, ObjectSyncer* pvcs)
    : ctx_(std::move(ctx)),
      config_maps_(config_maps),
      secrets_(secrets),
      pvcs_(pvcs),
      controller_("sync pods", [this](const std::string& key) { return Reconcile(key); }),
      // A pod gone from either side may have been its node's last: a force-deleted virtual
      // pod goes while its host pod still counts, so the host pod's delete looks again.
      pair_(*ctx_, r::kPods, &controller_, [this](const json& o) {
        if (nodes_ != nullptr && !NodeOf(o).empty()) nodes_->NodeMayBeUnused(NodeOf(o));
      }) {
  // A token Secret changed, vanished or (at start) was listed: its pod decides what to do.
  auto on_secret = [this](const json& o) {
    if (auto key = translate::VirtualKeyOf(o); !key.empty())
      controller_.Enqueue(key, Origin::kHost);
  };
  token_secrets_ = std::make_unique<kube::Informer>(
      ctx_->host,
      kube::InformerOptions{
          .resource = r::kSecrets,
          .namespace_ = ctx_->tenant.host_namespace,
          .label_selector = translate::SyncedSelector(ctx_->tenant) + "," +
                            translate::kTokenSecretLabel + "=true",
          // The plan reads which keys exist and the annotations, never the tokens: they stay
          // out of memory, and so does what the server keeps for field ownership.
          .transform =
              [](json o) {
                if (o.contains("data")) {
                  for (auto& [k, v] : o["data"].items()) v = "";
                }
                if (o.contains("metadata")) o["metadata"].erase("managedFields");
                return o;
              }},
      kube::InformerHandlers{on_secret, [=](const json&, const json& o) { on_secret(o); },
                             on_secret});
}

void PodSyncer::Start() {
  token_secrets_->Start();
  pair_.Start();
}

bool PodSyncer::WaitForSync(std::chrono::milliseconds timeout) {
  // The token cache first: the controller starts as soon as the pair has synced.
  return token_secrets_->WaitForSync(timeout) && pair_.WaitForSync(timeout);
}

void PodSyncer::Stop() {
  pair_.Stop();
  if (token_secrets_) token_secrets_->Stop();
}

int PodSyncer::BoundPods(const std::string& node) const {
  if (!pair_.virtual_cache().HasSynced()) return -1;
  if (!pair_.host_cache().HasSynced()) return -1;
  // Host pods count too: a host pod is placed before its virtual pod is bound, and the node
  // must not be collected in between.
  int n = 0;
  for (const auto& p : pair_.virtual_cache().List()) n += NodeOf(p) == node ? 1 : 0;
  for (const auto& p : pair_.host_cache().List()) n += NodeOf(p) == node && !Deleting(p) ? 1 : 0;
  return n;
}

std::optional<json> PodSyncer::VirtualPodOf(const std::string& host_pod) const {
  auto h = pair_.host_cache().Get(ctx_->tenant.host_namespace, host_pod);
  if (!h) return std::nullopt;
  const auto [ns, name] = SplitKey(translate::VirtualKeyOf(*h));
  auto v = pair_.virtual_cache().Get(ns, name);
  // The uid guards against a virtual pod recreated under the same name.
  if (!v || Uid(*v) != translate::ObjectAt(translate::ObjectAt(*h, "metadata"), "annotations")
                           .value(labels::kVirtualUid, "")) {
    return std::nullopt;
  }
  return v;
}

Status PodSyncer::DeleteOrphanedHostPod(const PodNames& pod, const json& h) {
  if (Deleting(h)) return Status::Ok();
  auto live = ctx_->virtual_cluster->Get(r::kPods, pod.ns, pod.name);
  if (live.ok()) return Status::Ok();  // the cache lags; its event will come
  if (live.status().code() != Code::kNotFound) return live.status();
  VC_LOG(Info) << "virtual pod " << pod.key << " is gone: deleting host pod " << pod.host_name;
  auto deleted = ctx_->host->Delete(r::kPods, pod.hns, pod.host_name, {.precondition_uid = Uid(h)});
  if (!deleted.ok() && deleted.status().code() != Code::kNotFound &&
      deleted.status().code() != Code::kConflict) {
    return deleted.status();
  }
  return Status::Ok();
}

Status PodSyncer::ClearEarlierHostPod(const PodNames& pod, const json& h) {
  if (!Deleting(h)) {
    auto deleted =
        ctx_->host->Delete(r::kPods, pod.hns, pod.host_name, {.grace_period_seconds = 0});
    if (!deleted.ok() && deleted.status().code() != Code::kNotFound) return deleted.status();
  }
  controller_.EnqueueAfter(pod.key, std::chrono::milliseconds(500));
  return Status::Ok();
}

Status PodSyncer::FollowVirtualDelete(const PodNames& pod, const json& v,
                                      const std::optional<json>& h) {
  if (h) {
    // The kubelet's last word (the terminal phase of a killed pod) reaches the virtual pod
    // while it is being deleted: a Job's pod failure policy reads it.
    RETURN_IF_ERROR(CopyStatusBack(v, *h));
    if (!Deleting(*h)) {
      kube::DeleteOptions opts;
      const json& vm = translate::ObjectAt(v, "metadata");
      if (vm.contains("deletionGracePeriodSeconds")) {
        opts.grace_period_seconds = vm["deletionGracePeriodSeconds"].get<int64_t>();
      }
      auto deleted = ctx_->host->Delete(r::kPods, pod.hns, pod.host_name, opts);
      if (!deleted.ok() && deleted.status().code() != Code::kNotFound) return deleted.status();
    }
    return Status::Ok();  // the host pod's delete event brings us back
  }
  RETURN_IF_ERROR(EnsureTerminal(v));
  return DeleteVirtual(v, "");
}

Status PodSyncer::CreateOrNoteLostHostPod(const PodNames& pod, const json& v) {
  if (RanOnHost(v)) {
    // It ran on the host once: the host pod was deleted behind our back.
    auto live = ctx_->host->Get(r::kPods, pod.hns, pod.host_name);
    if (live.ok()) return Status::Ok();
    if (live.status().code() != Code::kNotFound) return live.status();
    return DeleteVirtual(v, "its host pod " + pod.hns + "/" + pod.host_name + " was deleted");
  }
  return CreateOnHost(v);
}

Status PodSyncer::KeepPairInLine(const PodNames& pod, const json& v, const json& h) {
  // A resize first: the generation annotation of the update below then names a spec the host
  // pod has.
  if (const json resize = translate::HostPodResize(v, h); !resize.is_null() && !Deleting(h)) {
    auto resized =
        ctx_->host->Patch(r::kPods, pod.hns, pod.host_name, kube::PatchType::kStrategicMerge,
                          resize.dump(), {.subresource = "resize"});
    if (!resized.ok() && resized.status().code() != Code::kNotFound) {
      return resized.status().Annotate("resize host pod " + pod.hns + "/" + pod.host_name);
    }
  }
  RETURN_IF_ERROR(AddEphemeralContainers(v, h));
  const json update = translate::HostPodUpdate(v, h, ctx_->tenant, ctx_->config, ctx_->pod_env);
  if (!update.is_null()) {
    auto patched = ctx_->host->Patch(r::kPods, pod.hns, pod.host_name,
                                     kube::PatchType::kStrategicMerge, update.dump());
    if (!patched.ok()) return patched.status();
  }
  const std::string host_node = NodeOf(h);
  if (!host_node.empty() && NodeOf(v).empty()) {
    if (nodes_ != nullptr) RETURN_IF_ERROR(nodes_->EnsureNode(host_node));
    RETURN_IF_ERROR(Bind(v, host_node));
  }
  RETURN_IF_ERROR(CopyStatusBack(v, h));
  // Tokens wait for the binding (PlanTokenRefresh): the one just made comes back as an update.
  if (!Deleting(h)) RETURN_IF_ERROR(EnsureTokens(v, &h));
  return Status::Ok();
}

Status PodSyncer::Reconcile(const std::string& key) {
  const PodNames pod = NamesOfKey(key, ctx_->tenant);
  auto v = pair_.virtual_cache().Get(pod.ns, pod.name);
  auto h = pair_.host_cache().Get(pod.hns, pod.host_name);

  if (!v) return h ? DeleteOrphanedHostPod(pod, *h) : Status::Ok();
  // A host pod of an earlier virtual pod of the same name: not ours to keep.
  if (h && translate::ObjectAt(translate::ObjectAt(*h, "metadata"), "annotations")
                   .value(labels::kVirtualUid, "") != Uid(*v)) {
    return ClearEarlierHostPod(pod, *h);
  }
  if (Deleting(*v)) return FollowVirtualDelete(pod, *v, h);
  if (!h) return CreateOrNoteLostHostPod(pod, *v);
  // Both exist: keep the host pod in line, place and bind the virtual one, copy status back.
  return KeepPairInLine(pod, *v, *h);
}

// Whether the virtual pod's host pod existed once. Bound by a Binding is enough when only the
// syncer binds (to the host pod's node); the virtual scheduler binds before there is a host pod,
// and a pod created on a node was never bound, so then it takes the status the host pod gave
// back (a host IP, containers).
bool PodSyncer::RanOnHost(const json& vpod) const {
  if (NodeOf(vpod).empty()) return false;
  if (!ctx_->config.virtual_scheduler && !translate::CreatedOnANode(vpod)) return true;
  const json& status = translate::ObjectAt(vpod, "status");
  return !status.value("hostIP", "").empty() || status.contains("containerStatuses");
}

// `kubectl debug`: ephemeral containers added to the virtual pod are added to the host pod,
// under the same pod security level as the pod itself.
Status PodSyncer::AddEphemeralContainers(const json& vpod, const json& hpod) {
  // Every reconcile of every pod passes here: nothing to build for a pod without them.
  if (Deleting(hpod) || !translate::ObjectAt(vpod, "spec").contains("ephemeralContainers")) {
    return Status::Ok();
  }
  translate::PodReferences refs;
  const json patch = translate::HostPodEphemeralContainers(vpod, hpod, ctx_->tenant,
                                                           PodEnvironmentFor(vpod), &refs);
  if (patch.is_null()) return Status::Ok();
  const json& meta = translate::ObjectAt(vpod, "metadata");
  const std::string ns = meta.value("namespace", "");
  const std::string level = translate::PodSecurityLevel(ctx_->config);
  if (const auto violations = translate::PodPolicyViolations(vpod, level); !violations.empty()) {
    const std::string message = RefusalMessage("ephemeral container", level, violations);
    RecordRefusal(*ctx_, "pods", vpod, message);
    return Status::Ok();
  }
  RETURN_IF_ERROR(EnsureReferences(ns, refs));
  const json& hmeta = translate::ObjectAt(hpod, "metadata");
  auto added = ctx_->host->Patch(r::kPods, hmeta.value("namespace", ""), hmeta.value("name", ""),
                                 kube::PatchType::kStrategicMerge, patch.dump(),
                                 {.subresource = "ephemeralcontainers"});
  if (!added.ok() && added.status().code() != Code::kNotFound) {
    return added.status().Annotate("add ephemeral containers to host pod " +
                                   hmeta.value("name", ""));
  }
  return Status::Ok();
}

// The virtual cluster's DNS, at the address the host gave its Service (the virtual one is
// recreated with it; until that Service exists, pods resolve through the host's DNS), and the
// variables of the virtual Services of the pod's namespace unless it opts out of them.
translate::PodEnvironment PodSyncer::PodEnvironmentFor(const json& vpod) {
  translate::PodEnvironment env = ctx_->pod_env;
  env.dns_ip = DnsIp();
  env.cluster_domain = ctx_->config.cluster_domain;
  if (services_ != nullptr &&
      translate::ObjectAt(vpod, "spec").value("enableServiceLinks", json(true)) != json(false)) {
    env.service_links = translate::ServiceLinkEnv(
        services_->VirtualServices(translate::ObjectAt(vpod, "metadata").value("namespace", "")));
  }
  return env;
}

// What a pod names is copied first. One that does not exist yet does not hold the pod back, as
// in any cluster: it is copied when it appears (EnsureOnHost keeps it wanted), and the host's
// kubelet waits for a volume's Secret or ConfigMap (an optional one it goes without), its
// scheduler for a claim.
Status PodSyncer::EnsureReferences(const std::string& ns, const translate::PodReferences& refs) {
  const auto ensure = [&](ObjectSyncer* syncer, const std::set<std::string>& names,
                          const char* what) -> Status {
    if (syncer == nullptr) return Status::Ok();
    for (const auto& name : names) {
      Status s = syncer->EnsureOnHost(ns, name);
      if (!s.ok() && s.code() != Code::kNotFound) {
        return s.Annotate(std::string("sync ") + what + " " + ns + "/" + name);
      }
    }
    return Status::Ok();
  };
  RETURN_IF_ERROR(ensure(config_maps_, refs.config_maps, "configmap"));
  RETURN_IF_ERROR(ensure(secrets_, refs.secrets, "secret"));
  return ensure(pvcs_, refs.pvcs, "persistentvolumeclaim");
}

Status PodSyncer::CreateOnHost(const json& vpod) {
  const json& meta = translate::ObjectAt(vpod, "metadata");
  const std::string ns = meta.value("namespace", "");
  const std::string level = translate::PodSecurityLevel(ctx_->config);
  const auto violations = translate::PodPolicyViolations(vpod, level);
  if (!violations.empty()) return Refuse(vpod, RefusalMessage("pod", level, violations));
  std::string refusal;
  ASSIGN_OR_RETURN(const std::string runtime_class, HostRuntimeClass(vpod, &refusal));
  if (!refusal.empty()) return Refuse(vpod, refusal);
  // With the virtual scheduler, the host pod waits for its binding (an update of the virtual
  // pod, which brings it back here).
  if (ctx_->config.virtual_scheduler && NodeOf(vpod).empty()) return Status::Ok();
  translate::PodEnvironment env = PodEnvironmentFor(vpod);
  env.runtime_class = runtime_class;
  ASSIGN_OR_RETURN(env.priority_class, HostPriorityClass(vpod));
  auto t = translate::TranslatePod(vpod, ctx_->tenant, ctx_->config, env);
  RETURN_IF_ERROR(EnsureReferences(ns, t.refs));
  // Tokens name the node of their pod only if it was bound when they were requested
  // (PlanTokenRefresh). A pod the virtual scheduler bound gets them now; one the host schedules
  // once its host pod has a node and the virtual pod is bound to it, and the host pod waits for
  // their Secret meanwhile (kubelet retries mounting a Secret that does not exist yet and starts
  // no container before).
  const bool bound = !NodeOf(vpod).empty();
  RETURN_IF_ERROR(EnsureTokens(vpod, nullptr));
  const std::string& hns = ctx_->tenant.host_namespace;
  auto created = ctx_->host->Create(r::kPods, hns, t.host_pod, {.field_manager = "vc-syncer"});
  if (!created.ok()) {
    if (created.status().code() == Code::kAlreadyExists) return Status::Ok();
    // The host refused it (quota, admission): say so where the tenant looks.
    if (created.status().code() == Code::kForbidden || created.status().code() == Code::kInvalid) {
      RecordVirtualEvent(*ctx_->virtual_cluster, vpod, "Warning", "SyncError",
                         "the host refused the pod: " + created.status().message());
    }
    return created.status().Annotate("create host pod");
  }
  VC_LOG(Info) << "created host pod " << hns << "/" << t.host_pod["metadata"].value("name", "");
  for (const auto& adjustment : t.adjustments) {
    RecordVirtualEvent(*ctx_->virtual_cluster, vpod, "Warning", "SyncAdjusted", adjustment);
  }
  if (bound && !t.refs.tokens.empty()) {
    // The token Secret goes with the host pod (the host's garbage collector); one written
    // later is created with that owner.
    const json owner = {
        {"metadata",
         {{"ownerReferences", json::array({{{"apiVersion", "v1"},
                                            {"kind", "Pod"},
                                            {"name", (*created)["metadata"].value("name", "")},
                                            {"uid", Uid(*created)}}})}}}};
    auto patched =
        ctx_->host->Patch(r::kSecrets, hns, translate::TokenSecretName(vpod, ctx_->tenant),
                          kube::PatchType::kMerge, owner.dump());
    if (!patched.ok()) VC_LOG(Warning) << "own token secret: " << patched.status().message();
  }
  return Status::Ok();
}

Status PodSyncer::Refuse(const json& vpod, const std::string& message) {
  RecordRefusal(*ctx_, "pods", vpod, message);
  for (const auto& c : vpod.value("status", json::object()).value("conditions", json::array())) {
    if (c.value("type", "") == "PodScheduled" && c.value("reason", "") == "SyncRefused") {
      return Status::Ok();  // marked already
    }
  }
  return PatchVirtualStatus(vpod, kube::PatchType::kMerge,
                            {{"status",
                              {{"conditions", json::array({{{"type", "PodScheduled"},
                                                            {"status", "False"},
                                                            {"reason", "SyncRefused"},
                                                            {"message", message}}})}}}});
}

// A RuntimeClass is cluster-wide on both sides: the tenant's (or one mirrored from the host)
// runs as the host's with its handler. Nothing to check it against, or no host class with that
// handler: refused, naming what would let it run.
// sync.toHost.priorityClasses: the host class the pod runs with (its copy, made first, or the
// host's own system-* class); "" without it: the host's default priority.
StatusOr<std::string> PodSyncer::HostPriorityClass(const json& vpod) {
  const std::string name = translate::ObjectAt(vpod, "spec").value("priorityClassName", "");
  // sync.fromHost.priorityClasses: a class the host has runs as itself; one the tenant made
  // (a chart's own class) is not the host's: the host's default priority, as without sync.
  if (ctx_->config.host_priority_classes) {
    const bool host_has = host_priority_classes_ != nullptr && !name.empty() &&
                          host_priority_classes_->HostObject(name).has_value();
    return host_has ? name : std::string();
  }
  if (!ctx_->config.priority_classes || name.empty()) return std::string();
  if (translate::SystemPriorityClass(name)) return name;
  if (priority_classes_ != nullptr) {
    Status s = priority_classes_->EnsureOnHost("", name);
    if (!s.ok() && s.code() != Code::kNotFound) return s.Annotate("sync priorityclass " + name);
  }
  return translate::HostClusterName(name, ctx_->tenant);
}

StatusOr<std::string> PodSyncer::HostRuntimeClass(const json& vpod, std::string* refusal) {
  const std::string name = translate::ObjectAt(vpod, "spec").value("runtimeClassName", "");
  if (name.empty()) return std::string();
  if (runtime_classes_ == nullptr) {
    *refusal = "the pod names RuntimeClass " + name +
               ", and this virtual cluster runs no pod with one: set "
               "sync.fromHost.runtimeClasses.enabled to true to run it with the host's "
               "RuntimeClass of the same handler";
    return std::string();
  }
  auto virtual_class = ctx_->virtual_cluster->Get(kube::resources::kRuntimeClasses, "", name);
  if (!virtual_class.ok()) {
    if (virtual_class.status().code() != Code::kNotFound) return virtual_class.status();
    *refusal = "RuntimeClass " + name + " does not exist";
    return std::string();
  }
  const std::vector<json> host_classes = runtime_classes_->HostObjects();
  const std::string host = translate::HostRuntimeClassFor(*virtual_class, host_classes);
  if (host.empty()) {
    std::string offered;
    for (const json& h : host_classes) {
      offered += (offered.empty() ? "" : ", ") +
                 translate::ObjectAt(h, "metadata").value("name", "") + " (handler " +
                 h.value("handler", "") + ")";
    }
    *refusal = "RuntimeClass " + name + " has handler " + virtual_class->value("handler", "") +
               ", which no host RuntimeClass has (the host offers: " +
               (offered.empty() ? "none" : offered) +
               "); use one of those handlers, or ask the host's administrators for it";
  }
  return host;
}

std::string PodSyncer::DnsIp() {
  // A Service's ClusterIP never changes: once known, no more lookups (one per pod otherwise).
  if (!dns_ip_.empty()) return dns_ip_;
  auto dns = ctx_->host->Get(r::kServices, ctx_->tenant.host_namespace,
                             translate::HostName("kube-dns", "kube-system", ctx_->tenant.name));
  if (dns.ok()) dns_ip_ = (*dns)["spec"].value("clusterIP", "");
  return dns_ip_;
}

Status PodSyncer::EnsureTokens(const json& vpod, const json* host_pod) {
  const auto tokens = translate::TokenProjections(vpod);
  if (tokens.empty()) return Status::Ok();
  const std::string name = translate::TokenSecretName(vpod, ctx_->tenant);
  const auto now = std::chrono::system_clock::now();
  auto plan_for = [&](const json& secret) {
    return translate::PlanTokenRefresh(vpod, tokens, secret, now);
  };
  // Decided on the cache; a refresh is decided again on the live Secret, which the cache may
  // not show yet (our own last write). A missing one is created at once: the create tells.
  auto cached = token_secrets_->Get(ctx_->tenant.host_namespace, name);
  json secret = cached ? *cached : json();
  auto plan = plan_for(secret);
  if (!plan.refresh.empty() && secret.is_object()) {
    ASSIGN_OR_RETURN(secret, LiveTokenSecret(name));
    plan = plan_for(secret);
  }
  if (!plan.refresh.empty()) {
    auto written = WriteTokens(vpod, plan.refresh, secret, host_pod);
    if (!written.ok() && written.status().code() == Code::kAlreadyExists) {
      ASSIGN_OR_RETURN(secret, LiveTokenSecret(name));
      plan = plan_for(secret);
      written = plan.refresh.empty() ? StatusOr<json>(secret)
                                     : WriteTokens(vpod, plan.refresh, secret, host_pod);
    }
    if (!written.ok()) return written.status().Annotate("write token secret " + name);
    plan = plan_for(*written);
  }
  if (plan.next) {
    controller_.EnqueueAfter(kube::Informer::KeyOf(vpod),
                             std::chrono::ceil<std::chrono::milliseconds>(*plan.next - now));
  }
  return Status::Ok();
}

StatusOr<json> PodSyncer::LiveTokenSecret(const std::string& name) {
  auto live = ctx_->host->Get(r::kSecrets, ctx_->tenant.host_namespace, name);
  if (live.ok()) return *live;
  if (live.status().code() == Code::kNotFound) return json();
  return live.status();
}

StatusOr<json> PodSyncer::WriteTokens(const json& vpod,
                                      const std::vector<translate::TokenProjection>& tokens,
                                      const json& secret, const json* host_pod) {
  const json& meta = translate::ObjectAt(vpod, "metadata");
  const std::string ns = meta.value("namespace", "");
  const std::string sa = translate::ServiceAccountName(vpod);
  json metadata = translate::HostMetadata(vpod, ctx_->tenant);
  metadata["name"] = translate::TokenSecretName(vpod, ctx_->tenant);
  metadata["labels"][translate::kTokenSecretLabel] = "true";
  if (host_pod != nullptr) {
    // The host's garbage collector removes the Secret with the pod.
    const json& hmeta = translate::ObjectAt(*host_pod, "metadata");
    metadata["ownerReferences"] = json::array({{{"apiVersion", "v1"},
                                                {"kind", "Pod"},
                                                {"name", hmeta.value("name", "")},
                                                {"uid", hmeta.value("uid", "")}}});
  }
  json data = json::object();
  std::optional<std::chrono::system_clock::time_point> earliest;
  for (const auto& t : tokens) {
    kube::RawRequest raw;
    raw.method = "POST";
    raw.path = kube::ResourcePath(r::kServiceAccounts, ns, sa, "token");
    raw.body = translate::TokenRequestFor(vpod, t).dump();
    auto answer = ctx_->virtual_cluster->Raw(raw);
    if (!answer.ok()) {
      return answer.status().Annotate("request a token for service account " + ns + "/" + sa);
    }
    auto parsed = json::parse(answer->body, nullptr, false);
    const std::string token =
        parsed.is_discarded() ? "" : parsed.value("status", json::object()).value("token", "");
    if (token.empty()) return Internal("token request: no token in the answer");
    ASSIGN_OR_RETURN(auto lifetime, translate::TokenLifetimeOf(parsed));
    data[t.key] = token;
    metadata["annotations"].update(translate::TokenLifetimeAnnotations(t.key, lifetime));
    if (!earliest || lifetime.expires_at < *earliest) earliest = lifetime.expires_at;
  }
  const std::string& hns = ctx_->tenant.host_namespace;
  const std::string what = std::to_string(tokens.size()) + " token(s) of pod " + ns + "/" +
                           meta.value("name", "") + " (first expiring " + FormatRfc3339(*earliest) +
                           ")";
  if (!secret.is_object()) {
    const json created = {{"apiVersion", "v1"},
                          {"kind", "Secret"},
                          {"type", "Opaque"},
                          {"metadata", metadata},
                          {"stringData", data}};
    auto done = ctx_->host->Create(r::kSecrets, hns, created, {.field_manager = "vc-syncer"});
    if (done.ok()) VC_LOG(Debug) << "stored " << what;
    return done;
  }
  // The merge keeps the other tokens and their lifetimes.
  metadata.erase("name");
  metadata.erase("namespace");
  auto done = ctx_->host->Patch(
      r::kSecrets, hns, translate::TokenSecretName(vpod, ctx_->tenant), kube::PatchType::kMerge,
      json{{"metadata", metadata}, {"stringData", data}}.dump(), {.field_manager = "vc-syncer"});
  if (done.ok()) VC_LOG(Info) << "refreshed " << what;
  return done;
}

Status PodSyncer::CopyStatusBack(const json& vpod, const json& hpod) {
  if (!translate::StatusDiffers(vpod, hpod)) return Status::Ok();
  return PatchVirtualStatus(vpod, kube::PatchType::kStrategicMerge,
                            translate::VirtualStatusPatch(vpod, hpod));
}

Status PodSyncer::PatchVirtualStatus(const json& vpod, kube::PatchType type, const json& patch) {
  const json& meta = translate::ObjectAt(vpod, "metadata");
  auto patched =
      ctx_->virtual_cluster->Patch(r::kPods, meta.value("namespace", ""), meta.value("name", ""),
                                   type, patch.dump(), {.subresource = "status"});
  if (!patched.ok() && patched.status().code() != Code::kNotFound) return patched.status();
  return Status::Ok();
}

// A pod a finalizer keeps after its host pod is gone (a Job's) ends Failed if the kubelet's
// terminal phase did not reach it, as the kubelet ends a pod whose containers it killed.
Status PodSyncer::EnsureTerminal(const json& vpod) {
  const json& meta = translate::ObjectAt(vpod, "metadata");
  const std::string phase = translate::ObjectAt(vpod, "status").value("phase", "");
  if (phase == "Failed" || phase == "Succeeded" ||
      meta.value("finalizers", json::array()).empty()) {
    return Status::Ok();
  }
  return PatchVirtualStatus(vpod, kube::PatchType::kMerge, {{"status", {{"phase", "Failed"}}}});
}

Status PodSyncer::DeleteVirtual(const json& vpod, const std::string& why) {
  const json& meta = translate::ObjectAt(vpod, "metadata");
  if (!why.empty()) {
    VC_LOG(Info) << "deleting virtual pod " << meta.value("namespace", "") << "/"
                 << meta.value("name", "") << ": " << why;
  }
  auto deleted =
      ctx_->virtual_cluster->Delete(r::kPods, meta.value("namespace", ""), meta.value("name", ""),
                                    {.grace_period_seconds = 0, .precondition_uid = Uid(vpod)});
  if (!deleted.ok() && deleted.status().code() != Code::kNotFound &&
      deleted.status().code() != Code::kConflict) {
    return deleted.status();
  }
  return Status::Ok();
}

Status PodSyncer::Bind(const json& vpod, const std::string& node) {
  const json& meta = translate::ObjectAt(vpod, "metadata");
  const std::string ns = meta.value("namespace", "");
  const std::string name = meta.value("name", "");
  const json binding = {{"apiVersion", "v1"},
                        {"kind", "Binding"},
                        {"metadata", {{"name", name}, {"namespace", ns}, {"uid", Uid(vpod)}}},
                        {"target", {{"apiVersion", "v1"}, {"kind", "Node"}, {"name", node}}}};
  kube::RawRequest raw;
  raw.method = "POST";
  raw.path = kube::ResourcePath(r::kPods, ns, name, "binding");
  raw.body = binding.dump();
  auto answer = ctx_->virtual_cluster->Raw(raw);
  if (!answer.ok() && answer.status().code() != Code::kConflict) {
    return answer.status().Annotate("bind virtual pod " + ns + "/" + name + " to " + node);
  }
  return Status::Ok();
}

}  // namespace vc::syncer::sync
