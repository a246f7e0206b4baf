// SPDX-License-Identifier: Apache-2.0
// Where each part of the merged values was last written, so that errors found after merging
// (a bad --set, a contradiction between two files) still point at a file line or a --set entry.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "vc/yaml.h"

namespace vc::cli::values::internal {

class ValueOrigins {
 public:
  // The subtree at `pointer` now comes from `doc`: forget what was recorded under it and take
  // the document's own positions there.
  void ReplaceFrom(const std::string& pointer, const yaml::Document& doc);
  // Only the node itself (an object both layers hold keeps its children's origins).
  void Touch(const std::string& pointer, const yaml::Document& doc);
  // The subtree at `pointer` now comes from `where` (e.g. "--set a.b=c").
  void ReplaceWith(const std::string& pointer, const std::string& where);
  void Erase(const std::string& pointer);

  // The origin of `pointer` or of its closest recorded ancestor; "values" when none is.
  std::string Where(std::string_view pointer) const;

 private:
  void EraseSubtree(const std::string& pointer);
  std::map<std::string, std::string> where_;
};

}  // namespace vc::cli::values::internal
