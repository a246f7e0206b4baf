// SPDX-License-Identifier: Apache-2.0
// Each check is a rule a reviewer would state in one sentence; the message gives the reason
// (what would go wrong on the host) and the change to make, and points at the setting to change.
#include "vc/cli/values/contradictions.h"

#include <algorithm>
#include <regex>
#include <string>

#include "vc/cli/values/trust_level.h"
#include "vc/duration.h"

namespace vc::cli::values {
namespace {

using nlohmann::json;

const json& At(const json& root, std::string_view pointer) {
  static const json kNull;
  const json* node = &root;
  size_t pos = 1;
  while (pos <= pointer.size() && !pointer.empty()) {
    size_t next = pointer.find('/', pos);
    std::string token(
        pointer.substr(pos, next == std::string_view::npos ? std::string_view::npos : next - pos));
    if (!node->is_object()) return kNull;
    auto it = node->find(token);
    if (it == node->end()) return kNull;
    node = &*it;
    if (next == std::string_view::npos) break;
    pos = next + 1;
  }
  return *node;
}

bool IsTrue(const json& v, std::string_view pointer) {
  const json& node = At(v, pointer);
  return node.is_boolean() && node.get<bool>();
}

class Checker {
 public:
  Checker(const json& values, const Locator& where) : v_(values), where_(where) {
    trust_ = TrustLevelOf(values);
    trust_text_ = "isolation.trustLevel " + std::string(TrustLevelName(trust_));
    // high is the default; pointing at the isolation section for it would mislead.
    if (trust_ != TrustLevel::kHigh) trust_text_ += " (" + Where("/isolation/trustLevel") + ")";
  }

  Findings Run() {
    RealNodesAtZeroTrust();
    DedicatedNodesAtZeroTrust();
    IngressesWithoutServices();
    NoServiceTypeAllowed();
    PrivilegedAtLowerTrust();
    NodeLabelsIgnoredBySelectAll();
    OpenSharedServiceAtZeroTrust();
    NodeQuotaAtHighTrust();
    VirtualSchedulerWithoutRealNodes();
    NodeChangesBackBelowHighTrust();
    PriorityClassesBelowHighTrust();
    DisruptionBudgetsBelowHighTrust();
    SleepModeHalfSet();
    HostPriorityClasses();
    CsiNodesBelowHighTrust();
    CustomResources("toHost");
    CustomResources("fromHost");
    return std::move(findings_);
  }

 private:
  std::string Where(std::string_view pointer) const {
    return where_ ? where_(pointer) : std::string("values");
  }
  void Error(std::string_view pointer, const std::string& message) {
    findings_.errors.push_back(Where(pointer) + ": " + message);
  }
  void Warning(std::string_view pointer, const std::string& message) {
    findings_.warnings.push_back(Where(pointer) + ": " + message);
  }

  void RealNodesAtZeroTrust() {
    if (trust_ != TrustLevel::kZero || !IsTrue(v_, "/sync/fromHost/nodes/enabled") ||
        !IsTrue(v_, "/sync/fromHost/nodes/selector/all")) {
      return;
    }
    Error("/sync/fromHost/nodes/selector/all",
          "sync.fromHost.nodes.selector.all true shows every real node of the host, and so "
          "the other tenants' nodes and workloads, to a zero-trust tenant (" +
              trust_text_ +
              "); set it to false and pick the tenant's nodes with "
              "sync.fromHost.nodes.selector.labels, or set sync.fromHost.nodes.enabled to false "
              "for pseudo nodes");
  }

  void DedicatedNodesAtZeroTrust() {
    if (trust_ != TrustLevel::kZero || IsTrue(v_, "/isolation/dedicatedNodes/enabled")) return;
    Error("/isolation/dedicatedNodes/enabled",
          "isolation.dedicatedNodes.enabled is false, but a zero-trust tenant must not share a "
          "node (a kernel) with other tenants (" +
              trust_text_ +
              "); set isolation.dedicatedNodes.enabled to true and dedicate nodes with `kubectl "
              "vc node dedicate NODE --tenant NAME`, or lower isolation.trustLevel to partial");
  }

