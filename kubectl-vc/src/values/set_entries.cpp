// SPDX-License-Identifier: Apache-2.0
// --set parsing, following helm's strvals where we support the same syntax, so an entry means
// the same to `kubectl vc create` as to `helm install`.
#include "vc/cli/values/set_entries.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>

#include "vc/utf8.h"
#include "vc/yaml.h"

namespace vc::cli::values {
namespace {

// Lists in values are short; a large index is a typo that would allocate a huge list of nulls.
constexpr size_t kMaxIndex = 1024;

// helm's typedVal: booleans and null case-insensitively, integers unless they start with 0.
nlohmann::json TypedValue(const std::string& text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "true") return true;
  if (lower == "false") return false;
  if (lower == "null") return nullptr;
  if (text == "0") return 0;
  if (!text.empty() && text[0] != '0') {
    std::string_view digits(text);
    if (digits[0] == '+') digits.remove_prefix(1);  // Go's ParseInt accepts a sign
    int64_t number = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
    if (ec == std::errc() && end == digits.data() + digits.size() && !digits.empty()) {
      return number;
    }
  }
  return text;
}

class EntryParser {
 public:
  explicit EntryParser(const std::string& entry) : entry_(entry) {}

  StatusOr<std::vector<SetAssignment>> Parse() {
    if (entry_.empty()) return Fail("empty entry; expected key=value");
    // Values end up in JSON, which holds only UTF-8 text.
    if (size_t bad = utf8::FirstInvalid(entry_); bad != std::string::npos) {
      return Fail("byte " + std::to_string(bad + 1) +
                  " is not valid UTF-8; pass text in UTF-8 (check the shell's locale)");
    }
    std::vector<SetAssignment> out;
    while (pos_ <= entry_.size()) {
      start_ = pos_;
      SetAssignment assignment;
      RETURN_IF_ERROR(ParsePath(assignment));
      std::string value;
      RETURN_IF_ERROR(ReadUntilComma(value));
      assignment.text = entry_.substr(start_, pos_ - start_);
      assignment.value = TypedValue(value);
      out.push_back(std::move(assignment));
      if (pos_ == entry_.size()) break;
      ++pos_;  // the comma
      if (pos_ == entry_.size()) return Fail("trailing comma; escape it as \\, in a value");
    }
    return out;
  }

 private:
  Status Fail(const std::string& cause) const {
    return InvalidArgument("--set " + utf8::Escape(entry_) + ": " + cause);
  }

  Status ParsePath(SetAssignment& assignment) {
    std::string key;
    bool have_key = false;  // distinguishes `a..b` (empty key) from `a[0].b`
    for (;;) {
      if (pos_ == entry_.size() || entry_[pos_] == ',') {
        return Fail("missing = after " + entry_.substr(start_, pos_ - start_) +
                    "; expected key=value");
      }
      char c = entry_[pos_++];
      if (c == '\\') {
        if (pos_ == entry_.size()) return Fail("trailing backslash");
        key += entry_[pos_++];
        have_key = true;
      } else if (c == '.' || c == '=') {
        // A dot or = without a key before it is only fine right after an index: a[0].b, a[0]=.
        const bool after_index =
            !assignment.path.empty() && assignment.path.back().is_index && entry_[pos_ - 2] == ']';
        if (have_key) {
          assignment.path.push_back({key, false, 0});
        } else if (!after_index) {
          return Fail("empty key in path");
        }
        key.clear();
        have_key = false;
        if (c == '=') return Status::Ok();
      } else if (c == '[') {
        if (have_key)
          assignment.path.push_back({key, false, 0});
        else if (assignment.path.empty())
          return Fail("a list index needs a key before it");
        key.clear();
        have_key = false;
        RETURN_IF_ERROR(ParseIndex(assignment));
      } else {
        key += c;
        have_key = true;
      }
    }
  }

  Status ParseIndex(SetAssignment& assignment) {
    size_t close = entry_.find(']', pos_);
    if (close == std::string::npos) return Fail("missing ] after list index");
    std::string_view digits(entry_.data() + pos_, close - pos_);
    size_t index = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
      return Fail("list index \"" + std::string(digits) + "\" is not a number");
    }
    if (index > kMaxIndex) {
      return Fail("list index " + std::to_string(index) + " is larger than " +
                  std::to_string(kMaxIndex));
    }
    pos_ = close + 1;
    if (pos_ < entry_.size() && entry_[pos_] != '.' && entry_[pos_] != '[' && entry_[pos_] != '=') {
      return Fail("expected ., [ or = after ]");
    }
    assignment.path.push_back({std::to_string(index), true, index});
    return Status::Ok();
  }

  Status ReadUntilComma(std::string& value) {
    while (pos_ < entry_.size() && entry_[pos_] != ',') {
      if (entry_[pos_] == '\\') {
        if (++pos_ == entry_.size()) return Fail("trailing backslash");
      }
      value += entry_[pos_++];
    }
    return Status::Ok();
  }

  const std::string& entry_;
  size_t pos_ = 0;
  size_t start_ = 0;  // where the current assignment began
};

}  // namespace

StatusOr<std::vector<SetAssignment>> ParseSetEntry(const std::string& entry) {
  return EntryParser(entry).Parse();
}

StatusOr<std::vector<std::string>> ApplySetAssignment(const SetAssignment& assignment,
                                                      nlohmann::json& values) {
  if (assignment.path.empty()) return InvalidArgument("--set " + assignment.text + ": empty key");
  std::vector<std::string> touched;
  nlohmann::json* node = &values;
  std::string pointer;
  for (size_t i = 0; i < assignment.path.size(); ++i) {
    const SetAssignment::Segment& segment = assignment.path[i];
    const bool leaf = i + 1 == assignment.path.size();
    // As in helm, whatever is in the way of the path is replaced by the container it needs.
    if (segment.is_index && !node->is_array()) {
      *node = nlohmann::json::array();
      touched.push_back(pointer);
    } else if (!segment.is_index && !node->is_object()) {
      *node = nlohmann::json::object();
      touched.push_back(pointer);
    }
    pointer += "/" + yaml::EscapePointerToken(segment.key);
    if (leaf && assignment.value.is_null() && !segment.is_index) {
      node->erase(segment.key);  // null deletes, so the default applies again
      touched.push_back(pointer);
      return touched;
    }
    nlohmann::json* child = nullptr;
    if (segment.is_index) {
      while (node->size() <= segment.index) node->push_back(nullptr);
      child = &(*node)[segment.index];
    } else {
      if (!node->contains(segment.key)) touched.push_back(pointer);
      child = &(*node)[segment.key];
    }
    if (leaf) {
      *child = assignment.value;
      if (touched.empty() || touched.back() != pointer) touched.push_back(pointer);
    }
    node = child;
  }
  return touched;
}

}  // namespace vc::cli::values
