// SPDX-License-Identifier: Apache-2.0
// Benchmark (not pass/fail) of kubectl vc snapshot and restore against a local OCI registry
// (docker-registry on loopback), for a virtual cluster whose state.db is ~200 MB:
//   - snapshot MB/s (state.db bytes / wall time of `kubectl vc snapshot`, which includes the
//     online SQLite backup in the pod, the port-forward, verification on this side and the
//     chunked upload), against `curl` uploading the same bytes (a copy of state.db) as one
//     monolithic blob PUT;
//   - restore MB/s (state.db bytes / wall time of `kubectl vc restore` up to the streamed,
//     verified staging in the pod, then the pod restart and wait, reported separately as total),
//     against `curl` downloading the blob;
//   - peak RSS of kubectl-vc during both (streaming: it must not grow with the snapshot).
// State.db bytes, not archive bytes: since format 2 the archive is zstd-compressed, so the
// same work moves fewer archive bytes (the "streaming only" rows are the progress meter's
// archive bytes). The padding is random, so it does not compress: a worst case for the ratio.
// The 200 MB are real SQLite pages: a padding table of random blobs written into the pod's
// state.db next to kine's table (kine ignores it), because writing 200 MB through the API
// would measure the apiserver, not the snapshot.
// Needs VC_TEST_CLUSTER_DIR, VC_CLUSTER_BIN_DIR and VC_KUBECTL_VC_BIN (tests/bench/run sets them).
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"

