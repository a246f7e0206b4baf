// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/sync/sync_context.h"

#include <chrono>
#include <ctime>
#include <tuple>

#include "vc/kube/informer.h"
#include "vc/log.h"

namespace vc::syncer::sync {

using nlohmann::json;

namespace {

std::string NowRfc3339() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

std::pair<std::string, std::string> SplitKey(const std::string& key) {
  auto slash = key.find('/');
  if (slash == std::string::npos) return {"", key};
  return {key.substr(0, slash), key.substr(slash + 1)};
}

KeyNames NamesOfKey(const std::string& key, const translate::Tenant& tenant) {
  KeyNames names;
  names.key = key;
  std::tie(names.ns, names.name) = SplitKey(key);
  names.host_name = translate::HostName(names.name, names.ns, tenant.name);
  names.hns = tenant.host_namespace;
  return names;
}

void RecordVirtualEvent(kube::Client& vc, const json& object, const std::string& type,
                        const std::string& reason, const std::string& message) {
  const json& meta = translate::ObjectAt(object, "metadata");
  const std::string ns = meta.value("namespace", "default");
  const std::string name = meta.value("name", "");
  const std::string event_name =
      name + "." + translate::Sha256Hex(meta.value("uid", "") + reason + message).substr(0, 16);
  const std::string now = NowRfc3339();
  json event = {{"apiVersion", "v1"},
                {"kind", "Event"},
                {"metadata", {{"name", event_name}, {"namespace", ns}}},
                {"involvedObject",
                 {{"apiVersion", object.value("apiVersion", "v1")},
                  {"kind", object.value("kind", "")},
                  {"namespace", ns},
                  {"name", name},
                  {"uid", meta.value("uid", "")},
                  {"resourceVersion", meta.value("resourceVersion", "")}}},
                {"type", type},
                {"reason", reason},
                {"message", message},
                {"source", {{"component", "vc-syncer"}}},
                {"firstTimestamp", now},
                {"lastTimestamp", now},
                {"count", 1}};
  auto created = vc.Create(kube::resources::kEvents, ns, event);
  if (!created.ok() && created.status().code() != Code::kAlreadyExists) {
    VC_LOG(Warning) << "record event " << reason << " for " << ns << "/" << name << ": "
                    << created.status().message();
  }
}

void RecordRefusal(const SyncContext& ctx, const std::string& controller, const json& object,
                   const std::string& why) {
  const std::string key = kube::Informer::KeyOf(object);
  VC_LOG(Info) << "refusing " << controller << " " << key << ": " << why;
  RecordVirtualEvent(*ctx.virtual_cluster, object, "Warning", "SyncRefused", why);
  if (ctx.metrics) {
    const double now =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    ctx.metrics->RecordRefusal(
        {.unix_seconds = now, .controller = controller, .object = key, .message = why});
  }
}

Status RefuseOnHost(const SyncContext& ctx, const kube::Resource& resource, const json& v,
                    const std::string& host_name, bool host_copy_exists, const std::string& why) {
  RecordRefusal(ctx, resource.resource, v, why);
  if (!host_copy_exists) return Status::Ok();
  auto deleted = ctx.host->Delete(resource, ctx.tenant.host_namespace, host_name);
  if (!deleted.ok() && deleted.status().code() != Code::kNotFound) return deleted.status();
  return Status::Ok();
}

}  // namespace vc::syncer::sync
