// SPDX-License-Identifier: Apache-2.0
// The HTTP boundary of the REST client. `HttpTransport` is the one side-effecting interface
// the client talks through: `CurlTransport` (curl_transport.h) is the real one, unit tests
// use a scripted fake. Requests carry everything per call (credentials may rotate between
// calls), TLS trust and proxy belong to the transport.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vc/cancel_token.h"
#include "vc/status.h"

namespace vc::kube {

struct HttpRequest {
  std::string method = "GET";  // upper case
  std::string url;             // absolute, query included
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Client certificate for this request (kubeconfig client-certificate-data or an exec
  // plugin's); empty: none.
  std::string client_cert_pem;
  std::string client_key_pem;
  // Total time for the exchange; zero means no limit (watch streams, which the server ends).
  std::chrono::milliseconds timeout{0};
};

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  // The header's value, or empty. `name` must be lower case.
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// Receives a streamed body piece by piece; returning false ends the stream (not an error).
using ChunkHandler = std::function<bool(std::string_view chunk)>;

// Transport errors are Status values: kUnavailable (refused, reset, DNS, TLS), kTimeout,
// kCancelled. Their details() carry {"sent": bool}: false when the request provably never
// reached the server (nothing connected), which is what lets the client retry a POST.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;

  // Sends the request and returns the whole response, whatever its HTTP status.
  virtual StatusOr<HttpResponse> Do(const HttpRequest& request) = 0;

  // Sends the request; a 2xx body goes to `on_chunk` as it arrives and is not kept, any other
  // body is collected into the response. Ends when the server closes, `on_chunk` returns
  // false, or `cancel` (may be null) fires, in which case the result is kCancelled.
  virtual StatusOr<HttpResponse> Stream(const HttpRequest& request, const ChunkHandler& on_chunk,
                                        const CancelToken* cancel) = 0;
};

// True when the transport error came before any byte reached the server.
inline bool NeverSent(const Status& status) {
  return status.details().is_object() && status.details().value("sent", true) == false;
}

}  // namespace vc::kube
