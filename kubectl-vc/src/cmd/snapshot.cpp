// SPDX-License-Identifier: Apache-2.0

#include "cmd/commands.h"
#include "cmd/host_access.h"
#include "cmd/snapshot_flags.h"
#include "vc/cli/connect/connect.h"
#include "vc/cli/render/host_objects.h"
#include "vc/cli/snapshot/snapshot_meta.h"
#include "vc/yaml.h"

namespace vc::cli::cmd {

using nlohmann::json;

void AddSnapshotStoreFlags(CLI::App* sub, SnapshotFlags* flags) {
  sub->add_option("--encryption-key-file", flags->key_file,
                  "AES-256 key (32 bytes raw, hex or base64; e.g. `openssl rand -hex 32`): "
                  "encrypt the snapshot / decrypt it");
  sub->add_flag("--insecure", flags->insecure,
                "Do not verify the registry's or endpoint's TLS certificate");
  sub->add_flag("--plain-http", flags->plain_http, "oci://: talk plain HTTP (local registries)");
  sub->add_option("--ca-file", flags->ca_file, "CA bundle for the registry or S3 endpoint");
  sub->add_option("--s3-endpoint", flags->s3_endpoint,
                  "S3-compatible endpoint (default $AWS_ENDPOINT_URL, else AWS)");
  sub->add_flag("--s3-path-style", flags->s3_path_style,
                "s3://: ENDPOINT/BUCKET/KEY addressing (default with a custom endpoint)");
}

StatusOr<snapshot::TransferOptions> ResolveTransfer(const SnapshotFlags& flags,
                                                    const kube::Environment& env) {
  snapshot::TransferOptions t;
  ASSIGN_OR_RETURN(t.location, snapshot::ParseLocation(flags.url));
  if (!flags.key_file.empty()) {
    ASSIGN_OR_RETURN(auto key, vc::snapshot::LoadEncryptionKeyFile(flags.key_file));
    t.key = key;
  }
  t.store.insecure = flags.insecure;
  t.store.plain_http = flags.plain_http;
  t.store.ca_file = flags.ca_file;
  t.store.s3_endpoint = flags.s3_endpoint;
  t.store.s3_path_style = flags.s3_path_style;
  t.store.env = env;
  return t;
}

namespace {

struct Names {
  std::string name;
  std::string output = "table";
  bool verify = false;
  std::string tar_path;  // inspect --tar
};

int RunSnapshot(const GlobalOptions& globals, const Names& names, const SnapshotFlags& flags) {
  auto transfer = ResolveTransfer(flags, globals.host.env);
  if (!transfer.ok()) return Fail(globals.Err(), transfer.status());
  auto target = OpenTarget(globals, names.name);
  if (!target.ok()) return Fail(globals.Err(), target.status());
  auto& host = target->host;
  auto& info = target->info;
  if (lifecycle::IsPaused(info)) {
    return Fail(globals.Err(),
                FailedPrecondition("virtual cluster " + info.name + " is " +
                                   (info.status == "Sleeping" ? "sleeping" : "paused") +
                                   ": its database is not running; resume it first "
                                   "(kubectl vc resume " +
                                   info.name + ")"));
  }
  // The values go with the data: a restore without them would come back with other ones (another
  // trust level, say).
  if (Status s = lifecycle::ReadValues(*host.client, &info); !s.ok()) {
    return Fail(globals.Err(), ExplainHostError(host, s));
  }
  if (!info.values.is_object()) {
    return Fail(
        globals.Err(),
        FailedPrecondition(
            "the values virtual cluster " + info.name + " runs with (Secret vc-config-" +
            info.name + " in namespace " + info.namespace_ +
            ") cannot be read, and a snapshot without them would restore with other values\nput "
            "them back first: kubectl vc create " +
            info.name + " -n " + info.namespace_ + " --upgrade -f VALUES"));
  }
  transfer->meta = {{"cluster",
                     {{"name", info.name},
                      {"namespace", info.namespace_},
                      {"hostContext", host.context},
                      {"hostServer", host.config.server}}},
                    {"kubernetesVersion", info.version},
                    {"kubectlVcVersion", VC_VERSION},
                    {"values", info.values}};
  output::Progress progress(globals.Err());
  progress.Begin("Connecting to the snapshot endpoint of " + info.name + "-0");
  auto endpoint = snapshot::PodEndpoint::Open(host, info.name, info.namespace_, globals.host.env,
                                              std::chrono::seconds(60));
  if (!endpoint.ok()) {
    progress.Fail();
    return Fail(globals.Err(), endpoint.status());
  }
  progress.Done();
  progress.Begin("Taking the snapshot (online SQLite backup) to " + flags.url);
  globals.Err() << "\n";
  auto meta = snapshot::TakeSnapshot(**endpoint, *transfer, globals.Err());
  if (!meta.ok()) {
    progress.Fail();
    return Fail(globals.Err(),
                meta.status().Annotate("snapshot " + info.name + " to " + flags.url));
  }
  progress.Done();
  // The snapshot is written; a meta.json this version cannot read only costs the count.
  auto summary = snapshot::ReadSnapshotMeta(*meta);
  globals.Err() << "snapshot of " << info.name << " written to " << flags.url << ": "
                << (summary.ok() ? std::to_string(summary->object_count) : "?") << " objects"
                << (transfer->key ? ", encrypted (key id " + transfer->key->Id() + ")" : "")
                << "\n";
  globals.Out() << flags.url << "\n";
  return 0;
}

int RunInspect(const GlobalOptions& globals, const Names& names, const SnapshotFlags& flags) {
  auto transfer = ResolveTransfer(flags, globals.host.env);
  if (!transfer.ok()) return Fail(globals.Err(), transfer.status());
  if (!names.tar_path.empty()) {
    auto store = snapshot::OpenStore(transfer->location, transfer->store);
    if (!store.ok()) return Fail(globals.Err(), store.status().Annotate("inspect " + flags.url));
    Status s = snapshot::ExportSnapshotTar(**store, transfer->key, names.tar_path);
    if (!s.ok()) return Fail(globals.Err(), s.Annotate("inspect " + flags.url + " --tar"));
    globals.Err() << "wrote " << names.tar_path << " (tar -x --zstd -f " << names.tar_path
                  << "; sha256sum -c SHA256SUMS)\n";
  }
  auto meta = snapshot::InspectSnapshot(*transfer, names.verify);
  if (!meta.ok()) return Fail(globals.Err(), meta.status().Annotate("inspect " + flags.url));
  if (names.output == "json") {
    globals.Out() << meta->dump(2) << "\n";
    return 0;
  }
  if (names.output == "yaml") {
    globals.Out() << yaml::Dump(*meta);
    return 0;
  }
  auto summary = snapshot::ReadSnapshotMeta(*meta);
  if (!summary.ok()) return Fail(globals.Err(), summary.status().Annotate("inspect " + flags.url));
  globals.Out() << snapshot::RenderSnapshotTable(*summary, flags.url);
  return 0;
}

int RunRestore(const GlobalOptions& globals, const Names& names, const SnapshotFlags& flags) {
  auto timeout = ParseDuration("--timeout", flags.timeout);
  if (!timeout.ok()) return Fail(globals.Err(), timeout.status());
  auto transfer = ResolveTransfer(flags, globals.host.env);
  if (!transfer.ok()) return Fail(globals.Err(), transfer.status());
  auto target = OpenTarget(globals, names.name);
  if (!target.ok()) return Fail(globals.Err(), target.status());
  auto& host = target->host;
  auto& info = target->info;
  output::Progress progress(globals.Err());
  snapshot::RestoreOptions options{*transfer, *timeout};
  Status s = snapshot::RestoreInto(host, info, options, globals.host.env, progress, globals.Err(),
                                   globals.Interrupt());
  if (!s.ok()) return Fail(globals.Err(), s);
  globals.Err() << "virtual cluster " << info.name << " is restored from " << flags.url
                << "\n  reconnect (its credentials are the snapshot's): kubectl vc connect "
                << info.name << "\n";
  return 0;
}

}  // namespace

void AddSnapshotCommands(CLI::App& app, GlobalOptions& globals, Action* action) {
  auto names = std::make_shared<Names>();
  auto flags = std::make_shared<SnapshotFlags>();
  CLI::App* snap = app.add_subcommand(
      "snapshot",
      "Snapshot a virtual cluster (its state, identity and values) to a registry, bucket or "
      "file.\n\n"
      "Examples:\n"
      "  kubectl vc snapshot dev-team oci://registry.example.com/snapshots/dev-team:v1\n"
      "  kubectl vc snapshot dev-team s3://backups/dev-team.vcsnap --encryption-key-file k\n"
      "  kubectl vc snapshot dev-team file:///tmp/dev-team.vcsnap\n"
      "  kubectl vc snapshot dev-team container:///data/snapshots/dev-team.vcsnap\n"
      "  kubectl vc snapshot inspect oci://registry.example.com/snapshots/dev-team:v1");
  snap->add_option("NAME", names->name, "Name of the virtual cluster");
  snap->add_option("URL", flags->url, "oci://, s3://, file:// or container:// location");
  AddSnapshotStoreFlags(snap, flags.get());
  snap->require_subcommand(0, 1);
  snap->callback([&globals, names, flags, action, snap] {
    if (!snap->get_subcommands().empty()) return;
    if (names->name.empty() || flags->url.empty()) {
      throw CLI::ValidationError("NAME URL", "want NAME and URL (or: snapshot inspect URL)");
    }
    *action = [&globals, names, flags] { return RunSnapshot(globals, *names, *flags); };
  });

  auto inspect_names = std::make_shared<Names>();
  auto inspect_flags = std::make_shared<SnapshotFlags>();
  CLI::App* inspect = snap->add_subcommand("inspect", "What a snapshot holds, without any cluster");
  inspect->footer(
      "Examples:\n  kubectl vc snapshot inspect file:///tmp/dev-team.vcsnap -o json\n"
      "  kubectl vc snapshot inspect oci://REGISTRY/snap:v1 --encryption-key-file k --tar "
      "s.tar.zst");
  inspect->add_option("URL", inspect_flags->url, "Snapshot location")->required();
  inspect->add_option("-o,--output", inspect_names->output, "table|json|yaml")
      ->check(CLI::IsMember({"table", "json", "yaml"}));
  inspect->add_flag("--verify", inspect_names->verify,
                    "Read the whole archive and check every checksum");
  inspect->add_option("--tar", inspect_names->tar_path,
                      "Also write its content, decrypted, as a .tar.zst to this file");
  AddSnapshotStoreFlags(inspect, inspect_flags.get());
  inspect->callback([&globals, inspect_names, inspect_flags, action] {
    *action = [&globals, inspect_names, inspect_flags] {
      return RunInspect(globals, *inspect_names, *inspect_flags);
    };
  });

  auto restore_names = std::make_shared<Names>();
  auto restore_flags = std::make_shared<SnapshotFlags>();
  CLI::App* restore = app.add_subcommand(
      "restore",
      "Replace an existing virtual cluster's state with a snapshot (verified first; the "
      "control plane restarts).\n\nExamples:\n"
      "  kubectl vc restore dev-team oci://registry.example.com/snapshots/dev-team:v1\n"
      "  kubectl vc create dev-team --restore oci://registry.example.com/snapshots/dev-team:v1");
  restore->add_option("NAME", restore_names->name, "Name of the virtual cluster")->required();
  restore->add_option("URL", restore_flags->url, "Snapshot location")->required();
  restore->add_option("--timeout", restore_flags->timeout, "How long to wait for the control plane")
      ->capture_default_str();
  AddSnapshotStoreFlags(restore, restore_flags.get());
  restore->callback([&globals, restore_names, restore_flags, action] {
    *action = [&globals, restore_names, restore_flags] {
      return RunRestore(globals, *restore_names, *restore_flags);
    };
  });
}

}  // namespace vc::cli::cmd
