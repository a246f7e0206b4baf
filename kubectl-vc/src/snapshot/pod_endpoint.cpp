// SPDX-License-Identifier: Apache-2.0
#include "vc/cli/snapshot/pod_endpoint.h"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>
#include <tuple>

#include "vc/base64.h"
#include "vc/cli/connect/connect.h"
#include "vc/cli/connect/discovery.h"
#include "vc/cli/render/host_objects.h"
#include "vc/log.h"

namespace vc::cli::snapshot {

StatusOr<std::unique_ptr<PodEndpoint>> PodEndpoint::Open(const HostCluster& host,
                                                         const std::string& name,
                                                         const std::string& namespace_,
                                                         const kube::Environment& env,
                                                         std::chrono::milliseconds timeout) {
  ASSIGN_OR_RETURN(connect::SecretCredentials creds,
                   connect::ReadCredentials(host, {name, namespace_}));
  std::unique_ptr<PodEndpoint> e(new PodEndpoint());
  e->pod_ = name + "-0";
  // The Secret's fields are kubeconfig-style base64.
  for (const auto& [field, text, out] :
       {std::tuple{"certificate-authority", &creds.ca_data, &e->tls_.ca_pem},
        std::tuple{"client-certificate", &creds.client_certificate_data, &e->tls_.client_cert_pem},
        std::tuple{"client-key", &creds.client_key_data, &e->tls_.client_key_pem}}) {
    auto decoded = Base64Decode(*text);
    if (!decoded) {
      return FailedPrecondition("secret " + namespace_ + "/vc-" + name + ": " + field +
                                " is not base64");
    }
    *out = *decoded;
  }
  std::string kubectl;
  if (auto it = env.find("KUBECTL_PATH"); it != env.end()) kubectl = it->second;
  if (kubectl.empty()) kubectl = "kubectl";
  ASSIGN_OR_RETURN(int port, connect::FreeLoopbackPort());
  const std::string state_dir = connect::DefaultStateDir(env);
  std::filesystem::create_directories(state_dir);
  e->log_file_ = state_dir + "/snapshot-forward-" + namespace_ + "-" + name + ".log";
  connect::ForwarderSpec spec{.kubectl = kubectl,
                              .kubeconfig = host.kubeconfig,
                              .context = host.context,
                              .namespace_ = namespace_,
                              .pod = e->pod_,
                              .local_port = port,
                              .remote_port = render::kSnapshotPort,
                              .log_file = e->log_file_,
                              .env = env};
  ASSIGN_OR_RETURN(e->forwarder_, connect::StartForwarder(spec));
  e->base_url_ = "https://127.0.0.1:" + std::to_string(port);
  // Any HTTP answer means the forward reaches the server (404 for this path is fine).
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  Status last;
  while (true) {
    HttpCall probe = e->Call("GET", "/ready");
    probe.connect_timeout_seconds = 10;
    auto r = Perform(probe);
    if (r.ok()) return e;
    last = r.status();
    if (!connect::ProcessAlive(e->forwarder_.pid, e->forwarder_.start_ticks) ||
        std::chrono::steady_clock::now() > deadline) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return Unavailable("cannot reach the snapshot endpoint of " + namespace_ + "/" + e->pod_ +
                     " (container snapshot, port " + std::to_string(render::kSnapshotPort) + "): " +
                     last.message() + "\nport-forward log: " + connect::LogTail(e->log_file_, 600) +
                     "\ncheck `kubectl -n " + namespace_ + " logs " + e->pod_ + " -c snapshot`");
}

PodEndpoint::~PodEndpoint() {
  if (forwarder_.pid > 0) (void)connect::StopForwarder(forwarder_);
}

HttpCall PodEndpoint::Call(const std::string& method, const std::string& path) const {
  HttpCall call;
  call.method = method;
  call.url = base_url_ + path;
  call.tls = tls_;
  return call;
}

Status PodEndpoint::Explain(const HttpResponse& r, const std::string& what) const {
  const auto doc = nlohmann::json::parse(r.body, nullptr, false);
  std::string message = doc.is_object() ? doc.value("message", "") : "";
  if (message.empty()) message = "HTTP " + std::to_string(r.status) + " " + r.body.substr(0, 200);
  Code code = Code::kInternal;
  switch (r.status) {
    case 400:
      code = Code::kInvalidArgument;
      break;
    case 403:
      code = Code::kForbidden;
      break;
    case 404:
      code = Code::kNotFound;
      break;
    case 412:
    case 507:
      code = Code::kFailedPrecondition;
      break;
    default:
      break;
  }
  return Status(code, what + " in pod " + pod_ + ": " + message);
}

}  // namespace vc::cli::snapshot
