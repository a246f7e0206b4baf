// SPDX-License-Identifier: Apache-2.0
// FakeTransport: a scripted HttpTransport for unit tests of the client and the informer.
// Do() answers from a FIFO of replies; Stream() from a FIFO of stream scripts (chunks, then an
// end), and when none is left it blocks until cancelled, like an idle watch would.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "vc/kube/http.h"

namespace vc::kube::testing {

inline HttpResponse JsonResponse(int status, const nlohmann::json& body,
                                 std::map<std::string, std::string> headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = body.dump();
  r.headers = std::move(headers);
  r.headers["content-type"] = "application/json";
  return r;
}

inline nlohmann::json ApiStatus(int code, const std::string& reason, const std::string& message) {
  return {{"kind", "Status"}, {"apiVersion", "v1"}, {"status", "Failure"},
          {"code", code},     {"reason", reason},   {"message", message}};
}

inline Status ConnectionRefused() {
  return Status(Code::kUnavailable, "get https://x: connection refused")
      .WithDetails({{"sent", false}});
}

inline Status ConnectionReset() {
  return Status(Code::kUnavailable, "get https://x: connection closed by the server")
      .WithDetails({{"sent", true}});
}

struct StreamScript {
  std::vector<std::string> chunks;
  StatusOr<HttpResponse> end = HttpResponse{200, {}, ""};
};

class FakeTransport : public HttpTransport {
 public:
  void Reply(StatusOr<HttpResponse> reply) {
    std::lock_guard<std::mutex> lock(mu_);
    replies_.push_back(std::move(reply));
  }
  void ReplyStream(StreamScript script) {
    std::lock_guard<std::mutex> lock(mu_);
    streams_.push_back(std::move(script));
  }

  StatusOr<HttpResponse> Do(const HttpRequest& request) override {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(request);
    if (replies_.empty()) return Status(Code::kInternal, "fake: no reply for " + request.url);
    auto reply = std::move(replies_.front());
    replies_.pop_front();
    return reply;
  }

  StatusOr<HttpResponse> Stream(const HttpRequest& request, const ChunkHandler& on_chunk,
                                const CancelToken* cancel) override {
    std::optional<StreamScript> script;
    {
      std::lock_guard<std::mutex> lock(mu_);
      requests_.push_back(request);
      if (!streams_.empty()) {
        script = std::move(streams_.front());
        streams_.pop_front();
      }
    }
    if (!script) {
      while (cancel != nullptr && !cancel->WaitFor(std::chrono::milliseconds(50))) {
      }
      return Status(Code::kCancelled, "cancelled");
    }
    if (script->end.ok() && script->end->status != 200) return script->end;
    for (const auto& chunk : script->chunks) {
      if (cancel != nullptr && cancel->cancelled()) return Status(Code::kCancelled, "cancelled");
      if (!on_chunk(chunk)) return HttpResponse{200, {}, ""};
    }
    return script->end;
  }

  std::vector<HttpRequest> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  // Requests whose URL contains `needle`.
  std::vector<HttpRequest> requests(const std::string& needle) {
    std::vector<HttpRequest> out;
    for (auto& r : requests()) {
      if (r.url.find(needle) != std::string::npos) out.push_back(r);
    }
    return out;
  }

 private:
  std::mutex mu_;
  std::deque<StatusOr<HttpResponse>> replies_;
  std::deque<StreamScript> streams_;
  std::vector<HttpRequest> requests_;
};

}  // namespace vc::kube::testing
