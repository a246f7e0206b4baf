// SPDX-License-Identifier: Apache-2.0
#include "vc/cli/lifecycle/version_skew.h"

#include <cctype>
#include <string>

namespace vc::cli::lifecycle {
namespace {

constexpr int kOlderMinorsAllowed = 3;

std::optional<int> Number(std::string_view s, size_t* at) {
  size_t i = *at;
  int n = 0;
  const size_t start = i;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) && i - start < 6) {
    n = n * 10 + (s[i] - '0');
    ++i;
  }
  if (i == start) return std::nullopt;
  *at = i;
  return n;
}

std::string Name(const MinorVersion& v) {
  return "v" + std::to_string(v.major) + "." + std::to_string(v.minor);
}

}  // namespace

std::optional<MinorVersion> ParseMinorVersion(std::string_view version) {
  size_t at = (!version.empty() && version[0] == 'v') ? 1 : 0;
  auto major = Number(version, &at);
  if (!major || at >= version.size() || version[at] != '.') return std::nullopt;
  ++at;
  auto minor = Number(version, &at);
  if (!minor) return std::nullopt;
  if (at < version.size() && version[at] != '.' && version[at] != '-' && version[at] != '+') {
    return std::nullopt;
  }
  return MinorVersion{*major, *minor};
}

Status CheckVersionSkew(std::string_view host_version, std::string_view virtual_version,
                        std::string_view virtual_source) {
  auto host = ParseMinorVersion(host_version);
  if (!host) {
    return FailedPrecondition("the host's API server reports version \"" +
                              std::string(host_version) +
                              "\", which is not a Kubernetes version; the virtual cluster's "
                              "version cannot be checked against it");
  }
  auto virt = ParseMinorVersion(virtual_version);
  if (!virt) {
    return InvalidArgument(std::string(virtual_source) + " is \"" + std::string(virtual_version) +
                           "\", which names no Kubernetes version, so its skew from the host (" +
                           Name(*host) +
                           ") cannot be checked\nset controlPlane.distro.k8s.version to the "
                           "version the images run, e.g. v" +
                           std::to_string(host->major) + "." + std::to_string(host->minor) + ".0");
  }
  const std::string rule =
      "a virtual cluster may run the host's Kubernetes minor version or up to " +
      std::to_string(kOlderMinorsAllowed) +
      " older, never a newer one: the host's API server admits its pods and the host's kubelets "
      "run them";
  if (virt->major != host->major || virt->minor > host->minor) {
    return InvalidArgument(std::string(virtual_source) + " is " + Name(*virt) +
                           ", newer than the host's " + Name(*host) + "; " + rule + "\nuse " +
                           Name(*host) + " or older (controlPlane.distro.k8s.version)");
  }
  if (host->minor - virt->minor > kOlderMinorsAllowed) {
    return InvalidArgument(std::string(virtual_source) + " is " + Name(*virt) + ", " +
                           std::to_string(host->minor - virt->minor) +
                           " minor versions older than the host's " + Name(*host) + "; " + rule +
                           "\nuse " + Name({host->major, host->minor - kOlderMinorsAllowed}) +
                           " or newer (controlPlane.distro.k8s.version)");
  }
  return Status::Ok();
}

Status CheckUpgradeStep(std::string_view from, std::string_view to, std::string_view name) {
  const std::string cluster(name);
  auto old_version = ParseMinorVersion(from);
  if (!old_version) {
    return FailedPrecondition("the Kubernetes version virtual cluster " + cluster +
                              " runs cannot be read (its kube-apiserver image tag is \"" +
                              std::string(from) +
                              "\"), so the step to the new one cannot be checked\nset "
                              "controlPlane.distro.k8s.version to the version it runs");
  }
  auto new_version = ParseMinorVersion(to);
  if (!new_version) {
    return InvalidArgument(
        "\"" + std::string(to) + "\" names no Kubernetes version; give one such as v" +
        std::to_string(old_version->major) + "." + std::to_string(old_version->minor + 1) + ".0");
  }
  if (new_version->major != old_version->major || new_version->minor < old_version->minor) {
    return FailedPrecondition(
        "virtual cluster " + cluster + " runs " + std::string(from) + "; going back to " +
        std::string(to) +
        " is not supported: the newer API server may have stored objects in versions the older "
        "one cannot read\nto go back, restore a snapshot taken before the upgrade (kubectl vc "
        "create " +
        cluster + " --restore URL)");
  }
  if (new_version->minor > old_version->minor + 1) {
    return FailedPrecondition(
        "virtual cluster " + cluster + " runs " + std::string(from) + "; " + std::string(to) +
        " is " + std::to_string(new_version->minor - old_version->minor) +
        " minor versions on, and Kubernetes upgrades one minor version at a time\nupgrade to " +
        Name({old_version->major, old_version->minor + 1}) + " first (kubectl vc upgrade " +
        cluster + " --version " + Name({old_version->major, old_version->minor + 1}) + ".N)");
  }
  return Status::Ok();
}

}  // namespace vc::cli::lifecycle
