// SPDX-License-Identifier: Apache-2.0
#include "vc/kube/resource.h"

namespace vc::kube {
namespace {

bool Unreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

void AppendPercent(std::string* out, unsigned char c) {
  static const char* kHex = "0123456789ABCDEF";
  out->push_back('%');
  out->push_back(kHex[c >> 4]);
  out->push_back(kHex[c & 0xF]);
}

}  // namespace

std::string GroupVersionPath(const Resource& r) {
  return r.group.empty() ? "/api/" + r.version : "/apis/" + r.group + "/" + r.version;
}

std::string ResourcePath(const Resource& r, std::string_view ns, std::string_view name,
                         std::string_view subresource) {
  std::string path = GroupVersionPath(r);
  if (r.namespaced && !ns.empty()) path += "/namespaces/" + PathEscape(ns);
  path += "/" + r.resource;
  if (!name.empty()) {
    path += "/" + PathEscape(name);
    if (!subresource.empty()) path += "/" + PathEscape(subresource);
  }
  return path;
}

std::string PercentEncode(std::string_view s, std::string_view keep) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~' || (c != 0 && keep.find(ch) != std::string_view::npos)) {
      out.push_back(ch);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string QueryEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (Unreserved(c)) {
      out.push_back(static_cast<char>(c));
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      AppendPercent(&out, c);
    }
  }
  return out;
}

std::string PathEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    // Go's url.PathEscape keeps these sub-delimiters; a '/' must never split a segment.
    if (Unreserved(c) || c == ':' || c == '@' || c == '&' || c == '=' || c == '+' || c == '$') {
      out.push_back(static_cast<char>(c));
    } else {
      AppendPercent(&out, c);
    }
  }
  return out;
}

std::string EncodeQuery(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out;
  for (const auto& [key, value] : params) {
    if (value.empty()) continue;
    out += out.empty() ? "?" : "&";
    out += QueryEscape(key) + "=" + QueryEscape(value);
  }
  return out;
}

}  // namespace vc::kube
