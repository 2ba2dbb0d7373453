#include "alert/template.h"

#include <cmath>
#include <cstdio>

namespace vigil::alert {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

constexpr std::string_view kLabelsPrefix = "labels.";

// The value of `name`, or nullptr when it is not a variable.
const std::string* Lookup(std::string_view name, const TemplateVars& v) {
  if (name == "value") return &v.value;
  if (name == "threshold") return &v.threshold;
  if (name == "rule" || name == "alarm") return &v.rule;
  if (name == "state") return &v.state;
  if (name == "instance") return &v.instance;
  if (name == "link") return &v.link;
  if (name.substr(0, kLabelsPrefix.size()) == kLabelsPrefix) {
    static const std::string kEmpty;
    auto it = v.labels.find(std::string(name.substr(kLabelsPrefix.size())));
    return it == v.labels.end() ? &kEmpty : &it->second;
  }
  return nullptr;
}

// Calls fn(literal text) and fn_var(variable name) in order; returns an error for an
// unclosed `{{`.
template <typename Lit, typename Var>
Status Walk(std::string_view text, Lit lit, Var var) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) {
      lit(text.substr(pos));
      break;
    }
    lit(text.substr(pos, open - pos));
    size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      return Status::InvalidArgument("unclosed '{{' at offset " + std::to_string(open));
    }
    RETURN_IF_ERROR(var(Trim(text.substr(open + 2, close - open - 2))));
    pos = close + 2;
  }
  return Status::OK();
}

}  // namespace

Status CheckTemplate(std::string_view text) {
  TemplateVars none;
  return Walk(
      text, [](std::string_view) {},
      [&](std::string_view name) -> Status {
        if (name.size() == kLabelsPrefix.size() && name == "labels.") {
          return Status::InvalidArgument("'{{ labels. }}' needs a label name");
        }
        if (Lookup(name, none) == nullptr) {
          return Status::InvalidArgument(
              "unknown template variable '" + std::string(name) +
              "' (known: value, threshold, rule, alarm, state, instance, link, labels.<name>)");
        }
        return Status::OK();
      });
}

std::string ExpandTemplate(std::string_view text, const TemplateVars& vars) {
  std::string out;
  Status s = Walk(
      text, [&](std::string_view lit) { out.append(lit); },
      [&](std::string_view name) {
        if (const std::string* v = Lookup(name, vars)) out += *v;
        return Status::OK();
      });
  (void)s;  // unclosed braces were rejected when the rule was read
  return out;
}

std::string FormatNumber(double v) {
  if (!std::isfinite(v)) return std::isnan(v) ? "NaN" : (v > 0 ? "+Inf" : "-Inf");
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    return std::to_string(static_cast<long long>(v));
  }
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.6g", v);
  return buf;
}

}  // namespace vigil::alert
