// SPDX-License-Identifier: Apache-2.0
// Rights as the API server computes them (`kubectl auth can-i --list`), against a reviewed list
// in the tree (manifests/rights/*.txt). A reviewed list has sections "@NAME" of lines
// "RESOURCES NON-RESOURCE-URLS RESOURCE-NAMES VERBS" as kubectl prints them (whitespace runs
// collapsed); '#' starts a comment. A test compares one section with what it measured, so a
// right that appears (a new rule, a group binding on the host) fails until someone reviews it.
#pragma once

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace vc::testing {

// kubectl's table without its header, whitespace collapsed, sorted; every `from` replaced with
// its `to` (a tenant's name by NAME), so the list does not depend on the test's names.
inline std::vector<std::string> NormalizeRights(
    const std::string& table, const std::vector<std::pair<std::string, std::string>>& replace) {
  std::vector<std::string> out;
  std::istringstream in(table);
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (header) {
      header = false;
      if (line.rfind("Resources", 0) == 0) continue;
    }
    std::istringstream words(line);
    std::string word, joined;
    while (words >> word) joined += (joined.empty() ? "" : " ") + word;
    if (joined.empty()) continue;
    for (const auto& [from, to] : replace) {
      for (size_t at = joined.find(from); at != std::string::npos;
           at = joined.find(from, at + to.size())) {
        joined.replace(at, from.size(), to);
      }
    }
    out.push_back(joined);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());  // the same right, two bindings
  return out;
}

// Section `name` of a reviewed list with section "@everyone" (what every authenticated identity
// holds: discovery, health, self reviews) added, sorted.
inline std::vector<std::string> ReviewedRights(const std::string& file, const std::string& name) {
  std::ifstream in(file);
  std::vector<std::string> out;
  std::string line, section;
  while (std::getline(in, line)) {
    if (const auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
    if (line.empty()) continue;
    if (line.front() == '@') {
      section = line.substr(1);
    } else if (section == name || section == "everyone") {
      out.push_back(line);
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// What `measured` has beyond `reviewed` ("+ line") and lacks ("- line"), one per line.
inline std::string RightsDiff(const std::vector<std::string>& reviewed,
                              const std::vector<std::string>& measured) {
  std::string diff;
  for (const auto& l : measured) {
    if (!std::binary_search(reviewed.begin(), reviewed.end(), l)) diff += "+ " + l + "\n";
  }
  for (const auto& l : reviewed) {
    if (!std::binary_search(measured.begin(), measured.end(), l)) diff += "- " + l + "\n";
  }
  return diff;
}

}  // namespace vc::testing
