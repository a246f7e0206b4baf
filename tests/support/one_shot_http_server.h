// SPDX-License-Identifier: Apache-2.0
// OneShotHttpServer: listens on 127.0.0.1 (a free port), takes one connection, reads one
// request (headers, then a Content-Length or chunked body), answers with the canned `reply`
// and closes. `Received()` waits for that and returns the request's bytes as they came. With
// `answer = false` it listens and never accepts: the kernel completes the connection and the
// client waits for an answer that does not come (timeouts, cancellation).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <thread>

namespace vc::testing {

class OneShotHttpServer {
 public:
  explicit OneShotHttpServer(std::string reply, bool answer = true) : reply_(std::move(reply)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    ::listen(listener_, 4);
    socklen_t len = sizeof(addr);
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    if (answer) serving_ = std::thread([this] { AnswerOne(); });
  }
  ~OneShotHttpServer() {
    if (serving_.joinable()) {
      ::shutdown(listener_, SHUT_RDWR);  // an accept nobody connected to returns
      serving_.join();
    }
    ::close(listener_);
  }
  OneShotHttpServer(const OneShotHttpServer&) = delete;
  OneShotHttpServer& operator=(const OneShotHttpServer&) = delete;

  int port() const { return port_; }
  std::string Url(const std::string& path = "/") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  // The request as received; waits for the exchange to end.
  std::string Received() {
    if (serving_.joinable()) serving_.join();
    return received_;
  }

 private:
  bool RequestComplete() const {
    const auto end = received_.find("\r\n\r\n");
    if (end == std::string::npos) return false;
    const std::string head = received_.substr(0, end);
    if (head.find("Transfer-Encoding: chunked") != std::string::npos) {
      return received_.find("\r\n0\r\n\r\n", end) != std::string::npos;
    }
    const auto length = head.find("Content-Length: ");
    if (length == std::string::npos) return true;
    const size_t size = std::stoul(head.substr(length + 16));
    return received_.size() >= end + 4 + size;
  }

  void AnswerOne() {
    const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) return;
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    char buf[4096];
    while (!RequestComplete()) {
      const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
      if (n <= 0) break;
      received_.append(buf, static_cast<size_t>(n));
    }
    ::send(fd, reply_.data(), reply_.size(), MSG_NOSIGNAL);
    ::close(fd);
  }

  std::string reply_;
  int listener_ = -1;
  int port_ = 0;
  std::string received_;
  std::thread serving_;
};

}  // namespace vc::testing
