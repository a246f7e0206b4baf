// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/pki/cluster_certificates.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdint>

namespace vc::syncer::pki {
namespace {

bool IsIp(const std::string& s) {
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

void AddUnique(std::vector<std::string>* list, const std::string& value) {
  if (std::find(list->begin(), list->end(), value) == list->end()) list->push_back(value);
}

std::vector<std::string> SplitComma(std::string_view s) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t comma = std::min(s.find(',', start), s.size());
    if (comma > start) parts.emplace_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  return parts;
}

}  // namespace

StatusOr<std::string> FirstServiceIp(std::string_view cidr) {
  const std::string text(cidr);
  const auto invalid = [&] {
    return InvalidArgument("parse service CIDR \"" + text +
                           "\": want ADDRESS/PREFIX, e.g. 10.96.0.0/12");
  };
  const size_t slash = text.find('/');
  if (slash == std::string::npos) return invalid();
  const std::string address = text.substr(0, slash);
  const std::string prefix_text = text.substr(slash + 1);
  if (prefix_text.empty() || prefix_text.size() > 3 ||
      !std::all_of(prefix_text.begin(), prefix_text.end(), ::isdigit)) {
    return invalid();
  }
  const int prefix = std::stoi(prefix_text);
  unsigned char bytes[16] = {};
  int family = AF_INET;
  int length = 4;
  if (inet_pton(AF_INET, address.c_str(), bytes) != 1) {
    if (inet_pton(AF_INET6, address.c_str(), bytes) != 1) return invalid();
    family = AF_INET6;
    length = 16;
  }
  // A range of one or two addresses has no room for a Service IP after the network address.
  if (prefix > length * 8 - 2) return invalid();
  for (int i = 0; i < length; ++i) {
    const int bits = std::clamp(prefix - i * 8, 0, 8);
    bytes[i] &= static_cast<unsigned char>(0xff00 >> bits);
  }
  for (int i = length - 1; i >= 0; --i) {  // network address + 1, with carry
    if (++bytes[i] != 0) break;
  }
  char out[INET6_ADDRSTRLEN] = {};
  inet_ntop(family, bytes, out, sizeof(out));
  return std::string(out);
}

std::vector<CaCertificate> ClusterCas(const ClusterPkiRequest& request) {
  return {{"ca", "vc-" + request.name + "-ca"},
          {"front-proxy-ca", "vc-" + request.name + "-front-proxy-ca"}};
}

StatusOr<std::vector<LeafCertificate>> ClusterLeafCertificates(const ClusterPkiRequest& request) {
  if (request.name.empty() || request.namespace_.empty()) {
    return InvalidArgument("plan certificates: name and namespace are required");
  }
  CertificateSpec apiserver{.subject = {kApiserverCommonName, {}}, .server_auth = true};
  const std::string& n = request.name;
  const std::string& ns = request.namespace_;
  // How clients reach the virtual apiserver: the syncer and kubectl-vc's port-forward
  // (localhost), the host Service NAME from the host cluster, and the `kubernetes` Service
  // from inside the virtual cluster.
  for (const std::string& dns :
       {std::string("localhost"), n, n + "." + ns, n + "." + ns + ".svc",
        n + "." + ns + ".svc.cluster.local", std::string("kubernetes"),
        std::string("kubernetes.default"), std::string("kubernetes.default.svc"),
        std::string("kubernetes.default.svc.cluster.local")}) {
    AddUnique(&apiserver.dns_names, dns);
  }
  apiserver.ip_addresses = {"127.0.0.1", "::1"};
  for (const auto& range : SplitComma(request.service_cidr)) {
    ASSIGN_OR_RETURN(std::string ip, FirstServiceIp(range));
    AddUnique(&apiserver.ip_addresses, ip);
  }
  for (const auto& san : request.extra_sans) {
    if (san.empty()) continue;
    AddUnique(IsIp(san) ? &apiserver.ip_addresses : &apiserver.dns_names, san);
  }

  std::vector<LeafCertificate> leaves;
  leaves.push_back({"apiserver", apiserver});
  leaves.push_back(
      {"admin", {.subject = {kAdminCommonName, {kMastersGroup}}, .client_auth = true}});
  // Not system:masters: the controller-manager's rights come from the bootstrap RBAC
  // bindings for its user, as in kubeadm.
  leaves.push_back(
      {"controller-manager", {.subject = {kControllerManagerCommonName, {}}, .client_auth = true}});
  // The virtual scheduler (controlPlane.advanced.virtualScheduler), likewise by bootstrap RBAC.
  leaves.push_back({"scheduler", {.subject = {kSchedulerCommonName, {}}, .client_auth = true}});
  leaves.push_back(
      {"syncer", {.subject = {kSyncerCommonName, {kMastersGroup}}, .client_auth = true}});
  // Only ever shown to the syncer's kubelet API, which checks it against the CA. Without a
  // group, a leaked copy is not an admin of the virtual apiserver.
  leaves.push_back({"apiserver-kubelet-client",
                    {.subject = {kKubeletClientCommonName, {}}, .client_auth = true}});
  leaves.push_back({"front-proxy-client",
                    {.subject = {kFrontProxyClientCommonName, {}}, .client_auth = true},
                    "front-proxy-ca"});
  return leaves;
}

}  // namespace vc::syncer::pki
