// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/translate/hosts_file.h"

#include "cmd/commands.h"
#include "vc/log.h"
#include "vc/syncer/fs/atomic_file.h"

namespace vc::syncer::cmd {

namespace {

struct HostsFileFlags {
  std::string in = "/etc/hosts";
  std::string out;
  translate::HostsRename rename;
};

int RunHostsFile(const HostsFileFlags& flags) {
  auto content = fs::ReadFile(flags.in);
  if (!content.ok()) {
    VC_LOG(Error) << content.status().message();
    return 1;
  }
  const std::string renamed = translate::RenameInHostsFile(*content, flags.rename);
  if (Status s = fs::WriteFileAtomic(flags.out, renamed, 0644); !s.ok()) {
    VC_LOG(Error) << s.message();
    return 1;
  }
  VC_LOG(Info) << flags.out << ": " << flags.in << " with " << flags.rename.fqdn
               << (renamed == *content ? " (no line named " + flags.rename.host_prefix + "*)"
                                       : " in place of " + flags.rename.host_prefix + "*");
  return 0;
}

}  // namespace

void AddHostsFileCommand(CLI::App& app, std::function<int()>* action) {
  auto flags = std::make_shared<HostsFileFlags>();
  CLI::App* sub = app.add_subcommand(
      "hosts-file", "Write a pod's /etc/hosts with its virtual FQDN in place of the host one");
  sub->footer(
      "Runs as the first init container (kubectl-vc-hosts) of a host pod whose virtual pod has "
      "a subdomain; the pod's other containers mount OUT at /etc/hosts "
      "(syncer/include/vc/syncer/translate/hosts_file.h).\n\n"
      "Example:\n  vc-syncer hosts-file --from=web-0.web.vcluster-dev.svc. "
      "--to=web-0.web.shop.svc.cluster.local --out=/kubectl-vc-hosts/hosts");
  sub->add_option("--in", flags->in, "The file the kubelet wrote")->capture_default_str();
  sub->add_option("--out", flags->out, "Where the renamed copy goes")->required();
  sub->add_option("--from", flags->rename.host_prefix,
                  "The start of the host FQDN (HOSTNAME.SUBDOMAIN.HOSTNS.svc.)")
      ->required();
  sub->add_option("--to", flags->rename.fqdn, "The virtual FQDN")->required();
  sub->callback([flags, action] { *action = [flags] { return RunHostsFile(*flags); }; });
}

}  // namespace vc::syncer::cmd
