// SPDX-License-Identifier: Apache-2.0
// HealthServer: plain-HTTP /healthz and /readyz for the kubelet's probes (and, for the node
// agent, /metrics through AddHandler). Shared by vc-syncer and vc-node-agent. A minimal blocking
// server on one thread: probes are a request every few seconds, and a dependency-free loop
// is easier to reason about at shutdown than an async framework. Each connection gets one
// answer and is closed; a client that sends nothing is dropped after a short timeout, so a
// stuck probe cannot starve the next one for long.
//
//   HealthServer health([] { return true; }, [&] { return ready.load(); });
//   ASSIGN_OR_RETURN(int port, health.Start("127.0.0.1", 8080));
//   ...
//   health.Stop();
#pragma once

#include <functional>
#include <map>
#include <string>
#include <thread>

#include "vc/status.h"

namespace vc {

class HealthServer {
 public:
  using Check = std::function<bool()>;
  struct Response {
    int status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
  };
  using Handler = std::function<Response()>;

  // `healthy` answers /healthz, `ready` answers /readyz: 200 "ok" or 503. Both are called
  // on the server's thread.
  HealthServer(Check healthy, Check ready);
  ~HealthServer();
  HealthServer(const HealthServer&) = delete;
  HealthServer& operator=(const HealthServer&) = delete;

  // Serves GET `path` (e.g. "/metrics") with `handler`, on the server's thread. Call before
  // Start.
  void AddHandler(const std::string& path, Handler handler);

  // Listens on address:port (port 0: any free port) and serves on a thread. Returns the port.
  StatusOr<int> Start(const std::string& address, int port);
  // Stops serving and closes the socket; idempotent.
  void Stop();

 private:
  void Serve();
  void Answer(int fd);

  Check healthy_;
  Check ready_;
  std::map<std::string, Handler> handlers_;
  int listen_fd_ = -1;
  int wake_fds_[2] = {-1, -1};  // Stop() writes to [1]; the serving loop polls [0]
  std::thread thread_;
};

// The status line and body for a request line like "GET /readyz HTTP/1.1": pure, for tests.
struct HealthAnswer {
  int status = 0;
  std::string body;
};
HealthAnswer AnswerHealthRequest(const std::string& request_line, bool healthy, bool ready);

}  // namespace vc