  void IngressesWithoutServices() {
    if (!IsTrue(v_, "/sync/toHost/ingresses/enabled") ||
        IsTrue(v_, "/sync/toHost/services/enabled")) {
      return;
    }
    Error("/sync/toHost/ingresses/enabled",
          "sync.toHost.ingresses.enabled is true, but sync.toHost.services.enabled is false (" +
              Where("/sync/toHost/services/enabled") +
              "): a synced ingress routes to services that would not exist on the host, so the "
              "host's ingress controller has no backend; enable sync.toHost.services or disable "
              "sync.toHost.ingresses");
  }

  void NoServiceTypeAllowed() {
    const json& types = At(v_, "/isolation/serviceTypes");
    if (!types.is_array() || !types.empty() || !IsTrue(v_, "/sync/toHost/services/enabled")) {
      return;
    }
    Error("/isolation/serviceTypes",
          "isolation.serviceTypes is empty, so no service would reach the host although "
          "sync.toHost.services.enabled is true (" +
              Where("/sync/toHost/services/enabled") +
              "); list the allowed types (e.g. [ClusterIP]) or set sync.toHost.services.enabled "
              "to false");
  }

  void PrivilegedAtLowerTrust() {
    const json& standard = At(v_, "/policies/podSecurityStandard");
    if (trust_ == TrustLevel::kHigh || standard != "privileged") return;
    Error("/policies/podSecurityStandard",
          "policies.podSecurityStandard privileged lets the tenant's pods use host namespaces, "
          "host paths and privileged containers, which escapes every other isolation (" +
              trust_text_ + "); use baseline or restricted, or isolation.trustLevel high");
  }

  void VirtualSchedulerWithoutRealNodes() {
    if (!IsTrue(v_, "/controlPlane/advanced/virtualScheduler/enabled") ||
        IsTrue(v_, "/sync/fromHost/nodes/enabled")) {
      return;
    }
    Error(
        "/controlPlane/advanced/virtualScheduler/enabled",
        "controlPlane.advanced.virtualScheduler.enabled is true, but sync.fromHost.nodes.enabled "
        "is false, so the virtual cluster has only pseudo nodes and its scheduler nothing real to "
        "choose from; set sync.fromHost.nodes.enabled to true (and pick the nodes with "
        "sync.fromHost.nodes.selector), or disable the virtual scheduler");
  }

  void NodeChangesBackBelowHighTrust() {
    if (!IsTrue(v_, "/sync/fromHost/nodes/syncBackChanges")) return;
    if (trust_ != TrustLevel::kHigh) {
      Error("/sync/fromHost/nodes/syncBackChanges",
            "sync.fromHost.nodes.syncBackChanges lets the tenant change labels, taints and "
            "resources of host nodes that other tenants' pods are placed by (" +
                trust_text_ + "); set it to false, or isolation.trustLevel high");
    } else if (!IsTrue(v_, "/sync/fromHost/nodes/enabled")) {
      Error("/sync/fromHost/nodes/syncBackChanges",
            "sync.fromHost.nodes.syncBackChanges has no effect while sync.fromHost.nodes.enabled "
            "is false (" +
                Where("/sync/fromHost/nodes/enabled") +
                "): pseudo nodes are no host node's; set nodes.enabled to true or remove "
                "syncBackChanges");
    }
  }

