// SPDX-License-Identifier: Apache-2.0
// Kubeconfigs that carry everything inline (CA, client certificate and key as *-data), so a
// kubeconfig is one self-contained file or Secret value that works wherever it is copied.
// Pure: values in, document out.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace vc::syncer::init {

struct KubeconfigSpec {
  std::string name;    // the cluster, user and context entry, and current-context
  std::string server;  // https://127.0.0.1:PORT
  std::string ca_pem;
  std::string client_certificate_pem;
  std::string client_key_pem;
};

// The `kind: Config` document.
nlohmann::json RenderKubeconfig(const KubeconfigSpec& spec);
// The same as YAML text (what kubectl writes), ending with a newline.
std::string RenderKubeconfigYaml(const KubeconfigSpec& spec);

}  // namespace vc::syncer::init
