// SPDX-License-Identifier: Apache-2.0
#include "vc/cli/connect/discovery.h"

#include <initializer_list>
#include <set>

#include "vc/kube/client.h"

namespace vc::cli::connect {
namespace {

namespace r = kube::resources;

std::string HostPort(const std::string& address, long long port) {
  const bool ipv6 = address.find(':') != std::string::npos;
  return "https://" + (ipv6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

// Objects from the server are read defensively: a missing or oddly typed field is "absent",
// never an exception.
const nlohmann::json& At(const nlohmann::json& j, std::initializer_list<const char*> path) {
  static const nlohmann::json kNull;
  const nlohmann::json* cur = &j;
  for (const char* key : path) {
    if (!cur->is_object() || !cur->contains(key)) {
      return kNull;
    }
    cur = &(*cur)[key];
  }
  return *cur;
}

std::string Str(const nlohmann::json& j) { return j.is_string() ? j.get<std::string>() : ""; }

long long Int(const nlohmann::json& j) { return j.is_number_integer() ? j.get<long long>() : 0; }

// The Service port that leads to the apiserver (targetPort 8443 or named https), else the first;
// null when there is none.
nlohmann::json ApiserverPort(const nlohmann::json& service) {
  const auto& ports = At(service, {"spec", "ports"});
  if (!ports.is_array() || ports.empty()) {
    return nullptr;
  }
  for (const auto& p : ports) {
    if (Int(At(p, {"targetPort"})) == 8443 || Str(At(p, {"name"})) == "https") {
      return p;
    }
  }
  return ports[0];
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
    std::string release = Str(At(sts, {"metadata", "labels", "release"}));
    if (release.empty()) {
      release = Str(At(sts, {"metadata", "name"}));
    }
    found.insert({Str(At(sts, {"metadata", "namespace"})), release});
  }
  const std::string where = ns.empty() ? "in any namespace" : "in namespace " + ns;
  if (found.empty()) {
    return NotFound((name.empty() ? std::string("no virtual cluster")
                                  : "virtual cluster " + name + " not found") +
                    " " + where + "; see kubectl vc list");
  }
  if (found.size() > 1) {
    std::string all;
    for (const auto& [n, c] : found) {
      all.append(all.empty() ? "" : ", ").append(n).append("/").append(c);
    }
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
    if (service.status().code() == Code::kNotFound) {
      return std::optional<std::string>();
    }
    return service.status().Annotate("read service " + vc.namespace_ + "/" + vc.name);
  }
  const std::string type = Str(At(*service, {"spec", "type"}));
  const nlohmann::json port = ApiserverPort(*service);
  if (port.is_null()) {
    return std::optional<std::string>();
  }
  if (type == "LoadBalancer") {
    const auto& ingresses = At(*service, {"status", "loadBalancer", "ingress"});
    for (const auto& ingress : ingresses.is_array() ? ingresses : nlohmann::json::array()) {
      std::string address = Str(At(ingress, {"ip"}));
      if (address.empty()) {
        address = Str(At(ingress, {"hostname"}));
      }
      const long long service_port = Int(At(port, {"port"}));
      if (!address.empty()) {
        return std::optional(HostPort(address, service_port ? service_port : 443));
      }
    }
  }
  if (type == "NodePort" || type == "LoadBalancer") {
    const long long node_port = Int(At(port, {"nodePort"}));
    if (node_port == 0) {
      return std::optional<std::string>();
    }
    auto nodes = host.client->ListAll(r::kNodes, "", {});
    if (!nodes.ok()) {
      return nodes.status().Annotate("list nodes for the NodePort of " + vc.name);
    }
    for (const auto& node : nodes->items) {
      const auto& addresses = At(node, {"status", "addresses"});
      for (const auto& a : addresses.is_array() ? addresses : nlohmann::json::array()) {
        const std::string address = Str(At(a, {"address"}));
        if (Str(At(a, {"type"})) == "InternalIP" && !address.empty()) {
          return std::optional(HostPort(address, node_port));
        }
      }
    }
  }
  return std::optional<std::string>();
}

}  // namespace vc::cli::connect
