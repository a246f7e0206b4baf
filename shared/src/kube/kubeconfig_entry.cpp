// SPDX-License-Identifier: Apache-2.0
#include "kubeconfig_internal.h"
#include "vc/base64.h"
#include "vc/read_file.h"

namespace vc::kube::internal {

using nlohmann::json;

bool EntryReader::Has(const std::string& key) const {
  auto it = entry_.value.find(key);
  return it != entry_.value.end() && !it->is_null() && !(it->is_string() && it->empty());
}

Status EntryReader::Error(const std::string& key, const std::string& cause, Code code) const {
  return Status(code, "load kubeconfig: " + origin_ + ": " + key + " at " +
                          config_.Where(entry_, key) + ": " + cause);
}

StatusOr<std::string> EntryReader::String(const std::string& key) const {
  auto it = entry_.value.find(key);
  if (it == entry_.value.end() || it->is_null()) return std::string();
  if (!it->is_string()) return Error(key, "must be a string, not " + it->dump());
  return it->get<std::string>();
}

StatusOr<bool> EntryReader::Bool(const std::string& key) const {
  auto it = entry_.value.find(key);
  if (it == entry_.value.end() || it->is_null()) return false;
  if (!it->is_boolean()) return Error(key, "must be true or false, not " + it->dump());
  return it->get<bool>();
}

StatusOr<std::string> EntryReader::Pem(const std::string& file_key, const std::string& data_key,
                                       bool both_is_error) const {
  ASSIGN_OR_RETURN(std::string path, String(file_key));
  ASSIGN_OR_RETURN(std::string data, String(data_key));
  if (!path.empty() && !data.empty() && both_is_error) {
    return Error(data_key, data_key + " and " + file_key + " are both set; keep only one");
  }
  if (!data.empty()) {
    auto decoded = Base64Decode(data);
    if (!decoded) return Error(data_key, "not valid base64; it holds the PEM, base64-encoded");
    return *decoded;
  }
  if (path.empty()) return std::string();
  auto text = ReadWholeFile(path);
  if (!text.ok()) {
    return Status(text.status().code(), "load kubeconfig: " + origin_ + ": " + file_key + " " +
                                            text.status().message() + "; fix the path at " +
                                            config_.Where(entry_, file_key));
  }
  return *text;
}

StatusOr<ExecConfig> ReadExecConfig(const EntryReader& user, const json& exec) {
  auto bad = [&](const std::string& key, const std::string& cause) {
    return user.Error("exec." + key, cause);
  };
  if (!exec.is_object()) return bad("", "must be a mapping");
  // exec.value(KEY, "") would throw on a member of another type.
  auto text = [&](const std::string& key) -> StatusOr<std::string> {
    auto it = exec.find(key);
    if (it == exec.end() || it->is_null()) return std::string();
    if (!it->is_string()) return bad(key, "must be a string, not " + it->dump());
    return it->get<std::string>();
  };
  ExecConfig c;
  c.origin = user.origin();
  ASSIGN_OR_RETURN(c.api_version, text("apiVersion"));
  if (c.api_version == "client.authentication.k8s.io/v1alpha1") {
    return bad("apiVersion",
               "client.authentication.k8s.io/v1alpha1 is no longer supported; "
               "use client.authentication.k8s.io/v1 (or v1beta1)");
  }
  if (c.api_version != "client.authentication.k8s.io/v1" &&
      c.api_version != "client.authentication.k8s.io/v1beta1") {
    return bad("apiVersion",
               "\"" + c.api_version + "\" is not client.authentication.k8s.io/v1 or v1beta1");
  }
  auto command = exec.find("command");
  if (command == exec.end() || !command->is_string() || command->empty()) {
    return bad("command", "the plugin's command is missing");
  }
  c.command = command->get<std::string>();
  if (auto args = exec.find("args"); args != exec.end() && !args->is_null()) {
    if (!args->is_array()) return bad("args", "must be a list of strings");
    for (const json& a : *args) {
      if (!a.is_string()) return bad("args", "must be a list of strings");
      c.args.push_back(a.get<std::string>());
    }
  }
  if (auto env = exec.find("env"); env != exec.end() && !env->is_null()) {
    if (!env->is_array()) return bad("env", "must be a list of {name, value}");
    for (const json& e : *env) {
      if (!e.is_object() || !e.value("name", json()).is_string() ||
          !e.value("value", json("")).is_string()) {
        return bad("env", "must be a list of {name, value} with string values");
      }
      c.env.emplace_back(e["name"].get<std::string>(), e.value("value", ""));
    }
  }
  ASSIGN_OR_RETURN(c.install_hint, text("installHint"));
  if (auto p = exec.find("provideClusterInfo"); p != exec.end() && !p->is_null()) {
    if (!p->is_boolean()) return bad("provideClusterInfo", "must be true or false");
    c.provide_cluster_info = p->get<bool>();
  }
  ASSIGN_OR_RETURN(std::string mode, text("interactiveMode"));
  if (mode.empty() && c.api_version == "client.authentication.k8s.io/v1") {
    return bad("interactiveMode",
               "must be set (Never, IfAvailable or Always) for "
               "client.authentication.k8s.io/v1 plugins");
  }
  if (!mode.empty()) {
    if (mode != "Never" && mode != "IfAvailable" && mode != "Always") {
      return bad("interactiveMode", "must be Never, IfAvailable or Always");
    }
    c.interactive_mode = mode;
  }
  return c;
}

}  // namespace vc::kube::internal
