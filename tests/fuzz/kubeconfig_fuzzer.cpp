// SPDX-License-Identifier: Apache-2.0
// A kubeconfig, as kubectl-vc (and vc-syncer) read one: ParseKubeconfig (YAML, the lists, path
// resolution), ResolveRestConfig for every context (server URL, TLS data, credentials,
// exec stanza), and KubeconfigFile (connect/disconnect's editor) parse and render.
//
// Input: the kubeconfig; after a line "#exec-output" optionally what the exec plugin prints
// (a fake ProcessRunner answers with it, so no process starts). Keys naming files (CA, client
// certificate and key, tokenFile) are dropped before resolving: the target reads no file.
// Invariants: errors are UTF-8 text; a rendered KubeconfigFile parses back to the same document.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "fuzz_support.h"
#include "vc/cli/connect/kubeconfig_file.h"
#include "vc/kube/kubeconfig.h"

namespace {

class FakeRunner : public vc::kube::ProcessRunner {
 public:
  explicit FakeRunner(std::string out) : out_(std::move(out)) {}
  vc::StatusOr<vc::kube::ProcessResult> Run(const vc::kube::ProcessSpec&) override {
    vc::kube::ProcessResult r;
    r.stdout_data = out_;
    return r;
  }

 private:
  std::string out_;
};

void DropFileKeys(std::map<std::string, vc::kube::KubeconfigEntry>* entries) {
  for (auto& [name, entry] : *entries) {
    if (!entry.value.is_object()) continue;
    for (const char* key :
         {"certificate-authority", "client-certificate", "client-key", "tokenFile"}) {
      entry.value.erase(key);
    }
  }
}

void Resolve(const vc::kube::Kubeconfig& config, const std::string& context,
             const std::string& plugin_output) {
  vc::kube::KubeconfigOptions options;
  options.context = context;
  options.runner = std::make_shared<FakeRunner>(plugin_output);
  options.now = [] { return std::chrono::system_clock::time_point(std::chrono::hours(480000)); };
  auto rc = vc::kube::ResolveRestConfig(config, options);
  vc::fuzz::CheckStatus(rc.status(), "ResolveRestConfig error");
  if (!rc.ok() || !rc->credentials) return;
  auto creds = rc->credentials->Get(false);
  vc::fuzz::CheckStatus(creds.status(), "credentials error");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vc::fuzz::QuietLogs();
  std::string text(reinterpret_cast<const char*>(data), size);
  std::string plugin_output;
  if (size_t marker = text.find("\n#exec-output\n"); marker != std::string::npos) {
    plugin_output = text.substr(marker + 14);
    text.resize(marker + 1);
  }

  auto config = vc::kube::ParseKubeconfig(text, "/fuzz/.kube/config");
  vc::fuzz::CheckStatus(config.status(), "ParseKubeconfig error");
  if (config.ok()) {
    DropFileKeys(&config->clusters);
    DropFileKeys(&config->users);
    Resolve(*config, "", plugin_output);
    int contexts = 0;
    for (const auto& [name, entry] : config->contexts) {
      if (++contexts > 4) break;
      Resolve(*config, name, plugin_output);
    }
  }

  auto file = vc::cli::connect::KubeconfigFile::Parse(text, "/fuzz/.kube/config");
  vc::fuzz::CheckStatus(file.status(), "KubeconfigFile::Parse error");
  if (file.ok()) {
    file->SetContext("vc-fuzz", {{"cluster", "vc-fuzz"}, {"user", "vc-fuzz"}});
    file->RemoveUser("vc-fuzz");
    const std::string rendered = file->Render();
    auto again = vc::cli::connect::KubeconfigFile::Parse(rendered, "rendered");
    if (!again.ok()) vc::fuzz::Fail("rendered kubeconfig does not parse", again.status().message());
    vc::fuzz::Check(again->document() == file->document(), "kubeconfig render round trip",
                    rendered);
  }
  return 0;
}
