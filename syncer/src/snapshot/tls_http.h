// SPDX-License-Identifier: Apache-2.0
// One HTTP/1.1 exchange over an accepted TLS connection, parsed by Boost.Beast: the request
// head (16 KiB at most), the body as a stream (Content-Length or chunked), and a response that
// is either whole or streamed until the connection closes. Blocking: the snapshot server gives
// each connection its own (joined) thread. Every read and write that moves bytes calls
// `progress`, which the server's idle watchdog reads.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <functional>
#include <map>
#include <string>

#include "vc/status.h"

namespace vc::syncer::snapshot {

using TlsSocket = boost::beast::ssl_stream<boost::asio::ip::tcp::socket>;

struct HttpRequest {
  std::string method;
  std::string path;                            // without the query
  std::map<std::string, std::string> headers;  // names lower-cased
};

class TlsHttpExchange {
 public:
  TlsHttpExchange(TlsSocket& stream, std::function<void()> progress)
      : stream_(stream), progress_(std::move(progress)) {}

  Status ReadRequest(HttpRequest* request);
  // Up to `size` body bytes; 0 at its end.
  StatusOr<size_t> ReadBody(char* data, size_t size);
  StatusOr<std::string> ReadSmallBody(size_t limit);
  // Reads what is left of the body (at most 1 MiB) so that an answer is not lost to a reset.
  void DrainBody();

  Status Send(const char* data, size_t size);
  Status Respond(int status, const std::string& content_type, const std::string& body);
  // Headers of a response whose body runs until the connection closes.
  Status BeginStream(const std::string& content_type);

 private:
  TlsSocket& stream_;
  std::function<void()> progress_;
  boost::beast::flat_buffer buffer_;
  boost::beast::http::request_parser<boost::beast::http::buffer_body> parser_;
  bool have_head_ = false;
};

}  // namespace vc::syncer::snapshot
