// SPDX-License-Identifier: Apache-2.0
// Helpers of bench_datapath: a persistent TCP echo server in a network namespace, and a 1-byte
// request/response loop (netperf TCP_RR style).
#pragma once

#include <cstdint>
#include <string>
#include <thread>

namespace vc::bench {

// Echoes every byte on every connection, in a namespace, until destroyed.
class RrServer {
 public:
  RrServer(const std::string& netns_path, const std::string& address, uint16_t port);
  ~RrServer();
  bool ready() const { return ready_; }

 private:
  int listen_fd_ = -1;
  bool ready_ = false;
  std::thread thread_;
};

// Mean microseconds of `rounds` 1-byte round trips over one TCP connection.
double RoundTripMicros(const std::string& netns_path, const std::string& address, uint16_t port,
                       int rounds);

}  // namespace vc::bench
