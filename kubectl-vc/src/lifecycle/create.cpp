// SPDX-License-Identifier: Apache-2.0
// create and --upgrade: resolve values, check what is on the host, apply in render order,
// prune what an upgrade no longer renders, wait, and mark the create finished.
#include <set>

#include "lifecycle/owned.h"
#include "vc/cli/host.h"
#include "vc/cli/lifecycle/lifecycle.h"
#include "vc/cli/lifecycle/service_range.h"
#include "vc/cli/lifecycle/version_skew.h"
#include "vc/labels.h"

namespace vc::cli::lifecycle {

using nlohmann::json;
namespace r = kube::resources;

namespace {

// Where a rendered object goes: its own namespace (the Role that reads ConfigMaps mapped from
// another namespace lives there), else the virtual cluster's; "" when cluster-scoped.
std::string HostNamespace(const render::HostObject& o, const std::string& ns) {
  if (!o.resource.namespaced) return "";
  const std::string own = Str(o.object, "/metadata/namespace");
  return own.empty() ? ns : own;
}

std::string Describe(const render::HostObject& o) {
  const std::string ns = Str(o.object, "/metadata/namespace");
  return o.resource.kind + " " + (ns.empty() ? "" : ns + "/") + Str(o.object, "/metadata/name");
}

// An upgrade stopped part way: the StatefulSet may still be the old one while the values
// Secret holds the new. Running it again finishes it (every object is applied again).
std::string PartlyUpgraded(const CreateOptions& options, const std::string& ns) {
  return "\nthe upgrade of " + options.name + " is partly applied; run the same kubectl vc " +
         "upgrade " + options.name + " -n " + ns + " (or create --upgrade) again to finish it";
}

Status Interrupted(const CreateOptions& options, const std::string& ns, bool existed) {
  if (existed) {
    return Status(Code::kCancelled, "interrupted" + PartlyUpgraded(options, ns));
  }
  return Status(Code::kCancelled,
                "interrupted: virtual cluster " + options.name +
                    " is partly created in namespace " + ns + "\nto finish it: kubectl vc create " +
                    options.name + " -n " + ns +
                    " (with the same values)\nto remove what was made: kubectl vc delete " +
                    options.name + " -n " + ns);
}

Status EnsureCrd(kube::Client& client, const CancelToken* cancel) {
  const json crd = render::TenantCustomResourceDefinition();
  const std::string name = Str(crd, "/metadata/name");
  kube::ApplyOptions apply{.field_manager = render::kFieldManager, .force = true};
  auto applied = client.Apply(r::kCustomResourceDefinitions, "", name, crd.dump(), apply);
  if (!applied.ok()) return applied.status().Annotate("install CustomResourceDefinition " + name);
  return PollUntil(
      [&]() -> StatusOr<bool> {
        ASSIGN_OR_RETURN(json got, client.Get(r::kCustomResourceDefinitions, "", name));
        for (const auto& c : got.value("/status/conditions"_json_pointer, json::array())) {
          if (c.value("type", "") == "Established" && c.value("status", "") == "True") {
            return true;
          }
        }
        return false;
      },
      std::chrono::seconds(60),
      "waiting for CustomResourceDefinition " + name + " to be established", cancel);
}

// Objects of this virtual cluster that the rendered set no longer holds. Never the data (PVCs),
// what the syncer made (component=workload: pods, Services, Secrets, PriorityClasses, ...) or
// what the control plane itself writes (Secret vc-NAME).
StatusOr<std::vector<OwnedObject>> Stale(kube::Client& client, const std::string& name,
                                         const std::string& ns,
                                         const std::vector<render::HostObject>& rendered) {
  std::set<std::string> keep;
  for (const auto& o : rendered) {
    keep.insert(o.resource.GroupResource() + "/" + HostNamespace(o, ns) + "/" +
                Str(o.object, "/metadata/name"));
  }
  keep.insert(r::kSecrets.GroupResource() + "/" + ns + "/" + render::KubeconfigSecretName(name));
  std::vector<kube::Resource> kinds;
  for (const auto& kind : OwnedNamespacedKinds()) {
    if (kind.resource == "pods" || kind.resource == "persistentvolumeclaims" ||
        kind.resource == "endpoints" || kind.resource == "endpointslices" ||
        kind.resource == "configmaps" || kind.resource == "ingresses") {
      continue;  // only ever the syncer's, or data
    }
    kinds.push_back(kind);
  }
  kinds.insert(kinds.end(), OwnedClusterKinds().begin(), OwnedClusterKinds().end());
  ASSIGN_OR_RETURN(std::vector<OwnedObject> owned, ListOwned(client, name, ns, kinds));
  std::vector<OwnedObject> stale;
  for (auto& o : owned) {
    if (Str(o.object, "/metadata/labels/kubectl-vc.dev~1component") == labels::kComponentWorkload) {
      continue;  // a synced copy: the syncer's to keep or delete
    }
    if (!keep.count(o.kind.GroupResource() + "/" + o.namespace_ + "/" + o.name)) {
      stale.push_back(std::move(o));
    }
  }
  return stale;
}

// What a dry-run answer and the object before it differ in, without what the server keeps on
// its own (managed fields, versions, status).
json Comparable(json o) {
  if (!o.is_object()) return o;
  o.erase("status");
  if (o.contains("metadata")) {
    for (const char* key : {"managedFields", "resourceVersion", "generation", "creationTimestamp",
                            "uid", "selfLink"}) {
      o["metadata"].erase(key);
    }
  }
  return o;
}

// An upgrade's check before acting: every object applied as a server-side dry run, so what the
// host would refuse (a field that cannot change, admission, quota, a permission) is found while
// nothing has changed. `would_change` gets the objects the apply changes.
Status DryRunApply(kube::Client& client, const std::vector<render::HostObject>& objects,
                   const std::string& ns, std::vector<std::string>* would_change) {
  for (const auto& o : objects) {
    const std::string name = Str(o.object, "/metadata/name");
    const std::string where = HostNamespace(o, ns);
    ASSIGN_OR_RETURN(json before, GetOrNull(client, o.resource, where, name));
    kube::ApplyOptions apply{.field_manager = render::kFieldManager, .force = true};
    apply.dry_run = true;
    auto after = client.Apply(o.resource, where, name, o.object.dump(), apply);
    if (!after.ok()) {
      std::string fix = "\nnothing was changed";
      if (o.resource.resource == "statefulsets" &&
          after.status().message().find("Forbidden") != std::string::npos) {
        fix +=
            "; a StatefulSet's volume claim (controlPlane.statefulSet.persistence) and selector "
            "cannot change in place: keep them as they are, or move the cluster to new ones "
            "(kubectl vc snapshot, delete, then create --restore)";
      }
      // The host's own code (Forbidden, Invalid, Unavailable...): callers explain it by that.
      const Code code = after.status().code() == Code::kInvalidArgument ? Code::kFailedPrecondition
                                                                        : after.status().code();
      return Status(code, "the host refuses the change to " + Describe(o) + ": " +
                              after.status().message() + fix);
    }
    if (Comparable(before) != Comparable(*after)) would_change->push_back(Describe(o));
  }
  return Status::Ok();
}

}  // namespace

namespace {

// networking.serviceCIDR: the host's Service range, which the virtual API server must share (the
// syncer gives virtual Services their host ClusterIPs). Filled in when the values leave it
// empty; a value that differs from the host's is refused. When the host does not tell, a value
// given is taken as it is and none given is an error that says how to give it.
Status SettleServiceRange(kube::Client& client, const std::string& dry_run_namespace, json& values,
                          output::Progress& progress) {
  const std::string given = Str(values, "/networking/serviceCIDR");
  progress.Begin("Finding the host's Service range");
  auto host = DetectHostServiceRange(client, dry_run_namespace);
  if (!host.ok()) {
    if (!given.empty()) {
      progress.Done(given + " (from the values; the host did not say)");
      return Status::Ok();
    }
    progress.Fail();
    return FailedPrecondition(
        host.status().message() +
        "\nset networking.serviceCIDR to the host's range (its API server's "
        "--service-cluster-ip-range), e.g. --set networking.serviceCIDR=10.96.0.0/12");
  }
  if (!given.empty() && given != *host) {
    progress.Fail();
    return InvalidArgument(
        "networking.serviceCIDR is " + given + " but the host's Service range is " + *host +
        ": a virtual Service takes the ClusterIP of its host Service, so the two "
        "ranges must be the same\nleave networking.serviceCIDR out (it is found), "
        "or set it to " +
        *host);
  }
  values["networking"]["serviceCIDR"] = *host;
  progress.Done(*host);
  return Status::Ok();
}

// The virtual cluster's Kubernetes version against the host's (version_skew.h): from
// controlPlane.distro.k8s.version, else the tag of the kube-apiserver image the pod will run.
Status CheckSkew(kube::Client& client, const json& values, const render::Images& defaults,
                 output::Progress& progress) {
  progress.Begin("Checking the Kubernetes version against the host's");
  auto response = client.Raw({.path = "/version", .idempotent = true});
  std::string host_version;
  if (response.ok() && response->status == 200) {
    const json v = json::parse(response->body, nullptr, false);
    if (v.is_object()) host_version = v.value("gitVersion", "");
  }
  if (host_version.empty()) {
    progress.Fail();
    return Unavailable(
        "the host's API server did not say its version (GET /version: " +
        (response.ok() ? "HTTP " + std::to_string(response->status) : response.status().message()) +
        "); the virtual cluster's version cannot be checked against it");
  }
  std::string source;
  const std::string virtual_version = VersionToRun(values, defaults, &source);
  if (Status s = CheckVersionSkew(host_version, virtual_version, source); !s.ok()) {
    progress.Fail();
    return s;
  }
  progress.Done(virtual_version + " on a " + host_version + " host");
  return Status::Ok();
}

// What the steps of one create (or upgrade) share, and the result they fill in.
struct CreateRun {
  kube::Client& client;
  const CreateOptions& options;
  output::Progress& progress;
  const CancelToken* cancel;
  std::string ns;  // the virtual cluster's host namespace
  CreateResult result;
};

Status Interrupted(const CreateRun& run) {
  return Interrupted(run.options, run.ns, run.result.existed);
}

// What create finds on the host before it renders anything.
struct HostBefore {
  json statefulset;       // the virtual cluster's own, null when there is none
  json namespace_object;  // null when the namespace does not exist
  json config_secret;     // Secret vc-config-NAME, null when there is none
  bool finished = false;  // a create ran to the end (the Secret's created-at)
  bool paused = false;
};

// The StatefulSet of virtual cluster `name` in `ns` (null when there is none); an error when
// the namespace holds another virtual cluster.
StatusOr<json> OwnStatefulSet(kube::Client& client, const std::string& name,
                              const std::string& ns) {
  kube::ListOptions list{.label_selector =
                             std::string(labels::kAppLabel) + "=" + labels::kAppValue};
  ASSIGN_OR_RETURN(kube::ObjectList sets, client.ListAll(r::kStatefulSets, ns, list));
  json mine;
  for (const auto& sts : sets.items) {
    const std::string other = Str(sts, "/metadata/labels/release");
    if (Str(sts, "/metadata/name") == name) {
      mine = sts;
    } else {
      return FailedPrecondition(
          "namespace " + ns + " already holds virtual cluster " + other +
          "; one namespace holds one virtual cluster\nuse another namespace (-n NAMESPACE, or "
          "leave -n out for vcluster-" +
          name + ")");
    }
  }
  return mine;
}

StatusOr<HostBefore> ReadHostBefore(kube::Client& client, const std::string& name,
                                    const std::string& ns) {
  HostBefore host;
  ASSIGN_OR_RETURN(host.statefulset, OwnStatefulSet(client, name, ns));
  ASSIGN_OR_RETURN(host.namespace_object, GetOrNull(client, r::kNamespaces, "", ns));
  ASSIGN_OR_RETURN(host.config_secret,
                   GetOrNull(client, r::kSecrets, ns, render::ConfigSecretName(name)));
  return host;
}

Status ExistsAlready(const CreateOptions& options, const std::string& ns) {
  return Status(Code::kAlreadyExists,
                "virtual cluster " + options.name + " already exists in namespace " + ns +
                    "\nto change its values: kubectl vc upgrade " + options.name + " -n " + ns +
                    " -f VALUES (or create --upgrade with the whole values)\nto use it: "
                    "kubectl vc connect " +
                    options.name + " -n " + ns);
}

// What is on the host already, and whether create may go on with it: a finished cluster only
// with --upgrade, never in a namespace being deleted. Sets result.existed and result.resumed.
StatusOr<HostBefore> CheckHost(CreateRun& run) {
  run.progress.Begin("Checking host cluster for " + run.options.name + " in namespace " + run.ns);
  auto host = ReadHostBefore(run.client, run.options.name, run.ns);
  if (!host.ok()) {
    run.progress.Fail();
    return host.status();
  }
  host->finished = !Annotation(host->config_secret, kCreatedAtAnnotation).empty();
  if (host->finished && !run.options.upgrade) {
    run.progress.Fail("exists");
    return ExistsAlready(run.options, run.ns);
  }
  run.result.existed = host->finished;
  run.result.resumed =
      !host->finished && (host->statefulset.is_object() || host->config_secret.is_object());
  const json& ns_object = host->namespace_object;
  if (ns_object.is_object() && ns_object.contains("/metadata/deletionTimestamp"_json_pointer)) {
    run.progress.Fail();
    return FailedPrecondition("namespace " + run.ns +
                              " is being deleted; wait until it is gone and run create again");
  }
  host->paused = !Annotation(host->statefulset, kPausedReplicasAnnotation).empty();
  run.progress.Done(run.result.existed   ? "exists, upgrading"
                    : run.result.resumed ? "an interrupted create, resuming"
                                         : "new");
  return host;
}

// What the host says about the values before anything is rendered: its Service range (filled
// into `values`), its Kubernetes version, and for an upgrade the version step.
// sync.{toHost,fromHost}.customResources install the host's CRD in the virtual cluster: one
// the host does not have would stop the syncer at start; said before anything is applied.
Status CheckCustomResourcesOnHost(kube::Client& client, const json& values) {
  for (const char* direction : {"toHost", "fromHost"}) {
    const json::json_pointer at(std::string("/sync/") + direction + "/customResources");
    if (!values.contains(at) || !values.at(at).is_object()) continue;
    for (const auto& [name, entry] : values.at(at).items()) {
      if (!entry.is_object() || !entry.value("enabled", false)) continue;
      ASSIGN_OR_RETURN(json crd, GetOrNull(client, r::kCustomResourceDefinitions, "", name));
      if (crd.is_null()) {
        return FailedPrecondition(std::string("sync.") + direction + ".customResources names " +
                                  name +
                                  ", which the host cluster has no CustomResourceDefinition "
                                  "of\nto fix: install it on the host (kubectl get crd " +
                                  name + "), or take it out of the values");
      }
    }
  }
  return Status::Ok();
}

Status CheckValuesWithHost(CreateRun& run, const HostBefore& host, json& values) {
  // The dry run goes to the virtual cluster's namespace when it exists (the least a user who
  // may create it there is allowed), else to default.
  RETURN_IF_ERROR(SettleServiceRange(
      run.client, host.namespace_object.is_object() ? run.ns : "default", values, run.progress));
  RETURN_IF_ERROR(CheckSkew(run.client, values, run.options.images, run.progress));
  RETURN_IF_ERROR(CheckCustomResourcesOnHost(run.client, values));
  if (run.result.existed) {
    RETURN_IF_ERROR(CheckUpgradeStep(ApiServerVersion(host.statefulset),
                                     VersionToRun(values, run.options.images, nullptr),
                                     run.options.name));
  }
  return Status::Ok();
}

// The Roles that read ConfigMaps mapped from other namespaces need those namespaces: checked
// before anything is applied, so a missing one leaves nothing half-made.
Status CheckMappedNamespacesExist(kube::Client& client,
                                  const std::vector<render::HostObject>& objects,
                                  const std::string& ns) {
  std::set<std::string> others;
  for (const auto& o : objects) {
    if (const std::string where = HostNamespace(o, ns); !where.empty() && where != ns) {
      others.insert(where);
    }
  }
  for (const auto& other : others) {
    ASSIGN_OR_RETURN(json found, GetOrNull(client, r::kNamespaces, "", other));
    if (found.is_null()) {
      return FailedPrecondition(
          "sync.fromHost.configMaps.mappings reads ConfigMaps of host namespace " + other +
          ", which does not exist\nto fix: create it (kubectl create namespace " + other +
          ") or remove its mappings from the values");
    }
  }
  return Status::Ok();
}

// The host objects to apply, in render order; a paused cluster's StatefulSet stays at 0.
StatusOr<std::vector<render::HostObject>> RenderForHost(kube::Client& client,
                                                        const HostBefore& host,
                                                        render::VirtualCluster& vc) {
  // Ours to delete only when we made it (or a create of ours did, and was interrupted).
  vc.create_namespace =
      !host.namespace_object.is_object() ||
      Str(host.namespace_object, "/metadata/labels/kubectl-vc.dev~1created-namespace") == "true";
  std::vector<render::HostObject> objects = render::RenderHostObjects(vc);
  RETURN_IF_ERROR(CheckMappedNamespacesExist(client, objects, vc.namespace_));
  if (host.paused) {
    for (auto& o : objects) {
      if (o.resource.resource == "statefulsets") o.object["spec"]["replicas"] = 0;
    }
  }
  return objects;
}

// An upgrade's server-side dry run of every object; fills result.would_change.
Status CheckChangeWithHost(CreateRun& run, const std::vector<render::HostObject>& objects) {
  run.progress.Begin("Checking the change with the host (server-side dry run)");
  if (Status s = DryRunApply(run.client, objects, run.ns, &run.result.would_change); !s.ok()) {
    run.progress.Fail();
    return s;
  }
  run.progress.Done(run.result.would_change.empty()
                        ? "nothing changes"
                        : std::to_string(run.result.would_change.size()) + " objects change");
  return Status::Ok();
}

Status InstallCrd(CreateRun& run) {
  run.progress.Begin("Installing the Tenant resource definition");
  if (Status s = EnsureCrd(run.client, run.cancel); !s.ok()) {
    run.progress.Fail();
    return s.code() == Code::kCancelled ? Interrupted(run) : s;
  }
  run.progress.Done();
  return Status::Ok();
}

struct ApplyCounts {
  int created = 0;
  int configured = 0;
  int unchanged = 0;
};

// Server-side apply of one object, counted by what it did to the object on the host.
Status ApplyHostObject(CreateRun& run, const render::HostObject& o, ApplyCounts* counts) {
  const std::string name = Str(o.object, "/metadata/name");
  const std::string where = HostNamespace(o, run.ns);
  auto before = GetOrNull(run.client, o.resource, where, name);
  if (!before.ok()) {
    run.progress.Fail();
    return before.status().Annotate("read " + Describe(o));
  }
  kube::ApplyOptions apply{.field_manager = render::kFieldManager, .force = true};
  auto after = run.client.Apply(o.resource, where, name, o.object.dump(), apply);
  if (!after.ok()) {
    run.progress.Fail(Describe(o));
    Status failed = after.status().Annotate("apply " + Describe(o));
    return run.result.existed
               ? Status(failed.code(), failed.message() + PartlyUpgraded(run.options, run.ns))
               : failed;
  }
  if (before->is_null()) {
    ++counts->created;
  } else if (Str(*before, "/metadata/resourceVersion") !=
             Str(*after, "/metadata/resourceVersion")) {
    ++counts->configured;
  } else {
    ++counts->unchanged;
  }
  return Status::Ok();
}

// Deletes what the values no longer render (Stale); counts it in result.pruned.
Status PruneStale(CreateRun& run, const std::vector<render::HostObject>& objects) {
  auto stale = Stale(run.client, run.options.name, run.ns, objects);
  if (!stale.ok()) {
    run.progress.Fail();
    return stale.status().Annotate("find objects the values no longer ask for");
  }
  for (const auto& o : *stale) {
    auto deleted = run.client.Delete(o.kind, o.namespace_, o.name);
    if (!deleted.ok() && deleted.status().code() != Code::kNotFound) {
      run.progress.Fail();
      return deleted.status().Annotate("prune " + o.kind.kind + " " + o.name);
    }
    ++run.result.pruned;
  }
  return Status::Ok();
}

// Every object in render order (Ctrl-C stops between two), then for an upgrade or a resumed
// create the prune of what is no longer rendered.
Status ApplyHostObjects(CreateRun& run, const std::vector<render::HostObject>& objects) {
  run.progress.Begin("Applying " + std::to_string(objects.size()) + " host objects");
  ApplyCounts counts;
  for (const auto& o : objects) {
    if (run.cancel != nullptr && run.cancel->cancelled()) {
      run.progress.Fail("interrupted");
      return Interrupted(run);
    }
    RETURN_IF_ERROR(ApplyHostObject(run, o, &counts));
  }
  run.result.changed = counts.created + counts.configured;
  run.result.unchanged = counts.unchanged;
  if (run.result.existed || run.result.resumed) RETURN_IF_ERROR(PruneStale(run, objects));
  run.progress.Done(
      std::to_string(counts.created) + " created, " + std::to_string(counts.configured) +
      " configured, " + std::to_string(run.result.unchanged) + " unchanged" +
      (run.result.pruned > 0 ? ", " + std::to_string(run.result.pruned) + " pruned" : ""));
  return Status::Ok();
}

// With --wait, until the control plane is up; else until its pod exists. Neither for a paused
// cluster, which has no pod.
Status WaitForControlPlane(CreateRun& run, bool paused) {
  if (paused) return Status::Ok();
  const CreateOptions& options = run.options;
  if (options.wait) {
    Status waited =
        WaitReady(run.client, options.name, run.ns, options.timeout, run.progress, run.cancel);
    if (waited.code() == Code::kCancelled) return Interrupted(run);
    return waited;
  }
  // Returning before the pod exists would make the next `kubectl wait -l app=vcluster` (the
  // seed's step) fail with "no matching resources": wait until the StatefulSet made it.
  run.progress.Begin("Waiting for the StatefulSet to create pod " + options.name + "-0");
  Status made = PollUntil(
      [&]() -> StatusOr<bool> {
        ASSIGN_OR_RETURN(json pod, GetOrNull(run.client, r::kPods, run.ns, options.name + "-0"));
        return pod.is_object();
      },
      options.timeout, "waiting for pod " + options.name + "-0 to be created", run.cancel);
  if (!made.ok()) {
    run.progress.Fail();
    return made.code() == Code::kCancelled ? Interrupted(run) : made;
  }
  run.progress.Done();
  return Status::Ok();
}

// The created-at annotation on Secret vc-config-NAME: the next create says "exists" instead of
// resuming.
Status MarkCreateFinished(kube::Client& client, const std::string& name, const std::string& ns) {
  json mark = {{"metadata", {{"annotations", {{kCreatedAtAnnotation, NowRfc3339()}}}}}};
  kube::PatchOptions patch{.field_manager = kStateFieldManager};
  auto marked = client.Patch(r::kSecrets, ns, render::ConfigSecretName(name),
                             kube::PatchType::kMerge, mark.dump(), patch);
  if (!marked.ok()) return marked.status().Annotate("mark the create finished");
  return Status::Ok();
}

}  // namespace

StatusOr<render::VirtualCluster> PlanCreate(const CreateOptions& options,
                                            std::vector<std::string>* warnings) {
  RETURN_IF_ERROR(ValidateName("virtual cluster name", options.name, kMaxNameLength));
  render::VirtualCluster vc;
  vc.name = options.name;
  vc.namespace_ = options.namespace_.empty() ? "vcluster-" + options.name : options.namespace_;
  RETURN_IF_ERROR(ValidateName("namespace", vc.namespace_));
  vc.create_namespace = options.namespace_.empty();
  values::ResolveInput input = options.values;
  if (options.expose) input.set_entries.push_back("controlPlane.service.spec.type=LoadBalancer");
  ASSIGN_OR_RETURN(values::ResolvedValues resolved, values::Resolve(input));
  *warnings = std::move(resolved.warnings);
  vc.values = std::move(resolved.values);
  vc.images = options.images;
  return vc;
}

StatusOr<CreateResult> Create(kube::Client& client, const CreateOptions& options,
                              output::Progress& progress, const CancelToken* cancel) {
  std::vector<std::string> warnings;
  ASSIGN_OR_RETURN(render::VirtualCluster vc, PlanCreate(options, &warnings));
  for (const auto& w : warnings) progress.Note("warning: " + w);
  CreateRun run{.client = client,
                .options = options,
                .progress = progress,
                .cancel = cancel,
                .ns = vc.namespace_,
                .result = {}};
  run.result.namespace_ = run.ns;

  ASSIGN_OR_RETURN(const HostBefore host, CheckHost(run));
  RETURN_IF_ERROR(CheckValuesWithHost(run, host, vc.values));
  ASSIGN_OR_RETURN(const std::vector<render::HostObject> objects, RenderForHost(client, host, vc));
  if (run.result.existed) RETURN_IF_ERROR(CheckChangeWithHost(run, objects));
  if (options.check_only) return run.result;

  RETURN_IF_ERROR(InstallCrd(run));
  RETURN_IF_ERROR(ApplyHostObjects(run, objects));
  RETURN_IF_ERROR(WaitForControlPlane(run, host.paused));
  if (!host.finished) RETURN_IF_ERROR(MarkCreateFinished(client, options.name, run.ns));
  return run.result;
}

}  // namespace vc::cli::lifecycle
