// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/translate/host_policy.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "vc/syncer/translate/names.h"

namespace vc::syncer::translate {

using nlohmann::json;

namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// The annotation prefixes of ingress controllers: what they read as configuration.
constexpr std::array<std::string_view, 9> kControllerPrefixes = {"nginx.ingress.kubernetes.io/",
                                                                 "nginx.org/",
                                                                 "traefik.ingress.kubernetes.io/",
                                                                 "ingress.kubernetes.io/",
                                                                 "haproxy.org/",
                                                                 "haproxy.router.openshift.io/",
                                                                 "konghq.com/",
                                                                 "alb.ingress.kubernetes.io/",
                                                                 "projectcontour.io/"};

// Keys (after the prefix) that copy the tenant's text into the controller's configuration or
// make the controller fetch from where the tenant says.
constexpr std::array<std::string_view, 6> kInjectingKeys = {
    "auth-url",      "auth-signin", "auth-tls-match-cn",
    "mirror-target", "mirror-host", "auth-proxy-set-headers"};

// Keys (after the prefix) whose value is a Secret or ConfigMap, which "namespace/name" takes
// from any namespace of the host.
constexpr std::array<std::string_view, 5> kObjectReferenceKeys = {
    "auth-secret", "auth-tls-secret", "proxy-ssl-secret", "fastcgi-params-configmap",
    "custom-headers"};

// What a tenant below trust level high may set, per controller: behaviour of its own routes
// only, with plain values.
constexpr std::array<std::string_view, 14> kHarmless = {
    "nginx.ingress.kubernetes.io/ssl-redirect",
    "nginx.ingress.kubernetes.io/force-ssl-redirect",
    "nginx.ingress.kubernetes.io/proxy-body-size",
    "nginx.ingress.kubernetes.io/proxy-connect-timeout",
    "nginx.ingress.kubernetes.io/proxy-read-timeout",
    "nginx.ingress.kubernetes.io/proxy-send-timeout",
    "nginx.ingress.kubernetes.io/backend-protocol",
    "nginx.ingress.kubernetes.io/affinity",
    "nginx.ingress.kubernetes.io/session-cookie-name",
    "traefik.ingress.kubernetes.io/router.entrypoints",
    "traefik.ingress.kubernetes.io/router.priority",
    "traefik.ingress.kubernetes.io/router.pathmatcher",
    "traefik.ingress.kubernetes.io/router.tls",
    "ingress.kubernetes.io/ssl-redirect"};

// Characters configuration syntax (nginx, HAProxy, Lua, Go templates) needs and plain values
// never do.
bool PlainValue(std::string_view v) {
  return std::none_of(v.begin(), v.end(), [](unsigned char c) {
    return c < 0x20 || c == 0x7f || c == '"' || c == '\'' || c == '`' || c == '{' || c == '}' ||
           c == ';' || c == '#' || c == '$' || c == '\\';
  });
}

std::string IngressAnnotationRefusal(const std::string& key, const json& value, bool high) {
  std::string_view prefix;
  for (std::string_view p : kControllerPrefixes) {
    if (StartsWith(key, p)) prefix = p;
  }
  if (prefix.empty()) return {};
  const std::string_view rest = std::string_view(key).substr(prefix.size());
  const std::string text = value.is_string() ? value.get<std::string>() : value.dump();
  const std::string never =
      "; no trust level allows it (the host's admin can write such an Ingress on the host)";
  if (EndsWith(rest, "snippet") || EndsWith(rest, "snippets") ||
      std::find(kInjectingKeys.begin(), kInjectingKeys.end(), rest) != kInjectingKeys.end()) {
    return "annotation " + key +
           " puts the tenant's text into the configuration of the host's ingress controller, "
           "which serves every tenant (CVE-2021-25742, CVE-2023-5044, CVE-2025-24514 family)" +
           never;
  }
  if (std::find(kObjectReferenceKeys.begin(), kObjectReferenceKeys.end(), rest) !=
          kObjectReferenceKeys.end() &&
      text.find('/') != std::string::npos) {
    return "annotation " + key + "=" + text +
           " names an object in another namespace of the host, which the tenant may not read" +
           never;
  }
  if (!PlainValue(text)) {
    return "annotation " + key +
           " has a value with characters of configuration syntax (quotes, braces, ';', '#', "
           "'$', '\\' or control characters), which the ingress controller could copy into "
           "its configuration" +
           never;
  }
  if (!high && std::find(kHarmless.begin(), kHarmless.end(), key) == kHarmless.end()) {
    std::string allowed;
    for (std::string_view k : kHarmless) allowed += (allowed.empty() ? "" : ", ") + std::string(k);
    return "annotation " + key +
           " configures the host's ingress controller beyond the tenant's own routes; below "
           "isolation.trustLevel high only these may be set: " +
           allowed;
  }
  return {};
}

}  // namespace

std::string ServiceRefusal(const json& v, const SyncConfig& config) {
  const json& spec = ObjectAt(v, "spec");
  const std::string type = spec.value("type", "ClusterIP");
  if (std::find(config.service_types.begin(), config.service_types.end(), type) ==
      config.service_types.end()) {
    std::string allowed;
    for (const auto& t : config.service_types) allowed += (allowed.empty() ? "" : ", ") + t;
    return "service type " + type +
           " is not allowed in this virtual cluster (isolation.serviceTypes: " +
           (allowed.empty() ? "none" : allowed) + ")";
  }
  if (spec.contains("externalIPs") && spec["externalIPs"].is_array() &&
      !spec["externalIPs"].empty()) {
    return "spec.externalIPs would make every host node send traffic for " +
           spec["externalIPs"].dump() +
           " to this tenant's pods, whoever owns those addresses (CVE-2020-8554); no trust "
           "level allows it (remove externalIPs; use a LoadBalancer or NodePort Service if "
           "isolation.serviceTypes allows one)";
  }
  const bool node_ports = std::find(config.service_types.begin(), config.service_types.end(),
                                    "NodePort") != config.service_types.end();
  if (type == "LoadBalancer" && !node_ports && spec.value("externalTrafficPolicy", "") == "Local") {
    return "a LoadBalancer Service with externalTrafficPolicy Local gets a health-check port "
           "on every host node (spec.healthCheckNodePort), and isolation.serviceTypes does not "
           "allow NodePort (use externalTrafficPolicy Cluster, or add NodePort to "
           "isolation.serviceTypes)";
  }
  if (type == "ExternalName") {
    std::string target = spec.value("externalName", "");
    while (!target.empty() && target.back() == '.') target.pop_back();
    const std::string domain = config.cluster_domain;
    if (EndsWith(target, ".svc") || target == domain || EndsWith(target, "." + domain)) {
      return "spec.externalName " + target +
             " is a name in the cluster's DNS, which on the host names the host's Services "
             "(another namespace's, or the host API server), not this virtual cluster's; no "
             "trust level allows it (point a selector-less Service with Endpoints at the "
             "workload, or use a name outside " +
             domain + ")";
    }
  }
  return {};
}

std::string IngressRefusal(const json& v, const SyncConfig& config) {
  const bool high = config.trust_level == "high";
  for (const auto& [key, value] : ObjectAt(ObjectAt(v, "metadata"), "annotations").items()) {
    if (std::string why = IngressAnnotationRefusal(key, value, high); !why.empty()) return why;
  }
  return {};
}

}  // namespace vc::syncer::translate
