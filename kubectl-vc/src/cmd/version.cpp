// SPDX-License-Identifier: Apache-2.0
#include "cmd/commands.h"
#include "cmd/host_access.h"
#include "vc/cli/output/output.h"
#include "vc/cli/render/host_objects.h"

#ifndef VC_VERSION
#define VC_VERSION "0.0.0-dev"
#endif

namespace vc::cli::cmd {

namespace {

int RunVersion(const GlobalOptions& globals, bool client_only, const std::string& output_flag) {
  auto format = output::ParseFormat(output_flag);
  if (!format.ok()) return Fail(globals.Err(), format.status());
  const render::Images images;
  nlohmann::json doc = {{"clientVersion", VC_VERSION},
                        {"controlPlaneImages",
                         {{"syncer", images.syncer},
                          {"kine", images.kine},
                          {"kubeApiserver", images.apiserver},
                          {"kubeControllerManager", images.controller_manager},
                          {"kubeScheduler", images.scheduler}}}};
  std::string server_line;
  if (!client_only) {
    auto host = OpenHost(globals);
    if (host.ok()) {
      kube::RawRequest request;
      request.method = "GET";
      request.path = "/version";
      request.timeout = std::chrono::seconds(5);
      auto response = host->client->Raw(request);
      if (response.ok()) {
        auto parsed = nlohmann::json::parse(response->body, nullptr, false);
        if (!parsed.is_discarded()) {
          doc["hostServerVersion"] = parsed.value("gitVersion", "");
          server_line = parsed.value("gitVersion", "");
        }
      } else {
        server_line = "unreachable (" + response.status().message() + ")";
      }
    } else {
      server_line = "no host cluster configured";
    }
  }
  if (*format == output::Format::kTable || *format == output::Format::kName) {
    globals.Out() << "kubectl-vc: " << VC_VERSION << "\n"
                  << "control plane: " << images.apiserver << ", " << images.controller_manager
                  << ", " << images.kine << ", " << images.syncer
                  << " (virtual scheduler: " << images.scheduler << ")\n";
    if (!client_only) globals.Out() << "host server: " << server_line << "\n";
  } else {
    output::PrintObject(globals.Out(), *format, doc);
  }
  return 0;
}

}  // namespace

void AddVersionCommand(CLI::App& app, GlobalOptions& globals, Action* action) {
  auto client_only = std::make_shared<bool>(false);
  auto output_flag = std::make_shared<std::string>();
  CLI::App* sub = app.add_subcommand(
      "version",
      "Print the versions of kubectl-vc, the control plane it deploys, and the host "
      "cluster.\n\nExample:\n  kubectl vc version --client");
  sub->add_flag("--client", *client_only, "Only the client; do not contact the host cluster");
  sub->add_option("-o,--output", *output_flag, "json|yaml");
  sub->callback([&globals, client_only, output_flag, action] {
    *action = [&globals, client_only, output_flag] {
      return RunVersion(globals, *client_only, *output_flag);
    };
  });
}

}  // namespace vc::cli::cmd
