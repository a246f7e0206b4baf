// SPDX-License-Identifier: Apache-2.0
// Exec credential plugins (client.authentication.k8s.io ExecCredential), as client-go's
// plugin/pkg/client/auth/exec runs them: the request goes in KUBERNETES_EXEC_INFO, the
// credential comes back on stdout, and is cached until its expirationTimestamp.
#include <map>
#include <mutex>

#include "vc/kube/credential_providers.h"
#include "vc/rfc3339.h"

namespace vc::kube {
namespace {

using nlohmann::json;
using std::chrono::system_clock;

// Plugins' install hints may carry terminal escapes; errors are one line of plain text.
std::string OneLine(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c == '\n' || c == '\r' || c == '\t') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else if (c >= 0x20 && c != 0x7f) {
      out += static_cast<char>(c);
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string LastLine(const std::string& s) {
  std::string t = s;
  while (!t.empty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' ')) t.pop_back();
  size_t nl = t.rfind('\n');
  return OneLine(nl == std::string::npos ? t : t.substr(nl + 1));
}

class ExecCredentialProvider : public CredentialProvider {
 public:
  ExecCredentialProvider(ExecConfig config, std::shared_ptr<ProcessRunner> runner, Clock now)
      : config_(std::move(config)), runner_(std::move(runner)), now_(std::move(now)) {}

  StatusOr<Credentials> Get(bool force_refresh) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!force_refresh && cached_ && (!cached_->expiry || now_() < *cached_->expiry)) {
      return *cached_;
    }
    auto fresh = Run();
    if (!fresh.ok()) return fresh.status().Annotate("get credentials for " + config_.origin);
    cached_ = *fresh;
    return *fresh;
  }

 private:
  StatusOr<Credentials> Run() {
    if (config_.interactive_mode == "Always") {
      return FailedPrecondition(
          "exec plugin " + config_.command +
          " needs interactiveMode Always, but kubectl vc never gives plugins a terminal; log in "
          "with the plugin first or set interactiveMode: IfAvailable");
    }
    json request = {{"kind", "ExecCredential"},
                    {"apiVersion", config_.api_version},
                    {"spec", {{"interactive", false}}}};
    if (config_.provide_cluster_info && !config_.cluster.is_null()) {
      request["spec"]["cluster"] = config_.cluster;
    }
    // The plugin's env entries override inherited ones, as exec.Cmd keeps the last duplicate.
    std::map<std::string, std::string> env;
    for (const auto& kv : config_.base_env) {
      size_t eq = kv.find('=');
      if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    for (const auto& [k, v] : config_.env) env[k] = v;
    env["KUBERNETES_EXEC_INFO"] = request.dump();
    ProcessSpec spec{.command = config_.command, .args = config_.args, .timeout = config_.timeout};
    for (const auto& [k, v] : env) spec.env.push_back(k + "=" + v);

    auto result = runner_->Run(spec);
    if (!result.ok()) {
      if (result.status().code() != Code::kNotFound) return result.status();
      std::string hint = OneLine(config_.install_hint);
      return NotFound("exec: executable " + config_.command + " not found (" +
                      result.status().message() + "); " +
                      (hint.empty() ? "install it or fix users[].user.exec.command" : hint));
    }
    if (result->timed_out) {
      return Timeout("exec: executable " + config_.command + " did not finish within " +
                     std::to_string(config_.timeout.count()) +
                     "ms and was killed; check that the plugin can run without a terminal");
    }
    if (result->exit_code != 0) {
      std::string why = LastLine(result->stderr_data);
      return Unavailable("exec: executable " + config_.command + " failed with exit code " +
                         std::to_string(result->exit_code) + (why.empty() ? "" : ": " + why));
    }
    return Decode(result->stdout_data);
  }

  StatusOr<Credentials> Decode(const std::string& out) const {
    json cred = json::parse(out, nullptr, /*allow_exceptions=*/false);
    if (cred.is_discarded() || !cred.is_object()) {
      return InvalidArgument("exec plugin " + config_.command +
                             ": decoding stdout: not an ExecCredential JSON object");
    }
    // cred.value(KEY, "") would throw on a member that is not a string.
    auto text = [](const json& object, const char* name) {
      auto it = object.find(name);
      return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    std::string version = text(cred, "apiVersion");
    if (version != config_.api_version) {
      return InvalidArgument("exec plugin " + config_.command +
                             " is configured to use API version " + config_.api_version +
                             ", plugin returned version \"" + version +
                             "\"; update the plugin or the kubeconfig's exec.apiVersion");
    }
    if (text(cred, "kind") != "ExecCredential") {
      return InvalidArgument("exec plugin " + config_.command + ": returned kind \"" +
                             text(cred, "kind") + "\", want ExecCredential");
    }
    const json* status = cred.contains("status") ? &cred["status"] : nullptr;
    if (status == nullptr || !status->is_object()) {
      return InvalidArgument("exec plugin " + config_.command + " didn't return a status field");
    }
    auto field = [&](const char* name) { return text(*status, name); };
    Credentials c;
    c.bearer_token = field("token");
    c.client_cert_pem = field("clientCertificateData");
    c.client_key_pem = field("clientKeyData");
    if (c.bearer_token.empty() && c.client_cert_pem.empty() && c.client_key_pem.empty()) {
      return InvalidArgument("exec plugin " + config_.command +
                             " didn't return a token or cert/key pair");
    }
    if (c.client_cert_pem.empty() != c.client_key_pem.empty()) {
      return InvalidArgument("exec plugin " + config_.command +
                             " returned only certificate or key, not both");
    }
    std::string expiry = field("expirationTimestamp");
    if (!expiry.empty()) {
      auto t = ParseRfc3339(expiry);
      if (!t) {
        return InvalidArgument("exec plugin " + config_.command + ": expirationTimestamp \"" +
                               expiry + "\" is not RFC 3339");
      }
      c.expiry = *t;
    }
    return c;
  }

  std::mutex mu_;
  const ExecConfig config_;
  const std::shared_ptr<ProcessRunner> runner_;
  const Clock now_;
  std::optional<Credentials> cached_;
};

}  // namespace

std::shared_ptr<CredentialProvider> NewExecCredentialProvider(ExecConfig config,
                                                              std::shared_ptr<ProcessRunner> runner,
                                                              Clock now) {
  if (!runner) runner = NewPosixProcessRunner();
  if (!now) now = [] { return system_clock::now(); };
  return std::make_shared<ExecCredentialProvider>(std::move(config), std::move(runner),
                                                  std::move(now));
}

}  // namespace vc::kube
