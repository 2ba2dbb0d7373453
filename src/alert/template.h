// Label and annotation templates: `{{ value }}`, `{{ labels.endpoint }}`, `{{ link }}`.
//
// Variables: value (the deciding number, "" without one), threshold, rule (alias alarm),
// state, instance, link (the rule's query over the alarm's window) and labels.<name>
// (empty when the instance has no such label). Anything else is an error when the rule
// is read, so a typo never reaches a notification.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vigil::alert {

struct TemplateVars {
  std::string value;
  std::string threshold;
  std::string rule;
  std::string state;
  std::string instance;
  std::string link;
  std::map<std::string, std::string> labels;
};

// OK when every `{{ ... }}` in `text` names a known variable and is closed; otherwise
// InvalidArgument saying which. Thread-safe.
Status CheckTemplate(std::string_view text);

// `text` with each variable replaced. REQUIRES: CheckTemplate(text).ok() (unknown
// variables expand to nothing).
std::string ExpandTemplate(std::string_view text, const TemplateVars& vars);

// A number as templates and history show it: integers without a decimal point, others
// with up to 6 significant decimals ("1.5", "0.333333").
std::string FormatNumber(double v);

}  // namespace vigil::alert
