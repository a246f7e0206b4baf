// SPDX-License-Identifier: Apache-2.0
// Helpers of bench_datapath: a child process that is ready once it printed a line, a
// persistent TCP echo server, and a 1-byte request/response loop (netperf TCP_RR style).
#pragma once

#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace vc::bench {

// Starts argv and waits until its stdout shows `ready_line`; kills it (by its pid) on
// destruction.
class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& argv, const std::string& ready_line);
  ~ChildProcess();
  bool ready() const { return ready_; }

 private:
  int pid_ = -1;
  int out_ = -1;
  bool ready_ = false;
};

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
