// SPDX-License-Identifier: Apache-2.0
// Disconnect, Forget, LiveConnections: undoing what Connect recorded.
#include <sys/stat.h>

#include <ostream>
#include <sstream>

#include "vc/cli/connect/connect.h"
#include "vc/cli/connect/context_entries.h"
#include "vc/cli/connect/forwarder.h"
#include "vc/cli/connect/kubeconfig_file.h"
#include "vc/cli/connect/state_store.h"

namespace vc::cli::connect {
namespace {

bool HasContext(const KubeconfigFile& file, const std::string& name) {
  const auto& doc = file.document();
  if (!doc.is_object() || !doc.contains("contexts") || !doc["contexts"].is_array()) {
    return false;
  }
  for (const auto& c : doc["contexts"]) {
    if (c.is_object() && c.contains("name") && c["name"] == name) {
      return true;
    }
  }
  return false;
}

bool FileExists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

// Removes the connection's entries from its kubeconfig file and, when it is current there,
// switches back to the previous context (if that still exists). What happened goes to `log`.
Status RemoveFromKubeconfig(const Connection& c, std::ostream& log) {
  if (c.kubeconfig_file.empty() || !FileExists(c.kubeconfig_file)) {
    return Status::Ok();
  }
  return UpdateKubeconfigFile(c.kubeconfig_file, [&](KubeconfigFile* f) {
    if (f->current_context() == c.context) {
      if (!c.previous_context.empty() && HasContext(*f, c.previous_context)) {
        f->SetCurrentContext(c.previous_context);
        log << "Switched back to context \"" << c.previous_context << "\".\n";
      } else {
        f->SetCurrentContext("");
        log << (c.previous_context.empty()
                    ? std::string("There was no current context before connect")
                    : "The previous context \"" + c.previous_context + "\" no longer exists")
            << ": current-context is now unset in " << c.kubeconfig_file
            << " (choose one with kubectl config use-context NAME).\n";
      }
    }
    RemoveEntries(c.context, f);
    log << "Removed context \"" << c.context << "\" from " << c.kubeconfig_file << ".\n";
    return Status::Ok();
  });
}

Status StopIfRunning(const Connection& c, std::ostream& log) {
  if (c.forwarder_pid <= 0) {
    return Status::Ok();
  }
  if (!ProcessAlive(c.forwarder_pid, c.forwarder_start_ticks)) {
    return Status::Ok();
  }
  RETURN_IF_ERROR(StopForwarder({c.forwarder_pid, c.forwarder_start_ticks}));
  log << "Stopped the port-forward (pid " << c.forwarder_pid << ").\n";
  return Status::Ok();
}

}  // namespace

Status Disconnect(const HostCluster& host, const kube::Environment& env,
                  const DisconnectOptions& options, std::ostream& err) {
  const std::string state_dir =
      options.state_dir.empty() ? DefaultStateDir(env) : options.state_dir;
  const std::string target = TargetKubeconfigFile(host, env);
  ASSIGN_OR_RETURN(const KubeconfigFile file, KubeconfigFile::Load(target));
  const std::string current = file.current_context();
  ASSIGN_OR_RETURN(auto store, StateStore::Open(state_dir));
  ASSIGN_OR_RETURN(std::optional<Connection> conn, store->Get(current));
  if (current.empty() || !conn) {
    return FailedPrecondition("not connected to a virtual cluster (current context " +
                              (current.empty() ? std::string("unset") : "\"" + current + "\"") +
                              " in " + target + ")");
  }
  // The row may say another file (connected with another --kubeconfig); this one is current.
  conn->kubeconfig_file = target;
  RETURN_IF_ERROR(RemoveFromKubeconfig(*conn, err));
  RETURN_IF_ERROR(StopIfRunning(*conn, err));
  return store->Remove(conn->context);
}

Status Forget(const std::string& name, const std::string& namespace_,
              const std::string& host_context, const std::string& state_dir) {
  const std::string context = ContextName(name, namespace_, host_context);
  if (!FileExists(state_dir + "/state.db")) {
    return Status::Ok();
  }
  ASSIGN_OR_RETURN(auto store, StateStore::Open(state_dir));
  ASSIGN_OR_RETURN(std::optional<Connection> conn, store->Get(context));
  if (!conn) {
    return Status::Ok();
  }
  std::ostringstream log;  // delete prints its own summary
  RETURN_IF_ERROR(RemoveFromKubeconfig(*conn, log));
  RETURN_IF_ERROR(StopIfRunning(*conn, log));
  return store->Remove(context);
}

StatusOr<std::vector<Connection>> LiveConnections(const std::string& state_dir) {
  // list must not create ~/.kube/vc for a user who never connected.
  if (!FileExists(state_dir + "/state.db")) {
    return std::vector<Connection>();
  }
  ASSIGN_OR_RETURN(auto store, StateStore::Open(state_dir));
  ASSIGN_OR_RETURN(std::vector<Connection> all, store->List());
  std::vector<Connection> live;
  for (auto& c : all) {
    if (c.forwarder_pid == 0 || ProcessAlive(c.forwarder_pid, c.forwarder_start_ticks)) {
      live.push_back(std::move(c));
    }
  }
  return live;
}

}  // namespace vc::cli::connect