  // sync.{toHost,fromHost}.customResources: keys are PLURAL.GROUP (the schema checks only
  // their values), and a zero-trust tenant gets none (a host controller acting on its objects,
  // or host objects shown to it, is a channel the node cannot watch).
  void CustomResources(const std::string& direction) {
    const std::string pointer = "/sync/" + direction + "/customResources";
    const json& section = At(v_, pointer);
    if (!section.is_object()) return;
    static const std::regex kName(
        "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+");
    for (const auto& [name, entry] : section.items()) {
      const std::string at = pointer + "/" + name;
      if (!std::regex_match(name, kName)) {
        Error(at, "sync." + direction + ".customResources names \"" + name +
                      "\", which is not PLURAL.GROUP of a custom resource (for example "
                      "certificates.cert-manager.io; kubectl get crd lists them)");
        continue;
      }
      if (trust_ == TrustLevel::kZero && IsTrue(v_, at + "/enabled")) {
        Error(at + "/enabled", "sync." + direction + ".customResources." + name +
                                   " is not synced at " + trust_text_ +
                                   ": a host controller acting on the tenant's objects, or host "
                                   "objects shown to it, is a channel between tenants the node "
                                   "cannot watch; set enabled to false, or isolation.trustLevel "
                                   "partial or high");
      }
    }
  }

  void CsiNodesBelowHighTrust() {
    if (trust_ == TrustLevel::kHigh || !IsTrue(v_, "/sync/fromHost/csiNodes/enabled")) return;
    Error("/sync/fromHost/csiNodes/enabled",
          "sync.fromHost.csiNodes.enabled shows a CSINode for every host node, with the node's "
          "name and its drivers' node IDs, also of nodes the tenant may not see (other tenants' "
          "dedicated nodes) (" +
              trust_text_ + "); set it to false, or isolation.trustLevel high");
  }

  void HostPriorityClasses() {
    if (!IsTrue(v_, "/sync/fromHost/priorityClasses/enabled")) return;
    if (trust_ != TrustLevel::kHigh) {
      Error("/sync/fromHost/priorityClasses/enabled",
            "sync.fromHost.priorityClasses.enabled lets the tenant's pods run with any host "
            "PriorityClass, system-node-critical too, with which they preempt other tenants' "
            "pods (" +
                trust_text_ + "); set it to false, or isolation.trustLevel high");
    } else if (IsTrue(v_, "/sync/toHost/priorityClasses/enabled")) {
      Error("/sync/fromHost/priorityClasses/enabled",
            "sync.fromHost.priorityClasses and sync.toHost.priorityClasses are both enabled (" +
                Where("/sync/toHost/priorityClasses/enabled") +
                "): a class name would mean the tenant's copy or the host's own; enable one");
    }
  }

  void SleepModeHalfSet() {
    const json& after = At(v_, "/sleepMode/autoSleep/afterInactivity");
    const std::string text = after.is_string() ? after.get<std::string>() : "";
    if (IsTrue(v_, "/sleepMode/enabled")) {
      if (text.empty()) {
        Error("/sleepMode/enabled",
              "sleepMode.enabled is true, but sleepMode.autoSleep.afterInactivity is not set, so "
              "nothing says when to sleep; set it (e.g. 30m), or disable sleepMode");
        return;
      }
      auto parsed = ParseDuration("sleepMode.autoSleep.afterInactivity", text);
      if (!parsed.ok() || parsed->count() < 1000) {
        Error("/sleepMode/autoSleep/afterInactivity",
              "sleepMode.autoSleep.afterInactivity \"" + text +
                  "\" is shorter than a second; use a duration such as 30m, 1h or 90s");
      }
    } else {
      for (const char* key : {"/sleepMode/autoSleep/afterInactivity",
                              "/sleepMode/autoWakeup/schedule", "/sleepMode/timeZone"}) {
        const json& set = At(v_, key);
        if (!set.is_string() || set.get<std::string>().empty()) continue;
        std::string dotted = std::string(key + 1);
        std::replace(dotted.begin(), dotted.end(), '/', '.');
        Error(key, dotted + " has no effect while sleepMode.enabled is false (" +
                       Where("/sleepMode/enabled") +
                       "); set sleepMode.enabled to true, or remove it");
      }
    }
    const json& zone = At(v_, "/sleepMode/timeZone");
    const json& schedule = At(v_, "/sleepMode/autoWakeup/schedule");
    if (zone.is_string() && !zone.get<std::string>().empty() &&
        !(schedule.is_string() && !schedule.get<std::string>().empty()) &&
        IsTrue(v_, "/sleepMode/enabled")) {
      Error("/sleepMode/timeZone",
            "sleepMode.timeZone is the time zone of sleepMode.autoWakeup.schedule, which is not "
            "set; set the schedule (e.g. \"0 8 * * 1-5\"), or remove the time zone");
    }
  }

