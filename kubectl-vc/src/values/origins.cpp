// SPDX-License-Identifier: Apache-2.0
#include "values/origins.h"

namespace vc::cli::values::internal {
namespace {

bool InSubtree(const std::string& candidate, const std::string& root) {
  if (root.empty()) return true;
  return candidate.compare(0, root.size(), root) == 0 &&
         (candidate.size() == root.size() || candidate[root.size()] == '/');
}

}  // namespace

void ValueOrigins::EraseSubtree(const std::string& pointer) {
  // Pointers under `pointer` sort right after it ('/' is the smallest character they add),
  // but a sibling such as "/ab" also sorts after "/a": filter with InSubtree, stop at the first
  // key that no longer shares the prefix.
  auto it = where_.lower_bound(pointer);
  while (it != where_.end() && it->first.compare(0, pointer.size(), pointer) == 0) {
    it = InSubtree(it->first, pointer) ? where_.erase(it) : std::next(it);
  }
}

void ValueOrigins::ReplaceFrom(const std::string& pointer, const yaml::Document& doc) {
  EraseSubtree(pointer);
  for (auto it = doc.positions.lower_bound(pointer); it != doc.positions.end(); ++it) {
    if (it->first.compare(0, pointer.size(), pointer) != 0) break;
    if (InSubtree(it->first, pointer)) where_[it->first] = doc.Where(it->first);
  }
}

void ValueOrigins::Touch(const std::string& pointer, const yaml::Document& doc) {
  where_[pointer] = doc.Where(pointer);
}

void ValueOrigins::ReplaceWith(const std::string& pointer, const std::string& where) {
  EraseSubtree(pointer);
  where_[pointer] = where;
}

void ValueOrigins::Erase(const std::string& pointer) { EraseSubtree(pointer); }

std::string ValueOrigins::Where(std::string_view pointer) const {
  std::string p(pointer);
  for (;;) {
    if (auto it = where_.find(p); it != where_.end()) return it->second;
    if (p.empty()) return "values";
    const size_t slash = p.rfind('/');
    p.resize(slash == std::string::npos ? 0 : slash);
  }
}

}  // namespace vc::cli::values::internal
