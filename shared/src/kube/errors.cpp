// SPDX-License-Identifier: Apache-2.0
#include "vc/kube/errors.h"

#include <charconv>

namespace vc::kube {
namespace {

// Unstructured bodies are quoted in messages; a proxy's HTML page should not flood the terminal.
constexpr size_t kMaxQuotedBody = 512;

// Like json::value, but never throws on a field of the wrong type: bodies come from the network.
std::string Str(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  return (it != j.end() && it->is_string()) ? it->get<std::string>() : std::string();
}

Code CodeForReason(const std::string& reason) {
  if (reason == "NotFound") return Code::kNotFound;
  if (reason == "AlreadyExists") return Code::kAlreadyExists;
  if (reason == "Conflict") return Code::kConflict;
  if (reason == "Gone" || reason == "Expired") return Code::kGone;
  if (reason == "Unauthorized") return Code::kUnauthorized;
  if (reason == "Forbidden") return Code::kForbidden;
  if (reason == "Invalid") return Code::kInvalid;
  if (reason == "BadRequest" || reason == "RequestEntityTooLarge") return Code::kInvalidArgument;
  if (reason == "TooManyRequests") return Code::kTooManyRequests;
  if (reason == "Timeout" || reason == "ServerTimeout") return Code::kTimeout;
  if (reason == "ServiceUnavailable" || reason == "InternalError") return Code::kUnavailable;
  if (reason == "MethodNotAllowed" || reason == "NotAcceptable" ||
      reason == "UnsupportedMediaType") {
    return Code::kInternal;
  }
  return Code::kUnknown;
}

// apimachinery's rule: an unknown reason falls back to the HTTP code.
Code CodeForHttp(int http, const std::string& method) {
  switch (http) {
    case 400:
      return Code::kInvalidArgument;
    case 401:
      return Code::kUnauthorized;
    case 403:
      return Code::kForbidden;
    case 404:
      return Code::kNotFound;
    case 409:
      return method == "POST" ? Code::kAlreadyExists : Code::kConflict;
    case 410:
      return Code::kGone;
    case 413:
      return Code::kInvalidArgument;
    case 422:
      return Code::kInvalid;
    case 429:
      return Code::kTooManyRequests;
    case 504:
      return Code::kTimeout;
    default:
      break;
  }
  if (http >= 500) return Code::kUnavailable;
  if (http == 405 || http == 406 || http == 415) return Code::kInternal;
  return Code::kUnknown;
}

std::string GenericMessage(int http, const std::string& server_text) {
  switch (http) {
    case 400:
      return "the server rejected the request for an unknown reason";
    case 401:
      return "the server asked for credentials";
    case 403:
      return server_text.empty() ? "forbidden" : server_text;
    case 404:
      return "the server could not find the requested resource";
    case 409:
      return "the server reported a conflict";
    case 410:
      return "the requested resource version is gone";
    case 422:
      return "the server rejected the request as invalid";
    case 429:
      return "the server received too many requests and asked to try again later";
    case 503:
      return "the server is currently unable to handle the request";
    case 504:
      return "the server did not answer in time, but may still be processing the request";
    default:
      break;
  }
  std::string m = "the server answered with HTTP " + std::to_string(http);
  if (!server_text.empty()) m += ": " + server_text;
  return m;
}

std::optional<int> ParseSeconds(std::string_view text) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

// "ConfigMap "x" is invalid:\n  - data[a b]: Invalid value: ..." — one cause a line reads
// better than the server's bracketed list once there are several.
std::string InvalidMessage(const nlohmann::json& status) {
  const nlohmann::json details = status.contains("details") ? status["details"] : nullptr;
  const nlohmann::json causes =
      details.is_object() && details.contains("causes") ? details["causes"] : nullptr;
  if (!causes.is_array() || causes.empty()) return Str(status, "message");
  std::string m = Str(details, "kind");
  if (m.empty()) m = "object";
  if (auto name = Str(details, "name"); !name.empty()) m += " \"" + name + "\"";
  m += " is invalid:";
  for (const auto& cause : causes) {
    m += "\n  - ";
    if (auto field = Str(cause, "field"); !field.empty()) m += field + ": ";
    auto said = Str(cause, "message");
    m += said.empty() ? "invalid" : said;
  }
  return m;
}

std::string UnauthorizedMessage(const ApiErrorContext& context, const std::string& server_says) {
  std::string m = context.what.empty() ? std::string() : context.what + ": ";
  m += "the server";
  if (!context.server.empty()) m += " at " + context.server;
  m += " rejected the credentials or they have expired";
  if (!server_says.empty()) m += " (" + server_says + ")";
  m += "; refresh them: log in again or renew the token/certificate of the kubeconfig user";
  return m;
}

Status Build(int http, nlohmann::json status, const std::string& message_if_empty,
             std::optional<int> retry_after, const ApiErrorContext& context) {
  const std::string reason = Str(status, "reason");
  Code code = CodeForReason(reason);
  if (code == Code::kUnknown) code = CodeForHttp(http, context.method);
  std::string message = Str(status, "message");
  if (message.empty()) {
    message = context.what.empty() ? message_if_empty : context.what + ": " + message_if_empty;
  }
  if (code == Code::kInvalid) {
    if (std::string listed = InvalidMessage(status); !listed.empty()) message = listed;
  }
  if (code == Code::kUnauthorized) {
    message = UnauthorizedMessage(context, Str(status, "message"));
  }
  if (!retry_after && status.contains("details") && status["details"].is_object()) {
    const auto& d = status["details"];
    if (d.contains("retryAfterSeconds") && d["retryAfterSeconds"].is_number_integer() &&
        d["retryAfterSeconds"].get<int>() > 0) {
      retry_after = d["retryAfterSeconds"].get<int>();
    }
  }
  if (code == Code::kTooManyRequests && retry_after) {
    message += " (retry after " + std::to_string(*retry_after) + "s)";
  }
  if (!status.contains("code") || !status["code"].is_number_integer()) status["code"] = http;
  if (retry_after) status["retryAfterSeconds"] = *retry_after;
  return Status(code, message).WithDetails(std::move(status));
}

}  // namespace

Status StatusFromResponse(int http_code, std::string_view body, std::string_view content_type,
                          std::string_view retry_after_header, const ApiErrorContext& context) {
  const std::optional<int> retry_after = ParseSeconds(retry_after_header);
  nlohmann::json parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object() && Str(parsed, "kind") == "Status") {
    return Build(http_code, std::move(parsed), GenericMessage(http_code, ""), retry_after, context);
  }
  // Not a Status: someone other than the apiserver answered. Quote text, never binary.
  std::string text;
  const bool is_text = content_type.empty() || content_type.substr(0, 5) == "text/";
  if (is_text) {
    text = std::string(body.substr(0, kMaxQuotedBody));
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  }
  nlohmann::json synthesized = {{"kind", "Status"},
                                {"apiVersion", "v1"},
                                {"status", "Failure"},
                                {"code", http_code},
                                {"body", std::string(body.substr(0, kMaxQuotedBody))}};
  return Build(http_code, std::move(synthesized), GenericMessage(http_code, text), retry_after,
               context);
}

Status StatusFromObject(const nlohmann::json& status, const ApiErrorContext& context) {
  int http = 500;
  if (status.is_object() && status.contains("code") && status["code"].is_number_integer()) {
    http = status["code"].get<int>();
  }
  nlohmann::json copy = status.is_object() ? status : nlohmann::json::object();
  return Build(http, std::move(copy), GenericMessage(http, ""), std::nullopt, context);
}

std::string ApiReason(const Status& status) {
  const auto& d = status.details();
  return Str(d, "reason");
}

int ApiCode(const Status& status) {
  const auto& d = status.details();
  if (!d.is_object() || !d.contains("code") || !d["code"].is_number_integer()) return 0;
  return d["code"].get<int>();
}

std::optional<int> RetryAfterSeconds(const Status& status) {
  const auto& d = status.details();
  if (!d.is_object() || !d.contains("retryAfterSeconds")) return std::nullopt;
  if (!d["retryAfterSeconds"].is_number_integer()) return std::nullopt;
  return d["retryAfterSeconds"].get<int>();
}

}  // namespace vc::kube
