// SPDX-License-Identifier: Apache-2.0
// Informer: a watch cache, client-go's Reflector + Indexer + handlers in one small class.
// Lists (paged), then watches from the list's resourceVersion; keeps the objects keyed by
// "namespace/name" ("name" when cluster-scoped) and tells handlers what changed.
//  - A watch that breaks resumes from the last resourceVersion seen (bookmarks included).
//  - A watch answered with 410 relists and delivers the difference (deletes for objects that
//    vanished meanwhile, updates for changed ones, adds for new ones), so handlers see one
//    consistent stream.
//  - Every resync_period, OnUpdate(obj, obj) for every object: level-triggered handlers get
//    another chance to converge.
//  - Repeated failures back off exponentially (initial_backoff .. max_backoff), reset by
//    success; the server answering any call through the same client after an outage ends the
//    backoff early (reachability.h), so all informers resume with the apiserver.
// Handlers run on the informer's threads, one at a time; they may call Get/List, but not Stop.
// One-shot: Start once, Stop once (the destructor stops).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "vc/cancel_token.h"
#include "vc/clock.h"
#include "vc/kube/client.h"
#include "vc/kube/resource.h"

namespace vc::kube {

struct InformerOptions {
  Resource resource;
  std::string namespace_;  // "" for every namespace (or cluster-scoped resources)
  std::string label_selector;
  std::string field_selector;
  std::chrono::milliseconds resync_period{0};  // 0: never
  int64_t page_size = 500;
  std::chrono::seconds watch_timeout{300};  // asked of the server per watch
  std::chrono::milliseconds initial_backoff{800};
  std::chrono::milliseconds max_backoff{30000};
  // Applied to every object before it is stored and handed to handlers (client-go's
  // SetTransform): drop what the handlers never read, so that a cache of thousands of pods
  // stays small. Must keep metadata.name, metadata.namespace and metadata.resourceVersion.
  std::function<nlohmann::json(nlohmann::json)> transform;
};

struct InformerHandlers {
  std::function<void(const nlohmann::json& object)> on_add;
  std::function<void(const nlohmann::json& old_object, const nlohmann::json& object)> on_update;
  std::function<void(const nlohmann::json& last_known)> on_delete;
};

class Informer {
 public:
  Informer(std::shared_ptr<Client> client, InformerOptions options, InformerHandlers handlers,
           std::shared_ptr<vc::Clock> clock = vc::Clock::Real());
  ~Informer();
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  void Start();
  void Stop();
  // Tells the threads to end and returns at once; Stop then joins them. Stopping several
  // informers, cancel them all first: a watch notices within a second, so joining one by one
  // costs a second each.
  void Cancel();

  // True once the first list has been stored and its events delivered.
  bool HasSynced() const;
  // Waits (real time) for HasSynced; false on timeout or Stop.
  bool WaitForSync(std::chrono::milliseconds timeout);

  std::optional<nlohmann::json> Get(std::string_view ns, std::string_view name) const;
  std::vector<nlohmann::json> List() const;
  size_t Size() const;  // objects in the cache
  std::string LastResourceVersion() const;
  int lists() const { return lists_.load(); }  // how many times it (re)listed

  // "ns/name" or "name", as client-go's MetaNamespaceKeyFunc.
  static std::string KeyOf(const nlohmann::json& object);

 private:
  void Run();
  void ResyncLoop();
  Status ListAndReplace();
  Status WatchOnce(bool* got_events);
  void Apply(const WatchEvent& event);
  // Sleeps the backoff for `failures`, or less once the server recovers after `seen`
  // (reachability.h); false when stopped.
  bool BackOff(int failures, uint64_t seen);

  std::shared_ptr<Client> client_;
  const InformerOptions options_;
  const InformerHandlers handlers_;
  std::shared_ptr<vc::Clock> clock_;

  CancelToken stop_;
  std::mutex backoff_mu_;
  CancelToken* backoff_ = nullptr;  // the current backoff's wake-up, which Stop also fires
  std::thread runner_;
  std::thread resyncer_;
  std::atomic<int> lists_{0};

  // Handlers run under dispatch_mu_ (one at a time, in order); the store under store_mu_,
  // never held while a handler runs, so handlers can read the cache.
  std::mutex dispatch_mu_;
  mutable std::mutex store_mu_;
  std::condition_variable synced_cv_;
  std::map<std::string, nlohmann::json> store_;
  std::string resource_version_;
  bool synced_ = false;
};

}  // namespace vc::kube
