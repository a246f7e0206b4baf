// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/kubelet/kubelet_request.h"

#include <vector>

#include "vc/kube/resource.h"
#include "vc/utf8.h"

namespace vc::syncer::kubelet {

namespace {

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t end = s.find(sep, start);
    out.emplace_back(
        s.substr(start, end == std::string_view::npos ? s.size() - start : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Go's url.QueryUnescape: '+' is a space, %XX a byte; a bad escape is an error.
StatusOr<std::string> QueryUnescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%') {
      const int hi = i + 1 < s.size() ? HexDigit(s[i + 1]) : -1;
      const int lo = i + 2 < s.size() ? HexDigit(s[i + 2]) : -1;
      if (hi < 0 || lo < 0) return InvalidArgument("kubelet: bad escape in the query");
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// The query as (name, value) pairs, values unescaped.
StatusOr<std::vector<std::pair<std::string, std::string>>> QueryPairs(const std::string& query) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& pair : Split(query, '&')) {
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    ASSIGN_OR_RETURN(std::string key, QueryUnescape(std::string_view(pair).substr(0, eq)));
    ASSIGN_OR_RETURN(
        std::string value,
        QueryUnescape(eq == std::string::npos ? "" : std::string_view(pair).substr(eq + 1)));
    out.emplace_back(std::move(key), std::move(value));
  }
  return out;
}

// The kubelet's PodLogOptions query parameters; anything else is not relayed.
bool IsLogOption(const std::string& key) {
  for (const char* k : {"follow", "previous", "sinceSeconds", "sinceTime", "timestamps",
                        "tailLines", "limitBytes", "stream"}) {
    if (key == k) return true;
  }
  return false;
}

// A DNS-1123 label (at most 63) or subdomain (at most 253): what the API server allows as a
// namespace, pod or container name. Anything else never came from a real object.
bool IsDnsName(const std::string& s, size_t max, bool dots) {
  if (s.empty() || s.size() > max) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    const bool edge = i == 0 || i + 1 == s.size() || (dots && (s[i - 1] == '.' || s[i + 1] == '.'));
    if (alnum) continue;
    if (edge) return false;
    if (c != '-' && !(dots && c == '.')) return false;
  }
  return true;
}

// A TCP port in decimal, 1 to 65535, without sign or leading zeros.
bool IsPort(const std::string& s) {
  if (s.empty() || s.size() > 5 || s[0] == '0') return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return std::stoi(s) <= 65535;
}

}  // namespace

StatusOr<KubeletRequest> ParseKubeletTarget(std::string_view target) {
  const size_t q = target.find('?');
  const std::string path(target.substr(0, q));
  // The path as messages quote it: the client's bytes, shortened, non-UTF-8 bytes as \xNN.
  const std::string shown = utf8::Escape(utf8::Truncate(path, 200));
  KubeletRequest r;
  const auto parts = Split(path, '/');  // "", verb, ns, pod, ...
  if (parts.size() < 4 || !parts[0].empty()) return NotFound("kubelet: no such path " + shown);
  const std::string& verb = parts[1];
  r.ns = parts[2];
  r.pod = parts[3];
  if (verb == "containerLogs" && parts.size() == 5) {
    r.verb = KubeletVerb::kLogs;
    r.container = parts[4];
  } else if ((verb == "exec" || verb == "attach") && (parts.size() == 5 || parts.size() == 6)) {
    r.verb = verb == "exec" ? KubeletVerb::kExec : KubeletVerb::kAttach;
    r.container = parts.back();  // /exec/ns/pod/uid/container carries the uid before it
  } else if (verb == "portForward" && (parts.size() == 4 || parts.size() == 5)) {
    r.verb = KubeletVerb::kPortForward;
  } else {
    return NotFound("kubelet: no such path " + shown);
  }
  if (r.ns.empty() || r.pod.empty()) return NotFound("kubelet: no such path " + shown);
  if (!IsDnsName(r.ns, 63, false) || !IsDnsName(r.pod, 253, true) ||
      (r.verb != KubeletVerb::kPortForward && !IsDnsName(r.container, 63, false))) {
    return InvalidArgument("kubelet: " + shown +
                           " names no namespace, pod and container the API server allows");
  }
  ASSIGN_OR_RETURN(
      auto pairs,
      QueryPairs(q == std::string_view::npos ? std::string() : std::string(target.substr(q + 1))));
  // The host pod API's own names, unescaped here and escaped again by HostTarget: nothing the
  // client wrote reaches the host's request line as it was written.
  for (auto& [key, value] : pairs) {
    const bool on = value == "1" || value == "true";
    if (r.verb == KubeletVerb::kLogs) {
      if (IsLogOption(key)) r.options.emplace_back(key, value);
    } else if (r.verb == KubeletVerb::kPortForward) {
      // kubelet's websocket port-forward names its ports in the query (`port=80,8080` or
      // repeated; SPDY names them per stream instead); the pod API's option is `ports`.
      if (key != "port") continue;
      for (const std::string& port : Split(value, ',')) {
        if (!IsPort(port)) {
          return InvalidArgument("kubelet: port-forward port \"" +
                                 utf8::Escape(utf8::Truncate(port, 20)) +
                                 "\" is not a number from 1 to 65535");
        }
        r.options.emplace_back("ports", port);
      }
    } else {
      if (key == "command") {
        r.options.emplace_back(key, value);
      } else if (on && (key == "input" || key == "output" || key == "error" || key == "tty")) {
        // kubelet's stream flags (input/output/error=1) as the pod API's (stdin/stdout/stderr=true)
        r.options.emplace_back(key == "input"    ? "stdin"
                               : key == "output" ? "stdout"
                               : key == "error"  ? "stderr"
                                                 : "tty",
                               "true");
      }
    }
  }
  return r;
}

std::string HostTarget(const KubeletRequest& r, const translate::Tenant& tenant) {
  const std::string host_pod = translate::HostName(r.pod, r.ns, tenant.name);
  const char* sub = r.verb == KubeletVerb::kLogs     ? "log"
                    : r.verb == KubeletVerb::kExec   ? "exec"
                    : r.verb == KubeletVerb::kAttach ? "attach"
                                                     : "portforward";
  std::string target =
      kube::ResourcePath(kube::resources::kPods, tenant.host_namespace, host_pod, sub);
  std::string query;
  if (r.verb != KubeletVerb::kPortForward) query = "container=" + kube::QueryEscape(r.container);
  for (const auto& [key, value] : r.options) {
    query += (query.empty() ? "" : "&") + key + "=" + kube::QueryEscape(value);
  }
  return query.empty() ? target : target + "?" + query;
}

bool IsRelayedHeader(std::string_view name) {
  std::string lower(name);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* h : {"upgrade", "x-stream-protocol-version", "sec-websocket-key",
                        "sec-websocket-version", "sec-websocket-protocol",
                        "sec-websocket-extensions", "user-agent", "accept", "accept-encoding"}) {
    if (lower == h) return true;
  }
  return false;
}

size_t ChunkedBodyEndSplit(std::string_view data) {
  constexpr std::string_view kEnd = "\r\n0\r\n\r\n";
  if (data.size() <= kEnd.size() || data.substr(data.size() - kEnd.size()) != kEnd) {
    return data.size();
  }
  return data.size() - kEnd.size() + 2;  // after the data chunk's own CRLF
}

}  // namespace vc::syncer::kubelet
