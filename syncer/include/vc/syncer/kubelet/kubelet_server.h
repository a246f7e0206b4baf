// SPDX-License-Identifier: Apache-2.0
// KubeletServer: the kubelet API of the virtual cluster's (pseudo) nodes, served by the syncer.
// The virtual API server connects here for `kubectl logs/exec/attach/port-forward`; each
// request is relayed to the host API server's subresource of the translated pod, and the two
// connections are spliced byte for byte after the request line: plain streamed responses (logs)
// and upgraded streams (SPDY or WebSocket for exec/attach/portforward) alike.
//
// TLS on both sides. The client must present a certificate signed by the virtual cluster's CA
// with CN kube-apiserver-kubelet-client (/data/pki/apiserver-kubelet-client.crt): nothing else
// in the pod network can use the syncer's host credentials through it. Boost.Beast parses the
// request head and one Asio I/O thread serves every connection asynchronously; Stop closes
// them all and joins that thread.
#pragma once

#include <memory>
#include <string>

#include "vc/kube/rest_config.h"
#include "vc/status.h"
#include "vc/syncer/translate/names.h"

namespace vc::syncer::kubelet {

struct KubeletServerOptions {
  std::string address = "127.0.0.1";
  int port = 0;                  // 0: any free port
  std::string ca_pem;            // clients are verified against it
  std::string serving_cert_pem;  // signed by the same CA
  std::string serving_key_pem;
  std::string client_common_name = "kube-apiserver-kubelet-client";
  translate::Tenant tenant;
  kube::RestConfig host;  // where requests go, with the syncer's host credentials
};

class KubeletServer {
 public:
  explicit KubeletServer(KubeletServerOptions options);
  ~KubeletServer();
  KubeletServer(const KubeletServer&) = delete;
  KubeletServer& operator=(const KubeletServer&) = delete;

  // Listens and serves on a thread; returns the port.
  StatusOr<int> Start();
  // Ends every open relay and returns when the I/O thread has.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vc::syncer::kubelet
