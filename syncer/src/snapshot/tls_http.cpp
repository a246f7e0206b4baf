// SPDX-License-Identifier: Apache-2.0
#include "tls_http.h"

#include <algorithm>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <limits>

namespace vc::syncer::snapshot {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;

constexpr size_t kMaxHeaderBytes = 16 * 1024;

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

}  // namespace

Status TlsHttpExchange::ReadRequest(HttpRequest* request) {
  parser_.header_limit(kMaxHeaderBytes);
  parser_.body_limit(std::numeric_limits<std::uint64_t>::max());  // archives stream through
  beast::error_code ec;
  http::read_header(stream_, buffer_, parser_, ec);
  if (ec) return InvalidArgument("bad request head: " + ec.message());
  have_head_ = true;
  progress_();
  const auto& head = parser_.get();
  request->method = std::string(head.method_string());
  const std::string target(head.target());
  request->path = target.substr(0, target.find('?'));
  for (const auto& field : head) {
    request->headers[Lower(std::string(field.name_string()))] = std::string(field.value());
  }
  request->headers.erase("transfer-encoding");
  if (Lower(request->headers["expect"]) == "100-continue") {
    static const char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
    RETURN_IF_ERROR(Send(kContinue, sizeof kContinue - 1));
  }
  return Status::Ok();
}

StatusOr<size_t> TlsHttpExchange::ReadBody(char* data, size_t size) {
  if (!have_head_) return FailedPrecondition("the request head was not read");
  // A read may end on a chunk's framing with no body bytes; go on until there are some.
  while (!parser_.is_done()) {
    auto& body = parser_.get().body();
    body.data = data;
    body.size = size;
    beast::error_code ec;
    http::read_some(stream_, buffer_, parser_, ec);
    if (ec == http::error::need_buffer) ec = {};
    if (ec) {
      if (ec == http::error::partial_message || ec == beast::http::error::end_of_stream ||
          ec == boost::asio::error::eof) {
        return Unavailable("the client closed the connection inside the body");
      }
      return InvalidArgument("bad request body: " + ec.message());
    }
    const size_t got = size - body.size;
    if (got > 0) {
      progress_();
      return got;
    }
  }
  return size_t{0};
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
  if (!have_head_) return;
  char buf[64 * 1024];
  size_t total = 0;
  while (total < (1 << 20)) {
    auto n = ReadBody(buf, sizeof buf);
    if (!n.ok() || *n == 0) return;
    total += *n;
  }
}

Status TlsHttpExchange::Send(const char* data, size_t size) {
  beast::error_code ec;
  boost::asio::write(stream_, boost::asio::buffer(data, size), ec);
  if (ec) return Unavailable("write to client: " + ec.message());
  progress_();
  return Status::Ok();
}

Status TlsHttpExchange::Respond(int status, const std::string& content_type,
                                const std::string& body) {
  http::response<http::string_body> res(static_cast<http::status>(status), 11);
  res.set(http::field::content_type, content_type);
  res.set(http::field::connection, "close");
  res.body() = body;
  res.prepare_payload();
  beast::error_code ec;
  http::write(stream_, res, ec);
  if (ec) return Unavailable("write to client: " + ec.message());
  progress_();
  return Status::Ok();
}

Status TlsHttpExchange::BeginStream(const std::string& content_type) {
  const std::string head =
      "HTTP/1.1 200 OK\r\nContent-Type: " + content_type + "\r\nConnection: close\r\n\r\n";
  return Send(head.data(), head.size());
}

}  // namespace vc::syncer::snapshot
