// SPDX-License-Identifier: Apache-2.0
// Finding, reading and merging kubeconfig files (clientcmd's loader.go rules; see the header).
#include <unistd.h>

#include <filesystem>
#include <set>

#include "vc/kube/kubeconfig.h"
#include "vc/read_file.h"

extern char** environ;  // NOLINT: POSIX

namespace vc::kube {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::vector<std::string> SplitList(const std::string& list) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  size_t start = 0;
  for (;;) {
    size_t end = list.find(':', start);
    std::string item = list.substr(start, end == std::string::npos ? end : end - start);
    if (!item.empty() && seen.insert(item).second) out.push_back(item);
    if (end == std::string::npos) return out;
    start = end + 1;
  }
}

// A relative path in a kubeconfig is relative to that file's directory, not to our cwd.
void MakeAbsolute(json* object, const char* key, const fs::path& base) {
  auto it = object->find(key);
  if (it == object->end() || !it->is_string()) return;
  std::string value = it->get<std::string>();
  if (value.empty() || value.front() == '/') return;
  *it = (base / value).lexically_normal().string();
}

void ResolvePaths(const char* kind, json* value, const fs::path& base) {
  if (std::string_view(kind) == "cluster") {
    MakeAbsolute(value, "certificate-authority", base);
    return;
  }
  if (std::string_view(kind) != "user") return;
  MakeAbsolute(value, "client-certificate", base);
  MakeAbsolute(value, "client-key", base);
  MakeAbsolute(value, "tokenFile", base);
  auto exec = value->find("exec");
  if (exec != value->end() && exec->is_object()) {
    auto command = exec->find("command");
    // Only commands with a '/' are paths; bare names are looked up in PATH.
    if (command != exec->end() && command->is_string() &&
        command->get<std::string>().find('/') != std::string::npos) {
      MakeAbsolute(&*exec, "command", base);
    }
  }
}

// Adds one file's clusters/users/contexts; names already present (from an earlier file) win.
Status MergeList(const yaml::Document& doc, const char* list, const char* kind,
                 std::map<std::string, KubeconfigEntry>* into) {
  auto it = doc.value.find(list);
  if (it == doc.value.end() || it->is_null()) return Status::Ok();
  std::string pointer = std::string("/") + list;
  if (!it->is_array()) {
    return doc.ErrorAt(pointer, std::string(list) + " must be a list; see `kubectl config view`")
        .Annotate("load kubeconfig");
  }
  fs::path base = fs::absolute(fs::path(doc.source)).parent_path();
  std::map<std::string, KubeconfigEntry> from_this_file;
  for (size_t i = 0; i < it->size(); ++i) {
    const json& item = (*it)[i];
    std::string item_pointer = pointer + "/" + std::to_string(i);
    auto name = item.is_object() ? item.find("name") : item.end();
    if (!item.is_object() || name == item.end() || !name->is_string()) {
      return doc.ErrorAt(item_pointer, std::string(list) + " entry has no name; add name: <name>")
          .Annotate("load kubeconfig");
    }
    KubeconfigEntry entry;
    entry.file = doc.source;
    entry.pointer = item_pointer + "/" + kind;
    auto body = item.find(kind);
    if (body != item.end() && !body->is_null()) {
      if (!body->is_object()) {
        return doc.ErrorAt(entry.pointer, std::string(kind) + " must be a mapping")
            .Annotate("load kubeconfig");
      }
      entry.value = *body;
    }
    ResolvePaths(kind, &entry.value, base);
    from_this_file[name->get<std::string>()] = std::move(entry);  // last one in a file wins
  }
  for (auto& [name, entry] : from_this_file) into->emplace(name, std::move(entry));
  return Status::Ok();
}

Status MergeFile(const std::string& path, std::string_view text, Kubeconfig* config) {
  auto parsed = yaml::Parse(text, path);
  if (!parsed.ok()) return parsed.status().Annotate("load kubeconfig");
  const yaml::Document& doc = *parsed;
  if (!doc.value.is_null() && !doc.value.is_object()) {
    return doc.ErrorAt("", "a kubeconfig must be a mapping (apiVersion: v1, kind: Config)")
        .Annotate("load kubeconfig");
  }
  config->files.push_back(path);
  if (doc.value.is_object()) {
    RETURN_IF_ERROR(MergeList(doc, "clusters", "cluster", &config->clusters));
    RETURN_IF_ERROR(MergeList(doc, "users", "user", &config->users));
    RETURN_IF_ERROR(MergeList(doc, "contexts", "context", &config->contexts));
    auto current = doc.value.find("current-context");
    if (current != doc.value.end() && !current->is_null()) {
      if (!current->is_string()) {
        return doc.ErrorAt("/current-context", "current-context must be a string")
            .Annotate("load kubeconfig");
      }
      if (config->current_context.empty() && !current->get<std::string>().empty()) {
        config->current_context = current->get<std::string>();
        config->current_context_file = path;
      }
    }
  }
  config->documents.emplace(path, doc);
  return Status::Ok();
}

}  // namespace

Environment ProcessEnvironment() {
  Environment env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string kv = *e;
    size_t eq = kv.find('=');
    if (eq != std::string::npos) env.emplace(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return env;
}

std::string Kubeconfig::Where(const KubeconfigEntry& entry, const std::string& key) const {
  auto doc = documents.find(entry.file);
  if (doc == documents.end()) return entry.file;
  // "exec.command" names a nested key: each dotted part is a pointer token.
  std::string pointer = entry.pointer;
  size_t start = 0;
  while (!key.empty()) {
    size_t dot = key.find('.', start);
    pointer += "/" + yaml::EscapePointerToken(key.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return doc->second.Where(pointer);
}

StatusOr<Kubeconfig> ParseKubeconfig(std::string_view text, const std::string& path) {
  Kubeconfig config;
  config.searched.push_back(path);
  RETURN_IF_ERROR(MergeFile(path, text, &config));
  return config;
}

StatusOr<Kubeconfig> LoadKubeconfig(const KubeconfigOptions& options) {
  Kubeconfig config;
  if (!options.kubeconfig.empty()) {
    config.searched.push_back(options.kubeconfig);
    auto text = ReadWholeFile(options.kubeconfig);
    if (!text.ok()) {
      return Status(text.status().code(), "load kubeconfig: --kubeconfig " +
                                              text.status().message() + "; pass an existing file");
    }
    RETURN_IF_ERROR(MergeFile(options.kubeconfig, *text, &config));
    return config;
  }
  auto env = options.env.find("KUBECONFIG");
  if (env != options.env.end() && !env->second.empty()) {
    config.searched = SplitList(env->second);
  } else if (auto home = options.env.find("HOME");
             home != options.env.end() && !home->second.empty()) {
    config.searched.push_back((fs::path(home->second) / ".kube" / "config").string());
  }
  for (const std::string& path : config.searched) {
    auto text = ReadWholeFile(path);
    if (!text.ok() && text.status().code() == Code::kNotFound) continue;  // as clientcmd
    if (!text.ok()) {
      return Status(text.status().code(), "load kubeconfig: " + text.status().message() +
                                              "; fix the file or remove it from KUBECONFIG");
    }
    RETURN_IF_ERROR(MergeFile(path, *text, &config));
  }
  return config;
}

}  // namespace vc::kube
