// SPDX-License-Identifier: Apache-2.0
// The kubelet relay's view of a request from the virtual API server (kubelet_server.cpp):
// Boost.Beast's request_parser reads the head with the relay's limit, then ParseKubeletTarget
// and HostTarget rewrite the target, and IsRelayedHeader picks the fields passed on. The whole
// input is also tried as a target on its own, so the fuzzer need not build a request first.
// Invariants: the host target is one token of a request line (no space, CR, LF, NUL or
// non-ASCII) under the tenant's pod path; relayed fields hold no CR, LF or NUL.
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.h"
#include "vc/syncer/kubelet/kubelet_request.h"

namespace {

namespace beast = boost::beast;
namespace http = beast::http;

constexpr size_t kMaxHead = 32 * 1024;  // as kubelet_server.cpp

void CheckTarget(std::string_view target) {
  auto request = vc::syncer::kubelet::ParseKubeletTarget(target);
  vc::fuzz::CheckStatus(request.status(), "ParseKubeletTarget error");
  if (!request.ok()) return;
  const vc::syncer::translate::Tenant tenant{"tenant-a", "vcluster-tenant-a", "high"};
  const std::string host = vc::syncer::kubelet::HostTarget(*request, tenant);
  vc::fuzz::Check(host.rfind("/api/v1/namespaces/vcluster-tenant-a/pods/", 0) == 0,
                  "host target outside the tenant's pods", host);
  for (unsigned char c : host) {
    vc::fuzz::Check(c > 0x20 && c < 0x7f, "host target holds a byte a request line cannot",
                    vc::utf8::Escape(host));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vc::fuzz::QuietLogs();
  CheckTarget(std::string_view(reinterpret_cast<const char*>(data), size));

  http::request_parser<http::empty_body> parser;
  parser.header_limit(kMaxHead);
  // Fed as async_read_header feeds it: the bytes received so far (arriving in pieces), again
  // after each piece while Beast needs more.
  beast::error_code ec;
  size_t used = 0;      // consumed by the parser
  size_t buffered = 0;  // received and not consumed
  while (!parser.is_header_done()) {
    if (used + buffered == size) break;  // the client sent nothing more
    buffered += std::min<size_t>(size - used - buffered, 1 + data[used + buffered] % 512);
    ec = {};
    const size_t n = parser.put(boost::asio::buffer(data + used, buffered), ec);
    used += n;
    buffered -= n;
    if (ec && ec != http::error::need_more) break;
  }
  if (ec || !parser.is_header_done()) return 0;
  const auto& head = parser.get();
  CheckTarget(std::string_view(head.target().data(), head.target().size()));
  for (const auto& field : head) {
    const auto name = field.name_string();
    if (!vc::syncer::kubelet::IsRelayedHeader(std::string_view(name.data(), name.size()))) continue;
    for (char c : std::string_view(name.data(), name.size())) {
      vc::fuzz::Check(c != '\r' && c != '\n' && c != '\0' && c != ':', "relayed field name");
    }
    const auto value = field.value();
    for (char c : std::string_view(value.data(), value.size())) {
      vc::fuzz::Check(c != '\r' && c != '\n' && c != '\0', "relayed field value");
    }
  }
  return 0;
}
