// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/translate/dns_config.h"

#include <sstream>

#include "vc/syncer/translate/names.h"

namespace vc::syncer::translate {

using nlohmann::json;

namespace {

std::pair<std::string, std::string> Split(const std::string& s) {
  auto slash = s.find('/');
  if (slash == std::string::npos) return {"default", s};
  return {s.substr(0, slash), s.substr(slash + 1)};
}

std::string ServiceFqdn(const std::string& ns_name, const std::string& domain) {
  const auto [ns, name] = Split(ns_name);
  return name + "." + ns + ".svc." + domain;
}

// vClusterService "hostNamespace/vClusterName/vClusterNamespace/vClusterService" -> the host
// service the other virtual cluster's syncer made for it.
std::string VClusterServiceFqdn(const std::string& spec, const std::string& domain) {
  std::vector<std::string> parts;
  std::stringstream in(spec);
  for (std::string p; std::getline(in, p, '/');) parts.push_back(p);
  if (parts.size() != 4) return {};
  return parts[3] + "-x-" + parts[2] + "-x-" + parts[1] + "." + parts[0] + ".svc." + domain;
}

struct Rules {
  std::vector<std::string> rewrites;  // inside the main block, before `kubernetes`
  std::vector<std::string> hosts;     // "IP NAME"
  std::vector<std::pair<std::string, std::string>> forwarded;   // virtual fqdn -> host fqdn
  std::vector<std::pair<std::string, std::string>> namespaces;  // vns -> hns
};

// A target as a host name (forwarded to the host's DNS), or an IP (hosts entry).
void AddTarget(const std::string& name, const json& target, const DnsInputs& in, Rules* r) {
  if (target.contains("ip")) {
    r->hosts.push_back(target.value("ip", "") + " " + name);
  } else if (target.contains("hostname")) {
    r->rewrites.push_back("rewrite name exact " + name + " " + target.value("hostname", "") +
                          " answer auto");
  } else if (target.contains("hostService")) {
    r->forwarded.emplace_back(name,
                              ServiceFqdn(target.value("hostService", ""), in.host_cluster_domain));
  } else if (target.contains("vClusterService")) {
    const std::string fqdn =
        VClusterServiceFqdn(target.value("vClusterService", ""), in.host_cluster_domain);
    if (!fqdn.empty()) r->forwarded.emplace_back(name, fqdn);
  }
}

Rules Collect(const SyncConfig& c, const DnsInputs& in) {
  Rules r;
  for (const auto& entry : c.resolve_dns) {
    const json target = entry.value("target", json::object());
    if (entry.contains("hostname")) {
      AddTarget(entry.value("hostname", ""), target, in, &r);
    } else if (entry.contains("service")) {
      AddTarget(ServiceFqdn(entry.value("service", ""), c.cluster_domain), target, in, &r);
    } else if (entry.contains("namespace") && target.contains("hostNamespace")) {
      r.namespaces.emplace_back(entry.value("namespace", ""), target.value("hostNamespace", ""));
    }
  }
  for (const auto& m : c.replicate_services_from_host) {
    r.forwarded.emplace_back(ServiceFqdn(m.value("to", ""), c.cluster_domain),
                             ServiceFqdn(m.value("from", ""), in.host_cluster_domain));
  }
  return r;
}

// A zone of its own for names the host answers: the more specific zone wins over the
// kubernetes plugin's cluster domain.
void HostBlock(std::ostringstream& out, const std::string& zone, const std::string& rewrite) {
  out << zone << ":" << kCoreDnsPort << " {\n"
      << "    errors\n"
      << "    " << rewrite << "\n"
      << "    forward . /etc/resolv.conf\n"
      << "    cache 30\n"
      << "}\n";
}

}  // namespace

std::string RenderCorefile(const SyncConfig& c, const DnsInputs& in) {
  const Rules r = Collect(c, in);
  std::ostringstream out;
  out << ".:" << kCoreDnsPort << " {\n"
      << "    errors\n"
      << "    health\n"
      << "    ready\n";
  for (const auto& rw : r.rewrites) out << "    " << rw << "\n";
  if (!r.hosts.empty()) {
    out << "    hosts {\n";
    for (const auto& h : r.hosts) out << "        " << h << "\n";
    out << "        fallthrough\n    }\n";
  }
  out << "    kubernetes " << c.cluster_domain << " in-addr.arpa ip6.arpa {\n"
      << "        pods insecure\n"
      << "        fallthrough in-addr.arpa ip6.arpa\n"
      << "    }\n"
      << "    forward . /etc/resolv.conf\n"
      << "    cache 30\n"
      << "    loop\n"
      << "    reload\n"
      << "    loadbalance\n"
      << "}\n";
  for (const auto& [from, to] : r.forwarded) {
    HostBlock(out, from, "rewrite name exact " + from + " " + to + " answer auto");
  }
  for (const auto& [vns, hns] : r.namespaces) {
    HostBlock(out, vns + ".svc." + c.cluster_domain,
              "rewrite name suffix ." + vns + ".svc." + c.cluster_domain + " ." + hns + ".svc." +
                  in.host_cluster_domain + " answer auto");
  }
  return out.str();
}

std::vector<json> CoreDnsObjects(const SyncConfig& c, const DnsInputs& in) {
  const json labels = {{"k8s-app", "kube-dns"}};
  const json meta = {{"name", "coredns"}, {"namespace", "kube-system"}, {"labels", labels}};
  std::vector<json> out;
  out.push_back({{"apiVersion", "v1"}, {"kind", "ServiceAccount"}, {"metadata", meta}});
  out.push_back(
      {{"apiVersion", "rbac.authorization.k8s.io/v1"},
       {"kind", "ClusterRole"},
       {"metadata", {{"name", "system:coredns"}, {"labels", labels}}},
       {"rules", json::array({{{"apiGroups", {""}},
                               {"resources", {"endpoints", "services", "pods", "namespaces"}},
                               {"verbs", {"list", "watch"}}},
                              {{"apiGroups", {"discovery.k8s.io"}},
                               {"resources", {"endpointslices"}},
                               {"verbs", {"list", "watch"}}}})}});
  out.push_back({{"apiVersion", "rbac.authorization.k8s.io/v1"},
                 {"kind", "ClusterRoleBinding"},
                 {"metadata", {{"name", "system:coredns"}, {"labels", labels}}},
                 {"roleRef",
                  {{"apiGroup", "rbac.authorization.k8s.io"},
                   {"kind", "ClusterRole"},
                   {"name", "system:coredns"}}},
                 {"subjects", json::array({{{"kind", "ServiceAccount"},
                                            {"name", "coredns"},
                                            {"namespace", "kube-system"}}})}});
  out.push_back({{"apiVersion", "v1"},
                 {"kind", "ConfigMap"},
                 {"metadata", meta},
                 {"data", {{"Corefile", RenderCorefile(c, in)}}}});
  const json container = {
      {"name", "coredns"},
      {"image", kCoreDnsImage},
      {"args", {"-conf", "/etc/coredns/Corefile"}},
      {"ports",
       json::array({{{"name", "dns"}, {"containerPort", kCoreDnsPort}, {"protocol", "UDP"}},
                    {{"name", "dns-tcp"}, {"containerPort", kCoreDnsPort}, {"protocol", "TCP"}}})},
      {"readinessProbe", {{"httpGet", {{"path", "/ready"}, {"port", 8181}}}}},
      {"securityContext",
       {{"allowPrivilegeEscalation", false},
        {"runAsNonRoot", true},
        {"runAsUser", 65534},
        {"capabilities", {{"drop", {"ALL"}}}},
        {"seccompProfile", {{"type", "RuntimeDefault"}}}}},
      {"volumeMounts",
       json::array({{{"name", "config"}, {"mountPath", "/etc/coredns"}, {"readOnly", true}}})}};
  out.push_back({{"apiVersion", "apps/v1"},
                 {"kind", "Deployment"},
                 {"metadata", meta},
                 {"spec",
                  {{"replicas", 1},
                   {"selector", {{"matchLabels", labels}}},
                   {"template",
                    {{"metadata", {{"labels", labels}}},
                     {"spec",
                      {{"serviceAccountName", "coredns"},
                       {"dnsPolicy", "ClusterFirst"},
                       {"securityContext",
                        {{"runAsNonRoot", true}, {"seccompProfile", {{"type", "RuntimeDefault"}}}}},
                       {"containers", json::array({container})},
                       {"volumes", json::array({{{"name", "config"},
                                                 {"configMap", {{"name", "coredns"}}}}})}}}}}}}});
  out.push_back(
      {{"apiVersion", "v1"},
       {"kind", "Service"},
       {"metadata", {{"name", "kube-dns"}, {"namespace", "kube-system"}, {"labels", labels}}},
       {"spec",
        {{"selector", labels},
         {"ports",
          json::array(
              {{{"name", "dns"}, {"port", 53}, {"targetPort", kCoreDnsPort}, {"protocol", "UDP"}},
               {{"name", "dns-tcp"},
                {"port", 53},
                {"targetPort", kCoreDnsPort},
                {"protocol", "TCP"}}})}}}});
  return out;
}

bool IsClusterDnsPod(const json& vpod) {
  const json& meta = ObjectAt(vpod, "metadata");
  return meta.value("namespace", "") == "kube-system" &&
         ObjectAt(meta, "labels").value("k8s-app", "") == "kube-dns";
}

json DnsSettings(const json& vpod, const std::string& dns_ip, const std::string& domain) {
  const json spec = vpod.value("spec", json::object());
  if (dns_ip.empty() || IsClusterDnsPod(vpod)) return json();
  if (spec.value("dnsPolicy", "ClusterFirst") != "ClusterFirst" ||
      spec.value("hostNetwork", false)) {
    return json();
  }
  const std::string ns = ObjectAt(vpod, "metadata").value("namespace", "default");
  json config = {{"nameservers", {dns_ip}},
                 {"searches", {ns + ".svc." + domain, "svc." + domain, domain}},
                 {"options", json::array({{{"name", "ndots"}, {"value", "5"}}})}};
  // The pod's own dnsConfig adds to the cluster's, as kubelet merges it.
  const json own = spec.value("dnsConfig", json::object());
  for (const char* key : {"nameservers", "searches", "options"}) {
    for (const auto& v : own.value(key, json::array())) config[key].push_back(v);
  }
  return {{"dnsPolicy", "None"}, {"dnsConfig", config}};
}

}  // namespace vc::syncer::translate
