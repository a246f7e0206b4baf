// SPDX-License-Identifier: Apache-2.0
#include "vc/cli/snapshot/store.h"

namespace vc::cli::snapshot {
namespace {

Status Bad(const std::string& url, const std::string& why) {
  return InvalidArgument("snapshot location \"" + url + "\": " + why +
                         "\nuse oci://REGISTRY/REPOSITORY:TAG, s3://BUCKET/KEY, file:///PATH or "
                         "container:///data/PATH");
}

}  // namespace

StatusOr<Location> ParseLocation(const std::string& url) {
  Location l;
  l.url = url;
  const auto sep = url.find("://");
  if (sep == std::string::npos) return Bad(url, "no scheme");
  const std::string scheme = url.substr(0, sep);
  const std::string rest = url.substr(sep + 3);
  if (scheme == "oci") {
    l.scheme = Location::Scheme::kOci;
    const auto slash = rest.find('/');
    if (slash == std::string::npos || slash == 0)
      return Bad(url, "no registry host and repository");
    l.registry = rest.substr(0, slash);
    std::string repo = rest.substr(slash + 1);
    if (const auto at = repo.find('@'); at != std::string::npos) {
      l.reference = repo.substr(at + 1);
      repo = repo.substr(0, at);
      if (l.reference.rfind("sha256:", 0) != 0) return Bad(url, "a digest must be sha256:HEX");
    } else if (const auto colon = repo.rfind(':');
               colon != std::string::npos && repo.find('/', colon) == std::string::npos) {
      l.reference = repo.substr(colon + 1);
      repo = repo.substr(0, colon);
    } else {
      l.reference = "latest";
    }
    if (repo.empty()) return Bad(url, "no repository");
    for (char c : repo) {
      if (!(std::islower(static_cast<unsigned char>(c)) ||
            std::isdigit(static_cast<unsigned char>(c)) || c == '/' || c == '.' || c == '_' ||
            c == '-')) {
        return Bad(url, "a repository is lower-case letters, digits and . _ - /");
      }
    }
    l.repository = repo;
    return l;
  }
  if (scheme == "s3") {
    l.scheme = Location::Scheme::kS3;
    const auto slash = rest.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == rest.size()) {
      return Bad(url, "want a bucket and an object key");
    }
    l.bucket = rest.substr(0, slash);
    l.key = rest.substr(slash + 1);
    return l;
  }
  if (scheme == "file" || scheme == "container") {
    l.scheme = scheme == "file" ? Location::Scheme::kFile : Location::Scheme::kContainer;
    if (rest.empty() || rest[0] != '/') return Bad(url, "want an absolute path (three slashes)");
    l.path = rest;
    if (l.scheme == Location::Scheme::kContainer &&
        (l.path.rfind("/data/", 0) != 0 || l.path.size() <= 6 ||
         l.path.find("/../") != std::string::npos)) {
      return Bad(url, "a path inside the pod must be under /data (its only persistent volume)");
    }
    return l;
  }
  return Bad(url, "unknown scheme " + scheme);
}

StatusOr<std::unique_ptr<SnapshotStore>> OpenStore(const Location& location,
                                                   const StoreOptions& options) {
  switch (location.scheme) {
    case Location::Scheme::kOci:
      return NewOciStore(location, options);
    case Location::Scheme::kS3:
      return NewS3Store(location, options);
    case Location::Scheme::kFile:
      return NewFileStore(location.path);
    case Location::Scheme::kContainer:
      return InvalidArgument(location.url +
                             ": only the control-plane pod reads container:// "
                             "snapshots (kubectl vc restore NAME URL)");
  }
  return Internal("unknown scheme");
}

}  // namespace vc::cli::snapshot
