// SPDX-License-Identifier: Apache-2.0
// Editing one kubeconfig file (kubectl vc connect adds a context; disconnect removes it).
// Only the named entries change; every other entry is written back as it was read (comments
// and key order are not kept, as with kubectl config). Writes are atomic (temp file + rename),
// mode 0600, under an flock on FILE.lock so concurrent kubectl-vc runs do not lose updates.
//
//   RETURN_IF_ERROR(UpdateKubeconfigFile(path, [&](KubeconfigFile* f) {
//     f->SetCluster("vc-dev", {{"server", url}, {"certificate-authority-data", ca}});
//     f->SetUser("vc-dev", {{"token", token}});
//     f->SetContext("vc-dev", {{"cluster", "vc-dev"}, {"user", "vc-dev"}});
//     f->SetCurrentContext("vc-dev");
//     return Status::Ok();
//   }));
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "vc/status.h"

namespace vc::cli::connect {

class KubeconfigFile {
 public:
  // An empty Config (apiVersion v1, kind Config, empty lists).
  KubeconfigFile();
  // Reads `path`; a missing file gives an empty Config (it will be created on Save).
  static StatusOr<KubeconfigFile> Load(const std::string& path);
  static StatusOr<KubeconfigFile> Parse(const std::string& text, const std::string& source);

  // Adds or replaces the entry `name` (value is what goes under cluster:/user:/context:).
  void SetCluster(const std::string& name, nlohmann::json cluster);
  void SetUser(const std::string& name, nlohmann::json user);
  void SetContext(const std::string& name, nlohmann::json context);
  // False when there was no such entry.
  bool RemoveCluster(const std::string& name);
  bool RemoveUser(const std::string& name);
  bool RemoveContext(const std::string& name);
  // "" removes current-context.
  void SetCurrentContext(const std::string& name);
  std::string current_context() const;

  const nlohmann::json& document() const { return doc_; }
  std::string Render() const;  // YAML text

  // Writes atomically with mode 0600, creating the directory (0755) if needed. Takes the lock;
  // use UpdateKubeconfigFile for a read-modify-write.
  Status Save(const std::string& path) const;

 private:
  void Set(const char* list, const char* field, const std::string& name, nlohmann::json value);
  bool Remove(const char* list, const std::string& name);

  nlohmann::json doc_;
};

// Locks FILE.lock, loads FILE, applies `edit`, writes FILE back (only when edit returns ok).
Status UpdateKubeconfigFile(const std::string& path,
                            const std::function<Status(KubeconfigFile*)>& edit);

}  // namespace vc::cli::connect
