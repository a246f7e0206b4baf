// SPDX-License-Identifier: Apache-2.0
#include "privileged/datapath/traffic_probe.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <future>

#include "privileged/datapath/netns_lab.h"

namespace vc::testing {
namespace {

sockaddr_in Addr(const std::string& ip, uint16_t port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  inet_pton(AF_INET, ip.c_str(), &sa.sin_addr);
  return sa;
}

int Socket(int type, const std::string& bind_ip, uint16_t port) {
  int fd = socket(AF_INET, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return -1;
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (!bind_ip.empty() || port != 0) {
    sockaddr_in sa = Addr(bind_ip.empty() ? "0.0.0.0" : bind_ip, port);
    if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0) {
      close(fd);
      return -1;
    }
  }
  return fd;
}

bool WaitFor(int fd, short events, std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, events, 0};
    int rc = poll(&p, 1, static_cast<int>(left.count()));
    if (rc > 0) return true;
    if (rc < 0 && errno != EINTR) return false;
  }
}

// Runs fn in a thread inside the namespace (setns affects only the calling thread).
template <typename Fn>
ProbeResult InNetns(const std::string& netns_path, Fn fn) {
  return std::async(std::launch::async,
                    [&] {
                      NetnsScope scope(netns_path);
                      if (!scope.ok()) return ProbeResult::kError;
                      return fn();
                    })
      .get();
}

}  // namespace

const char* ProbeResultName(ProbeResult r) {
  switch (r) {
    case ProbeResult::kEchoed:
      return "echoed";
    case ProbeResult::kTimedOut:
      return "timed out";
    case ProbeResult::kRefused:
      return "refused";
    case ProbeResult::kError:
      return "error";
  }
  return "?";
}

EchoServer::EchoServer(std::string netns_path, std::string address, std::vector<uint16_t> tcp_ports,
                       std::vector<uint16_t> udp_ports)
    : netns_path_(std::move(netns_path)),
      address_(std::move(address)),
      tcp_ports_(std::move(tcp_ports)),
      udp_ports_(std::move(udp_ports)) {
  stop_fd_ = eventfd(0, EFD_CLOEXEC);
  std::promise<bool> started;
  auto started_future = started.get_future();
  thread_ = std::thread([this, &started] {
    NetnsScope scope(netns_path_);
    std::vector<pollfd> fds{{stop_fd_, POLLIN, 0}};
    bool ok = scope.ok();
    for (uint16_t port : tcp_ports_) {
      int fd = Socket(SOCK_STREAM, address_, port);
      ok = ok && fd >= 0 && listen(fd, 64) == 0;
      fds.push_back({fd, POLLIN, 0});
    }
    for (uint16_t port : udp_ports_) {
      int fd = Socket(SOCK_DGRAM, address_, port);
      ok = ok && fd >= 0;
      fds.push_back({fd, POLLIN, 0});
    }
    started.set_value(ok);
    const size_t first_udp = 1 + tcp_ports_.size();
    char buf[2048];
    while (ok) {
      if (poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR) break;
      if (fds[0].revents) break;
      for (size_t i = 1; i < fds.size(); ++i) {
        if (!(fds[i].revents & POLLIN)) continue;
        if (i < first_udp) {
          int c = accept4(fds[i].fd, nullptr, nullptr, SOCK_CLOEXEC);
          if (c < 0) continue;
          // One short exchange a connection; a client that never sends is cut off.
          if (WaitFor(c, POLLIN, std::chrono::steady_clock::now() + std::chrono::seconds(1))) {
            ssize_t n = recv(c, buf, sizeof(buf), 0);
            if (n > 0) (void)send(c, buf, static_cast<size_t>(n), MSG_NOSIGNAL);
          }
          close(c);
        } else {
          sockaddr_in from{};
          socklen_t len = sizeof(from);
          ssize_t n =
              recvfrom(fds[i].fd, buf, sizeof(buf), 0, reinterpret_cast<sockaddr*>(&from), &len);
          if (n > 0)
            sendto(fds[i].fd, buf, static_cast<size_t>(n), 0, reinterpret_cast<sockaddr*>(&from),
                   len);
        }
      }
    }
    for (size_t i = 1; i < fds.size(); ++i) {
      if (fds[i].fd >= 0) close(fds[i].fd);
    }
  });
  ready_ = started_future.get();
}

EchoServer::~EchoServer() {
  uint64_t one = 1;
  (void)write(stop_fd_, &one, sizeof(one));
  if (thread_.joinable()) thread_.join();
  close(stop_fd_);
}

ProbeResult TcpEcho(const Probe& probe) {
  return InNetns(probe.netns_path, [&] {
    auto deadline = std::chrono::steady_clock::now() + probe.deadline;
    int fd = Socket(SOCK_STREAM, probe.source, 0);
    if (fd < 0) return ProbeResult::kError;
    sockaddr_in sa = Addr(probe.dest, probe.port);
    ProbeResult result = ProbeResult::kTimedOut;
    if (connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0 && errno != EINPROGRESS) {
      close(fd);
      return ProbeResult::kError;
    }
    if (WaitFor(fd, POLLOUT, deadline)) {
      int err = 0;
      socklen_t len = sizeof(err);
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err == ECONNREFUSED) {
        result = ProbeResult::kRefused;
      } else if (err != 0) {
        result = ProbeResult::kError;
      } else {
        const char msg[] = "vc-probe";
        char buf[sizeof(msg)] = {};
        if (send(fd, msg, sizeof(msg), MSG_NOSIGNAL) == sizeof(msg) &&
            WaitFor(fd, POLLIN, deadline) && recv(fd, buf, sizeof(buf), 0) == sizeof(msg) &&
            std::memcmp(buf, msg, sizeof(msg)) == 0) {
          result = ProbeResult::kEchoed;
        }
      }
    }
    close(fd);
    return result;
  });
}

ProbeResult UdpEcho(const Probe& probe) {
  return InNetns(probe.netns_path, [&] {
    auto deadline = std::chrono::steady_clock::now() + probe.deadline;
    int fd = Socket(SOCK_DGRAM, probe.source, 0);
    if (fd < 0) return ProbeResult::kError;
    sockaddr_in sa = Addr(probe.dest, probe.port);
    const char msg[] = "vc-udp-probe";
    char buf[64] = {};
    ProbeResult result = ProbeResult::kTimedOut;
    if (sendto(fd, msg, sizeof(msg), 0, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) < 0) {
      result = ProbeResult::kError;
    } else if (WaitFor(fd, POLLIN, deadline)) {
      ssize_t n = recv(fd, buf, sizeof(buf), 0);
      if (n == sizeof(msg) && std::memcmp(buf, msg, sizeof(msg)) == 0)
        result = ProbeResult::kEchoed;
      if (n < 0 && errno == ECONNREFUSED) result = ProbeResult::kRefused;
    }
    close(fd);
    return result;
  });
}

}  // namespace vc::testing
