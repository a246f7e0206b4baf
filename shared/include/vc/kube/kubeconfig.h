// SPDX-License-Identifier: Apache-2.0
// Kubeconfig loading and resolution as kubectl (client-go clientcmd) does it:
//   - files: --kubeconfig (that file only; missing is an error), else every file of $KUBECONFIG
//     (':'-separated, duplicates and missing files skipped), else $HOME/.kube/config.
//   - merging: for each cluster/user/context name the first file that defines it wins (even
//     its fields the first file left empty come from nowhere else); the first non-empty
//     current-context wins. Within one file a repeated name keeps the last entry.
//   - relative certificate-authority, client-certificate, client-key, tokenFile, and exec
//     commands holding a '/', resolve against the directory of the file that defined them.
//   - --context/--cluster/--user must name existing entries; a context naming a missing user
//     means no credentials (kubectl's behaviour, logged as a warning).
//   - namespace: --namespace, else the context's, else "default".
//   - credentials are only attached over TLS (https, or any TLS setting), as client-go does.
//   - no configuration at all, and in-cluster possible: the service account (LoadRestConfig).
// Errors are one line: what, where (file, entry, key), why, and what to do.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "vc/kube/credential_providers.h"
#include "vc/kube/process_runner.h"
#include "vc/kube/rest_config.h"
#include "vc/status.h"
#include "vc/yaml.h"

namespace vc::kube {

using Environment = std::map<std::string, std::string>;

// The current process's environment, for KubeconfigOptions::env.
Environment ProcessEnvironment();

struct KubeconfigOptions {
  std::string kubeconfig;  // --kubeconfig
  std::string context;     // --context
  std::string cluster;     // --cluster
  std::string user;        // --user
  std::string namespace_;  // --namespace
  // KUBECONFIG, HOME, KUBERNETES_SERVICE_HOST/PORT, POD_NAMESPACE are read from here, and exec
  // plugins inherit it. Pass ProcessEnvironment() outside tests.
  Environment env;
  // Where the service account is mounted. A pod may say otherwise with the env var
  // VC_SERVICE_ACCOUNT_DIR (ours; the test pod runner maps mounts to local directories).
  std::string service_account_dir = "/var/run/secrets/kubernetes.io/serviceaccount";
  std::shared_ptr<ProcessRunner> runner;  // exec plugins; null: NewPosixProcessRunner()
  Clock now;                              // null: the system clock
  std::chrono::milliseconds exec_timeout{std::chrono::seconds(60)};
};

// A cluster, user or context entry (the object under its `cluster:`/`user:`/`context:` key,
// paths already absolute), and where it was written.
struct KubeconfigEntry {
  nlohmann::json value = nlohmann::json::object();
  std::string file;
  std::string pointer;  // JSON pointer of `value` in that file, e.g. "/users/2/user"
};

// The merged view of every file loaded.
struct Kubeconfig {
  std::vector<std::string> files;     // the files read, in precedence order
  std::vector<std::string> searched;  // every path considered, for "nothing found" errors
  std::string current_context;
  std::string current_context_file;
  std::map<std::string, KubeconfigEntry> clusters;
  std::map<std::string, KubeconfigEntry> users;
  std::map<std::string, KubeconfigEntry> contexts;
  std::map<std::string, yaml::Document> documents;  // by file: positions for errors

  // "FILE:LINE:COL" of `key` ("server", or dotted "exec.command") inside an entry, or of its
  // closest ancestor that was written, for errors.
  std::string Where(const KubeconfigEntry& entry, const std::string& key) const;
};

StatusOr<Kubeconfig> LoadKubeconfig(const KubeconfigOptions& options);

// One kubeconfig file's text, checked and read as LoadKubeconfig reads each file: `path` names
// it in errors, and relative paths in it resolve against its directory. Reads no file.
StatusOr<Kubeconfig> ParseKubeconfig(std::string_view text, const std::string& path);

// The RestConfig for the selected context (options.context, else current-context) and the
// --cluster/--user/--namespace overrides. Reads certificate and token files now.
StatusOr<RestConfig> ResolveRestConfig(const Kubeconfig& config, const KubeconfigOptions& options);

// True when a kubeconfig selects nothing: no --context, no current-context and no --cluster.
bool SelectsNothing(const Kubeconfig& config, const KubeconfigOptions& options);

// The service account's view: KUBERNETES_SERVICE_HOST/PORT, and token (re-read as it rotates),
// ca.crt and namespace under the service account directory (see KubeconfigOptions).
// Namespace: --namespace, else POD_NAMESPACE, else the namespace file, else "default".
bool InClusterPossible(const KubeconfigOptions& options);
StatusOr<RestConfig> InClusterRestConfig(const KubeconfigOptions& options);

// What a command calls: LoadKubeconfig + ResolveRestConfig, falling back to in-cluster when
// the kubeconfig selects nothing and in-cluster is possible.
StatusOr<RestConfig> LoadRestConfig(const KubeconfigOptions& options);

}  // namespace vc::kube
