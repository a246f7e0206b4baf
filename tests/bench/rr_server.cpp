// SPDX-License-Identifier: Apache-2.0
#include "rr_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <future>

#include "privileged/datapath/netns_lab.h"

namespace vc::bench {
namespace {

sockaddr_in Addr(const std::string& ip, uint16_t port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  inet_pton(AF_INET, ip.c_str(), &sa.sin_addr);
  return sa;
}

}  // namespace

RrServer::RrServer(const std::string& netns_path, const std::string& address, uint16_t port) {
  std::promise<int> listening;
  auto fd_future = listening.get_future();
  thread_ = std::thread([&, netns_path, address, port] {
    testing::NetnsScope scope(netns_path);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa = Addr(address, port);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (!scope.ok() || bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0 ||
        listen(fd, 4) != 0) {
      close(fd);
      listening.set_value(-1);
      return;
    }
    listening.set_value(fd);
    for (;;) {
      int c = accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) return;  // shut down
      setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      char b;
      while (recv(c, &b, 1, 0) == 1 && send(c, &b, 1, MSG_NOSIGNAL) == 1) {
      }
      close(c);
    }
  });
  listen_fd_ = fd_future.get();
  ready_ = listen_fd_ >= 0;
}

RrServer::~RrServer() {
  if (listen_fd_ >= 0) shutdown(listen_fd_, SHUT_RDWR);  // wakes accept()
  if (thread_.joinable()) thread_.join();
  if (listen_fd_ >= 0) close(listen_fd_);
}

double RoundTripMicros(const std::string& netns_path, const std::string& address, uint16_t port,
                       int rounds) {
  return std::async(
             std::launch::async,
             [&] {
               testing::NetnsScope scope(netns_path);
               int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
               int one = 1;
               setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
               timeval tv{2, 0};
               setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
               sockaddr_in sa = Addr(address, port);
               if (!scope.ok() || connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0) {
                 close(fd);
                 return 0.0;
               }
               char b = 'x';
               auto start = std::chrono::steady_clock::now();
               int done = 0;
               for (; done < rounds; ++done) {
                 if (send(fd, &b, 1, 0) != 1 || recv(fd, &b, 1, 0) != 1) break;
               }
               auto us = std::chrono::duration<double, std::micro>(
                             std::chrono::steady_clock::now() - start)
                             .count();
               close(fd);
               return done == rounds ? us / rounds : 0.0;
             })
      .get();
}

}  // namespace vc::bench
