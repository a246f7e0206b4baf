// SPDX-License-Identifier: Apache-2.0
#include "vc/agent/agent/service_backends.h"

#include <cctype>
#include <utility>

#include "vc/agent/agent/pod_facts.h"
#include "vc/labels.h"

namespace vc::agent {
namespace {

using nlohmann::json;

// "TCP" (the API's default) / "UDP" -> IpProto; SCTP and the rest are not enforced.
std::optional<IpProto> Protocol(const json& port) {
  std::string text = port.value("protocol", "TCP");
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto proto = ParseIpProto(text);
  if (proto != IpProto::kTcp && proto != IpProto::kUdp) return std::nullopt;
  return proto;
}

// spec.ports of a Service (`port`) or ports of an EndpointSlice (`port`, null: every port).
std::vector<NamedPort> NamedPorts(const json& ports) {
  std::vector<NamedPort> out;
  if (!ports.is_array()) return out;
  for (const json& p : ports) {
    if (!p.is_object()) continue;
    auto proto = Protocol(p);
    if (!proto) continue;
    const json number = p.value("port", json(nullptr));
    int port = 0;
    if (number.is_number_integer()) {
      port = number.get<int>();
      if (port <= 0 || port > 65535) continue;
    } else if (!number.is_null()) {
      continue;
    }
    out.push_back({p.value("name", ""), *proto, static_cast<uint16_t>(port)});
  }
  return out;
}

bool Serving(const json& endpoint) {
  const json conditions = endpoint.value("conditions", json::object());
  if (!conditions.is_object()) return true;
  for (const char* key : {"serving", "ready"}) {
    if (conditions.contains(key) && conditions[key].is_boolean())
      return conditions[key].get<bool>();
  }
  return true;  // unknown: "should be interpreted as serving" (discovery.k8s.io/v1)
}

// name, namespace and resourceVersion (the informer's), and the service-name label.
json SlimMetadata(json& object) {
  json meta = json::object();
  json& from = object["metadata"];
  for (const char* k : {"name", "namespace", "resourceVersion"}) {
    if (from.contains(k)) meta[k] = std::move(from[k]);
  }
  if (from.contains("labels") && from["labels"].is_object()) {
    for (const char* k :
         {kServiceNameLabel, labels::kComponent, labels::kTenant, labels::kTenantNamespace}) {
      if (from["labels"].contains(k)) meta["labels"][k] = std::move(from["labels"][k]);
    }
  }
  return meta;
}

std::string PortText(IpProto proto, uint16_t port) {
  return std::string(IpProtoName(proto)) + "/" + (port == 0 ? "any" : std::to_string(port));
}

}  // namespace

ServiceAddresses ParseServiceAddresses(const json& service) {
  ServiceAddresses out;
  const json meta = service.value("metadata", json::object());
  if (meta.is_object()) out.tenant_key = TenantKeyFromLabels(meta.value("labels", json::object()));
  const json spec = service.value("spec", json::object());
  if (!spec.is_object()) return out;
  std::vector<std::string> ips;
  if (spec.contains("clusterIPs") && spec["clusterIPs"].is_array()) {
    for (const json& ip : spec["clusterIPs"]) {
      if (ip.is_string()) ips.push_back(ip);
    }
  }
  if (ips.empty() && spec.contains("clusterIP") && spec["clusterIP"].is_string()) {
    ips.push_back(spec["clusterIP"]);
  }
  for (const std::string& text : ips) {
    auto ip = IpAddress::Parse(text);  // "None" (headless) does not parse
    if (ip.ok()) out.cluster_ips.push_back(*ip);
  }
  for (NamedPort& p : NamedPorts(spec.value("ports", json::array()))) {
    if (p.port != 0) out.ports.push_back(std::move(p));  // a Service port always has a number
  }
  return out;
}

EndpointGroup ParseEndpointSlice(const json& slice) {
  EndpointGroup out;
  const std::string type = slice.value("addressType", "");
  if (type != "IPv4" && type != "IPv6") return out;
  const json endpoints = slice.value("endpoints", json::array());
  if (endpoints.is_array()) {
    for (const json& e : endpoints) {
      if (!e.is_object() || !Serving(e)) continue;
      const json addresses = e.value("addresses", json::array());
      if (!addresses.is_array()) continue;
      for (const json& a : addresses) {
        if (!a.is_string()) continue;
        auto ip = IpAddress::Parse(a.get<std::string>());
        if (ip.ok()) out.addresses.push_back(*ip);
      }
    }
  }
  out.ports = NamedPorts(slice.value("ports", json::array()));
  return out;
}

json SlimService(json service) {
  json slim = {{"metadata", SlimMetadata(service)}, {"spec", json::object()}};
  json& spec = service["spec"];
  for (const char* k : {"clusterIP", "clusterIPs", "ports"}) {
    if (spec.contains(k)) slim["spec"][k] = std::move(spec[k]);
  }
  return slim;
}

json SlimEndpointSlice(json slice) {
  json slim = {{"metadata", SlimMetadata(slice)},
               {"addressType", slice.value("addressType", "")},
               {"endpoints", json::array()}};
  if (slice.contains("ports")) slim["ports"] = std::move(slice["ports"]);
  if (slice.contains("endpoints") && slice["endpoints"].is_array()) {
    for (json& e : slice["endpoints"]) {
      json kept = json::object();
      for (const char* k : {"addresses", "conditions"}) {
        if (e.contains(k)) kept[k] = std::move(e[k]);
      }
      slim["endpoints"].push_back(std::move(kept));
    }
  }
  return slim;
}

std::map<std::string, ServiceAddresses> IndexServices(const std::vector<json>& services,
                                                      const std::vector<json>& slices) {
  std::map<std::string, ServiceAddresses> out;
  for (const json& svc : services) {
    const json meta = svc.value("metadata", json::object());
    out[meta.value("namespace", "") + "/" + meta.value("name", "")] = ParseServiceAddresses(svc);
  }
  for (const json& slice : slices) {
    const json meta = slice.value("metadata", json::object());
    const json labels = meta.value("labels", json::object());
    if (!labels.is_object() || !labels.contains(kServiceNameLabel) ||
        !labels[kServiceNameLabel].is_string()) {
      continue;
    }
    auto it =
        out.find(meta.value("namespace", "") + "/" + labels[kServiceNameLabel].get<std::string>());
    if (it == out.end()) continue;
    EndpointGroup group = ParseEndpointSlice(slice);
    if (!group.addresses.empty()) it->second.endpoints.push_back(std::move(group));
  }
  return out;
}

std::vector<SharedService> ResolveServiceRefs(
    const TenantSettings& tenant, const std::map<std::string, ServiceAddresses>& services,
    std::vector<std::string>* problems) {
  std::vector<SharedService> out;
  auto allow = [&](const IpAddress& ip, IpProto proto, uint16_t port) {
    out.push_back({IpPrefix::Host(ip), proto, port});
  };
  for (const ServiceRef& ref : tenant.service_refs) {
    const std::string what = "tenant " + tenant.key() + ": shared service " + ref.key();
    auto it = services.find(ref.key());
    if (it == services.end()) {
      problems->push_back(what + " does not exist; not allowed until it does");
      continue;
    }
    const ServiceAddresses& svc = it->second;
    bool has_endpoints = false;
    for (const EndpointGroup& group : svc.endpoints) {
      has_endpoints = has_endpoints || !group.addresses.empty();
    }
    if (svc.cluster_ips.empty() && !has_endpoints) {
      problems->push_back(what +
                          " has neither a cluster IP nor a serving endpoint; not allowed "
                          "until it has");
      continue;
    }

    if (svc.ports.empty()) {
      // Any port of the Service is any port of its backends: the Tenant's, or all of them.
      std::vector<std::pair<IpProto, uint16_t>> ports = ref.ports;
      if (ports.empty()) ports = {{IpProto::kTcp, 0}, {IpProto::kUdp, 0}};
      for (const EndpointGroup& group : svc.endpoints) {
        for (const IpAddress& ip : group.addresses) {
          for (const auto& [proto, port] : ports) allow(ip, proto, port);
        }
      }
      continue;
    }

    std::vector<const NamedPort*> selected;
    if (ref.ports.empty()) {
      for (const NamedPort& p : svc.ports) selected.push_back(&p);
    }
    for (const auto& [proto, port] : ref.ports) {
      bool found = false;
      for (const NamedPort& p : svc.ports) {
        if (p.proto != proto || (port != 0 && p.port != port)) continue;
        selected.push_back(&p);
        found = true;
      }
      if (!found) {
        problems->push_back(what + " has no port " + PortText(proto, port) +
                            " (a Tenant lists the Service's ports, not its pods'); not allowed");
      }
    }
    for (const NamedPort* p : selected) {
      for (const IpAddress& ip : svc.cluster_ips) allow(ip, p->proto, p->port);
      for (const EndpointGroup& group : svc.endpoints) {
        for (const NamedPort& target : group.ports) {
          if (target.name != p->name || target.proto != p->proto) continue;
          for (const IpAddress& ip : group.addresses) allow(ip, target.proto, target.port);
        }
      }
    }
  }
  return out;
}

}  // namespace vc::agent
