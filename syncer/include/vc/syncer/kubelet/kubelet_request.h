// SPDX-License-Identifier: Apache-2.0
// The kubelet API requests the virtual API server sends to a (pseudo) node, and the host API
// request each becomes. Pure.
//
//   /containerLogs/NS/POD/CONTAINER?follow=true&tailLines=10
//     -> /api/v1/namespaces/HNS/pods/HOSTPOD/log?container=CONTAINER&follow=true&tailLines=10
//   /exec/NS/POD[/UID]/CONTAINER?command=sh&command=-c&input=1&output=1&error=1&tty=1
//     ->
//     .../pods/HOSTPOD/exec?container=CONTAINER&command=sh&command=-c&stdin=true&stdout=true&stderr=true&tty=true
//   /attach/... likewise -> .../attach
//   /portForward/NS/POD[/UID]  -> .../pods/HOSTPOD/portforward (ports travel in stream headers)
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vc/status.h"
#include "vc/syncer/translate/names.h"

namespace vc::syncer::kubelet {

enum class KubeletVerb { kLogs, kExec, kAttach, kPortForward };

struct KubeletRequest {
  KubeletVerb verb = KubeletVerb::kLogs;
  std::string ns;
  std::string pod;
  std::string container;  // empty for portForward
  // The host subresource's query parameters (after container=), unescaped: PodLogOptions the
  // kubelet knows for logs; command, stdin, stdout, stderr and tty for exec and attach.
  // Anything else in the request is dropped.
  std::vector<std::pair<std::string, std::string>> options;
};

// NotFound for paths the relay does not serve (/pods, /stats, /metrics...); InvalidArgument
// for names the API server would not allow (not DNS-1123) and bad escapes in the query.
StatusOr<KubeletRequest> ParseKubeletTarget(std::string_view target);

// The host API path (with query) of the translated pod's subresource.
std::string HostTarget(const KubeletRequest& request, const translate::Tenant& tenant);

// The request headers the relay passes on to the host (case-insensitive): those of the
// SPDY and WebSocket upgrades and content negotiation. Everything else (Authorization,
// Impersonate-*, X-Remote-*, Cookie, ...) stays behind; the relay adds its own credential.
bool IsRelayedHeader(std::string_view name);

// Where the relay splits bytes read from the host before passing them on: at the last-chunk
// ("0\r\n\r\n") that ends `data` after the end of a data chunk ("\r\n"), so that the end of a
// chunked body travels in a TLS record of its own; data.size() (no split) otherwise.
//
// Kubelet flushes every write of a log (flushwriter), so its body's end always comes apart
// from the data. The host API server flushes a log only with follow=true: without it the last
// data chunk and the end go out in one record, the virtual API server's HTTP client then
// answers one Read with the data and io.EOF together, and the websocket log reader
// (wsstream's messageCopy) drops the bytes of a Read that returns EOF: a websocket log would
// come out empty. A split where the bytes only look like that end changes nothing but the
// records (the byte stream is the same).
size_t ChunkedBodyEndSplit(std::string_view data);

}  // namespace vc::syncer::kubelet
