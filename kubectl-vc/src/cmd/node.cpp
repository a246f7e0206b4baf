// SPDX-License-Identifier: Apache-2.0
// `kubectl vc node dedicate|release|list`: thin flags over vc/node/dedicated_nodes.h (shared with
// vc-node-agent, which evicts foreign pods from a dedicated node).
#include "cmd/commands.h"
#include "cmd/host_access.h"
#include "vc/cli/output/output.h"
#include "vc/node/dedicated_nodes.h"

namespace vc::cli::cmd {

namespace {

struct Flags {
  std::string node;
  std::string tenant;
  std::string output = "table";
};

int RunDedicate(const GlobalOptions& globals, const Flags& flags) {
  if (flags.tenant.empty())
    return Fail(globals.Err(), InvalidArgument("dedicate node: --tenant is required"));
  auto host = OpenHost(globals);
  if (!host.ok()) return Fail(globals.Err(), host.status());
  Status s = node::DedicateNode(*host->client, flags.node, flags.tenant);
  if (!s.ok()) return Fail(globals.Err(), ExplainHostError(*host, s));
  globals.Err() << "node/" << flags.node << " dedicated to tenant " << flags.tenant
                << ": other pods are evicted by vc-node-agent\n";
  return 0;
}

int RunRelease(const GlobalOptions& globals, const Flags& flags) {
  auto host = OpenHost(globals);
  if (!host.ok()) return Fail(globals.Err(), host.status());
  Status s = node::ReleaseNode(*host->client, flags.node);
  if (!s.ok()) return Fail(globals.Err(), ExplainHostError(*host, s));
  globals.Err() << "node/" << flags.node << " released\n";
  return 0;
}

int RunList(const GlobalOptions& globals, const Flags& flags) {
  auto format = output::ParseFormat(flags.output);
  if (!format.ok()) return Fail(globals.Err(), format.status());
  auto host = OpenHost(globals);
  if (!host.ok()) return Fail(globals.Err(), host.status());
  auto nodes = node::ListNodes(*host->client);
  if (!nodes.ok()) return Fail(globals.Err(), ExplainHostError(*host, nodes.status()));
  if (*format == output::Format::kTable) {
    if (nodes->empty()) {
      globals.Err() << "No nodes found.\n";
      return 0;
    }
    std::vector<std::vector<std::string>> rows;
    const auto now = std::chrono::system_clock::now();
    for (const node::NodeSummary& n : *nodes) {
      rows.push_back({n.name, n.tenant.empty() ? "<shared>" : n.tenant,
                      n.ready ? "Ready" : "NotReady", n.agent, output::Age(n.created, now)});
    }
    output::PrintTable(globals.Out(), {"NAME", "TENANT", "STATUS", "AGENT", "AGE"}, rows);
    return 0;
  }
  if (*format == output::Format::kName) {
    for (const node::NodeSummary& n : *nodes) globals.Out() << "node/" << n.name << "\n";
    return 0;
  }
  std::vector<nlohmann::json> items;
  for (const node::NodeSummary& n : *nodes) {
    items.push_back({{"name", n.name},
                     {"tenant", n.tenant},
                     {"ready", n.ready},
                     {"agent", n.agent},
                     {"agentPod", n.agent_pod},
                     {"created", n.created},
                     {"metadata", {{"name", n.name}}}});
  }
  output::PrintList(globals.Out(), *format, items);
  return 0;
}

}  // namespace

void AddNodeCommand(CLI::App& app, GlobalOptions& globals, Action* action) {
  CLI::App* node = app.add_subcommand(
      "node",
      "Dedicate host nodes to a tenant, release them, list them with their node agent.\n\n"
      "Examples:\n"
      "  kubectl vc node dedicate worker-3 --tenant client-a\n"
      "  kubectl vc node release worker-3\n"
      "  kubectl vc node list -o json");
  node->require_subcommand(1);

  auto dedicate_flags = std::make_shared<Flags>();
  CLI::App* dedicate = node->add_subcommand(
      "dedicate",
      "Label and taint NODE for one tenant (node-restriction.kubernetes.io/kubectl-vc-tenant, "
      "kubectl-vc.dev/dedicated=TENANT:NoSchedule); vc-node-agent there evicts every other "
      "pod except DaemonSet pods and system namespaces.");
  dedicate->add_option("NODE", dedicate_flags->node, "Name of the node")->required();
  dedicate->add_option("--tenant", dedicate_flags->tenant, "Name of the virtual cluster")
      ->required();
  dedicate->callback([&globals, dedicate_flags, action] {
    *action = [&globals, dedicate_flags] { return RunDedicate(globals, *dedicate_flags); };
  });

  auto release_flags = std::make_shared<Flags>();
  CLI::App* release =
      node->add_subcommand("release", "Remove NODE's tenant label and taint: it is shared again.");
  release->add_option("NODE", release_flags->node, "Name of the node")->required();
  release->callback([&globals, release_flags, action] {
    *action = [&globals, release_flags] { return RunRelease(globals, *release_flags); };
  });

  auto list_flags = std::make_shared<Flags>();
  CLI::App* list = node->add_subcommand(
      "list", "Every node with the tenant it is dedicated to and its vc-node-agent's state.");
  list->alias("ls");
  list->add_option("-o,--output", list_flags->output, "table|json|yaml|name")
      ->capture_default_str();
  list->callback([&globals, list_flags, action] {
    *action = [&globals, list_flags] { return RunList(globals, *list_flags); };
  });
}

}  // namespace vc::cli::cmd
