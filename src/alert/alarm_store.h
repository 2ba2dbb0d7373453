// AlarmStore: the evaluator's persistent state in state.db (SQLite):
//   alert_instances  one row per alarm instance: its group labels and InstanceState
//                    (state, since, pending and firing timers, last breach, last value);
//   alert_history    state changes and mutes, newest kept (kHistoryPerRule per rule);
//   alert_rules      rules created through the API, as YAML text (rules.h RuleToYaml).
// Every evaluation pass writes its changes in one transaction, so a restart resumes from
// the last complete pass.
//
// Thread-safety: all methods are thread-safe (the StateDb connection's mutex).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "alert/alarm_state.h"
#include "core/status.h"
#include "state/state_db.h"

namespace vigil::alert {

struct StoredInstance {
  std::string rule;
  std::string instance;  // "" for a rule without groups
  std::map<std::string, std::string> group_labels;
  InstanceState st;
};

struct HistoryEntry {
  int64_t at_ns = 0;
  std::string rule;
  std::string instance;
  std::string event;  // state_change, silenced, rule_removed, error
  std::string state;
  std::string previous;
  std::optional<double> value;
  std::string detail;
};

struct ApiRuleRow {
  std::string name;
  std::string yaml;
  int64_t updated_ns = 0;
};

class AlarmStore {
 public:
  static constexpr int kHistoryPerRule = 5000;

  // Opens (creating the tables unless read_only) the store in the SQLite file `path`.
  // Errors: IOError/Corruption from SQLite; NotFound for a read-only open of a missing file.
  static Result<std::unique_ptr<AlarmStore>> Open(const std::string& path, bool read_only);

  // Every instance of every rule.
  Result<std::vector<StoredInstance>> LoadInstances();
  // One pass's changes, atomically: instances written (inserted or replaced), instances
  // removed, history appended.
  Status Commit(const std::vector<StoredInstance>& upserts,
                const std::vector<std::pair<std::string, std::string>>& removed,
                const std::vector<HistoryEntry>& history);
  // The newest `limit` history entries of `rule`, newest first.
  Result<std::vector<HistoryEntry>> History(const std::string& rule, int limit);

  Result<std::vector<ApiRuleRow>> LoadApiRules();
  Status PutApiRule(const std::string& name, const std::string& yaml, int64_t now_ns);
  // NotFound when there is no API rule `name`.
  Status DeleteApiRule(const std::string& name);

 private:
  explicit AlarmStore(std::unique_ptr<StateDb> db) : db_(std::move(db)) {}
  Status TrimHistory(const std::string& rule);
  std::unique_ptr<StateDb> db_;
};

// Labels as a JSON object text and back (the column format of alert_instances.labels).
std::string LabelsToJson(const std::map<std::string, std::string>& labels);
std::map<std::string, std::string> LabelsFromJson(const std::string& json);

}  // namespace vigil::alert
