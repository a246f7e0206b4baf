// SPDX-License-Identifier: Apache-2.0
// Client: the Kubernetes REST client every binary uses, with kubectl/client-go behaviour:
// credentials per request (one forced refresh after a 401), retries with backoff for what is
// safe to repeat (retry_policy.h), typed API errors (errors.h), a deadline per call covering
// all its attempts, paged lists and watch streams. Objects are JSON values; the caller names
// the collection with a Resource (resource.h).
//
//   auto client = Client::ForConfig(config);
//   ASSIGN_OR_RETURN(auto cm, client->Get(resources::kConfigMaps, "default", "app"));
#pragma once

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <string_view>

#include "vc/clock.h"
#include "vc/kube/http.h"
#include "vc/kube/reachability.h"
#include "vc/kube/request_options.h"
#include "vc/kube/resource.h"
#include "vc/kube/rest_config.h"
#include "vc/kube/retry_policy.h"
#include "vc/kube/watch.h"
#include "vc/status.h"

namespace vc::kube {

class Client {
 public:
  Client(RestConfig config, std::shared_ptr<HttpTransport> transport,
         std::shared_ptr<vc::Clock> clock = vc::Clock::Real(), RetryPolicy retry = {});

  // A client over a CurlTransport built from the config's TLS and proxy settings.
  static std::shared_ptr<Client> ForConfig(RestConfig config);

  const RestConfig& config() const { return config_; }
  // Whether this client's calls last reached the server (reachability.h): informers on it end
  // their backoff at the first answer after an outage.
  Reachability& reachability() { return *reachability_; }

  StatusOr<nlohmann::json> Get(const Resource& r, std::string_view ns, std::string_view name,
                               Timeout timeout = {});
  // One page (options.limit / continue_token).
  StatusOr<ObjectList> List(const Resource& r, std::string_view ns, const ListOptions& options);
  // Every page; restarts once from the first page if the continue token expired (410).
  StatusOr<ObjectList> ListAll(const Resource& r, std::string_view ns, ListOptions options);

  // POST; never retried once it may have reached the server.
  StatusOr<nlohmann::json> Create(const Resource& r, std::string_view ns,
                                  const nlohmann::json& object, const WriteOptions& options = {});
  // PUT of metadata.name; with metadata.resourceVersion a stale object gives kConflict.
  StatusOr<nlohmann::json> Update(const Resource& r, std::string_view ns,
                                  const nlohmann::json& object, const WriteOptions& options = {});
  StatusOr<nlohmann::json> UpdateStatus(const Resource& r, std::string_view ns,
                                        const nlohmann::json& object,
                                        const WriteOptions& options = {});
  StatusOr<nlohmann::json> Patch(const Resource& r, std::string_view ns, std::string_view name,
                                 PatchType type, std::string_view patch,
                                 const PatchOptions& options = {});
  // Server-side apply of `manifest` (YAML or JSON) as options.field_manager.
  StatusOr<nlohmann::json> Apply(const Resource& r, std::string_view ns, std::string_view name,
                                 std::string_view manifest, const ApplyOptions& options);
  // Returns what the server returned: the object (when finalizers keep it) or a Status.
  StatusOr<nlohmann::json> Delete(const Resource& r, std::string_view ns, std::string_view name,
                                  const DeleteOptions& options = {});
  // policy/v1 Eviction; a PodDisruptionBudget refusing it is kTooManyRequests, not retried.
  Status Evict(std::string_view ns, std::string_view pod, const DeleteOptions& options = {});
  // Non-2xx answers come back as a mapped Status, like every other call.
  StatusOr<HttpResponse> Raw(const RawRequest& request);

  // Streams events to `handler` until the server ends the stream (Ok), the handler returns
  // false (Ok), `cancel` fires (kCancelled), the resourceVersion is too old (kGone: relist),
  // or a failure. No retries here: a watcher resumes from the last resourceVersion it saw.
  Status Watch(const Resource& r, std::string_view ns, const WatchOptions& options,
               const WatchHandler& handler, const CancelToken* cancel);

 private:
  struct Call {
    std::string method;
    std::string path;  // with query
    std::string body;
    std::string content_type = "application/json";
    std::string accept = "application/json";
    bool idempotent = false;
    bool retry_throttled = true;  // false: a 429 goes straight back to the caller
    Timeout timeout;
    std::string what;  // "get configmaps default/app", for messages
  };

  StatusOr<HttpResponse> Execute(const Call& call);
  StatusOr<nlohmann::json> ExecuteJson(const Call& call);
  // Fills the request's credentials; `force_refresh` after a 401.
  Status Authorize(HttpRequest* request, bool force_refresh);
  HttpRequest NewRequest(const Call& call) const;
  double Jitter();
  // A transport error marks the server unreachable, any HTTP answer reachable; a cancelled
  // call says nothing.
  void NoteReachability(const Status& transport_status);
  StatusOr<nlohmann::json> Put(const Resource& r, std::string_view ns, const nlohmann::json& object,
                               std::string_view subresource, const WriteOptions& options);

  RestConfig config_;
  std::shared_ptr<HttpTransport> transport_;
  std::shared_ptr<vc::Clock> clock_;
  RetryPolicy retry_;
  std::mutex rng_mu_;
  std::minstd_rand rng_;
  std::shared_ptr<Reachability> reachability_ = std::make_shared<Reachability>();
};

}  // namespace vc::kube
