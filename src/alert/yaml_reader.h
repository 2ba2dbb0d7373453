// Typed reads of the `alerting:` YAML for the notification settings. Every error is
// InvalidArgument and names the setting's path and line, e.g.
//   "alerting.receivers[0].webhook.url (line 7): expected a string".
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/status.h"

namespace vigil::alert {

Status YamlError(const YAML::Node& node, std::string_view path, std::string_view what);
Result<std::string> YamlString(const YAML::Node& node, std::string_view path);
Result<bool> YamlBool(const YAML::Node& node, std::string_view path);
// A duration such as "30s", "5m", "1h" (rules.h ParseDuration) in ns; at least `min_ns`.
Result<int64_t> YamlDuration(const YAML::Node& node, std::string_view path, int64_t min_ns = 0);
// A list of strings (a single string is a list of one).
Result<std::vector<std::string>> YamlStrings(const YAML::Node& node, std::string_view path);
Result<std::map<std::string, std::string>> YamlStringMap(const YAML::Node& node, std::string_view path);
// InvalidArgument when `map` is not a map or has a key outside `allowed`.
Status YamlCheckKeys(const YAML::Node& map, std::string_view path,
                     std::initializer_list<std::string_view> allowed);

}  // namespace vigil::alert
