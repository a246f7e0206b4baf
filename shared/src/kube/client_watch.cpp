// SPDX-License-Identifier: Apache-2.0
// Client::Watch: one watch stream, decoded as it arrives.
#include "vc/kube/client.h"
#include "vc/kube/errors.h"
#include "vc/log.h"

namespace vc::kube {
namespace {

// A stream the server should have ended (timeoutSeconds) but has not is given this much
// slack before the transport cuts it: catches a silently dead connection.
constexpr std::chrono::seconds kWatchSlack{60};

}  // namespace

Status Client::Watch(const Resource& r, std::string_view ns, const WatchOptions& options,
                     const WatchHandler& handler, const CancelToken* cancel) {
  Call call;
  call.method = "GET";
  call.what = "watch " + r.GroupResource();
  if (r.namespaced && !ns.empty()) call.what += " in " + std::string(ns);
  call.path =
      ResourcePath(r, ns) +
      EncodeQuery({{"watch", "1"},
                   {"allowWatchBookmarks", options.allow_bookmarks ? "true" : ""},
                   {"resourceVersion", options.resource_version},
                   {"timeoutSeconds",
                    options.timeout_seconds > 0 ? std::to_string(options.timeout_seconds) : ""},
                   {"labelSelector", options.label_selector},
                   {"fieldSelector", options.field_selector}});
  const ApiErrorContext context{call.method, call.what, config_.server};

  for (bool refreshed = false;; refreshed = true) {
    HttpRequest request = NewRequest(call);
    RETURN_IF_ERROR(Authorize(&request, refreshed));
    if (options.timeout_seconds > 0) {
      request.timeout = std::chrono::seconds(options.timeout_seconds) + kWatchSlack;
    }
    WatchDecoder decoder;
    Status stream_error;
    nlohmann::json error_object;
    auto on_event = [&](const WatchEvent& event) {
      if (event.type == WatchEventType::kError) {
        error_object = event.object;
        return false;
      }
      return handler(event);
    };
    auto on_chunk = [&](std::string_view chunk) {
      stream_error = decoder.Feed(chunk, on_event);
      return stream_error.ok() && !decoder.stopped();
    };
    StatusOr<HttpResponse> result = transport_->Stream(request, on_chunk, cancel);
    NoteReachability(result.status());
    if (!result.ok()) return result.status();
    if (result->status < 200 || result->status >= 300) {
      Status failure =
          StatusFromResponse(result->status, result->body, result->Header("content-type"),
                             result->Header("retry-after"), context);
      if (failure.code() == Code::kUnauthorized && config_.credentials != nullptr && !refreshed) {
        continue;
      }
      return failure;
    }
    RETURN_IF_ERROR(stream_error);
    if (!error_object.is_null()) {
      // 410 here means the resourceVersion was compacted away: the caller must relist.
      Status s = StatusFromObject(error_object, context);
      VC_LOG(Debug) << call.what << ": watch error event: " << s.message();
      return s;
    }
    if (cancel != nullptr && cancel->cancelled()) return Status(Code::kCancelled, "cancelled");
    return Status::Ok();
  }
}

}  // namespace vc::kube
