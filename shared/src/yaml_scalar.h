// SPDX-License-Identifier: Apache-2.0
// How a plain (unquoted, untagged) YAML scalar is typed: go-yaml v2's resolver, which is what
// Kubernetes (sigs.k8s.io/yaml) uses. Shared by the parser, which types scalars, and the
// emitter, which must quote any string that would read back as something else.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

namespace vc::yaml::internal {

// The value a plain scalar stands for, or nullopt when it is a string. May be a non-finite
// float (.inf, .nan); the caller decides what to do with those.
std::optional<nlohmann::json> ResolvePlain(std::string_view text);

// Typed as an explicit tag asks (`!!int 5`); nullopt when the text cannot be that type.
// `tag` is the long form, e.g. "tag:yaml.org,2002:int".
std::optional<nlohmann::json> ResolveTagged(std::string_view tag, std::string_view text);

// True for texts that start like a YAML 1.1 timestamp (2024-01-02...). Kubernetes keeps those
// as strings, but other YAML readers do not, so the emitter quotes them (kubectl does too).
bool LooksLikeTimestamp(std::string_view text);

}  // namespace vc::yaml::internal
