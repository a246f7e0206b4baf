// SPDX-License-Identifier: Apache-2.0
#include "vc/agent/datapath/segmentation_enforcer.h"

#include <map>
#include <set>

#include "vc/agent/datapath/datapath_diff.h"
#include "vc/log.h"

namespace vc::agent {

StatusOr<EnforceReport> SegmentationEnforcer::Enforce(const SegmentationInput& given) {
  // kubelet probes a pod from whatever address the node's route to the pod prefers (a bridge
  // CNI's gateway, not the Node object's InternalIP): each located veth adds its source.
  SegmentationInput input = given;
  std::set<IpPrefix> sources(input.node.probe_sources.begin(), input.node.probe_sources.end());
  EnforceReport pending;
  std::map<IpAddress, uint32_t> veth_of;
  std::map<uint32_t, VethInfo> located;
  for (const PodEndpoint& pod : input.pods) {
    if (!pod.on_node) continue;
    auto veth = veths_.Locate(pod.ip);
    if (!veth.ok()) {
      if (veth.status().code() != Code::kNotFound) return veth.status();
      // The address still goes into the pod map (its peers classify it), the veth follows
      // when the CNI has finished; until then the pod's own veth has no filter.
      pending.pods_without_veth.push_back(pod);
      continue;
    }
    veth_of[pod.ip] = veth->ifindex;
    located[veth->ifindex] = *veth;
    if (veth->node_source && sources.insert(IpPrefix::Host(*veth->node_source)).second) {
      input.node.probe_sources.push_back(IpPrefix::Host(*veth->node_source));
    }
  }
  ASSIGN_OR_RETURN(DatapathState maps, ComputeDesiredState(input, veth_of));
  EnforcedState desired{maps, {}};
  for (const auto& [ifindex, tenant] : maps.iface_tenants) {
    desired.veths[ifindex] = AttachedVeth{located[ifindex].name, tenant};
  }
  ASSIGN_OR_RETURN(EnforcedState previous, store_.Load());
  ASSIGN_OR_RETURN(EnforceReport report, Reconcile(desired, previous));
  report.pods_without_veth = std::move(pending.pods_without_veth);
  return report;
}

StatusOr<EnforceReport> SegmentationEnforcer::RestoreLastEnforced() {
  ASSIGN_OR_RETURN(EnforcedState last, store_.Load());
  // A recorded veth whose ifindex now names another interface (the pod went away while
  // we were down and the index was reused) must not get the old tenant's entry.
  EnforcedState desired = last;
  for (const auto& [ifindex, veth] : last.veths) {
    auto name = veths_.InterfaceName(ifindex);
    if (!name.ok() || *name != veth.name) {
      desired.veths.erase(ifindex);
      desired.maps.iface_tenants.erase(ifindex);
    }
  }
  return Reconcile(desired, last);
}

StatusOr<EnforceReport> SegmentationEnforcer::Reconcile(const EnforcedState& desired,
                                                        const EnforcedState& previous) {
  EnforceReport report;
  // 1. Maps: the datapath must know addresses, veths and rules before a new filter sees
  //    its first packet, so they go first.
  ASSIGN_OR_RETURN(DatapathState actual, maps_.ReadState());
  DatapathDiff diff = DiffDatapath(desired.maps, actual);
  RETURN_IF_ERROR(ApplyDiff(diff, maps_));
  report.map_writes = diff.size();
  // 2. Filters on every desired veth, re-attached only where missing or of another build.
  for (const auto& [ifindex, veth] : desired.veths) {
    RETURN_IF_ERROR(EnsureFilters(ifindex, report).Annotate("enforce on " + veth.name));
  }
  // 3. Veths we no longer enforce on. Only if the ifindex still names the veth we
  //    recorded: a reused index belongs to someone else's interface now.
  for (const auto& [ifindex, veth] : previous.veths) {
    if (desired.veths.count(ifindex)) continue;
    auto name = veths_.InterfaceName(ifindex);
    if (!name.ok() || *name != veth.name) continue;
    RETURN_IF_ERROR(tc_.Detach(ifindex, TcHook::kFromPod));
    RETURN_IF_ERROR(tc_.Detach(ifindex, TcHook::kToPod));
    report.filters_detached += 2;
  }
  // 4. Entries only an older build's programs read: every filter now runs ours.
  RETURN_IF_ERROR(maps_.DropSupersededEntries());
  RETURN_IF_ERROR(store_.Save(desired));
  if (report.map_writes || report.filters_attached || report.filters_detached) {
    VC_LOG(Info) << "segmentation reconciled: " << report.map_writes << " map writes, "
                 << report.filters_attached << " filters attached, " << report.filters_detached
                 << " detached";
  }
  return report;
}

Status SegmentationEnforcer::EnsureFilters(uint32_t ifindex, EnforceReport& report) {
  for (TcHook hook : {TcHook::kFromPod, TcHook::kToPod}) {
    const SegmentationProgram& prog =
        hook == TcHook::kFromPod ? programs_.from_pod : programs_.to_pod;
    ASSIGN_OR_RETURN(uint32_t current, tc_.AttachedProgramId(ifindex, hook));
    if (current == prog.id) continue;
    RETURN_IF_ERROR(tc_.Attach(ifindex, hook, prog.fd));
    ++report.filters_attached;
  }
  return Status::Ok();
}

}  // namespace vc::agent
