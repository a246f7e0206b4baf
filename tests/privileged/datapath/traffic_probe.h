// SPDX-License-Identifier: Apache-2.0
// Real traffic between the lab's namespaces: echo servers and clients, each running in a
// thread that entered the namespace. Every wait is a deadline on a poll(), never a sleep:
// an allowed exchange returns as soon as the echo arrives, a dropped one at its deadline.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

namespace vc::testing {

// TCP and UDP echo on address:port inside a namespace until destroyed.
class EchoServer {
 public:
  EchoServer(std::string netns_path, std::string address, std::vector<uint16_t> tcp_ports,
             std::vector<uint16_t> udp_ports);
  ~EchoServer();
  EchoServer(const EchoServer&) = delete;
  EchoServer& operator=(const EchoServer&) = delete;
  // False when a socket could not be set up (the constructor waits for that).
  bool ready() const { return ready_; }

 private:
  void Serve();

  std::string netns_path_;
  std::string address_;
  std::vector<uint16_t> tcp_ports_;
  std::vector<uint16_t> udp_ports_;
  int stop_fd_ = -1;
  bool ready_ = false;
  std::thread thread_;
};

enum class ProbeResult { kEchoed, kTimedOut, kRefused, kError };
const char* ProbeResultName(ProbeResult r);
// For gtest messages.
inline void PrintTo(ProbeResult r, std::ostream* os) { *os << ProbeResultName(r); }

struct Probe {
  std::string netns_path;  // where the client runs
  std::string source;      // bind to this address ("" = let the kernel pick)
  std::string dest;
  uint16_t port = 0;
  std::chrono::milliseconds deadline{800};
};

// Connects, sends a few bytes and waits for them back.
ProbeResult TcpEcho(const Probe& probe);
// Sends one datagram and waits for its echo.
ProbeResult UdpEcho(const Probe& probe);

}  // namespace vc::testing
