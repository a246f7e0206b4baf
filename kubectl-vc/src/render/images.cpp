// SPDX-License-Identifier: Apache-2.0
// The control-plane images from the values (host_objects.h, ImagesFor).
#include <string>

#include "render/values_path.h"
#include "vc/cli/render/host_objects.h"

namespace vc::cli::render {
namespace {

using nlohmann::json;

struct ImageParts {
  std::string registry;  // "" for Docker Hub's short names
  std::string repository;
  std::string tag;

  std::string ToString() const {
    std::string out = registry.empty() ? repository : registry + "/" + repository;
    return tag.empty() ? out : out + ":" + tag;
  }
};

// "registry.k8s.io/kube-apiserver:v1.36.3" -> its parts. The first path segment is a registry
// when it has a dot or a port or is localhost, as container runtimes read it.
ImageParts Split(const std::string& image) {
  ImageParts p;
  std::string rest = image;
  const size_t slash = rest.find('/');
  if (slash != std::string::npos) {
    const std::string first = rest.substr(0, slash);
    if (first.find('.') != std::string::npos || first.find(':') != std::string::npos ||
        first == "localhost") {
      p.registry = first;
      rest = rest.substr(slash + 1);
    }
  }
  const size_t colon = rest.rfind(':');
  if (colon != std::string::npos && rest.find('/', colon) == std::string::npos) {
    p.tag = rest.substr(colon + 1);
    rest = rest.substr(0, colon);
  }
  p.repository = rest;
  return p;
}

std::string Resolve(const json& values, const char* image_path, const std::string& fallback,
                    const std::string& version_tag) {
  ImageParts p = Split(fallback);
  if (!version_tag.empty()) p.tag = version_tag;
  const std::string base = image_path;
  const std::string registry = String(values, (base + "/registry").c_str(), "");
  const std::string mirror = String(values, "/controlPlane/advanced/defaultImageRegistry", "");
  if (!registry.empty()) {
    p.registry = registry;
  } else if (!mirror.empty()) {
    p.registry = mirror;
  }
  const std::string repository = String(values, (base + "/repository").c_str(), "");
  if (!repository.empty()) p.repository = repository;
  const std::string tag = String(values, (base + "/tag").c_str(), "");
  if (!tag.empty()) p.tag = tag;
  return p.ToString();
}

}  // namespace

Images ImagesFor(const json& values, const Images& defaults) {
  const std::string version = String(values, "/controlPlane/distro/k8s/version", "");
  Images out;
  out.apiserver =
      Resolve(values, "/controlPlane/distro/k8s/apiServer/image", defaults.apiserver, version);
  out.controller_manager = Resolve(values, "/controlPlane/distro/k8s/controllerManager/image",
                                   defaults.controller_manager, version);
  out.scheduler =
      Resolve(values, "/controlPlane/distro/k8s/scheduler/image", defaults.scheduler, version);
  out.kine = Resolve(values, "/controlPlane/backingStore/kine/image", defaults.kine, "");
  out.syncer = Resolve(values, "/controlPlane/statefulSet/image", defaults.syncer, "");
  return out;
}

}  // namespace vc::cli::render
