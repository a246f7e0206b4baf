// SPDX-License-Identifier: Apache-2.0
// Kubernetes API errors -> vc::Status, following apimachinery's pkg/api/errors: a `Status`
// body's reason decides the Code; a body that is not a Status (a proxy's HTML, a load
// balancer's text) still maps by HTTP code. details() keeps the Kubernetes Status object
// (synthesised for unstructured bodies) plus top-level "code" and, when known,
// "retryAfterSeconds", so callers can look past the Code without re-parsing.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "vc/status.h"

namespace vc::kube {

struct ApiErrorContext {
  std::string method;  // "GET", "POST", ...: a 409 on POST without a reason is AlreadyExists
  std::string what;    // "get configmaps default/app": leads messages the server left vague
  std::string server;  // for the Unauthorized hint
};

// Maps a non-2xx response. `retry_after_header` is the raw Retry-After value, if any.
Status StatusFromResponse(int http_code, std::string_view body, std::string_view content_type,
                          std::string_view retry_after_header, const ApiErrorContext& context);

// Maps a Kubernetes Status object (a watch ERROR event's object, or a decoded body).
Status StatusFromObject(const nlohmann::json& status, const ApiErrorContext& context);

// The reason of an API error ("NotFound", "Expired", ...), or empty.
std::string ApiReason(const Status& status);

// The HTTP code of an API error, or 0 for errors that never got a response.
int ApiCode(const Status& status);

// Seconds the server asked us to wait before retrying, if it said.
std::optional<int> RetryAfterSeconds(const Status& status);

}  // namespace vc::kube