namespace {

using vc::bench::ChildRun;
using vc::bench::Env;
using vc::bench::Row;
using vc::bench::RunChild;

constexpr int kPaddingMiB = 200;

std::string Capture(const std::string& command) {
  std::string out;
  if (FILE* p = popen(command.c_str(), "r")) {
    char buf[4096];
    for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    pclose(p);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

// The transfer summary kubectl-vc prints on stderr ("  restore: 200.5 MiB in 2.4s (83.6
// MiB/s)"): the streaming part alone, without connecting, the pod restart and the wait.
double StreamedMiBs(const std::string& stderr_file, const std::string& what) {
  std::ifstream in(stderr_file);
  std::string line;
  double rate = 0;
  while (std::getline(in, line)) {
    const auto at = line.find("  " + what + ": ");
    const auto paren = line.find(" in ");
    const auto open = line.find('(', paren == std::string::npos ? 0 : paren);
    if (at == 0 && paren != std::string::npos && open != std::string::npos) {
      rate = std::atof(line.c_str() + open + 1);
    }
  }
  return rate;
}

double FileMiB(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 ? st.st_size / 1048576.0 : 0;
}

}  // namespace

int main() {
  const std::string dir = Env("VC_TEST_CLUSTER_DIR");
  const std::string vc = Env("VC_KUBECTL_VC_BIN");
  const std::string kubectl = Env("VC_CLUSTER_BIN_DIR") + "/kubectl";
  if (dir.empty() || vc.empty() || access("/usr/bin/docker-registry", X_OK) != 0) {
    std::fprintf(stderr,
                 "bench_snapshot: needs VC_TEST_CLUSTER_DIR, VC_KUBECTL_VC_BIN and "
                 "/usr/bin/docker-registry (make bench)\n");
    return 1;
  }
  char pattern[] = "/tmp/vc-bench-snap.XXXXXX";
  const std::string home = mkdtemp(pattern);
  std::filesystem::create_directories(home + "/.kube");
  const std::string kubeconfig = home + "/.kube/config";
  system(("'" + kubectl + "' config view --flatten --raw --kubeconfig '" + dir +
          "/kubeconfig' > '" + kubeconfig + "'")
             .c_str());
  const std::vector<std::pair<std::string, std::string>> env = {
      {"HOME", home},
      {"KUBECONFIG", kubeconfig},
      {"VC_STATE_DIR", home + "/.kube/vc"},
      {"KUBECTL_PATH", kubectl},
      {"PATH", std::filesystem::path(kubectl).parent_path().string() + ":" + Env("PATH")}};

  // The registry.
  const std::string port = Capture(
      "python3 -c 'import socket; s=socket.socket(); "
      "s.bind((\"127.0.0.1\",0)); print(s.getsockname()[1])'");
  const std::string registry = "127.0.0.1:" + port;
  std::ofstream(home + "/registry.yml")
      << "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: " << home
      << "/registry\nhttp:\n  addr: " << registry << "\n";
  const pid_t registry_pid = fork();
  if (registry_pid == 0) {
    if (!freopen((home + "/registry.log").c_str(), "w", stderr) ||
        !freopen((home + "/registry.log").c_str(), "a", stdout)) {
      _exit(127);
    }
    execl("/usr/bin/docker-registry", "docker-registry", "serve", (home + "/registry.yml").c_str(),
          nullptr);
    _exit(127);
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));

  const std::string name = "bench-snap";
  auto cleanup = [&] {
    RunChild({vc, "delete", name, "--wait", "--timeout", "90s"}, env);
    kill(registry_pid, SIGTERM);
    waitpid(registry_pid, nullptr, 0);
    std::filesystem::remove_all(home);
  };
  if (RunChild({vc, "create", name, "--connect=false"}, env).exit_code != 0 ||
      RunChild({kubectl, "wait", "--for=condition=ready", "pod/" + name + "-0", "-n",
                "vcluster-" + name, "--timeout=120s"},
               env)
              .exit_code != 0) {
    std::fprintf(stderr, "bench_snapshot: create failed\n");
    cleanup();
    return 1;
  }
  std::this_thread::sleep_for(std::chrono::seconds(3));
  // The pod's /data is the claim's directory (the pod runner provisions hostPath volumes).
  const std::string pv =
      Capture("'" + kubectl + "' --kubeconfig '" + kubeconfig + "' get pvc -n vcluster-" + name +
              " -o jsonpath='{.items[0].spec.volumeName}'");
  const std::string data = Capture("'" + kubectl + "' --kubeconfig '" + kubeconfig + "' get pv " +
                                   pv + " -o jsonpath='{.spec.hostPath.path}'");
  const std::string db = data + "/state.db";
  const std::string pad = "sqlite3 -cmd '.timeout 30000' '" + db +
                          "' \"CREATE TABLE bench_padding(b BLOB); "
                          "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c LIMIT " +
                          std::to_string(kPaddingMiB) +
                          ") INSERT INTO bench_padding SELECT randomblob(1048576) FROM c;\"";
  if (data.empty() || system(pad.c_str()) != 0) {
    std::fprintf(stderr, "bench_snapshot: could not grow %s\n", db.c_str());
    cleanup();
    return 1;
  }
  const std::string copy = home + "/state-copy.db";
  system(("sqlite3 -cmd '.timeout 30000' '" + db + "' \".backup '" + copy + "'\"").c_str());
  const double db_mib = FileMiB(copy);
  std::fprintf(stderr, "bench_snapshot: state.db %.1f MiB\n", db_mib);

  // Baseline: curl uploads the same bytes as one blob.
  const std::string digest = "sha256:" + Capture("sha256sum '" + copy + "' | cut -d' ' -f1");
  const std::string location = Capture("curl -si -X POST http://" + registry +
                                       "/v2/bench/curl/blobs/uploads/ | tr -d '\\r' | "
                                       "sed -n 's/^[Ll]ocation: //p'");
  const std::string put_url =
      location + (location.find('?') == std::string::npos ? "?" : "&") + "digest=" + digest;
  ChildRun curl_up =
      RunChild({"curl", "-sf", "-o", "/dev/null", "-T", copy,
                (location.rfind("http", 0) == 0 ? "" : "http://" + registry) + put_url});
  ChildRun curl_down = RunChild(
      {"curl", "-sf", "-o", "/dev/null", "http://" + registry + "/v2/bench/curl/blobs/" + digest});

  const std::string url = "oci://" + registry + "/bench/snap:v1";
  // exec: the shell becomes kubectl-vc, so the peak RSS measured is kubectl-vc's.
  auto logged = [&](std::vector<std::string> argv, const std::string& log) {
    argv.insert(argv.begin(), {"/bin/sh", "-c", "exec \"$0\" \"$@\" 2>'" + log + "'"});
    return argv;
  };
  ChildRun snap =
      RunChild(logged({vc, "snapshot", name, url, "--plain-http"}, home + "/snap.err"), env);
  // The archive's size is the layer's: what was pushed.
  const std::string layer_bytes = Capture(
      "curl -s -H 'Accept: application/vnd.oci.image.manifest.v1+json' http://" + registry +
      "/v2/bench/snap/manifests/v1 | python3 -c 'import json,sys; print(json.load(sys.stdin)"
      "[\"layers\"][0][\"size\"])'");
  const double archive_mib = std::atof(layer_bytes.c_str()) / 1048576.0;
  ChildRun restore = RunChild(
      logged({vc, "restore", name, url, "--plain-http", "--timeout", "3m"}, home + "/restore.err"),
      env);
  const std::string key = home + "/bench.key";
  std::ofstream(key) << std::string(64, 'b');
  ChildRun snap_enc = RunChild({vc, "snapshot", name, "oci://" + registry + "/bench/snap:enc",
                                "--plain-http", "--encryption-key-file", key},
                               env);
  if (snap.exit_code != 0 || restore.exit_code != 0 || curl_up.exit_code != 0 ||
      snap_enc.exit_code != 0) {
    std::fprintf(stderr,
                 "bench_snapshot: a run failed (snapshot %d, restore %d, encrypted %d, "
                 "curl %d)\n",
                 snap.exit_code, restore.exit_code, snap_enc.exit_code, curl_up.exit_code);
  }
  const double curl_up_mbs = db_mib / curl_up.seconds;
  Row("snapshot.upload.ratio", "snapshot " + std::to_string(kPaddingMiB) + "MB state.db -> oci",
      db_mib / snap.seconds, "MiB/s", "curl upload", curl_up_mbs);
  Row("snapshot.upload_encrypted.ratio", "snapshot encrypted (AES-256-GCM) -> oci",
      db_mib / snap_enc.seconds, "MiB/s", "curl upload", curl_up_mbs);
  Row("snapshot.download.ratio", "restore oci -> pod, incl. restart+ready",
      db_mib / restore.seconds, "MiB/s", "curl download", db_mib / curl_down.seconds);
  Row("snapshot.upload_streaming.ratio", "snapshot streaming only (pod -> oci)",
      StreamedMiBs(home + "/snap.err", "snapshot"), "MiB/s", "curl upload", curl_up_mbs);
  Row("snapshot.download_streaming.ratio", "restore streaming only (oci -> pod, staged)",
      StreamedMiBs(home + "/restore.err", "restore"), "MiB/s", "curl download",
      db_mib / curl_down.seconds);
  Row("snapshot.upload.rss_mib", "snapshot peak RSS kubectl-vc", snap.peak_rss_mib, "MiB", "-", 0);
  Row("snapshot.download.rss_mib", "restore peak RSS kubectl-vc", restore.peak_rss_mib, "MiB", "-",
      0);
  Row("snapshot.size.ratio", "snapshot archive size", archive_mib, "MiB", "state.db copy", db_mib);
  cleanup();
  return 0;
}
