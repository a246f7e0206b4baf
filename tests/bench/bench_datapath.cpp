// SPDX-License-Identifier: Apache-2.0
// bench_datapath: what segmentation costs. Two pod namespaces of a lab node (see
// tests/privileged/datapath/netns_lab.h), measured without filters, with the filters on a
// same-tenant flow (the common verdict: a few map lookups), and with the client's flow
// allowed by a shared-service rule (LPM rule lookup + flow table). Prints iperf3 throughput
// and a TCP request/response latency (1-byte ping-pong on one connection, like netperf
// TCP_RR), medians of alternating runs. The ratios swing with whatever else the machine runs,
// so it also prints the kernel's own account of the programs (BPF_ENABLE_STATS: run time per
// invocation) and what that is as a share of the unfiltered round trip: a packet passes two of
// our programs (from_pod of the sender's veth, to_pod of the receiver's), a round trip four.
// Not pass/fail. Needs root; run:
//   build/node-agent/bench_datapath [seconds-per-iperf3-run]
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "bench_util.h"
#include "privileged/datapath/netns_lab.h"
#include "rr_server.h"
#include "support/process.h"
#include "vc/agent/datapath/bpffs.h"
#include "vc/agent/datapath/enforcement_store.h"
#include "vc/agent/datapath/libbpf_tc_attacher.h"
#include "vc/agent/datapath/netlink_veth_locator.h"
#include "vc/agent/datapath/segmentation_datapath.h"
#include "vc/agent/datapath/segmentation_enforcer.h"

namespace {

using vc::bench::Median;
using vc::bench::Row;
using vc::testing::ChildProcess;
using vc::testing::NetnsLab;
using vc::testing::NetnsScope;
namespace agent = vc::agent;

// Runs a command in a namespace and returns its stdout.
std::string Capture(const std::vector<std::string>& argv) {
  int pipefd[2];
  if (pipe(pipefd) != 0) return "";
  pid_t pid = fork();
  if (pid == 0) {
    dup2(pipefd[1], 1);
    close(pipefd[0]);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(pipefd[1]);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(pipefd[0], buf, sizeof(buf))) > 0) out.append(buf, n);
  close(pipefd[0]);
  waitpid(pid, nullptr, 0);
  return out;
}

double IperfGbps(const std::string& client_ns, const std::string& server_ip, int seconds) {
  std::string json = Capture({"ip", "netns", "exec", client_ns, "iperf3", "-c", server_ip, "-t",
                              std::to_string(seconds), "-J"});
  auto at = json.find("\"sum_received\"");
  if (at == std::string::npos) return 0;
  at = json.find("\"bits_per_second\"", at);
  if (at == std::string::npos) return 0;
  return std::stod(json.substr(json.find(':', at) + 1)) / 1e9;
}

struct Figures {
  std::vector<double> gbps, rr_us;
  uint64_t bpf_runs = 0, bpf_ns = 0;  // summed over both programs while this mode ran
};

// run_cnt and run_time_ns of a program (counted while BPF_ENABLE_STATS is held).
std::pair<uint64_t, uint64_t> ProgramStats(int fd) {
  bpf_prog_info info{};
  uint32_t len = sizeof(info);
  if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0) return {0, 0};
  return {info.run_cnt, info.run_time_ns};
}

}  // namespace

