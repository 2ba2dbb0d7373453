// Label matchers (as in Alertmanager: =, !=, =~, !~, regexes fully anchored, RE2 syntax)
// and the routing table that maps an alert's labels to receivers and grouping settings.
//
// Routing: routes are tried in order; the first whose matchers all match takes the alert
// and ends the search unless it has `continue: true`. When no route matched, the
// receiver of the root `route:` (if any) takes it. The root route's grouping settings are
// the defaults of every route.
// Thread-safety: immutable after parsing; safe to share.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include "core/status.h"

namespace vigil::alert {

using Labels = std::map<std::string, std::string>;

struct LabelMatcher {
  enum class Op { kEq, kNe, kRe, kNotRe };
  std::string name;
  Op op = Op::kEq;
  std::string value;
  std::shared_ptr<const RE2> re;  // kRe / kNotRe: `^(?:value)$`

  // A missing label matches as the empty string (Alertmanager's rule).
  bool Matches(const Labels& labels) const;
  // Back to the text form: name="value", name=~"regex".
  std::string ToString() const;
};

// Parses `name="value"`, `name!=value`, `name=~"re"`, `name!~re` (quotes optional;
// inside quotes \" and \\ escape). InvalidArgument names what is wrong.
Result<LabelMatcher> ParseMatcher(std::string_view text);
// Builds a matcher from its parts; InvalidArgument for a bad name or regex.
Result<LabelMatcher> MakeMatcher(std::string name, LabelMatcher::Op op, std::string value);
bool MatchAll(const std::vector<LabelMatcher>& matchers, const Labels& labels);

// How alerts that reach a receiver through a route are grouped and repeated.
struct GroupSettings {
  std::vector<std::string> group_by = {"alertname"};  // {"..."}: every label
  int64_t group_wait_ns = 30'000'000'000;
  int64_t group_interval_ns = 300'000'000'000;
  int64_t repeat_interval_ns = 4 * 3600'000'000'000;
};

struct Route {
  std::vector<LabelMatcher> matchers;
  std::string receiver;
  bool continue_matching = false;
  GroupSettings group;
};

class RoutingTable {
 public:
  // Reads `route:` (receiver, group_by, group_wait, group_interval, repeat_interval: the
  // fallback receiver and the defaults) and `routes:` of the `alerting:` node. Every
  // receiver named must be in `receivers`.
  static Result<RoutingTable> Parse(const YAML::Node& alerting,
                                    const std::vector<std::string>& receivers);

  // The routes that take an alert with these labels, in order (empty: none).
  std::vector<const Route*> Match(const Labels& labels) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
  std::unique_ptr<Route> default_route_;
};

// Group labels (the route's group_by values) and the group key naming the group within a
// receiver, e.g. `{alertname="http_5xx_rate",endpoint="/a"}`.
Labels GroupLabels(const GroupSettings& g, const Labels& labels);
std::string GroupKey(const Labels& group_labels);

}  // namespace vigil::alert