  void PriorityClassesBelowHighTrust() {
    if (trust_ == TrustLevel::kHigh || !IsTrue(v_, "/sync/toHost/priorityClasses/enabled")) return;
    Error("/sync/toHost/priorityClasses/enabled",
          "sync.toHost.priorityClasses.enabled gives the tenant's pods host priorities, with "
          "which they preempt other tenants' pods (" +
              trust_text_ +
              "); set it to false (the tenant's pods then have the host's default priority), "
              "or isolation.trustLevel high");
  }

  void DisruptionBudgetsBelowHighTrust() {
    if (trust_ == TrustLevel::kHigh || !IsTrue(v_, "/sync/toHost/podDisruptionBudgets/enabled")) {
      return;
    }
    Error("/sync/toHost/podDisruptionBudgets/enabled",
          "sync.toHost.podDisruptionBudgets.enabled lets the tenant's budgets hold the drain of "
          "host nodes (a budget that allows no disruption, or two over one pod, stops it for "
          "good), and nodes below trust high are shared or the platform's to maintain (" +
              trust_text_ +
              "); set it to false (the host then drains the tenant's pods as it drains any), or "
              "isolation.trustLevel high");
  }

  void NodeLabelsIgnoredBySelectAll() {
    const json& labels = At(v_, "/sync/fromHost/nodes/selector/labels");
    if (!IsTrue(v_, "/sync/fromHost/nodes/selector/all") || !labels.is_object() || labels.empty()) {
      return;
    }
    Error("/sync/fromHost/nodes/selector/labels",
          "sync.fromHost.nodes.selector.labels has no effect while selector.all is true (" +
              Where("/sync/fromHost/nodes/selector/all") +
              "); set selector.all to false to show only nodes with these labels, or remove "
              "the labels");
  }

  void OpenSharedServiceAtZeroTrust() {
    const json& shared = At(v_, "/isolation/sharedServices");
    if (trust_ != TrustLevel::kZero || !shared.is_array()) return;
    for (size_t i = 0; i < shared.size(); ++i) {
      const json& cidr = At(shared[i], "/cidr");
      if (!cidr.is_string()) continue;
      const std::string text = cidr.get<std::string>();
      if (text.size() < 2 || text.compare(text.size() - 2, 2, "/0") != 0) continue;
      std::string pointer = "/isolation/sharedServices/" + std::to_string(i) + "/cidr";
      Error(pointer, "isolation.sharedServices[" + std::to_string(i) + "].cidr " + text +
                         " makes every address a shared service, which undoes the default-deny "
                         "network of a zero-trust tenant (" +
                         trust_text_ +
                         "); list the services or the narrow ranges the tenant needs");
    }
  }

  // A warning, not an error: capping a noisy team per node is legitimate and the node agent
  // enforces it at any trust level; but at high trust the usual tool is
  // policies.resourceQuota, and a per-node cap there is more often a copied zero-trust file.
  void NodeQuotaAtHighTrust() {
    const json& quota = At(v_, "/isolation/nodeQuota");
    if (trust_ != TrustLevel::kHigh || !quota.is_object() || quota.empty()) return;
    Warning("/isolation/nodeQuota",
            "isolation.nodeQuota is set at " + trust_text_ +
                "; the node agent enforces it, but a high-trust team is usually capped with "
                "policies.resourceQuota; remove isolation.nodeQuota if it was not meant for "
                "this tenant");
  }

  const json& v_;
  const Locator& where_;
  TrustLevel trust_ = TrustLevel::kHigh;
  std::string trust_text_;
  Findings findings_;
};

}  // namespace

Findings FindContradictions(const nlohmann::json& effective, const Locator& where) {
  return Checker(effective, where).Run();
}

}  // namespace vc::cli::values
