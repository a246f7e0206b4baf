// SPDX-License-Identifier: Apache-2.0
#include "vc/agent/agent/agent_informers.h"

#include "vc/agent/agent/pod_facts.h"
#include "vc/agent/agent/service_backends.h"
#include "vc/agent/agent/tenant_settings.h"
#include "vc/labels.h"
#include "vc/log.h"

namespace vc::agent {

using nlohmann::json;

AgentInformers::AgentInformers(std::shared_ptr<kube::Client> client, std::string node_name,
                               std::chrono::milliseconds resync_period,
                               std::function<void()> on_change)
    : client_(std::move(client)),
      node_name_(std::move(node_name)),
      resync_period_(resync_period),
      on_change_(std::move(on_change)) {}

kube::InformerHandlers AgentInformers::NotifyEveryChange() {
  return kube::InformerHandlers{[this](const json&) { on_change_(); },
                                [this](const json&, const json&) { on_change_(); },
                                [this](const json&) { on_change_(); }};
}

kube::InformerHandlers AgentInformers::NotifyNamedSlices() {
  return kube::InformerHandlers{[this](const json& s) {
                                  if (SliceOfNamedService(s)) on_change_();
                                },
                                [this](const json& old, const json& now) {
                                  if (SliceOfNamedService(old) || SliceOfNamedService(now)) {
                                    on_change_();
                                  }
                                },
                                [this](const json& s) {
                                  if (SliceOfNamedService(s)) on_change_();
                                }};
}

void AgentInformers::Start() {
  kube::InformerOptions pod_options{.resource = kube::resources::kPods,
                                    .field_selector = "spec.nodeName=" + node_name_};
  pod_options.resync_period = resync_period_;
  pod_options.transform = SlimPod;
  pods_ = std::make_unique<kube::Informer>(client_, pod_options, NotifyEveryChange());
  kube::InformerOptions workload_options{
      .resource = kube::resources::kPods,
      .label_selector = std::string(labels::kComponent) + "=" + labels::kComponentWorkload};
  workload_options.resync_period = resync_period_;
  workload_options.transform = SlimPod;
  workloads_ = std::make_unique<kube::Informer>(client_, workload_options, NotifyEveryChange());
  nodes_ = std::make_unique<kube::Informer>(
      client_,
      kube::InformerOptions{.resource = kube::resources::kNodes,
                            .field_selector = "metadata.name=" + node_name_},
      NotifyEveryChange());
  kube::InformerOptions service_options{.resource = kube::resources::kServices};
  service_options.transform = SlimService;
  services_ = std::make_unique<kube::Informer>(client_, service_options, NotifyEveryChange());
  kube::InformerOptions slice_options{.resource = kube::resources::kEndpointSlices};
  slice_options.transform = SlimEndpointSlice;
  slices_ = std::make_unique<kube::Informer>(client_, slice_options, NotifyNamedSlices());
  for (auto* informer : {&pods_, &workloads_, &nodes_, &services_, &slices_}) (*informer)->Start();
}

void AgentInformers::Stop() {
  for (auto* informer : {&pods_, &workloads_, &nodes_, &services_, &slices_, &tenants_}) {
    if (*informer) (*informer)->Stop();
  }
}

bool AgentInformers::TenantsUsable() {
  if (tenants_) return tenants_->HasSynced();
  if (std::chrono::steady_clock::now() < next_crd_check_) return crd_missing_logged_;
  auto probe = client_->List(kTenantResource, "", {.limit = 1});
  if (probe.ok()) {
    tenants_ = std::make_unique<kube::Informer>(
        client_, kube::InformerOptions{.resource = kTenantResource}, NotifyEveryChange());
    tenants_->Start();
    return false;
  }
  if (probe.status().code() != Code::kNotFound) {  // API unreachable: keep what we have
    next_crd_check_ = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    return false;
  }
  if (!crd_missing_logged_) {
    VC_LOG(Warning) << "the Tenant CRD (tenants.kubectl-vc.dev) is not installed: every "
                       "tenant pod is zero trust until it is";
    crd_missing_logged_ = true;
  }
  next_crd_check_ = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  return true;
}

bool AgentInformers::Synced() {
  const bool tenants_ok = TenantsUsable();
  return pods_->HasSynced() && workloads_->HasSynced() && nodes_->HasSynced() &&
         services_->HasSynced() && slices_->HasSynced() && tenants_ok;
}

ClusterView AgentInformers::View() {
  ClusterView view;
  auto node = nodes_->Get("", node_name_);
  view.node = node ? *node : json(nullptr);
  view.pods = pods_->List();
  view.workloads = workloads_->List();
  if (tenants_) view.tenants = tenants_->List();
  // Before the slices are copied: a slice event after this wakes the next pass, one before it
  // is in the copy.
  NameServicesOf(view.tenants);
  view.services = services_->List();
  view.endpoint_slices = slices_->List();
  return view;
}

bool AgentInformers::SliceOfNamedService(const json& slice) {
  const auto& meta = slice.value("metadata", json::object());
  const auto& labels = meta.value("labels", json::object());
  if (!TenantKeyFromLabels(labels).empty()) return true;
  const std::string key =
      meta.value("namespace", "") + "/" + labels.value(kServiceNameLabel, std::string());
  std::lock_guard<std::mutex> lock(named_mu_);
  return named_services_.count(key) > 0;
}

void AgentInformers::NameServicesOf(const std::vector<json>& tenants) {
  std::set<std::string> now_named;
  for (const auto& tenant : tenants) {
    auto settings = ParseTenant(tenant);
    if (!settings.ok()) continue;
    for (const ServiceRef& ref : settings->service_refs) now_named.insert(ref.key());
    // Its own API server's Service (BuildNodePolicy): a new control-plane pod moves it.
    now_named.insert(settings->namespace_ + "/" + settings->name);
  }
  std::lock_guard<std::mutex> lock(named_mu_);
  named_services_.swap(now_named);
}

}  // namespace vc::agent
