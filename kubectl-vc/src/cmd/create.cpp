// SPDX-License-Identifier: Apache-2.0
#include <istream>
#include <iterator>

#include "cmd/commands.h"
#include "cmd/host_access.h"
#include "cmd/snapshot_flags.h"
#include "vc/cli/connect/connect.h"
#include "vc/cli/lifecycle/lifecycle.h"
#include "vc/cli/values/profiles.h"

namespace vc::cli::cmd {

namespace {

struct CreateFlags {
  std::string name;
  std::vector<std::string> values_files;
  std::vector<std::string> set_entries;
  std::string profile;
  bool connect = true;
  bool upgrade = false;
  bool expose = false;
  std::string timeout = "5m";
  std::string dry_run;    // "" (apply), "client" (print, touch nothing)
  std::string output;     // with --dry-run: yaml (default), json or name
  SnapshotFlags restore;  // --restore URL and the snapshot store flags
};

// --dry-run: the objects, printed, and nothing on the host touched (not even read).
int RunDryRun(const GlobalOptions& globals, const CreateFlags& flags,
              lifecycle::CreateOptions options) {
  if (flags.dry_run != "client") {
    return Fail(globals.Err(),
                InvalidArgument("--dry-run=" + flags.dry_run +
                                ": only client is supported (the objects are rendered here, the "
                                "host is not contacted); use --dry-run or --dry-run=client"));
  }
  if (!flags.restore.url.empty()) {
    return Fail(globals.Err(),
                InvalidArgument("--dry-run cannot be used with --restore: the values come from "
                                "the snapshot, which a dry run does not read"));
  }
  auto format = output::ParseFormat(flags.output.empty() ? "yaml" : flags.output);
  if (!format.ok()) return Fail(globals.Err(), format.status());
  options.namespace_ = globals.host.namespace_;
  std::vector<std::string> notes;
  auto objects = lifecycle::RenderOffline(options, &notes);
  if (!objects.ok()) return Fail(globals.Err(), objects.status());
  for (const auto& note : notes) globals.Err() << "note: " << note << "\n";
  output::PrintManifests(globals.Out(), *format, *objects);
  return 0;
}

}  // namespace

std::vector<values::ValuesSource> ValuesSources(const std::vector<std::string>& files,
                                                std::istream& in) {
  std::vector<values::ValuesSource> out;
  for (const auto& file : files) {
    if (file == "-") {
      std::string text(std::istreambuf_iterator<char>(in), {});
      out.push_back(values::ValuesSource::Text("<stdin>", text));
    } else {
      out.push_back(values::ValuesSource::File(file));
    }
  }
  return out;
}

namespace {

int RunCreate(const GlobalOptions& globals, const CreateFlags& flags) {
  auto timeout = ParseDuration("--timeout", flags.timeout);
  if (!timeout.ok()) return Fail(globals.Err(), timeout.status());
  lifecycle::CreateOptions options;
  options.name = flags.name;
  options.upgrade = flags.upgrade;
  options.expose = flags.expose;
  options.wait = flags.connect;
  options.timeout = *timeout;
  options.values.profile = flags.profile;
  options.values.set_entries = flags.set_entries;
  options.values.sources = ValuesSources(flags.values_files, globals.In());
  if (!flags.dry_run.empty()) return RunDryRun(globals, flags, std::move(options));
  if (!flags.output.empty()) {
    return Fail(globals.Err(),
                InvalidArgument("-o/--output prints the objects of a dry run: add --dry-run"));
  }
  // Names and values are checked before the host is contacted: bad input fails fast, offline.
  if (Status s = ValidateName("virtual cluster name", options.name, lifecycle::kMaxNameLength);
      !s.ok()) {
    return Fail(globals.Err(), s);
  }
  auto host = OpenHost(globals);
  if (!host.ok()) return Fail(globals.Err(), host.status());
  options.namespace_ = host->namespace_given ? host->namespace_ : "";
  output::Progress progress(globals.Err());
  const CancelToken* cancel = globals.Interrupt();
  auto created = [&]() -> StatusOr<lifecycle::CreateResult> {
    if (flags.restore.url.empty())
      return lifecycle::Create(*host->client, options, progress, cancel);
    ASSIGN_OR_RETURN(auto transfer, ResolveTransfer(flags.restore, globals.host.env));
    return snapshot::CreateFromSnapshot(*host, options, {transfer, *timeout}, globals.host.env,
                                        progress, globals.Err(), cancel);
  }();
  if (!created.ok()) return Fail(globals.Err(), ExplainHostError(*host, created.status()));
  if (!flags.connect) {
    globals.Err()
        << "virtual cluster " << options.name << " is "
        << (created->existed ? "upgraded" : "created") << " in namespace " << created->namespace_
        << "; it starts in the background\n"
        << "  wait for it: kubectl wait --for=condition=ready pod -l app=vcluster,release="
        << options.name << " -n " << created->namespace_ << "\n"
        << "  then:        kubectl vc connect " << options.name << " -n " << created->namespace_
        << "\n";
    return 0;
  }
  HostCluster connected_host = *host;
  connected_host.namespace_ = created->namespace_;
  connected_host.namespace_given = true;
  connect::ConnectOptions connect_options;
  connect_options.name = options.name;
  connect_options.env = globals.host.env;
  connect_options.wake = WakeCommand(
      connected_host, lifecycle::Info{.name = options.name, .namespace_ = created->namespace_});
  connect_options.timeout = std::max<std::chrono::milliseconds>(*timeout, std::chrono::seconds(30));
  progress.Begin("Connecting to the virtual cluster's API");
  auto connected = connect::Connect(connected_host, connect_options, globals.Out(), globals.Err());
  if (!connected.ok()) {
    progress.Fail();
    return Fail(globals.Err(),
                connected.status().Annotate("virtual cluster " + options.name +
                                            " is running, but connecting failed (retry with "
                                            "kubectl vc connect " +
                                            options.name + ")"));
  }
  progress.Done();
  globals.Err() << "virtual cluster " << options.name << " is ready; kubectl now talks to it "
                << "(kubectl vc disconnect to go back)\n";
  return 0;
}

}  // namespace

void AddCreateCommand(CLI::App& app, GlobalOptions& globals, Action* action) {
  auto flags = std::make_shared<CreateFlags>();
  CLI::App* sub = app.add_subcommand(
      "create",
      "Create a virtual cluster (or --upgrade one) from values files and a trust profile.\n\n"
      "Examples:\n"
      "  kubectl vc create dev-team -f dev-values.yaml\n"
      "  kubectl vc create partner --profile partner --set isolation.nodeQuota.cpu=4\n"
      "  kubectl vc create dev-team -f dev-values.yaml -f overrides.yaml --upgrade\n"
      "  kubectl vc create ci --connect=false   # return once the objects are applied\n"
      "  kubectl vc create dev-team -f dev-values.yaml --dry-run -o yaml > dev-team.yaml\n"
      "  kubectl vc create dev-team --restore oci://registry.example.com/snapshots/dev-team:v1");
  sub->add_option("NAME", flags->name, "Name of the virtual cluster (a DNS-1123 label)")
      ->required();
  sub->add_option("-f,--values", flags->values_files,
                  "Values file (vcluster.yaml key paths plus isolation:); repeat to layer, - for "
                  "stdin");
  sub->add_option("--set", flags->set_entries,
                  "KEY=VALUE on top of the files (e.g. isolation.trustLevel=zero); repeatable");
  std::vector<std::string> names;
  std::string profiles;
  for (const auto& p : values::ProfileNames()) {
    names.emplace_back(p);
    profiles += (profiles.empty() ? "" : "|") + std::string(p);
  }
  sub->add_option("--profile", flags->profile, "Start from a built-in profile: " + profiles)
      ->check(CLI::IsMember(names));
  sub->add_flag("--connect,!--no-connect", flags->connect,
                "Wait until the virtual cluster answers and switch kubectl to it (default true; "
                "--connect=false returns once the objects are applied)");
  sub->add_flag("--upgrade", flags->upgrade,
                "Re-apply the values to an existing virtual cluster (only what changed changes)");
  sub->add_flag("--expose", flags->expose, "Expose the virtual API with a LoadBalancer Service");
  sub->add_option("--timeout", flags->timeout, "How long to wait for the control plane")
      ->capture_default_str();
  sub->add_option("--restore", flags->restore.url,
                  "Create it from a snapshot (oci://, s3://, file://; its values are used, -f and "
                  "--set go on top)");
  sub->add_flag("--dry-run{client}", flags->dry_run,
                "Print the host objects create would apply, and touch nothing (not even read the "
                "host): for GitOps, kubectl vc create NAME -f values.yaml --dry-run -o yaml")
      ->expected(0, 1);
  sub->add_option("-o,--output", flags->output, "With --dry-run: yaml (default), json or name");
  AddSnapshotStoreFlags(sub, &flags->restore);
  sub->callback([&globals, flags, action] {
    *action = [&globals, flags] { return RunCreate(globals, *flags); };
  });
}

}  // namespace vc::cli::cmd
