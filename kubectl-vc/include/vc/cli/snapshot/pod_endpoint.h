// SPDX-License-Identifier: Apache-2.0
// The control-plane pod's snapshot endpoint (vc-syncer snapshot-server, container "snapshot",
// port render::kSnapshotPort) as kubectl-vc reaches it: a `kubectl port-forward` it starts
// and stops itself (connect/forwarder.h), and the admin certificate of Secret vc-NAME, which
// the endpoint requires. Nothing else is exposed: no Service, no exec.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "vc/cli/connect/forwarder.h"
#include "vc/cli/host.h"
#include "vc/cli/snapshot/http_call.h"
#include "vc/status.h"

namespace vc::cli::snapshot {

class PodEndpoint {
 public:
  // Reads the credentials, starts the forwarder and waits (up to `timeout`) until the endpoint
  // answers.
  static StatusOr<std::unique_ptr<PodEndpoint>> Open(const HostCluster& host,
                                                     const std::string& name,
                                                     const std::string& namespace_,
                                                     const kube::Environment& env,
                                                     std::chrono::milliseconds timeout);
  ~PodEndpoint();

  // A call to PATH on the endpoint with its TLS settings filled in.
  HttpCall Call(const std::string& method, const std::string& path) const;
  // A non-2xx answer of the endpoint as a Status (its {"message"}).
  Status Explain(const HttpResponse& r, const std::string& what) const;

 private:
  PodEndpoint() = default;
  std::string base_url_;
  TlsSettings tls_;
  connect::ForwarderProcess forwarder_;
  std::string log_file_;
  std::string pod_;
};

}  // namespace vc::cli::snapshot
