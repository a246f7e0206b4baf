// SPDX-License-Identifier: Apache-2.0
#include "cmd/commands.h"
#include "cmd/host_access.h"
#include "vc/cli/lifecycle/lifecycle.h"
#include "vc/yaml.h"

namespace vc::cli::cmd {

namespace {

using nlohmann::json;

// Text for the terminal: control characters (C0, DEL and C1 as UTF-8; a tenant's object names
// and messages reach here, and an escape sequence must not drive the host admin's terminal)
// show as '?'.
std::string Printable(std::string text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    const bool c1 = c == 0xc2 && i + 1 < text.size() &&
                    static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
                    static_cast<unsigned char>(text[i + 1]) <= 0x9f;
    if (c1) ++i;
    out += c < 0x20 || c == 0x7f || c1 ? '?' : text[i];
  }
  return out;
}

std::string S(const json& j, const char* key) {
  return Printable(
      j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "");
}

std::string Count(const json& j, const char* key) {
  return j.contains(key) && j[key].is_number() ? std::to_string(j[key].get<uint64_t>()) : "-";
}

std::string Lag(const json& c, const char* key) {
  if (!c.contains(key) || !c[key].is_object()) return "-";
  const std::string p50 = S(c[key], "p50");
  const std::string p99 = S(c[key], "p99");
  return "<=" + (p50.empty() ? "?" : p50) + " / <=" + (p99.empty() ? "?" : p99);
}

// The syncer's own report (SyncHealthOf): what it keeps synced, its backlog, its errors, how
// long a change takes to reach the other side, and what a host policy last refused.
void PrintSync(std::ostream& out, const json& d) {
  if (!d.contains("sync") || !d["sync"].is_object()) {
    // A running control plane whose syncer has not reported (yet); a paused one has no pod.
    if (!d.value("controlPlane", json::object()).empty()) {
      out << "Sync:          no report from the syncer yet\n";
    }
    return;
  }
  const json& sync = d["sync"];
  out << "Sync:          as of " << S(sync, "at") << " (lag: p50 / p99 bucket bounds)\n";
  std::vector<std::vector<std::string>> rows;
  for (const json& c : sync.value("controllers", json::array())) {
    rows.push_back({"  " + S(c, "name"), Count(c, "synced"), Count(c, "queued"),
                    Count(c, "failing"), Lag(c, "lagToHost"), Lag(c, "lagToVirtual")});
  }
  if (!rows.empty()) {
    output::PrintTable(
        out, {"  CONTROLLER", "SYNCED", "QUEUED", "FAILING", "LAG TO HOST", "LAG BACK"}, rows);
  }
  if (sync.contains("lastRefusal")) {
    const json& r = sync["lastRefusal"];
    out << "Last refusal:  " << S(r, "at") << " " << S(r, "controller") << " " << S(r, "object")
        << ": " << S(r, "message") << "\n";
  }
}

void PrintControlPlane(std::ostream& out, const json& d) {
  const json& cp = d.value("controlPlane", json::object());
  if (cp.empty()) {
    out << "Control plane: no pod\n";
    return;
  }
  out << "Control plane: pod " << S(cp, "pod") << " on node " << S(cp, "node") << ", "
      << S(cp, "phase") << (S(cp, "podIP").empty() ? "" : ", IP " + S(cp, "podIP")) << "\n";
  std::vector<std::vector<std::string>> rows;
  const json containers = cp.value("containers", json::array());
  for (const auto& c : containers) {
    rows.push_back({"  " + S(c, "name"), c.value("ready", false) ? "true" : "false",
                    std::to_string(c.value("restarts", 0)), S(c, "state"), S(c, "image")});
  }
  if (!rows.empty())
    output::PrintTable(out, {"  CONTAINER", "READY", "RESTARTS", "STATE", "IMAGE"}, rows);
}

void PrintQuotas(std::ostream& out, const json& d) {
  const json quotas = d.value("quotas", json::array());
  for (const auto& q : quotas) {
    out << "Quota " << S(q, "name") << ":\n";
    std::vector<std::vector<std::string>> rows;
    const json used = q.value("used", json::object());
    const json hard = q.value("hard", json::object());
    for (const auto& [k, v] : hard.items()) {
      rows.push_back(
          {"  " + k, used.contains(k) ? used[k].get<std::string>() : "-", v.get<std::string>()});
    }
    output::PrintTable(out, {"  RESOURCE", "USED", "HARD"}, rows);
  }
}

// `title` and then `document` as YAML, indented under it.
void PrintIndentedYaml(std::ostream& out, const std::string& title, const json& document) {
  out << title << "\n";
  std::istringstream lines(yaml::Dump(document));
  for (std::string line; std::getline(lines, line);) out << "  " << line << "\n";
}

void PrintHuman(std::ostream& out, const json& d) {
  out << "Name:          " << S(d, "name") << "\n"
      << "Namespace:     " << S(d, "namespace") << "\n"
      << "Status:        " << S(d, "status") << "\n"
      << "Trust level:   " << S(d, "trustLevel") << "\n"
      << "Version:       " << S(d, "version") << "\n"
      << "Created:       " << S(d, "created") << "\n";
  const json problems = d.value("problems", json::array());
  for (const auto& p : problems) {
    out << "Problem:       " << Printable(p.is_string() ? p.get<std::string>() : p.dump()) << "\n";
  }
  const json& e = d.value("endpoint", json::object());
  out << "Endpoint:      " << S(e, "service") << " (" << S(e, "type") << " " << S(e, "clusterIP")
      << ")" << (e.contains("external") ? ", external " + S(e, "external") : "") << "\n";
  PrintControlPlane(out, d);
  PrintSync(out, d);
  PrintQuotas(out, d);
  if (d.contains("isolation")) PrintIndentedYaml(out, "Isolation:", d["isolation"]);
  if (d.contains("values") && !d["values"].is_null()) {
    PrintIndentedYaml(out, "Values (effective):", d["values"]);
  }
}

int RunDescribe(const GlobalOptions& globals, const std::string& name,
                const std::string& output_flag) {
  auto format = output::ParseFormat(output_flag);
  if (!format.ok()) return Fail(globals.Err(), format.status());
  auto target = OpenTarget(globals, name);
  if (!target.ok()) return Fail(globals.Err(), target.status());
  auto& host = target->host;
  auto& info = target->info;
  auto doc = lifecycle::Describe(*host.client, info);
  if (!doc.ok()) return Fail(globals.Err(), ExplainHostError(host, doc.status()));
  if (*format == output::Format::kTable) {
    PrintHuman(globals.Out(), *doc);
  } else {
    output::PrintObject(globals.Out(), *format, *doc);
  }
  return 0;
}

}  // namespace

void AddDescribeCommand(CLI::App& app, GlobalOptions& globals, Action* action) {
  auto name = std::make_shared<std::string>();
  auto output_flag = std::make_shared<std::string>("table");
  CLI::App* sub = app.add_subcommand(
      "describe",
      "Show a virtual cluster: status, trust level, control-plane pod, endpoint, quotas and its "
      "effective values.\n\n"
      "Examples:\n"
      "  kubectl vc describe dev-team\n"
      "  kubectl vc describe dev-team -o yaml");
  sub->add_option("NAME", *name, "Name of the virtual cluster")->required();
  sub->add_option("-o,--output", *output_flag, "yaml|json (default: a readable summary)");
  sub->callback([&globals, name, output_flag, action] {
    *action = [&globals, name, output_flag] { return RunDescribe(globals, *name, *output_flag); };
  });
}

}  // namespace vc::cli::cmd
