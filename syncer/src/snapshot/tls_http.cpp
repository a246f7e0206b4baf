// SPDX-License-Identifier: Apache-2.0
#include "tls_http.h"

#include <algorithm>
#include <cstring>

namespace vc::syncer::snapshot {
namespace {

constexpr size_t kMaxHeaderBytes = 16 * 1024;

const char* Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 412:
      return "Precondition Failed";
    case 507:
      return "Insufficient Storage";
    default:
      return "Internal Server Error";
  }
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string Trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  const auto e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

}  // namespace

StatusOr<size_t> TlsHttpExchange::Raw(char* data, size_t size) {
  if (!buffered_.empty()) {
    const size_t n = std::min(size, buffered_.size());
    std::memcpy(data, buffered_.data(), n);
    buffered_.erase(0, n);
    return n;
  }
  const int n = SSL_read(ssl_, data, static_cast<int>(std::min<size_t>(size, 1 << 30)));
  if (n > 0) return static_cast<size_t>(n);
  const int err = SSL_get_error(ssl_, n);
  if (err == SSL_ERROR_ZERO_RETURN) return size_t{0};
  return Unavailable("read from client: connection closed");
}

StatusOr<std::string> TlsHttpExchange::RawLine() {
  std::string line;
  char c;
  while (line.size() < kMaxHeaderBytes) {
    ASSIGN_OR_RETURN(size_t n, Raw(&c, 1));
    if (n == 0) return Unavailable("client closed the connection mid-line");
    if (c == '\n') {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return line;
    }
    line.push_back(c);
  }
  return InvalidArgument("request line too long");
}

Status TlsHttpExchange::ReadRequest(HttpRequest* request) {
  ASSIGN_OR_RETURN(std::string first, RawLine());
  const auto sp1 = first.find(' ');
  const auto sp2 = first.find(' ', sp1 == std::string::npos ? 0 : sp1 + 1);
  if (sp1 == std::string::npos || sp2 == std::string::npos)
    return InvalidArgument("bad request line");
  request->method = first.substr(0, sp1);
  request->path = first.substr(sp1 + 1, sp2 - sp1 - 1);
  request->path = request->path.substr(0, request->path.find('?'));
  size_t total = first.size();
  while (true) {
    ASSIGN_OR_RETURN(std::string line, RawLine());
    total += line.size();
    if (total > kMaxHeaderBytes) return InvalidArgument("request headers too long");
    if (line.empty()) break;
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    request->headers[Lower(Trim(line.substr(0, colon)))] = Trim(line.substr(colon + 1));
  }
  chunked_ = Lower(request->headers["transfer-encoding"]).find("chunked") != std::string::npos;
  if (!chunked_) {
    left_ = std::strtoull(request->headers["content-length"].c_str(), nullptr, 10);
    body_done_ = left_ == 0;
  }
  request->headers.erase("transfer-encoding");
  if (Lower(request->headers["expect"]) == "100-continue") {
    static const char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
    RETURN_IF_ERROR(Send(kContinue, sizeof kContinue - 1));
  }
  return Status::Ok();
}

StatusOr<size_t> TlsHttpExchange::ReadBody(char* data, size_t size) {
  if (body_done_) return size_t{0};
  if (chunked_ && left_ == 0) {
    ASSIGN_OR_RETURN(std::string line, RawLine());
    if (line.empty()) {  // the CRLF after the previous chunk
      ASSIGN_OR_RETURN(line, RawLine());
    }
    left_ = std::strtoull(line.c_str(), nullptr, 16);
    if (left_ == 0) {
      // Trailers (none expected) up to the empty line.
      while (true) {
        ASSIGN_OR_RETURN(std::string t, RawLine());
        if (t.empty()) break;
      }
      body_done_ = true;
      return size_t{0};
    }
  }
  ASSIGN_OR_RETURN(size_t n, Raw(data, static_cast<size_t>(std::min<uint64_t>(size, left_))));
  if (n == 0) return Unavailable("the client closed the connection inside the body");
  left_ -= n;
  if (!chunked_ && left_ == 0) body_done_ = true;
  return n;
}

StatusOr<std::string> TlsHttpExchange::ReadSmallBody(size_t limit) {
  std::string out;
  char buf[4096];
  while (true) {
    ASSIGN_OR_RETURN(size_t n, ReadBody(buf, sizeof buf));
    if (n == 0) return out;
    out.append(buf, n);
    if (out.size() > limit) return InvalidArgument("request body too large");
  }
}

void TlsHttpExchange::DrainBody() {
  char buf[64 * 1024];
  while (true) {
    auto n = ReadBody(buf, sizeof buf);
    if (!n.ok() || *n == 0) return;
  }
}

Status TlsHttpExchange::Send(const char* data, size_t size) {
  while (size > 0) {
    const int n = SSL_write(ssl_, data, static_cast<int>(std::min<size_t>(size, 1 << 30)));
    if (n <= 0) return Unavailable("write to client: connection closed");
    data += n;
    size -= static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status TlsHttpExchange::Respond(int status, const std::string& content_type,
                                const std::string& body) {
  const std::string head = "HTTP/1.1 " + std::to_string(status) + " " + Reason(status) +
                           "\r\nContent-Type: " + content_type +
                           "\r\nContent-Length: " + std::to_string(body.size()) +
                           "\r\nConnection: close\r\n\r\n";
  RETURN_IF_ERROR(Send(head.data(), head.size()));
  return Send(body.data(), body.size());
}

Status TlsHttpExchange::BeginStream(const std::string& content_type) {
  const std::string head =
      "HTTP/1.1 200 OK\r\nContent-Type: " + content_type + "\r\nConnection: close\r\n\r\n";
  return Send(head.data(), head.size());
}

}  // namespace vc::syncer::snapshot
