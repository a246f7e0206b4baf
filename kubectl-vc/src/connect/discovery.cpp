// SPDX-License-Identifier: Apache-2.0
#include "discovery.h"

#include <set>

#include "vc/kube/client.h"

namespace vc::cli::connect {
namespace {

namespace r = kube::resources;

std::string HostPort(const std::string& address, long long port) {
  const bool ipv6 = address.find(':') != std::string::npos;
  return "https://" + (ipv6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

// The Service port that leads to the apiserver (targetPort 8443 or named https), else the first.
const nlohmann::json* ApiserverPort(const nlohmann::json& service) {
  const auto& ports = service["spec"].value("ports", nlohmann::json::array());
  if (!ports.is_array() || ports.empty()) return nullptr;
  for (const auto& p : ports) {
    const auto target = p.value("targetPort", nlohmann::json());
    if ((target.is_number() && target.get<int>() == 8443) || p.value("name", "") == "https") {
      return &p;
    }
  }
  return &ports[0];
}

}  // namespace

StatusOr<VirtualClusterRef> FindVirtualCluster(const HostCluster& host, const std::string& name) {
  const std::string ns = host.namespace_given ? host.namespace_ : std::string();
  const std::string selector = name.empty() ? "app=vcluster" : "app=vcluster,release=" + name;
  auto list = host.client->ListAll(r::kStatefulSets, ns, {.label_selector = selector});
  if (!list.ok()) {
    return list.status().Annotate("find virtual cluster" +
                                  (name.empty() ? std::string() : " " + name));
  }
  std::set<std::pair<std::string, std::string>> found;  // (namespace, name)
  for (const auto& sts : list->items) {
    const auto& meta = sts["metadata"];
    const auto labels = meta.value("labels", nlohmann::json::object());
    found.insert({meta.value("namespace", ""), labels.value("release", meta.value("name", ""))});
  }
  const std::string where = ns.empty() ? "in any namespace" : "in namespace " + ns;
  if (found.empty()) {
    return NotFound((name.empty() ? std::string("no virtual cluster")
                                  : "virtual cluster " + name + " not found") +
                    " " + where + "; see kubectl vc list");
  }
  if (found.size() > 1) {
    std::string all;
    for (const auto& [n, c] : found) all += (all.empty() ? "" : ", ") + n + "/" + c;
    return InvalidArgument((name.empty()
                                ? "several virtual clusters found (" + all +
                                      "): name one, e.g. kubectl vc connect " +
                                      found.begin()->second + " -n " + found.begin()->first
                                : "virtual cluster " + name + " exists in several namespaces (" +
                                      all + "): choose one with -n"));
  }
  return VirtualClusterRef{found.begin()->second, found.begin()->first};
}

StatusOr<SecretCredentials> ReadCredentials(const HostCluster& host, const VirtualClusterRef& vc) {
  const std::string secret_name = "vc-" + vc.name;
  auto secret = host.client->Get(r::kSecrets, vc.namespace_, secret_name);
  if (!secret.ok()) {
    if (secret.status().code() == Code::kNotFound) {
      return FailedPrecondition("secret " + vc.namespace_ + "/" + secret_name +
                                " not found: the control plane of " + vc.name +
                                " has not finished starting; check `kubectl vc list` and "
                                "`kubectl -n " +
                                vc.namespace_ + " logs " + vc.name + "-0 -c syncer`");
    }
    return secret.status().Annotate("read secret " + vc.namespace_ + "/" + secret_name);
  }
  return CredentialsFromSecret(*secret);
}

StatusOr<std::optional<std::string>> ExposedServer(const HostCluster& host,
                                                   const VirtualClusterRef& vc) {
  auto service = host.client->Get(r::kServices, vc.namespace_, vc.name);
  if (!service.ok()) {
    if (service.status().code() == Code::kNotFound) return std::optional<std::string>();
    return service.status().Annotate("read service " + vc.namespace_ + "/" + vc.name);
  }
  const std::string type = (*service)["spec"].value("type", "ClusterIP");
  const nlohmann::json* port = ApiserverPort(*service);
  if (port == nullptr) return std::optional<std::string>();
  if (type == "LoadBalancer") {
    const auto status = service->value("status", nlohmann::json::object());
    const auto lb = status.value("loadBalancer", nlohmann::json::object());
    for (const auto& ingress : lb.value("ingress", nlohmann::json::array())) {
      std::string address = ingress.value("ip", "");
      if (address.empty()) address = ingress.value("hostname", "");
      if (!address.empty()) return std::optional(HostPort(address, port->value("port", 443)));
    }
  }
  if (type == "NodePort" || type == "LoadBalancer") {
    const long long node_port = port->value("nodePort", 0LL);
    if (node_port == 0) return std::optional<std::string>();
    auto nodes = host.client->ListAll(r::kNodes, "", {});
    if (!nodes.ok()) return nodes.status().Annotate("list nodes for the NodePort of " + vc.name);
    for (const auto& node : nodes->items) {
      const auto status = node.value("status", nlohmann::json::object());
      for (const auto& a : status.value("addresses", nlohmann::json::array())) {
        if (a.value("type", "") == "InternalIP" && !a.value("address", "").empty()) {
          return std::optional(HostPort(a.value("address", ""), node_port));
        }
      }
    }
  }
  return std::optional<std::string>();
}

}  // namespace vc::cli::connect
