// SPDX-License-Identifier: Apache-2.0
#include "vc/kube/informer.h"

#include <algorithm>
#include <random>
#include <utility>

#include "vc/kube/retry_policy.h"
#include "vc/log.h"

namespace vc::kube {
namespace {

// A watch that ends this fast without a single event is treated as a failure, so a server
// that closes every watch at once is not hammered in a tight loop (client-go does the same).
constexpr std::chrono::seconds kShortWatch{1};

std::string Meta(const nlohmann::json& object, const char* field) {
  if (!object.is_object() || !object.contains("metadata")) return {};
  const auto& m = object["metadata"];
  if (!m.is_object() || !m.contains(field) || !m[field].is_string()) return {};
  return m[field].get<std::string>();
}

}  // namespace

Informer::Informer(std::shared_ptr<Client> client, InformerOptions options,
                   InformerHandlers handlers, std::shared_ptr<vc::Clock> clock)
    : client_(std::move(client)),
      options_(std::move(options)),
      handlers_(std::move(handlers)),
      clock_(std::move(clock)) {}

Informer::~Informer() { Stop(); }

std::string Informer::KeyOf(const nlohmann::json& object) {
  const std::string ns = Meta(object, "namespace");
  const std::string name = Meta(object, "name");
  return ns.empty() ? name : ns + "/" + name;
}

void Informer::Start() {
  runner_ = std::thread([this] { Run(); });
  if (options_.resync_period.count() > 0) resyncer_ = std::thread([this] { ResyncLoop(); });
}

void Informer::Cancel() {
  stop_.Cancel();
  std::lock_guard<std::mutex> lock(backoff_mu_);
  if (backoff_ != nullptr) backoff_->Cancel();
}

void Informer::Stop() {
  Cancel();
  {
    // WaitForSync checks the token under store_mu_: passing through it here means a waiter
    // either saw the cancel or is already waiting for the notification below.
    std::lock_guard<std::mutex> lock(store_mu_);
  }
  synced_cv_.notify_all();
  if (runner_.joinable()) runner_.join();
  if (resyncer_.joinable()) resyncer_.join();
}

bool Informer::HasSynced() const {
  std::lock_guard<std::mutex> lock(store_mu_);
  return synced_;
}

bool Informer::WaitForSync(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(store_mu_);
  synced_cv_.wait_for(lock, timeout, [this] { return synced_ || stop_.cancelled(); });
  return synced_;
}

std::optional<nlohmann::json> Informer::Get(std::string_view ns, std::string_view name) const {
  std::string key(name);
  if (!ns.empty()) key = std::string(ns) + "/" + key;
  std::lock_guard<std::mutex> lock(store_mu_);
  auto it = store_.find(key);
  if (it == store_.end()) return std::nullopt;
  return it->second;
}

std::vector<nlohmann::json> Informer::List() const {
  std::lock_guard<std::mutex> lock(store_mu_);
  std::vector<nlohmann::json> out;
  out.reserve(store_.size());
  for (const auto& [key, object] : store_) out.push_back(object);
  return out;
}

size_t Informer::Size() const {
  std::lock_guard<std::mutex> lock(store_mu_);
  return store_.size();
}

std::string Informer::LastResourceVersion() const {
  std::lock_guard<std::mutex> lock(store_mu_);
  return resource_version_;
}

void Informer::Run() {
  const std::string what = "informer " + options_.resource.GroupResource();
  bool need_list = true;
  int failures = 0;
  while (!stop_.cancelled()) {
    // Recoveries of the server seen before this call: one after it ends the backoff early.
    const uint64_t seen = client_->reachability().recoveries();
    if (need_list) {
      Status s = ListAndReplace();
      if (stop_.cancelled()) break;
      if (!s.ok()) {
        VC_LOG(Warning) << what << ": list failed: " << s.message();
        if (!BackOff(++failures, seen)) break;
        continue;
      }
      need_list = false;
      failures = 0;
    }
    const vc::Clock::TimePoint started = clock_->Now();
    bool got_events = false;
    Status s = WatchOnce(&got_events);
    if (stop_.cancelled() || s.code() == Code::kCancelled) break;
    if (got_events) failures = 0;
    if (s.code() == Code::kGone) {
      // The resourceVersion we hold was compacted away: only a fresh list can catch up.
      VC_LOG(Info) << what << ": resourceVersion too old, relisting";
      need_list = true;
      continue;
    }
    if (s.ok() && (got_events || clock_->Now() - started >= kShortWatch)) continue;
    if (!s.ok()) {
      VC_LOG(Warning) << what << ": watch failed, resuming: " << s.message();
    }
    if (!BackOff(++failures, seen)) break;
  }
}

bool Informer::BackOff(int failures, uint64_t seen) {
  auto delay = ExponentialBackoff(options_.initial_backoff, options_.max_backoff, failures);
  // Up to +20% so informers restarted together by an apiserver restart do not relist in step.
  thread_local std::minstd_rand rng(std::random_device{}());
  delay +=
      std::chrono::milliseconds(std::uniform_int_distribution<int64_t>(0, delay.count() / 5)(rng));
  // The server answering any call through this client again (after it could not be reached)
  // ends the wait: after an apiserver restart the first answer resumes every informer, not
  // each one's own backoff of up to max_backoff. Not before initial_backoff, though: an
  // informer whose own calls keep failing retries no faster than that.
  CancelToken back;
  {
    std::lock_guard<std::mutex> lock(backoff_mu_);
    if (stop_.cancelled()) return false;
    backoff_ = &back;
  }
  const vc::Clock::TimePoint started = clock_->Now();
  {
    auto subscription = client_->reachability().Subscribe(seen, [&back] { back.Cancel(); });
    clock_->SleepFor(delay, &back);
  }
  {
    std::lock_guard<std::mutex> lock(backoff_mu_);
    backoff_ = nullptr;
  }
  const auto slept = clock_->Now() - started;
  if (!stop_.cancelled() && slept < options_.initial_backoff) {
    clock_->SleepFor(options_.initial_backoff - slept, &stop_);
  }
  return !stop_.cancelled();
}

Status Informer::ListAndReplace() {
  ListOptions list_options;
  list_options.label_selector = options_.label_selector;
  list_options.field_selector = options_.field_selector;
  list_options.limit = options_.page_size;
  ASSIGN_OR_RETURN(ObjectList list,
                   client_->ListAll(options_.resource, options_.namespace_, list_options));
  lists_.fetch_add(1);

  std::lock_guard<std::mutex> dispatch(dispatch_mu_);
  std::map<std::string, nlohmann::json> fresh;
  for (auto& item : list.items) {
    if (options_.transform) item = options_.transform(std::move(item));
    std::string key = KeyOf(item);
    fresh.emplace(std::move(key), std::move(item));
  }
  list.items.clear();
  std::map<std::string, nlohmann::json> old;
  {
    std::lock_guard<std::mutex> lock(store_mu_);
    old.swap(store_);
    store_ = fresh;
    resource_version_ = list.resource_version;
  }
  // Deletes first: a name deleted and recreated meanwhile shows as update (new uid) below.
  for (const auto& [key, object] : old) {
    if (fresh.count(key) == 0 && handlers_.on_delete) handlers_.on_delete(object);
  }
  for (const auto& [key, object] : fresh) {
    auto it = old.find(key);
    if (it == old.end()) {
      if (handlers_.on_add) handlers_.on_add(object);
    } else if (Meta(it->second, "resourceVersion") != Meta(object, "resourceVersion")) {
      if (handlers_.on_update) handlers_.on_update(it->second, object);
    }
  }
  {
    std::lock_guard<std::mutex> lock(store_mu_);
    synced_ = true;
  }
  synced_cv_.notify_all();
  return Status::Ok();
}

Status Informer::WatchOnce(bool* got_events) {
  WatchOptions watch_options;
  watch_options.resource_version = LastResourceVersion();
  watch_options.label_selector = options_.label_selector;
  watch_options.field_selector = options_.field_selector;
  watch_options.timeout_seconds = options_.watch_timeout.count();
  watch_options.allow_bookmarks = true;
  return client_->Watch(
      options_.resource, options_.namespace_, watch_options,
      [&](const WatchEvent& event) {
        *got_events = true;
        Apply(event);
        return !stop_.cancelled();
      },
      &stop_);
}

void Informer::Apply(const WatchEvent& raw) {
  const std::string rv = Meta(raw.object, "resourceVersion");
  std::lock_guard<std::mutex> dispatch(dispatch_mu_);
  if (raw.type == WatchEventType::kBookmark) {
    std::lock_guard<std::mutex> lock(store_mu_);
    if (!rv.empty()) resource_version_ = rv;
    return;
  }
  std::optional<WatchEvent> transformed;
  if (options_.transform) transformed = WatchEvent{raw.type, options_.transform(raw.object)};
  const WatchEvent& event = transformed ? *transformed : raw;
  const std::string key = KeyOf(event.object);
  std::optional<nlohmann::json> old;
  {
    std::lock_guard<std::mutex> lock(store_mu_);
    auto it = store_.find(key);
    if (it != store_.end()) old = it->second;
    if (event.type == WatchEventType::kDeleted) {
      store_.erase(key);
    } else {
      store_[key] = event.object;
    }
    if (!rv.empty()) resource_version_ = rv;
  }
  if (event.type == WatchEventType::kDeleted) {
    if (handlers_.on_delete) handlers_.on_delete(event.object);
  } else if (old) {
    if (handlers_.on_update) handlers_.on_update(*old, event.object);
  } else if (handlers_.on_add) {
    handlers_.on_add(event.object);
  }
}

void Informer::ResyncLoop() {
  while (clock_->SleepFor(options_.resync_period, &stop_)) {
    if (!HasSynced()) continue;
    std::lock_guard<std::mutex> dispatch(dispatch_mu_);
    for (const auto& object : List()) {
      if (stop_.cancelled()) return;
      if (handlers_.on_update) handlers_.on_update(object, object);
    }
  }
}

}  // namespace vc::kube
