// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/translate/custom_resources.h"

#include <functional>
#include <regex>

namespace vc::syncer::translate {

using nlohmann::json;

namespace {

// "spec.tls[*].secretName" -> {"spec", "tls", "*", "secretName"}; empty on a path we cannot
// read (an empty segment, a bracket that is not "[*]").
std::vector<std::string> PathSegments(const std::string& path) {
  std::vector<std::string> out;
  std::string current;
  for (size_t i = 0; i < path.size(); ++i) {
    const char c = path[i];
    if (c == '.') {
      if (current.empty() && (out.empty() || out.back() != "*")) return {};
      if (!current.empty()) out.push_back(current);
      current.clear();
    } else if (c == '[') {
      if (path.compare(i, 3, "[*]") != 0) return {};
      if (!current.empty()) out.push_back(current);
      current.clear();
      out.emplace_back("*");
      i += 2;
    } else {
      current += c;
    }
  }
  if (!current.empty()) out.push_back(current);
  if (out.empty() || out.front() == "*") return {};
  return out;
}

// Calls `fn` on every value at `segments` under `node` (lists expanded at "*").
void ForEachAt(json* node, const std::vector<std::string>& segments, size_t i,
               const std::function<void(json*)>& fn) {
  if (i == segments.size()) {
    fn(node);
    return;
  }
  if (segments[i] == "*") {
    if (!node->is_array()) return;
    for (auto& element : *node) ForEachAt(&element, segments, i + 1, fn);
    return;
  }
  if (!node->is_object()) return;
  auto it = node->find(segments[i]);
  if (it == node->end()) return;
  ForEachAt(&*it, segments, i + 1, fn);
}

// The name a reference value holds: the string itself, or its name_path key.
json* NameIn(json* value, const ReferencePatch& ref) {
  if (ref.name_path.empty()) return value->is_string() ? value : nullptr;
  if (!value->is_object()) return nullptr;
  auto it = value->find(ref.name_path);
  return it != value->end() && it->is_string() ? &*it : nullptr;
}

void ForEachReference(json* object, const ReferencePatch& ref,
                      const std::function<void(json*)>& fn) {
  const auto segments = PathSegments(ref.path);
  if (segments.empty()) return;
  ForEachAt(object, segments, 0, [&](json* value) {
    if (json* name = NameIn(value, ref); name != nullptr && !name->get<std::string>().empty()) {
      fn(name);
    }
  });
}

}  // namespace

std::vector<CustomResourceSync> CustomResourcesFromValues(const json& section) {
  std::vector<CustomResourceSync> out;
  if (!section.is_object()) return out;
  for (const auto& [name, entry] : section.items()) {
    if (!entry.is_object() || !entry.value("enabled", false)) continue;
    CustomResourceSync sync{name, {}};
    const json patches = entry.value("patches", json::array());
    for (const auto& patch : patches.is_array() ? patches : json::array()) {
      if (!patch.is_object() || !patch.contains("reference") || !patch["reference"].is_object()) {
        continue;
      }
      const json& ref = patch["reference"];
      sync.references.push_back({patch.value("path", ""), ref.value("apiVersion", ""),
                                 ref.value("kind", ""), ref.value("namePath", "")});
    }
    out.push_back(std::move(sync));
  }
  return out;
}

Status CheckCustomResource(const CustomResourceSync& sync, const char* direction) {
  static const std::regex kName(
      R"([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+)");
  const std::string key = std::string("sync.") + direction + ".customResources";
  if (!std::regex_match(sync.name, kName)) {
    return InvalidArgument(key + " names \"" + sync.name +
                           "\", not PLURAL.GROUP of a custom resource (for example "
                           "certificates.cert-manager.io: kubectl get crd lists them)");
  }
  for (const auto& ref : sync.references) {
    if (PathSegments(ref.path).empty()) {
      return InvalidArgument(key + "." + sync.name + ".patches: path \"" + ref.path +
                             "\" is not a dotted path such as spec.secretName or "
                             "spec.tls[*].secretName");
    }
    if (ref.kind.empty()) {
      return InvalidArgument(key + "." + sync.name + ".patches: the reference at " + ref.path +
                             " names no kind (reference: {apiVersion: v1, kind: Secret})");
    }
  }
  return Status::Ok();
}

namespace {

const json* StorageVersion(const json& crd) {
  const json& spec = ObjectAt(crd, "spec");
  auto versions = spec.find("versions");
  if (versions == spec.end() || !versions->is_array()) return nullptr;
  for (const auto& v : *versions) {
    if (v.is_object() && v.value("storage", false)) return &v;
  }
  return nullptr;
}

}  // namespace

StatusOr<kube::Resource> CrdResource(const json& crd) {
  const json& spec = ObjectAt(crd, "spec");
  const json& names = ObjectAt(spec, "names");
  const json* version = StorageVersion(crd);
  const std::string name = ObjectAt(crd, "metadata").value("name", "");
  if (version == nullptr || !version->value("name", json()).is_string() ||
      names.value("plural", "").empty() || names.value("kind", "").empty()) {
    return InvalidArgument("CustomResourceDefinition " + name +
                           " has no storage version, plural or kind; it cannot be synced");
  }
  return kube::Resource{spec.value("group", ""), version->value("name", ""),
                        names.value("plural", ""), names.value("kind", ""),
                        spec.value("scope", "Namespaced") == "Namespaced"};
}

bool CrdHasStatusSubresource(const json& crd) {
  const json* version = StorageVersion(crd);
  return version != nullptr && ObjectAt(*version, "subresources").contains("status");
}

json VirtualCrd(const json& host_crd) {
  json spec = ObjectAt(host_crd, "spec");
  // A webhook would be a host Service the virtual API server cannot reach; one stored version
  // needs no conversion.
  if (spec.contains("conversion")) spec["conversion"] = {{"strategy", "None"}};
  return {{"apiVersion", "apiextensions.k8s.io/v1"},
          {"kind", "CustomResourceDefinition"},
          {"metadata",
           {{"name", ObjectAt(host_crd, "metadata").value("name", "")},
            {"labels", {{"kubectl-vc.dev/from-host", "true"}}}}},
          {"spec", spec}};
}

json TranslateCustomResource(const json& v, const Tenant& tenant, const CustomResourceSync& sync) {
  json out = v;
  for (const char* key : {"metadata", "status"}) out.erase(key);
  out["metadata"] = HostMetadata(v, tenant);
  const std::string ns = ObjectAt(v, "metadata").value("namespace", "");
  for (const auto& ref : sync.references) {
    ForEachReference(&out, ref, [&](json* name) {
      *name = HostName(name->get<std::string>(), ns, tenant.name);
    });
  }
  return out;
}

std::vector<std::string> ReferencedNames(const json& v, const CustomResourceSync& sync,
                                         const std::string& kind) {
  std::vector<std::string> out;
  json copy = v;
  for (const auto& ref : sync.references) {
    if (ref.kind != kind || (ref.api_version != "v1" && !ref.api_version.empty())) continue;
    ForEachReference(&copy, ref, [&](json* name) { out.push_back(name->get<std::string>()); });
  }
  return out;
}

json ImportedObject(const json& host_object, const std::string& ns, const std::string& name) {
  json out = {
      {"apiVersion", "v1"},
      {"kind", host_object.value("kind", "Secret")},
      {"metadata",
       {{"name", name},
        {"namespace", ns},
        {"labels", {{"kubectl-vc.dev/from-host", "true"}}},
        {"annotations", {{kImportedFrom, ObjectAt(host_object, "metadata").value("name", "")}}}}}};
  for (const char* key : {"data", "binaryData", "type", "immutable"}) {
    if (host_object.contains(key)) out[key] = host_object[key];
  }
  return out;
}

}  // namespace vc::syncer::translate
