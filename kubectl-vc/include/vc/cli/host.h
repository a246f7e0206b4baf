// SPDX-License-Identifier: Apache-2.0
// The host cluster a command works on: the global flags (--kubeconfig, --context, -n,
// --request-timeout) resolved the way kubectl resolves them, and one client for it.
//
//   ASSIGN_OR_RETURN(HostCluster host, ConnectHost(options));
//   host.client->List(...);
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "vc/duration.h"
#include "vc/kube/client.h"
#include "vc/kube/kubeconfig.h"
#include "vc/status.h"

namespace vc::cli {

struct HostOptions {
  std::string kubeconfig;       // --kubeconfig
  std::string context;          // --context
  std::string namespace_;       // -n/--namespace; empty: not given
  std::string request_timeout;  // --request-timeout, kubectl syntax: "0", "30", "30s", "2m"
  kube::Environment env;        // the process environment (KUBECONFIG, HOME, KUBECTL_PATH, ...)
};

struct HostCluster {
  std::shared_ptr<kube::Client> client;
  kube::RestConfig config;
  std::string context;           // the kubeconfig context used ("" in-cluster)
  std::string kubeconfig;        // --kubeconfig as given (child kubectl processes get it too)
  bool namespace_given = false;  // -n was on the command line
  std::string namespace_;        // -n, else the context's, else "default"
};

StatusOr<HostCluster> ConnectHost(const HostOptions& options);

// How the commands reach the host cluster (kubectl's cmdutil.Factory): the environment the
// kubeconfig and the local state are found from, and what turns the global flags into a
// client. The binary gives the process environment and ConnectHost; a test gives a HOME of its
// own and a client on an in-process fake API server.
struct HostFactory {
  kube::Environment env;
  std::function<StatusOr<HostCluster>(const HostOptions&)> connect = ConnectHost;
};

// A DNS-1123 label of at most `max` characters, or an error saying which rule `name` breaks
// and what would be valid.
Status ValidateName(const std::string& what, const std::string& name, size_t max = 63);

}  // namespace vc::cli
