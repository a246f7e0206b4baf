// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/sync/event_syncer.h"

#include <ctime>

#include "vc/syncer/translate/names.h"

namespace vc::syncer::sync {

using nlohmann::json;
namespace r = kube::resources;

json VirtualEventFor(const json& host_event, const json& vpod) {
  const json& vm = translate::ObjectAt(vpod, "metadata");
  const json& hm = translate::ObjectAt(host_event, "metadata");
  const std::string ns = vm.value("namespace", "");
  json event = {{"apiVersion", "v1"},
                {"kind", "Event"},
                {"metadata",
                 {{"name", vm.value("name", "") + "." +
                               translate::Sha256Hex(hm.value("uid", "")).substr(0, 16)},
                  {"namespace", ns}}},
                {"involvedObject",
                 {{"apiVersion", "v1"},
                  {"kind", "Pod"},
                  {"namespace", ns},
                  {"name", vm.value("name", "")},
                  {"uid", vm.value("uid", "")}}}};
  const json& involved = translate::ObjectAt(host_event, "involvedObject");
  if (involved.contains("fieldPath")) event["involvedObject"]["fieldPath"] = involved["fieldPath"];
  for (const char* key :
       {"type", "reason", "message", "count", "firstTimestamp", "lastTimestamp", "eventTime",
        "source", "reportingComponent", "reportingInstance", "action"}) {
    if (host_event.contains(key) && !host_event[key].is_null()) event[key] = host_event[key];
  }
  // Host names in the message would confuse (and tell the tenant about the host layout).
  if (event.contains("message") && event["message"].is_string()) {
    std::string msg = event["message"].get<std::string>();
    const std::string host_name = involved.value("name", "");
    for (size_t pos; !host_name.empty() && (pos = msg.find(host_name)) != std::string::npos;) {
      msg.replace(pos, host_name.size(), vm.value("name", ""));
    }
    const std::string host_ref = hm.value("namespace", "") + "/" + vm.value("name", "");
    if (auto pos = msg.find(host_ref);
        !hm.value("namespace", "").empty() && pos != std::string::npos) {
      msg.replace(pos, host_ref.size(), ns + "/" + vm.value("name", ""));
    }
    event["message"] = msg;
  }
  return event;
}

EventSyncer::EventSyncer(std::shared_ptr<const SyncContext> ctx,
                         std::function<std::optional<json>(const std::string&)> virtual_pod_of)
    : ctx_(std::move(ctx)),
      virtual_pod_of_(std::move(virtual_pod_of)),
      controller_("sync events", [this](const std::string& key) { return Reconcile(key); }) {
  auto enqueue = [this](const json& o) {
    if (translate::ObjectAt(o, "involvedObject").value("kind", "") == "Pod") {
      controller_.Enqueue(kube::Informer::KeyOf(o), Origin::kHost);
    }
  };
  host_ = std::make_unique<kube::Informer>(
      ctx_->host,
      kube::InformerOptions{.resource = r::kEvents, .namespace_ = ctx_->tenant.host_namespace},
      kube::InformerHandlers{enqueue, [=](const json&, const json& o) { enqueue(o); }, nullptr});
  controller_.ReportTo(ctx_->metrics);
}

void EventSyncer::Start() { host_->Start(); }

bool EventSyncer::WaitForSync(std::chrono::milliseconds timeout) {
  const bool synced = host_->WaitForSync(timeout);
  if (synced) controller_.Start();
  return synced;
}

void EventSyncer::Stop() {
  controller_.Stop();
  if (host_) host_->Stop();
}

namespace {

// Seconds since the event was last seen (or created); large when no time is readable.
std::chrono::seconds EventAge(const json& event) {
  for (const char* field :
       {"/lastTimestamp", "/eventTime", "/firstTimestamp", "/metadata/creationTimestamp"}) {
    const json::json_pointer at(field);
    if (!event.contains(at) || !event[at].is_string()) continue;
    std::tm tm{};
    if (::strptime(event[at].get<std::string>().c_str(), "%Y-%m-%dT%H:%M:%S", &tm) == nullptr) {
      continue;
    }
    return std::chrono::duration_cast<std::chrono::seconds>(
        std::chrono::system_clock::now() - std::chrono::system_clock::from_time_t(::timegm(&tm)));
  }
  return std::chrono::hours(1);
}

}  // namespace

Status EventSyncer::Reconcile(const std::string& key) {
  const auto [ns, name] = SplitKey(key);
  auto host_event = host_->Get(ns, name);
  if (!host_event) return Status::Ok();  // events expire; the virtual copy expires on its own
  const std::string host_pod = translate::ObjectAt(*host_event, "involvedObject").value("name", "");
  auto vpod = virtual_pod_of_(host_pod);
  if (!vpod) {
    // The host scheduler's first events arrive within milliseconds of the pod: before our pod
    // cache may know it. A young event is retried (the queue backs off); an old one is about
    // a pod that is not a synced one (the control plane's own) and is let go.
    if (EventAge(*host_event) < std::chrono::seconds(30)) {
      return Unavailable("host pod " + host_pod + " of event " + name + " is not known yet");
    }
    return Status::Ok();
  }
  const json event = VirtualEventFor(*host_event, *vpod);
  const std::string vns = event["metadata"].value("namespace", "");
  auto created = ctx_->virtual_cluster->Create(r::kEvents, vns, event);
  if (created.ok()) return Status::Ok();
  if (created.status().code() != Code::kAlreadyExists) {
    return created.status().code() == Code::kNotFound ? Status::Ok() : created.status();
  }
  json patch = json::object();
  for (const char* k : {"count", "lastTimestamp", "message", "eventTime"}) {
    if (event.contains(k)) patch[k] = event[k];
  }
  auto patched = ctx_->virtual_cluster->Patch(r::kEvents, vns, event["metadata"].value("name", ""),
                                              kube::PatchType::kMerge, patch.dump());
  return patched.ok() || patched.status().code() == Code::kNotFound ? Status::Ok()
                                                                    : patched.status();
}

}  // namespace vc::syncer::sync
