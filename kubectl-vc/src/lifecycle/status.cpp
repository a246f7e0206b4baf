// SPDX-License-Identifier: Apache-2.0
// What state a virtual cluster is in, read from the host: list, find, describe.
#include <algorithm>
#include <set>
#include <sstream>

#include "lifecycle/owned.h"
#include "vc/base64.h"
#include "vc/cli/lifecycle/lifecycle.h"
#include "vc/labels.h"
#include "vc/yaml.h"

namespace vc::cli::lifecycle {

using nlohmann::json;
namespace r = kube::resources;

namespace {

// Waiting reasons that do not fix themselves: the pod needs a person.
bool IsFailureReason(const std::string& reason) {
  static const std::set<std::string> kFailures = {
      "ErrImagePull",      "ImagePullBackOff",           "InvalidImageName",
      "CrashLoopBackOff",  "CreateContainerConfigError", "CreateContainerError",
      "RunContainerError", "ErrImageNeverPull"};
  return kFailures.count(reason) > 0;
}

bool ConditionTrue(const json& pod, const std::string& type, std::string* message = nullptr) {
  for (const auto& c : pod.value("/status/conditions"_json_pointer, json::array())) {
    if (c.value("type", "") != type) continue;
    if (message != nullptr) {
      *message = c.value("reason", "");
      if (c.contains("message"))
        *message += (message->empty() ? "" : ": ") + c.value("message", "");
    }
    return c.value("status", "") == "True";
  }
  return false;
}

std::string ImageTag(const std::string& image) {
  const auto slash = image.rfind('/');
  const auto colon = image.rfind(':');
  if (colon == std::string::npos || (slash != std::string::npos && colon < slash)) return "";
  return image.substr(colon + 1);
}

}  // namespace

std::string ApiServerVersion(const json& sts) {
  // The apiserver is a sidecar (an init container); clusters made before were a main container.
  for (const char* list :
       {"/spec/template/spec/initContainers", "/spec/template/spec/containers"}) {
    for (const auto& c : sts.value(json::json_pointer(list), json::array())) {
      if (c.value("name", "") == "kube-apiserver") return ImageTag(c.value("image", ""));
    }
  }
  return "";
}

std::string VersionToRun(const json& values, const render::Images& defaults, std::string* source) {
  std::string version = Str(values, "/controlPlane/distro/k8s/version");
  if (!version.empty()) {
    if (source != nullptr) *source = "controlPlane.distro.k8s.version";
    return version;
  }
  const std::string image = render::ImagesFor(values, defaults).apiserver;
  if (source != nullptr) *source = "the tag of the kube-apiserver image " + image;
  return ImageTag(image);
}

namespace {

Info InfoOf(const json& sts, const json& pod) {
  Info info;
  info.name = Str(sts, "/metadata/name");
  info.namespace_ = Str(sts, "/metadata/namespace");
  info.trust = Str(sts, "/metadata/labels/kubectl-vc.dev~1trust-level");
  info.created = Str(sts, "/metadata/creationTimestamp");
  info.version = ApiServerVersion(sts);
  info.statefulset = sts;
  info.pod = pod;
  info.status = StatusOf(sts, pod, &info.problems);
  if (IsPaused(info)) info.paused_at = Annotation(sts, kPausedAtAnnotation);
  return info;
}

}  // namespace

std::string StatusOf(const json& sts, const json& pod, std::vector<std::string>* problems) {
  if (!sts.is_object()) return "Unknown";
  if (sts.contains("/metadata/deletionTimestamp"_json_pointer)) return "Deleting";
  if (!Annotation(sts, kPausedReplicasAnnotation).empty()) {
    return Annotation(sts, labels::kPausedByAnnotation) == labels::kPausedByAutoSleep ? "Sleeping"
                                                                                      : "Paused";
  }
  if (!pod.is_object()) {
    if (problems != nullptr) problems->push_back("control-plane pod not created yet");
    return "Pending";
  }
  if (pod.contains("/metadata/deletionTimestamp"_json_pointer)) {
    if (problems != nullptr) problems->push_back("control-plane pod is terminating");
    return "Pending";
  }
  std::string failed;
  for (const char* list : {"/status/initContainerStatuses", "/status/containerStatuses"}) {
    for (const auto& cs : pod.value(json::json_pointer(list), json::array())) {
      const json waiting = cs.value("/state/waiting"_json_pointer, json());
      if (!waiting.is_object()) continue;
      const std::string reason = waiting.value("reason", "");
      if (!IsFailureReason(reason)) continue;
      std::string line = "container " + cs.value("name", "") + ": " + reason;
      const std::string message = waiting.value("message", "");
      if (!message.empty()) line += ": " + message;
      if (problems != nullptr) problems->push_back(line);
      failed = reason;
    }
  }
  if (!failed.empty() || Str(pod, "/status/phase") == "Failed") return "Failed";
  if (ConditionTrue(pod, "Ready")) return "Running";
  std::string why;
  if (!ConditionTrue(pod, "PodScheduled", &why) && !why.empty()) {
    if (problems != nullptr) problems->push_back("not scheduled: " + why);
  }
  return "Pending";
}

StatusOr<std::vector<Info>> List(kube::Client& client, const std::string& namespace_) {
  kube::ListOptions options;
  options.label_selector = std::string(labels::kAppLabel) + "=" + labels::kAppValue + "," +
                           labels::kManagedBy + "=" + labels::kManagedByValue;
  ASSIGN_OR_RETURN(kube::ObjectList sets, client.ListAll(r::kStatefulSets, namespace_, options));
  std::vector<Info> out;
  if (sets.items.empty()) return out;
  ASSIGN_OR_RETURN(kube::ObjectList pods, client.ListAll(r::kPods, namespace_, options));
  for (const auto& sts : sets.items) {
    const std::string pod_name = Str(sts, "/metadata/name") + "-0";
    json pod;
    for (const auto& p : pods.items) {
      if (Str(p, "/metadata/name") == pod_name &&
          Str(p, "/metadata/namespace") == Str(sts, "/metadata/namespace")) {
        pod = p;
      }
    }
    out.push_back(InfoOf(sts, pod));
  }
  std::sort(out.begin(), out.end(), [](const Info& a, const Info& b) {
    return std::tie(a.namespace_, a.name) < std::tie(b.namespace_, b.name);
  });
  return out;
}

StatusOr<Info> Find(kube::Client& client, const std::string& name, const std::string& namespace_) {
  const std::string where = namespace_.empty() ? "in any namespace" : "in namespace " + namespace_;
  if (!name.empty() && !namespace_.empty()) {
    // One GET each instead of a list: the common case of `-n NS NAME`.
    ASSIGN_OR_RETURN(json sts, GetOrNull(client, r::kStatefulSets, namespace_, name));
    if (sts.is_null() || Str(sts, "/metadata/labels/app") != labels::kAppValue) {
      return NotFound("virtual cluster " + name + " not found " + where +
                      "\nsee which exist: kubectl vc list");
    }
    ASSIGN_OR_RETURN(json pod, GetOrNull(client, r::kPods, namespace_, name + "-0"));
    return InfoOf(sts, pod);
  }
  ASSIGN_OR_RETURN(std::vector<Info> all, List(client, namespace_));
  std::vector<Info> matches;
  for (auto& info : all) {
    if (name.empty() || info.name == name) matches.push_back(std::move(info));
  }
  if (matches.empty()) {
    return NotFound((name.empty() ? std::string("no virtual cluster ")
                                  : "virtual cluster " + name + " not found ") +
                    where + "\nsee which exist: kubectl vc list");
  }
  if (matches.size() > 1) {
    std::string which;
    for (const auto& m : matches)
      which += (which.empty() ? "" : ", ") + m.namespace_ + "/" + m.name;
    if (name.empty()) {
      return InvalidArgument("there are " + std::to_string(matches.size()) + " virtual clusters (" +
                             which + "): name one, e.g. kubectl vc connect " +
                             matches.front().name + " -n " + matches.front().namespace_);
    }
    return InvalidArgument("there are " + std::to_string(matches.size()) +
                           " virtual clusters named " + name + " (" + which +
                           "): say which with -n NAMESPACE");
  }
  return matches.front();
}

namespace {

// Only what has the expected type is kept: the report is parsed, not trusted.
void CopyString(const json& from, const char* key, json* to) {
  if (from.contains(key) && from[key].is_string()) (*to)[key] = from[key];
}
void CopyCount(const json& from, const char* key, json* to) {
  if (from.contains(key) && from[key].is_number_unsigned()) (*to)[key] = from[key];
}

json LagOf(const json& lag) {
  json out = json::object();
  if (!lag.is_object()) return out;
  for (const char* q : {"p50", "p99"}) {
    if (!lag.contains(q)) continue;
    if (lag[q].is_number()) {
      std::ostringstream text;
      text << lag[q].get<double>() << "s";
      out[q] = text.str();
    } else if (lag[q].is_string()) {
      out[q] = lag[q];
    }
  }
  return out;
}

}  // namespace

json SyncHealthOf(const json& pod) {
  const json* annotations = nullptr;
  if (pod.is_object() && pod.contains("/metadata/annotations"_json_pointer)) {
    annotations = &pod["/metadata/annotations"_json_pointer];
  }
  if (annotations == nullptr || !annotations->is_object()) return nullptr;
  auto text = annotations->find("kubectl-vc.dev/sync-health");
  if (text == annotations->end() || !text->is_string()) return nullptr;
  const json report = json::parse(text->get<std::string>(), nullptr, false);
  if (!report.is_object()) return nullptr;
  json out = json::object();
  CopyString(report, "at", &out);
  json controllers = json::array();
  if (report.contains("controllers") && report["controllers"].is_array()) {
    for (const json& c : report["controllers"]) {
      if (!c.is_object() || !c.contains("name") || !c["name"].is_string()) continue;
      json entry = {{"name", c["name"]}};
      for (const char* key : {"synced", "queued", "failing"}) CopyCount(c, key, &entry);
      for (const char* key : {"lagToHost", "lagToVirtual"}) {
        if (c.contains(key)) entry[key] = LagOf(c[key]);
      }
      controllers.push_back(std::move(entry));
    }
  }
  out["controllers"] = std::move(controllers);
  if (report.contains("lastRefusal") && report["lastRefusal"].is_object()) {
    json refusal = json::object();
    for (const char* key : {"at", "controller", "object", "message"}) {
      CopyString(report["lastRefusal"], key, &refusal);
    }
    out["lastRefusal"] = std::move(refusal);
  }
  return out;
}

Status ReadValues(kube::Client& client, Info* info) {
  info->values = json();
  ASSIGN_OR_RETURN(json secret, GetOrNull(client, r::kSecrets, info->namespace_,
                                          render::ConfigSecretName(info->name)));
  // The effective values, as YAML under config.yaml (render/); Secrets come back base64.
  if (auto text = Base64Decode(Str(secret, "/data/config.yaml"))) {
    auto parsed = yaml::Parse(*text, render::ConfigSecretName(info->name));
    if (parsed.ok() && parsed->value.is_object()) info->values = parsed->value;
  }
  return Status::Ok();
}

StatusOr<json> Describe(kube::Client& client, const Info& info) {
  json doc = {{"name", info.name},        {"namespace", info.namespace_}, {"status", info.status},
              {"trustLevel", info.trust}, {"version", info.version},      {"created", info.created},
              {"problems", info.problems}};
  Info with_values = info;
  RETURN_IF_ERROR(ReadValues(client, &with_values));
  if (with_values.values.is_object()) doc["values"] = with_values.values;
  ASSIGN_OR_RETURN(json service, GetOrNull(client, r::kServices, info.namespace_, info.name));
  json endpoint = {{"service", info.name + "." + info.namespace_ + ".svc:443"}};
  if (service.is_object()) {
    endpoint["type"] = Str(service, "/spec/type");
    endpoint["clusterIP"] = Str(service, "/spec/clusterIP");
    for (const auto& ingress :
         service.value("/status/loadBalancer/ingress"_json_pointer, json::array())) {
      endpoint["external"] = ingress.value("ip", ingress.value("hostname", "")) + ":443";
    }
  }
  doc["endpoint"] = endpoint;
  json cp = json::object();
  if (info.pod.is_object()) {
    cp = {{"pod", Str(info.pod, "/metadata/name")},
          {"node", Str(info.pod, "/spec/nodeName")},
          {"phase", Str(info.pod, "/status/phase")},
          {"podIP", Str(info.pod, "/status/podIP")}};
    json containers = json::array();
    // Sidecars (kine) first, as the pod starts them; init containers that ran to completion
    // are not part of the running control plane.
    json statuses = json::array();
    const json sidecars = info.pod.value("/spec/initContainers"_json_pointer, json::array());
    for (const auto& cs :
         info.pod.value("/status/initContainerStatuses"_json_pointer, json::array())) {
      for (const auto& c : sidecars) {
        if (c.value("name", "") == cs.value("name", "") &&
            c.value("restartPolicy", "") == "Always") {
          statuses.push_back(cs);
        }
      }
    }
    for (const auto& cs : info.pod.value("/status/containerStatuses"_json_pointer, json::array())) {
      statuses.push_back(cs);
    }
    for (const auto& cs : statuses) {
      std::string state = "unknown";
      if (cs.contains("/state/running"_json_pointer)) state = "running";
      if (cs.contains("/state/waiting"_json_pointer)) {
        state = "waiting: " + Str(cs, "/state/waiting/reason");
      }
      if (cs.contains("/state/terminated"_json_pointer)) {
        state = "terminated: " + Str(cs, "/state/terminated/reason");
      }
      containers.push_back({{"name", cs.value("name", "")},
                            {"image", cs.value("image", "")},
                            {"ready", cs.value("ready", false)},
                            {"restarts", cs.value("restartCount", 0)},
                            {"state", state}});
    }
    cp["containers"] = containers;
    if (json health = SyncHealthOf(info.pod); !health.is_null()) doc["sync"] = std::move(health);
  }
  doc["controlPlane"] = cp;
  kube::ListOptions options;
  options.label_selector = OwnedSelector(info.name, info.namespace_);
  ASSIGN_OR_RETURN(kube::ObjectList quotas,
                   client.ListAll(r::kResourceQuotas, info.namespace_, options));
  json q = json::array();
  for (const auto& quota : quotas.items) {
    q.push_back({{"name", Str(quota, "/metadata/name")},
                 {"hard", quota.value("/status/hard"_json_pointer,
                                      quota.value("/spec/hard"_json_pointer, json::object()))},
                 {"used", quota.value("/status/used"_json_pointer, json::object())}});
  }
  doc["quotas"] = q;
  ASSIGN_OR_RETURN(json tenant,
                   GetOrNull(client, render::TenantResource(), info.namespace_, info.name));
  if (tenant.is_object()) doc["isolation"] = tenant.value("spec", json::object());
  return doc;
}

}  // namespace vc::cli::lifecycle
