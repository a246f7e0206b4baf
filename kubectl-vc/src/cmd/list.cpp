// SPDX-License-Identifier: Apache-2.0
#include <set>

#include "cmd/commands.h"
#include "cmd/host_access.h"
#include "vc/cli/connect/connect.h"
#include "vc/cli/lifecycle/lifecycle.h"

namespace vc::cli::cmd {

namespace {

// The virtual clusters this machine has a live connection to on `host`, as (namespace, name).
using Connected = std::set<std::pair<std::string, std::string>>;

Connected ConnectedClusters(const GlobalOptions& globals, const HostCluster& host) {
  Connected connected;
  auto live = connect::LiveConnections(connect::DefaultStateDir(globals.host.env));
  if (live.ok()) {
    for (const auto& c : *live) {
      if (c.host_context == host.context) connected.insert({c.namespace_, c.name});
    }
  }
  return connected;
}

void PrintClusterTable(std::ostream& out, const std::vector<lifecycle::Info>& infos,
                       const Connected& connected) {
  std::vector<std::vector<std::string>> rows;
  const auto now = std::chrono::system_clock::now();
  for (const auto& i : infos) {
    // How long it has slept: what sleepMode saves is the time a cluster is idle.
    const std::string status = i.status == "Sleeping" && !i.paused_at.empty()
                                   ? i.status + " (" + output::Age(i.paused_at, now) + ")"
                                   : i.status;
    rows.push_back({i.name, i.namespace_, status, i.trust, i.version,
                    connected.count({i.namespace_, i.name}) ? "True" : "False",
                    output::Age(i.created, now)});
  }
  output::PrintTable(out, {"NAME", "NAMESPACE", "STATUS", "TRUST", "VERSION", "CONNECTED", "AGE"},
                     rows);
}

std::vector<nlohmann::json> ClusterItems(const std::vector<lifecycle::Info>& infos,
                                         const Connected& connected) {
  std::vector<nlohmann::json> items;
  for (const auto& i : infos) {
    items.push_back(
        {{"name", i.name},
         {"namespace", i.namespace_},
         {"status", i.status},
         {"trustLevel", i.trust},
         {"version", i.version},
         {"connected", connected.count({i.namespace_, i.name}) > 0},
         {"created", i.created},
         {"problems", i.problems},
         {"pausedAt", i.paused_at.empty() ? nlohmann::json() : nlohmann::json(i.paused_at)},
         {"metadata", {{"name", i.name}, {"namespace", i.namespace_}}}});
  }
  return items;
}

int RunList(const GlobalOptions& globals, const std::string& output_flag) {
  auto format = output::ParseFormat(output_flag);
  if (!format.ok()) return Fail(globals.Err(), format.status());
  auto host = OpenHost(globals);
  if (!host.ok()) return Fail(globals.Err(), host.status());
  auto infos = lifecycle::List(*host->client, host->namespace_given ? host->namespace_ : "");
  if (!infos.ok()) return Fail(globals.Err(), ExplainHostError(*host, infos.status()));
  const Connected connected = ConnectedClusters(globals, *host);
  if (*format == output::Format::kTable) {
    if (infos->empty()) {
      globals.Err() << "No virtual clusters found"
                    << (host->namespace_given ? " in namespace " + host->namespace_ : "") << ".\n";
      return 0;
    }
    PrintClusterTable(globals.Out(), *infos, connected);
    return 0;
  }
  if (*format == output::Format::kName) {
    for (const auto& i : *infos) globals.Out() << "virtualcluster/" << i.name << "\n";
    return 0;
  }
  output::PrintList(globals.Out(), *format, ClusterItems(*infos, connected));
  return 0;
}

}  // namespace

void AddListCommand(CLI::App& app, GlobalOptions& globals, Action* action) {
  auto output_flag = std::make_shared<std::string>("table");
  CLI::App* sub = app.add_subcommand("list",
                                     "List virtual clusters (all namespaces, or -n NAMESPACE).\n\n"
                                     "Examples:\n"
                                     "  kubectl vc list\n"
                                     "  kubectl vc list -o json");
  sub->alias("ls");
  sub->add_option("-o,--output", *output_flag, "table|json|yaml|name")->capture_default_str();
  sub->callback([&globals, output_flag, action] {
    *action = [&globals, output_flag] { return RunList(globals, *output_flag); };
  });
}

}  // namespace vc::cli::cmd
