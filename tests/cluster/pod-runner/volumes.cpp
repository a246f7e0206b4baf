// SPDX-License-Identifier: Apache-2.0
#include "volumes.h"

#include <filesystem>
#include <fstream>

namespace vc::testing {

using nlohmann::json;
namespace fs = std::filesystem;

std::string PodDir(const std::string& root, const json& pod) {
  const auto& m = pod.at("metadata");
  return root + "/pods/" + m.value("namespace", "") + "/" + m.value("name", "") + "-" +
         m.value("uid", "");
}

std::string ClaimDir(const std::string& root, const json& claim) {
  return root + "/claims/" + claim["metadata"].value("uid", "");
}

namespace {

Status WriteFile(const std::string& path, const std::string& content) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream out(path, std::ios::trunc);
  out << content;
  return out.good() ? Status::Ok() : Internal("write " + path + ": failed");
}

Status Projected(kube::Client& client, const json& pod, const json& projected,
                 const std::string& dir) {
  const std::string ns = pod["metadata"].value("namespace", "");
  for (const auto& source : projected.value("sources", json::array())) {
    if (source.contains("serviceAccountToken")) {
      const auto& t = source["serviceAccountToken"];
      json request = {{"apiVersion", "authentication.k8s.io/v1"},
                      {"kind", "TokenRequest"},
                      {"spec",
                       {{"expirationSeconds", 86400},
                        {"boundObjectRef",
                         {{"apiVersion", "v1"},
                          {"kind", "Pod"},
                          {"name", pod["metadata"].value("name", "")},
                          {"uid", pod["metadata"].value("uid", "")}}}}}};
      if (t.contains("audience")) request["spec"]["audiences"] = {t["audience"]};
      kube::RawRequest raw;
      raw.method = "POST";
      raw.path = "/api/v1/namespaces/" + ns + "/serviceaccounts/" +
                 pod["spec"].value("serviceAccountName", "default") + "/token";
      raw.body = request.dump();
      ASSIGN_OR_RETURN(auto response, client.Raw(raw));
      auto answer = json::parse(response.body, nullptr, false);
      if (answer.is_discarded() || !answer.contains("status")) {
        return Internal("token request for pod " + ns + "/" + pod["metadata"].value("name", "") +
                        ": unexpected answer");
      }
      RETURN_IF_ERROR(
          WriteFile(dir + "/" + t.value("path", "token"), answer["status"].value("token", "")));
    } else if (source.contains("configMap")) {
      const auto& c = source["configMap"];
      ASSIGN_OR_RETURN(auto cm, client.Get(kube::resources::kConfigMaps, ns, c.value("name", "")));
      for (const auto& item : c.value("items", json::array())) {
        RETURN_IF_ERROR(WriteFile(dir + "/" + item.value("path", ""),
                                  cm["data"].value(item.value("key", ""), "")));
      }
    } else if (source.contains("downwardAPI")) {
      for (const auto& item : source["downwardAPI"].value("items", json::array())) {
        const std::string field = item.value("fieldRef", json::object()).value("fieldPath", "");
        std::string value = field == "metadata.namespace" ? ns
                            : field == "metadata.name"    ? pod["metadata"].value("name", "")
                                                          : "";
        RETURN_IF_ERROR(WriteFile(dir + "/" + item.value("path", ""), value));
      }
    }
  }
  return Status::Ok();
}

}  // namespace

StatusOr<std::map<std::string, std::string>> PrepareVolumes(kube::Client& client,
                                                            const std::string& root,
                                                            const json& pod) {
  std::map<std::string, std::string> dirs;
  const std::string ns = pod["metadata"].value("namespace", "");
  for (const auto& v : pod["spec"].value("volumes", json::array())) {
    const std::string name = v.value("name", "");
    std::string dir;
    if (v.contains("persistentVolumeClaim")) {
      ASSIGN_OR_RETURN(auto claim, client.Get(kube::resources::kPersistentVolumeClaims, ns,
                                              v["persistentVolumeClaim"].value("claimName", "")));
      dir = ClaimDir(root, claim);
    } else {
      dir = PodDir(root, pod) + "/volumes/" + name;
    }
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return Internal("create " + dir + ": " + ec.message());
    if (v.contains("projected")) {
      RETURN_IF_ERROR(Projected(client, pod, v["projected"], dir));
    } else if (!v.contains("persistentVolumeClaim") && !v.contains("emptyDir")) {
      return InvalidArgument("volume " + name + ": only persistentVolumeClaim, emptyDir and " +
                             "projected volumes are supported by the test pod runner");
    }
    dirs[name] = dir;
  }
  return dirs;
}

}  // namespace vc::testing
