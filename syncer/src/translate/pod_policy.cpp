// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/translate/pod_policy.h"

#include <set>

#include "vc/pod_security.h"

namespace vc::syncer::translate {

using nlohmann::json;

namespace {

// Capabilities baseline allows to add (the runtime's default set).
const std::set<std::string> kBaselineCaps = {
    "AUDIT_WRITE",      "CHOWN",   "DAC_OVERRIDE", "FOWNER",  "FSETID", "KILL",      "MKNOD",
    "NET_BIND_SERVICE", "SETFCAP", "SETGID",       "SETPCAP", "SETUID", "SYS_CHROOT"};

// Volume types restricted allows.
const std::set<std::string> kRestrictedVolumes = {"configMap", "csi",       "downwardAPI",
                                                  "emptyDir",  "ephemeral", "persistentVolumeClaim",
                                                  "projected", "secret"};

bool True(const json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_boolean() && j[key].get<bool>();
}

std::vector<const json*> AllContainers(const json& spec) {
  std::vector<const json*> out;
  for (const char* list : {"initContainers", "containers", "ephemeralContainers"}) {
    if (!spec.contains(list) || !spec[list].is_array()) continue;
    for (const auto& c : spec[list]) out.push_back(&c);
  }
  return out;
}

void CheckBaseline(const json& spec, std::vector<std::string>* out) {
  for (const char* ns : {"hostNetwork", "hostPID", "hostIPC"}) {
    if (True(spec, ns)) out->push_back(std::string(ns) + "=true");
  }
  for (const auto& v : spec.value("volumes", json::array())) {
    if (v.contains("hostPath")) {
      out->push_back("volume \"" + v.value("name", "") + "\": hostPath");
    }
  }
  for (const json* c : AllContainers(spec)) {
    const std::string who = "container \"" + c->value("name", "") + "\": ";
    const json sc = c->value("securityContext", json::object());
    if (True(sc, "privileged")) out->push_back(who + "privileged=true");
    for (const auto& cap : sc.value("capabilities", json::object()).value("add", json::array())) {
      if (cap.is_string() && kBaselineCaps.count(cap.get<std::string>()) == 0) {
        out->push_back(who + "adds capability " + cap.get<std::string>());
      }
    }
    for (const auto& p : c->value("ports", json::array())) {
      if (p.value("hostPort", 0) != 0) {
        out->push_back(who + "hostPort " + std::to_string(p.value("hostPort", 0)));
      }
    }
    if (sc.value("procMount", "Default") != "Default") out->push_back(who + "procMount");
  }
}

void CheckRestricted(const json& spec, std::vector<std::string>* out) {
  for (const auto& v : spec.value("volumes", json::array())) {
    for (const auto& [type, _] : v.items()) {
      if (type != "name" && kRestrictedVolumes.count(type) == 0 && type != "hostPath") {
        out->push_back("volume \"" + v.value("name", "") + "\": " + type);
      }
    }
  }
  const json psc = spec.value("securityContext", json::object());
  const bool pod_non_root = True(psc, "runAsNonRoot");
  const bool pod_seccomp = psc.contains("seccompProfile");
  for (const json* c : AllContainers(spec)) {
    const std::string who = "container \"" + c->value("name", "") + "\": ";
    const json sc = c->value("securityContext", json::object());
    if (!(sc.contains("allowPrivilegeEscalation") && sc["allowPrivilegeEscalation"].is_boolean() &&
          !sc["allowPrivilegeEscalation"].get<bool>())) {
      out->push_back(who + "allowPrivilegeEscalation != false");
    }
    const bool non_root = sc.contains("runAsNonRoot") ? True(sc, "runAsNonRoot") : pod_non_root;
    if (!non_root) out->push_back(who + "runAsNonRoot != true");
    if (sc.value("runAsUser", -1) == 0 || psc.value("runAsUser", -1) == 0) {
      out->push_back(who + "runAsUser=0");
    }
    bool drops_all = false;
    for (const auto& cap : sc.value("capabilities", json::object()).value("drop", json::array())) {
      if (cap == "ALL") drops_all = true;
    }
    if (!drops_all) out->push_back(who + "capabilities.drop does not include ALL");
    for (const auto& cap : sc.value("capabilities", json::object()).value("add", json::array())) {
      if (cap != "NET_BIND_SERVICE") out->push_back(who + "adds capability " + cap.dump());
    }
    if (!pod_seccomp && !sc.contains("seccompProfile")) {
      out->push_back(who + "seccompProfile unset");
    }
  }
}

}  // namespace

std::string PodSecurityLevel(const SyncConfig& config) {
  return vc::PodSecurityLevel(config.trust_level, config.pod_security_standard);
}

std::vector<std::string> PodPolicyViolations(const json& pod, std::string_view level) {
  std::vector<std::string> out;
  if (vc::PodSecurityRank(level) == 0) return out;
  const json spec = pod.value("spec", json::object());
  CheckBaseline(spec, &out);
  if (vc::PodSecurityRank(level) >= 2) CheckRestricted(spec, &out);
  return out;
}

}  // namespace vc::syncer::translate
