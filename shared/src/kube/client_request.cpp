// SPDX-License-Identifier: Apache-2.0
// The request path every Client call goes through: credentials, deadline, retries.

#include <algorithm>
#include <cctype>

#include "vc/base64.h"
#include "vc/kube/client.h"
#include "vc/kube/curl_transport.h"
#include "vc/kube/errors.h"
#include "vc/log.h"

namespace vc::kube {

Client::Client(RestConfig config, std::shared_ptr<HttpTransport> transport,
               std::shared_ptr<vc::Clock> clock, RetryPolicy retry)
    : config_(std::move(config)),
      transport_(std::move(transport)),
      clock_(std::move(clock)),
      retry_(retry),
      rng_(std::random_device{}()) {
  while (!config_.server.empty() && config_.server.back() == '/') config_.server.pop_back();
}

std::shared_ptr<Client> Client::ForConfig(RestConfig config) {
  auto transport = std::make_shared<CurlTransport>(CurlTransportOptions::FromRestConfig(config));
  return std::make_shared<Client>(std::move(config), std::move(transport));
}

void Client::NoteReachability(const Status& transport_status) {
  if (transport_status.ok()) {
    reachability_->Answered();
  } else if (transport_status.code() != Code::kCancelled) {
    reachability_->Failed();
  }
}

double Client::Jitter() {
  std::lock_guard<std::mutex> lock(rng_mu_);
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
}

HttpRequest Client::NewRequest(const Call& call) const {
  HttpRequest request;
  request.method = call.method;
  request.url = config_.server + call.path;
  request.body = call.body;
  request.headers.emplace_back("Accept", call.accept);
  if (!call.body.empty()) request.headers.emplace_back("Content-Type", call.content_type);
  return request;
}

Status Client::Authorize(HttpRequest* request, bool force_refresh) {
  if (config_.credentials == nullptr) return Status::Ok();
  auto creds = config_.credentials->Get(force_refresh);
  if (!creds.ok()) return creds.status().Annotate("get credentials for " + config_.server);
  if (!creds->bearer_token.empty()) {
    request->headers.emplace_back("Authorization", "Bearer " + creds->bearer_token);
  } else if (!creds->username.empty()) {
    request->headers.emplace_back(
        "Authorization", "Basic " + vc::Base64Encode(creds->username + ":" + creds->password));
  }
  request->client_cert_pem = creds->client_cert_pem;
  request->client_key_pem = creds->client_key_pem;
  return Status::Ok();
}

StatusOr<HttpResponse> Client::Execute(const Call& call) {
  const std::chrono::milliseconds timeout = call.timeout.value_or(config_.request_timeout);
  const bool bounded = timeout.count() > 0;
  // The deadline covers every attempt and every backoff, as client-go's request context does:
  // --request-timeout is what the user waits at most.
  const vc::Clock::TimePoint deadline = clock_->Now() + timeout;
  const ApiErrorContext context{call.method, call.what, config_.server};
  bool refreshed = false;
  for (int attempt = 1;; ++attempt) {
    HttpRequest request = NewRequest(call);
    RETURN_IF_ERROR(Authorize(&request, refreshed && attempt == 1));
    if (bounded) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_->Now());
      request.timeout = std::max(left, std::chrono::milliseconds(1));
    }
    StatusOr<HttpResponse> result = transport_->Do(request);
    NoteReachability(result.status());
    Status failure;
    if (!result.ok()) {
      failure = result.status();
    } else if (result->status >= 200 && result->status < 300) {
      return result;
    } else {
      failure = StatusFromResponse(result->status, result->body, result->Header("content-type"),
                                   result->Header("retry-after"), context);
      if (failure.code() == Code::kUnauthorized && config_.credentials != nullptr && !refreshed) {
        // Tokens from files and exec plugins expire; one forced refresh, then one more try.
        VC_LOG(Debug) << call.what << ": 401, refreshing credentials";
        refreshed = true;
        attempt = 0;
        continue;
      }
    }
    if (failure.code() == Code::kTooManyRequests && !call.retry_throttled) return failure;
    auto delay = RetryDelay(retry_, attempt, failure, call.idempotent, Jitter());
    if (!delay) return failure;
    if (bounded && clock_->Now() + *delay >= deadline) return failure;
    VC_LOG(Debug) << call.what << ": attempt " << attempt << " failed (" << failure.message()
                  << "), retrying in " << delay->count() << "ms";
    clock_->SleepFor(*delay, nullptr);
  }
}

StatusOr<nlohmann::json> Client::ExecuteJson(const Call& call) {
  ASSIGN_OR_RETURN(HttpResponse response, Execute(call));
  if (response.body.empty()) return nlohmann::json::object();
  nlohmann::json j = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return Internal(call.what +
                    ": the server's answer is not JSON: " + response.body.substr(0, 120));
  }
  return j;
}

StatusOr<HttpResponse> Client::Raw(const RawRequest& raw) {
  Call call;
  call.method = raw.method;
  call.path = raw.path;
  call.body = raw.body;
  call.content_type = raw.content_type;
  call.accept = raw.accept;
  call.idempotent = raw.idempotent || raw.method == "GET" || raw.method == "HEAD";
  call.timeout = raw.timeout;
  std::string lower = raw.method;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  call.what = lower + " " + raw.path.substr(0, raw.path.find('?'));
  return Execute(call);
}

}  // namespace vc::kube
