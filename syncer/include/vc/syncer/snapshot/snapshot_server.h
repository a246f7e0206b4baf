// SPDX-License-Identifier: Apache-2.0
// `vc-syncer snapshot-server`: the control-plane pod's snapshot endpoint, the only way a
// snapshot leaves or enters the pod (kubectl-vc reaches it through `kubectl port-forward`;
// no exec, no shared volume). HTTPS on 127.0.0.1 inside the pod, with the apiserver's serving
// certificate; every client must present a certificate of the virtual cluster's CA with
// O=system:masters (kubectl-vc uses the admin certificate from Secret vc-NAME), so whoever
// may read that Secret may take or replace the cluster's state, and nobody else.
//
//   POST /snapshot   {"meta":{...}}                       -> 200, the archive streamed (plain)
//   POST /snapshot   {"meta":{...},"to":"REL","encryptionKey":"HEX"} -> 200 {"bytes":N} (written
//                    to DATA/REL inside the pod: container:///data/REL)
//   PUT  /restore    body: an archive (Content-Length or chunked) -> 200 meta.json once staged
//   POST /restore    {"from":"REL","encryptionKey":"HEX"}  -> the same, from DATA/REL
//   GET  /restore/status -> DATA/restore.result (what init made of the last restore), or 404
// Errors: 400 bad archive (its message), 404 no such file, 507 volume full, 500 otherwise;
// always {"message": "..."}. One snapshot or restore at a time: 409 for a second one.
//
// Boost.Beast parses every request; Asio accepts. Archive writing and restore staging are
// blocking file work, so each connection has a thread of its own, but never more than
// kMaxConnections, all joined on stop (never detached); a watchdog shuts a connection that
// has not finished its TLS handshake and request head in 15 s or moved a byte in 300 s.
#pragma once

#include <list>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "vc/cancel_token.h"
#include "vc/status.h"

namespace vc::syncer::snapshot {

class TlsHttpExchange;

struct SnapshotServerOptions {
  std::string data_dir = "/data";
  std::string address = "127.0.0.1";
  int port = 0;  // 0: the kernel picks (tests)
};

class SnapshotServer {
 public:
  static constexpr int kMaxConnections = 8;

  explicit SnapshotServer(SnapshotServerOptions options);
  ~SnapshotServer();
  SnapshotServer(const SnapshotServer&) = delete;
  SnapshotServer& operator=(const SnapshotServer&) = delete;

  // Loads the certificates from DATA/pki and listens.
  Status Start();
  int port() const { return port_; }
  // Serves until `cancel`; returns when every connection has ended.
  void Serve(const CancelToken& cancel);

 private:
  struct Impl;
  struct Connection;
  void Handle(Connection& connection);
  // The endpoints' work; each returns the JSON answer or the error to answer with.
  // Snapshot sets *streamed once the archive itself started going out.
  StatusOr<nlohmann::json> Snapshot(TlsHttpExchange& http, bool* streamed);
  StatusOr<nlohmann::json> RestoreFromFile(TlsHttpExchange& http);
  SnapshotServerOptions options_;
  std::unique_ptr<Impl> impl_;  // Asio and OpenSSL, kept out of this header
  int port_ = 0;
  std::mutex work_mu_;  // one snapshot or restore at a time
};

}  // namespace vc::syncer::snapshot
