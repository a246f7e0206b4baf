// SPDX-License-Identifier: Apache-2.0
#include "vc/cli/connect/discovery.h"

#include <initializer_list>

#include "vc/cli/lifecycle/lifecycle.h"
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
  ASSIGN_OR_RETURN(
      const lifecycle::Info info,
      lifecycle::Find(*host.client, name, host.namespace_given ? host.namespace_ : std::string()));
  return VirtualClusterRef{info.name, info.namespace_};
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
