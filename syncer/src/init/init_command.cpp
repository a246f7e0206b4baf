// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/init/init_command.h"

#include <algorithm>
#include <cctype>

#include "vc/kube/resource.h"
#include "vc/log.h"
#include "vc/syncer/fs/atomic_file.h"
#include "vc/syncer/init/host_secret.h"
#include "vc/syncer/init/kubeconfig_render.h"
#include "vc/syncer/pki/pki_store.h"
#include "vc/syncer/sleep/activity.h"

namespace vc::syncer::init {
namespace {

bool IsDns1123Label(const std::string& s) {
  auto alnum = [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return std::islower(u) || std::isdigit(u);
  };
  return !s.empty() && s.size() <= 63 && alnum(s.front()) && alnum(s.back()) &&
         std::all_of(s.begin(), s.end(), [&](char c) { return alnum(c) || c == '-'; });
}

pki::ClusterPkiRequest PkiRequest(const InitOptions& o) {
  return {.name = o.name,
          .namespace_ = o.namespace_,
          .extra_sans = o.sans,
          .service_cidr = o.service_cidr};
}

std::string PkiDir(const InitOptions& o) { return o.data_dir + "/pki"; }
std::string KubeconfigDir(const InitOptions& o) { return o.data_dir + "/kubeconfig"; }

}  // namespace

Status ValidateInitOptions(const InitOptions& o) {
  if (!IsDns1123Label(o.name)) {
    return InvalidArgument("invalid --name \"" + o.name +
                           "\": use at most 63 lower-case letters, digits and '-', starting "
                           "and ending with a letter or digit");
  }
  if (!IsDns1123Label(o.namespace_)) {
    return InvalidArgument("invalid --namespace \"" + o.namespace_ +
                           "\": it must be a DNS-1123 label");
  }
  if (o.data_dir.empty()) return InvalidArgument("invalid --data-dir: it must not be empty");
  if (o.apiserver_port < 1 || o.apiserver_port > 65535) {
    return InvalidArgument("invalid --apiserver-port " + std::to_string(o.apiserver_port) +
                           ": want 1-65535 (the pod spec passes $(VC_APISERVER_PORT))");
  }
  // Parses the service CIDR and the SANs exactly as PKI generation will.
  auto leaves = pki::ClusterLeafCertificates(PkiRequest(o));
  if (!leaves.ok()) return leaves.status();
  return Status::Ok();
}

const std::vector<ControlPlaneKubeconfig>& ControlPlaneKubeconfigs() {
  static const std::vector<ControlPlaneKubeconfig> kFiles = {
      {"admin.conf", "admin"},
      {"controller-manager.conf", "controller-manager"},
      {"scheduler.conf", "scheduler"},
      {"syncer.conf", "syncer"},
  };
  return kFiles;
}

Status PrepareDataDir(const InitOptions& o) {
  ASSIGN_OR_RETURN(auto leaves, pki::ClusterLeafCertificates(PkiRequest(o)));
  pki::PkiStore store(PkiDir(o));
  ASSIGN_OR_RETURN(auto changes, store.Ensure(pki::ClusterCas(PkiRequest(o)), leaves));
  for (const auto& c : changes) {
    VC_LOG(Info) << "pki " << c.file << ": " << c.action << " (" << c.reason << ")";
  }
  if (changes.empty()) {
    VC_LOG(Info) << "pki " << store.dir() << ": up to date";
  }

  ASSIGN_OR_RETURN(auto ca, store.LoadCa());
  RETURN_IF_ERROR(fs::MakeDirectories(KubeconfigDir(o), 0700));
  const std::string server = "https://127.0.0.1:" + std::to_string(o.apiserver_port);
  for (const auto& kc : ControlPlaneKubeconfigs()) {
    ASSIGN_OR_RETURN(auto leaf, store.LoadLeaf(kc.leaf));
    const std::string text = RenderKubeconfigYaml({.name = o.name,
                                                   .server = server,
                                                   .ca_pem = ca.certificate_pem,
                                                   .client_certificate_pem = leaf.certificate_pem,
                                                   .client_key_pem = leaf.private_key_pem});
    const std::string path = KubeconfigDir(o) + "/" + kc.file;
    // Unchanged files keep their mtime: a second init must change nothing.
    ASSIGN_OR_RETURN(bool wrote, fs::WriteFileIfChanged(path, text, 0600));
    if (wrote) {
      VC_LOG(Info) << "wrote " << path;
    }
  }
  // sleepMode's audit policy; the API server reads it only when sleepMode is on.
  const std::string policy = o.data_dir + "/" + sleep::kAuditPolicyFile;
  ASSIGN_OR_RETURN(
      bool wrote,
      fs::WriteFileIfChanged(policy, sleep::ActivityAuditPolicy(pki::kSyncerCommonName), 0644));
  if (wrote) VC_LOG(Info) << "wrote " << policy;
  return Status::Ok();
}

Status PublishHostSecret(const InitOptions& o, kube::Client& host) {
  pki::PkiStore store(PkiDir(o));
  ASSIGN_OR_RETURN(auto ca, store.LoadCa());
  ASSIGN_OR_RETURN(auto admin, store.LoadLeaf("admin"));
  const std::string kubeconfig =
      RenderKubeconfigYaml({.name = o.name,
                            .server = kSecretServer,
                            .ca_pem = ca.certificate_pem,
                            .client_certificate_pem = admin.certificate_pem,
                            .client_key_pem = admin.private_key_pem});
  const nlohmann::json secret = RenderHostSecret({.name = o.name,
                                                  .namespace_ = o.namespace_,
                                                  .kubeconfig_yaml = kubeconfig,
                                                  .ca_pem = ca.certificate_pem,
                                                  .client_certificate_pem = admin.certificate_pem,
                                                  .client_key_pem = admin.private_key_pem});
  ASSIGN_OR_RETURN(auto applied, ApplyHostSecret(host, secret));
  VC_LOG(Info) << "applied secret " << o.namespace_ << "/" << HostSecretName(o.name)
               << " (resourceVersion "
               << applied["metadata"].value("resourceVersion", std::string("?")) << ")";
  return Status::Ok();
}

StatusOr<std::vector<std::string>> HostServiceIps(const InitOptions& o, kube::Client& host) {
  auto service = host.Get(kube::resources::kServices, o.namespace_, o.name);
  if (!service.ok()) {
    if (service.status().code() == Code::kNotFound) {
      return FailedPrecondition("host Service " + o.namespace_ + "/" + o.name +
                                " not found: kubectl vc create makes it, and the virtual "
                                "cluster's pods reach their apiserver through it; create the "
                                "virtual cluster with kubectl vc create");
    }
    std::string message =
        "get host Service " + o.namespace_ + "/" + o.name + ": " + service.status().message();
    if (service.status().code() == Code::kForbidden) {
      message +=
          " (vc-syncer init needs get, create and patch on secrets and get on services "
          "in namespace " +
          o.namespace_ + ": the virtual cluster's host Role)";
    }
    return Status(service.status().code(), message);
  }
  std::vector<std::string> ips;
  const nlohmann::json& spec = (*service)["spec"];
  if (spec.contains("clusterIPs") && spec["clusterIPs"].is_array()) {
    for (const auto& ip : spec["clusterIPs"]) {
      if (ip.is_string()) ips.push_back(ip.get<std::string>());
    }
  } else if (spec.contains("clusterIP") && spec["clusterIP"].is_string()) {
    ips.push_back(spec["clusterIP"].get<std::string>());
  }
  std::erase_if(ips, [](const std::string& ip) { return ip.empty() || ip == "None"; });
  return ips;
}

Status RunInit(const InitOptions& options, const HostClientFactory& host_client) {
  RETURN_IF_ERROR(ValidateInitOptions(options));
  ASSIGN_OR_RETURN(std::shared_ptr<kube::Client> host, host_client());
  // The virtual cluster's pods on the host dial their apiserver at the host Service's cluster
  // IP (KUBERNETES_SERVICE_HOST): its serving certificate must name it.
  InitOptions with_service = options;
  ASSIGN_OR_RETURN(std::vector<std::string> service_ips, HostServiceIps(options, *host));
  with_service.sans.insert(with_service.sans.end(), service_ips.begin(), service_ips.end());
  RETURN_IF_ERROR(PrepareDataDir(with_service));
  RETURN_IF_ERROR(PublishHostSecret(with_service, *host));
  VC_LOG(Info) << "init done: " << options.data_dir << " and secret " << options.namespace_ << "/"
               << HostSecretName(options.name) << " are ready";
  return Status::Ok();
}

}  // namespace vc::syncer::init
