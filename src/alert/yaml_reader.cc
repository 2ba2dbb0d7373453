#include "alert/yaml_reader.h"

#include "alert/rules.h"

namespace vigil::alert {

Status YamlError(const YAML::Node& node, std::string_view path, std::string_view what) {
  std::string msg(path);
  const YAML::Mark mark = node.Mark();
  if (mark.line >= 0) msg += " (line " + std::to_string(mark.line + 1) + ")";
  msg += ": ";
  msg += what;
  return Status::InvalidArgument(std::move(msg));
}

Result<std::string> YamlString(const YAML::Node& node, std::string_view path) {
  if (!node.IsScalar()) return YamlError(node, path, "expected a string");
  return node.Scalar();
}

Result<bool> YamlBool(const YAML::Node& node, std::string_view path) {
  if (node.IsScalar()) {
    const std::string& s = node.Scalar();
    if (s == "true" || s == "yes" || s == "on") return true;
    if (s == "false" || s == "no" || s == "off") return false;
  }
  return YamlError(node, path, "expected true or false");
}

Result<int64_t> YamlDuration(const YAML::Node& node, std::string_view path, int64_t min_ns) {
  if (!node.IsScalar()) return YamlError(node, path, "expected a duration such as 30s or 5m");
  Result<int64_t> d = ParseDuration(node.Scalar());
  if (!d.ok()) return YamlError(node, path, d.status().message());
  if (*d < min_ns) return YamlError(node, path, "is shorter than the minimum");
  return d;
}

Result<std::vector<std::string>> YamlStrings(const YAML::Node& node, std::string_view path) {
  std::vector<std::string> out;
  if (node.IsScalar()) {
    out.push_back(node.Scalar());
    return out;
  }
  if (!node.IsSequence()) return YamlError(node, path, "expected a list of strings");
  for (const YAML::Node& item : node) {
    if (!item.IsScalar()) return YamlError(item, path, "expected a list of strings");
    out.push_back(item.Scalar());
  }
  return out;
}

Result<std::map<std::string, std::string>> YamlStringMap(const YAML::Node& node,
                                                         std::string_view path) {
  if (!node.IsMap()) return YamlError(node, path, "expected a map of strings");
  std::map<std::string, std::string> out;
  for (const auto& kv : node) {
    if (!kv.second.IsScalar()) {
      return YamlError(kv.second, std::string(path) + "." + kv.first.Scalar(), "expected a string");
    }
    out[kv.first.Scalar()] = kv.second.Scalar();
  }
  return out;
}

Status YamlCheckKeys(const YAML::Node& map, std::string_view path,
                     std::initializer_list<std::string_view> allowed) {
  if (!map.IsMap()) return YamlError(map, path, "expected a map");
  for (const auto& kv : map) {
    const std::string& key = kv.first.Scalar();
    bool known = false;
    for (std::string_view a : allowed) known = known || key == a;
    if (!known) {
      std::string list;
      for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      return YamlError(kv.first, std::string(path) + "." + key, "unknown setting (expected one of " + list + ")");
    }
  }
  return Status::OK();
}

}  // namespace vigil::alert
