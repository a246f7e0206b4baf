// SPDX-License-Identifier: Apache-2.0
// One HTTP/1.1 exchange over an accepted TLS connection: the request line and headers, the
// body as a stream (Content-Length or chunked), and a response that is either whole or
// streamed until the connection closes. Just what the snapshot endpoint needs.
#pragma once

#include <openssl/ssl.h>

#include <map>
#include <string>

#include "vc/status.h"

namespace vc::syncer::snapshot {

struct HttpRequest {
  std::string method;
  std::string path;                            // without the query
  std::map<std::string, std::string> headers;  // names lower-cased
};

class TlsHttpExchange {
 public:
  explicit TlsHttpExchange(SSL* ssl) : ssl_(ssl) {}

  Status ReadRequest(HttpRequest* request);
  // Up to `size` body bytes; 0 at its end.
  StatusOr<size_t> ReadBody(char* data, size_t size);
  StatusOr<std::string> ReadSmallBody(size_t limit);
  void DrainBody();

  Status Send(const char* data, size_t size);
  Status Respond(int status, const std::string& content_type, const std::string& body);
  // Headers of a response whose body runs until the connection closes.
  Status BeginStream(const std::string& content_type);

 private:
  StatusOr<size_t> Raw(char* data, size_t size);  // buffered bytes first, then SSL_read
  StatusOr<std::string> RawLine();
  SSL* ssl_;
  std::string buffered_;
  bool chunked_ = false;
  uint64_t left_ = 0;  // in the body (Content-Length) or the current chunk
  bool body_done_ = false;
};

}  // namespace vc::syncer::snapshot
