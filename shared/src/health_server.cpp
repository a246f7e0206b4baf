// SPDX-License-Identifier: Apache-2.0
#include "vc/health_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "vc/log.h"

namespace vc {
namespace {

constexpr size_t kMaxRequestBytes = 8192;
constexpr int kClientTimeoutMs = 2000;

const char* Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    default:
      return "Service Unavailable";
  }
}

void SendAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    // MSG_NOSIGNAL: a probe that hung up must not SIGPIPE the process.
    const ssize_t n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

}  // namespace

HealthAnswer AnswerHealthRequest(const std::string& request_line, bool healthy, bool ready) {
  const size_t sp1 = request_line.find(' ');
  const size_t sp2 = request_line.find(' ', sp1 == std::string::npos ? 0 : sp1 + 1);
  if (sp1 == std::string::npos) return {405, "bad request\n"};
  const std::string method = request_line.substr(0, sp1);
  std::string path =
      request_line.substr(sp1 + 1, sp2 == std::string::npos ? std::string::npos : sp2 - sp1 - 1);
  path = path.substr(0, path.find('?'));  // kubelet sends none, curl users might
  if (method != "GET" && method != "HEAD") return {405, "method not allowed\n"};
  if (path == "/healthz" || path == "/livez") {
    return healthy ? HealthAnswer{200, "ok\n"} : HealthAnswer{503, "unhealthy\n"};
  }
  if (path == "/readyz") {
    return ready ? HealthAnswer{200, "ok\n"} : HealthAnswer{503, "not ready\n"};
  }
  return {404, "not found\n"};
}

HealthServer::HealthServer(Check healthy, Check ready)
    : healthy_(std::move(healthy)), ready_(std::move(ready)) {}

HealthServer::~HealthServer() { Stop(); }

void HealthServer::AddHandler(const std::string& path, Handler handler) {
  handlers_[path] = std::move(handler);
}

StatusOr<int> HealthServer::Start(const std::string& address, int port) {
  if (listen_fd_ >= 0) return FailedPrecondition("start health server: already started");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, address.c_str(), &addr.sin_addr) != 1) {
    return InvalidArgument("start health server: invalid IPv4 address \"" + address + "\"");
  }
  const std::string where = address + ":" + std::to_string(port);
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Internal("start health server: socket: " + std::string(std::strerror(errno)));
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || ::listen(fd, 16) != 0) {
    const int err = errno;
    ::close(fd);
    return Unavailable("listen on " + where + ": " + std::strerror(err) +
                       " (is another process using --health-port?)");
  }
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  if (::pipe2(wake_fds_, O_CLOEXEC) != 0) {
    ::close(fd);
    return Internal("start health server: pipe: " + std::string(std::strerror(errno)));
  }
  listen_fd_ = fd;
  thread_ = std::thread([this] { Serve(); });
  return static_cast<int>(ntohs(addr.sin_port));
}

void HealthServer::Stop() {
  if (listen_fd_ < 0) return;
  const char byte = 1;
  while (::write(wake_fds_[1], &byte, 1) < 0 && errno == EINTR) {
  }
  if (thread_.joinable()) thread_.join();
  for (int* fd : {&listen_fd_, &wake_fds_[0], &wake_fds_[1]}) {
    ::close(*fd);
    *fd = -1;
  }
}

void HealthServer::Serve() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_fds_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      VC_LOG(Error) << "health server: poll: " << std::strerror(errno);
      return;
    }
    if (fds[1].revents != 0) return;
    if ((fds[0].revents & POLLIN) == 0) continue;
    const int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;  // the peer gave up already, or EMFILE: the next probe retries
    Answer(client);
    ::close(client);
  }
}

void HealthServer::Answer(int fd) {
  timeval tv{kClientTimeoutMs / 1000, (kClientTimeoutMs % 1000) * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  std::string request;
  char buf[1024];
  while (request.find("\r\n\r\n") == std::string::npos && request.size() < kMaxRequestBytes) {
    const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    request.append(buf, static_cast<size_t>(n));
  }
  const size_t eol = request.find("\r\n");
  if (eol == std::string::npos) return;  // nothing usable arrived in time
  const std::string line = request.substr(0, eol);
  Response answer;
  const size_t sp1 = line.find(' ');
  const size_t sp2 = sp1 == std::string::npos ? sp1 : line.find(' ', sp1 + 1);
  const std::string path =
      sp1 == std::string::npos
          ? ""
          : line.substr(sp1 + 1, sp2 == std::string::npos ? std::string::npos : sp2 - sp1 - 1);
  const bool get = line.rfind("GET ", 0) == 0 || line.rfind("HEAD ", 0) == 0;
  if (auto h = handlers_.find(path.substr(0, path.find('?'))); get && h != handlers_.end()) {
    answer = h->second();
  } else {
    const HealthAnswer health = AnswerHealthRequest(line, healthy_(), ready_());
    answer.status = health.status;
    answer.body = health.body;
  }
  const bool head = line.rfind("HEAD ", 0) == 0;
  std::string response = "HTTP/1.1 " + std::to_string(answer.status) + " " + Reason(answer.status) +
                         "\r\nContent-Type: " + answer.content_type +
                         "\r\nContent-Length: " + std::to_string(answer.body.size()) +
                         "\r\nConnection: close\r\n\r\n";
  if (!head) response += answer.body;
  SendAll(fd, response);
}

}  // namespace vc
