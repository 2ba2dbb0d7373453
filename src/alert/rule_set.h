// RuleSet: the rules in force = shipped defaults + config-file rules + API rules, kept in
// step with the evaluator. API rules are persisted in state.db (AlarmStore); a name may
// be defined in only one place (config/default or API), so that a reload never silently
// replaces a rule someone created through the API.
//
// Thread-safety: all methods are thread-safe.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "alert/alarm_store.h"
#include "alert/evaluator.h"
#include "alert/rules.h"
#include "server/thread_annotations.h"

namespace vigil::alert {

class RuleSet {
 public:
  // `store` and `evaluator` must outlive the RuleSet.
  // `check` (may be null) validates queries of API rules (rules.h ParseRule).
  RuleSet(AlarmStore& store, Evaluator& evaluator, std::function<int64_t()> now_ns,
          std::function<void(std::string_view)> log, const QueryOptions* check);

  // Start-up: reads the API rules from the store (a stored rule that no longer parses is
  // logged and skipped) and applies `config`. InvalidArgument on a name conflict.
  Status Start(AlertingConfig config);
  // InvalidArgument when `config` defines a name an API rule has (what Reload would
  // refuse), without changing anything.
  Status Check(const AlertingConfig& config);
  // A new config file. InvalidArgument on a name conflict; the old rules stay then.
  Status Reload(AlertingConfig config);

  // Creates (`create_only`: AlreadyExists when it exists) or replaces the API rule in
  // `body` (YAML or JSON). `path_name`, when not empty, is the name from the URL: the body
  // may omit the name or must repeat it. Errors: InvalidArgument for a bad rule,
  // AlreadyExists (409) for a name the config file or a default owns.
  Result<Rule> Put(const std::string& body, std::string_view path_name, bool create_only);
  // NotFound when no rule has the name; AlreadyExists when the config file owns it.
  Status Delete(const std::string& name);

 private:
  Status ApplyLocked(const AlertingConfig& config, const std::map<std::string, Rule>& api);
  static Status CheckNames(const AlertingConfig& config, const std::map<std::string, Rule>& api);

  AlarmStore& store_;
  Evaluator& evaluator_;
  std::function<int64_t()> now_ns_;
  std::function<void(std::string_view)> log_;
  const QueryOptions* check_;
  std::mutex mu_;
  AlertingConfig config_ GUARDED_BY(mu_);
  std::map<std::string, Rule> api_ GUARDED_BY(mu_);
};

}  // namespace vigil::alert
