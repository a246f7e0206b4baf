// SPDX-License-Identifier: Apache-2.0
// The kubelet API requests the virtual API server sends to a (pseudo) node, and the host API
// request each becomes. Pure.
//
//   /containerLogs/NS/POD/CONTAINER?follow=true&tailLines=10
//     -> /api/v1/namespaces/HNS/pods/HOSTPOD/log?container=CONTAINER&follow=true&tailLines=10
//   /exec/NS/POD[/UID]/CONTAINER?command=sh&command=-c&input=1&output=1&error=1&tty=1
//     -> .../pods/HOSTPOD/exec?container=CONTAINER&command=sh&command=-c&stdin=true&stdout=true&stderr=true&tty=true
//   /attach/... likewise -> .../attach
//   /portForward/NS/POD[/UID]  -> .../pods/HOSTPOD/portforward (ports travel in stream headers)
#pragma once

#include <string>
#include <string_view>

#include "vc/status.h"
#include "vc/syncer/translate/names.h"

namespace vc::syncer::kubelet {

enum class KubeletVerb { kLogs, kExec, kAttach, kPortForward };

struct KubeletRequest {
  KubeletVerb verb = KubeletVerb::kLogs;
  std::string ns;
  std::string pod;
  std::string container;  // empty for portForward
  std::string query;      // without '?'
};

// NotFound for paths the relay does not serve (/pods, /stats, /metrics...).
StatusOr<KubeletRequest> ParseKubeletTarget(std::string_view target);

// The host API path (with query) of the translated pod's subresource.
std::string HostTarget(const KubeletRequest& request, const translate::Tenant& tenant);

}  // namespace vc::syncer::kubelet