int main(int argc, char** argv) {
  const int seconds = argc > 1 ? std::atoi(argv[1]) : 3;
  if (geteuid() != 0) {
    std::fprintf(stderr, "bench_datapath: needs root (netns, bpf)\n");
    return 1;
  }
  const std::string suffix = vc::testing::RandomSuffix();
  const std::string pin_root = std::string(agent::kBpffsMountPoint) + "/vc-bench-" + suffix;
  auto lab = NetnsLab::Create(suffix, {{"c1", "10.213.0.1"}, {"s1", "10.213.0.2"}});
  if (!lab.ok()) {
    std::fprintf(stderr, "bench_datapath: %s\n", lab.status().ToString().c_str());
    return 1;
  }
  const auto& c1 = (*lab)->pod("c1");
  const auto& s1 = (*lab)->pod("s1");
  const std::string work_dir = "/tmp/vc-bench-" + suffix;
  std::filesystem::create_directories(work_dir);
  // --forceflush: iperf3 block-buffers stdout into a file, and we wait for its first line.
  auto iperf_server = ChildProcess::Start(
      "iperf3-server",
      {"/usr/sbin/ip", "netns", "exec", s1.netns, "iperf3", "-s", "-B", s1.address, "--forceflush"},
      work_dir + "/iperf3-server.log");
  const bool iperf_ready =
      iperf_server.ok() &&
      (*iperf_server)->WaitForOutput("Server listening", std::chrono::seconds(10));
  vc::bench::RrServer rr(s1.netns_path(), s1.address, 7200);

  auto dp = agent::SegmentationDatapath::Open({pin_root});
  auto store = agent::EnforcementStore::Open(work_dir + "/state.db");
  if (!dp.ok() || !store.ok() || !iperf_ready || !rr.ready()) {
    std::fprintf(stderr, "bench_datapath: setup failed\n");
    (void)agent::RemovePinRoot(pin_root);
    return 1;
  }
  agent::LibbpfTcAttacher tc;
  agent::NetlinkVethLocator veths;
  agent::SegmentationEnforcer enforcer(
      (*dp)->maps(), tc, veths, **store,
      {(*dp)->program(agent::TcHook::kFromPod), (*dp)->program(agent::TcHook::kToPod)});
  auto ip = [](const std::string& s) { return agent::IpAddress::Parse(s).value(); };
  agent::IpPrefix s1_prefix = agent::IpPrefix::Host(ip(s1.address));
  agent::SegmentationInput none;
  agent::SegmentationInput same_tenant;
  same_tenant.tenants = {{1, "bench", agent::TrustLevel::kZero, {}}};
  same_tenant.pods = {{"c1", ip(c1.address), 1}, {"s1", ip(s1.address), 1}};
  agent::SegmentationInput via_rule;
  via_rule.tenants = {
      {1, "bench", agent::TrustLevel::kZero, {{s1_prefix, agent::IpProto::kTcp, 0}}}};
  via_rule.pods = {{"c1", ip(c1.address), 1}};

  const char* names[] = {"no filters", "same tenant", "shared-service rule"};
  const agent::SegmentationInput* inputs[] = {&none, &same_tenant, &via_rule};
  Figures figures[3];
  const int stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);  // held until exit
  const int prog_fds[] = {(*dp)->program(agent::TcHook::kFromPod).fd,
                          (*dp)->program(agent::TcHook::kToPod).fd};
  auto stats = [&] {
    std::pair<uint64_t, uint64_t> sum{0, 0};
    for (int fd : prog_fds) {
      auto [runs, ns] = ProgramStats(fd);
      sum.first += runs;
      sum.second += ns;
    }
    return sum;
  };
  for (int round = 0; round < 3; ++round) {
    for (int mode = 0; mode < 3; ++mode) {
      {
        NetnsScope in_node((*lab)->node_netns_path());
        auto r = enforcer.Enforce(*inputs[mode]);
        if (!r.ok()) {
          std::fprintf(stderr, "bench_datapath: enforce: %s\n", r.status().ToString().c_str());
          break;
        }
      }
      const auto before = stats();
      figures[mode].gbps.push_back(IperfGbps(c1.netns, s1.address, seconds));
      figures[mode].rr_us.push_back(
          vc::bench::RoundTripMicros(c1.netns_path(), s1.address, 7200, 20000));
      const auto after = stats();
      figures[mode].bpf_runs += after.first - before.first;
      figures[mode].bpf_ns += after.second - before.second;
    }
  }
  {
    NetnsScope in_node((*lab)->node_netns_path());
    (void)enforcer.Enforce(none);
  }
  const double base_gbps = Median(figures[0].gbps), base_rr = Median(figures[0].rr_us);
  // Rows for tests/bench/run's one table: each mode against "no filters" measured in this run.
  std::fprintf(stderr,
               "bench_datapath: medians of 3 alternating runs, %d s iperf3, 20000 round "
               "trips, %ld CPUs\n",
               seconds, sysconf(_SC_NPROCESSORS_ONLN));
  const char* ids[] = {"none", "same_tenant", "shared_service"};
  for (int mode = 1; mode < 3; ++mode) {
    const double g = Median(figures[mode].gbps), rr_us = Median(figures[mode].rr_us);
    const std::string id = std::string("datapath.") + ids[mode];
    Row(id + ".iperf3_gbps", std::string("iperf3 between pod netns, ") + names[mode], g, "Gbit/s",
        "no filters", base_gbps);
    Row(id + ".rr_us", std::string("TCP request/response, ") + names[mode], rr_us, "us",
        "no filters", base_rr);
    // Issue 19's figure: what segmentation adds to a same-node round trip, of the tenant's own
    // traffic (mode 1), in percent of the unfiltered one.
    if (mode == 1 && base_rr > 0) {
      Row("datapath.rr.cost_pct", "segmentation's share of a same-node TCP_RR round trip",
          (rr_us - base_rr) / base_rr * 100, "%");
    }
    if (stats_fd >= 0 && figures[mode].bpf_runs > 0) {
      const double per_run_ns =
          static_cast<double>(figures[mode].bpf_ns) / static_cast<double>(figures[mode].bpf_runs);
      // Four program runs per round trip, against the unfiltered round trip.
      const double round_trip_ns = 4 * per_run_ns;
      Row(id + ".bpf_ns_per_run", std::string("BPF run time per packet and hook, ") + names[mode],
          per_run_ns, "ns");
      Row(id + ".bpf_us_per_rr", std::string("BPF time in one round trip, ") + names[mode],
          round_trip_ns / 1000, "us", "no filters", base_rr);
    }
  }
  if (stats_fd >= 0) close(stats_fd);
  dp->reset();
  store->reset();
  (void)agent::RemovePinRoot(pin_root);
  std::filesystem::remove_all(work_dir);
  return 0;
}
