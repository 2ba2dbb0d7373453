#include "alert/alarm_store.h"

#include <yaml-cpp/yaml.h>

#include "server/json_writer.h"

namespace vigil::alert {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS alert_instances(
  rule TEXT NOT NULL, instance TEXT NOT NULL, labels TEXT NOT NULL, state TEXT NOT NULL,
  since_ns INTEGER NOT NULL, pending_since_ns INTEGER NOT NULL, firing_since_ns INTEGER NOT NULL,
  last_breach_ns INTEGER NOT NULL, value REAL, last_eval_ns INTEGER NOT NULL,
  last_data_ns INTEGER NOT NULL,
  PRIMARY KEY(rule, instance));
CREATE TABLE IF NOT EXISTS alert_history(
  id INTEGER PRIMARY KEY AUTOINCREMENT, rule TEXT NOT NULL, instance TEXT NOT NULL,
  at_ns INTEGER NOT NULL, event TEXT NOT NULL, state TEXT NOT NULL, previous TEXT NOT NULL,
  value REAL, detail TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS alert_history_rule ON alert_history(rule, id);
CREATE TABLE IF NOT EXISTS alert_rules(
  name TEXT PRIMARY KEY, spec TEXT NOT NULL, updated_ns INTEGER NOT NULL);
)sql";

void BindValue(Statement& st, int i, const std::optional<double>& v) {
  if (v) {
    st.Bind(i, *v);
  } else {
    st.BindNull(i);
  }
}

std::optional<double> OptDouble(const Statement& st, int col) {
  if (st.IsNull(col)) return std::nullopt;
  return st.Double(col);
}

AlarmState StateFromName(const std::string& s) {
  for (AlarmState a : {AlarmState::kOk, AlarmState::kPending, AlarmState::kAlarm}) {
    if (s == AlarmStateName(a)) return a;
  }
  return AlarmState::kInsufficientData;
}

Status InsertHistory(StateDb& db, const std::vector<HistoryEntry>& history) {
  if (history.empty()) return Status::OK();
  ASSIGN_OR_RETURN(Statement st, db.Prepare(
      "INSERT INTO alert_history(rule, instance, at_ns, event, state, previous, value, detail) "
      "VALUES(?, ?, ?, ?, ?, ?, ?, ?)"));
  for (const HistoryEntry& h : history) {
    st.Bind(1, h.rule).Bind(2, h.instance).Bind(3, h.at_ns).Bind(4, h.event).Bind(5, h.state);
    st.Bind(6, h.previous).Bind(8, h.detail);
    BindValue(st, 7, h.value);
    RETURN_IF_ERROR(st.Run());
  }
  return Status::OK();
}

Status UpsertInstances(StateDb& db, const std::vector<StoredInstance>& upserts) {
  if (upserts.empty()) return Status::OK();
  ASSIGN_OR_RETURN(Statement st, db.Prepare(
      "INSERT OR REPLACE INTO alert_instances(rule, instance, labels, state, since_ns, "
      "pending_since_ns, firing_since_ns, last_breach_ns, value, last_eval_ns, last_data_ns) "
      "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  for (const StoredInstance& i : upserts) {
    st.Bind(1, i.rule).Bind(2, i.instance).Bind(3, LabelsToJson(i.group_labels));
    st.Bind(4, AlarmStateName(i.st.state)).Bind(5, i.st.since_ns).Bind(6, i.st.pending_since_ns);
    st.Bind(7, i.st.firing_since_ns).Bind(8, i.st.last_breach_ns).Bind(10, i.st.last_eval_ns);
    st.Bind(11, i.st.last_data_ns);
    BindValue(st, 9, i.st.value);
    RETURN_IF_ERROR(st.Run());
  }
  return Status::OK();
}

}  // namespace

std::string LabelsToJson(const std::map<std::string, std::string>& labels) {
  JsonWriter w;
  w.BeginObject();
  for (const auto& [k, v] : labels) {
    w.Key(k);
    w.String(v);
  }
  w.EndObject();
  return w.Take();
}

std::map<std::string, std::string> LabelsFromJson(const std::string& json) {
  std::map<std::string, std::string> out;
  try {
    YAML::Node n = YAML::Load(json);
    for (const auto& kv : n) out[kv.first.Scalar()] = kv.second.Scalar();
  } catch (const YAML::Exception&) {
    out.clear();  // written by LabelsToJson; unreadable only if edited by hand
  }
  return out;
}

Result<std::unique_ptr<AlarmStore>> AlarmStore::Open(const std::string& path, bool read_only) {
  ASSIGN_OR_RETURN(std::unique_ptr<StateDb> db, StateDb::Open(path, read_only));
  if (!read_only) RETURN_IF_ERROR(db->Exec(kSchema));
  return std::unique_ptr<AlarmStore>(new AlarmStore(std::move(db)));
}

Result<std::vector<StoredInstance>> AlarmStore::LoadInstances() {
  std::vector<StoredInstance> out;
  RETURN_IF_ERROR(db_->Locked([&]() -> Status {
    ASSIGN_OR_RETURN(Statement st, db_->Prepare(
        "SELECT rule, instance, labels, state, since_ns, pending_since_ns, firing_since_ns, "
        "last_breach_ns, value, last_eval_ns, last_data_ns FROM alert_instances ORDER BY rule, instance"));
    for (;;) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      StoredInstance i;
      i.rule = st.Text(0);
      i.instance = st.Text(1);
      i.group_labels = LabelsFromJson(st.Text(2));
      i.st.state = StateFromName(st.Text(3));
      i.st.since_ns = st.Int(4);
      i.st.pending_since_ns = st.Int(5);
      i.st.firing_since_ns = st.Int(6);
      i.st.last_breach_ns = st.Int(7);
      i.st.value = OptDouble(st, 8);
      i.st.last_eval_ns = st.Int(9);
      i.st.last_data_ns = st.Int(10);
      out.push_back(std::move(i));
    }
    return Status::OK();
  }));
  return out;
}

Status AlarmStore::Commit(const std::vector<StoredInstance>& upserts,
                          const std::vector<std::pair<std::string, std::string>>& removed,
                          const std::vector<HistoryEntry>& history) {
  if (upserts.empty() && removed.empty() && history.empty()) return Status::OK();
  return db_->Transaction([&]() -> Status {
    RETURN_IF_ERROR(UpsertInstances(*db_, upserts));
    if (!removed.empty()) {
      ASSIGN_OR_RETURN(Statement st,
                       db_->Prepare("DELETE FROM alert_instances WHERE rule = ? AND instance = ?"));
      for (const auto& [rule, instance] : removed) {
        st.Bind(1, rule).Bind(2, instance);
        RETURN_IF_ERROR(st.Run());
      }
    }
    RETURN_IF_ERROR(InsertHistory(*db_, history));
    std::map<std::string, bool> rules;
    for (const HistoryEntry& h : history) rules[h.rule] = true;
    for (const auto& [rule, unused] : rules) RETURN_IF_ERROR(TrimHistory(rule));
    return Status::OK();
  });
}

Status AlarmStore::TrimHistory(const std::string& rule) {
  ASSIGN_OR_RETURN(Statement st, db_->Prepare(
      "DELETE FROM alert_history WHERE rule = ?1 AND id <= (SELECT id FROM alert_history "
      "WHERE rule = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)"));
  st.Bind(1, rule).Bind(2, int64_t{kHistoryPerRule});
  return st.Run();
}

Result<std::vector<HistoryEntry>> AlarmStore::History(const std::string& rule, int limit) {
  std::vector<HistoryEntry> out;
  RETURN_IF_ERROR(db_->Locked([&]() -> Status {
    ASSIGN_OR_RETURN(Statement st, db_->Prepare(
        "SELECT at_ns, instance, event, state, previous, value, detail FROM alert_history "
        "WHERE rule = ? ORDER BY id DESC LIMIT ?"));
    st.Bind(1, rule).Bind(2, int64_t{limit});
    for (;;) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      HistoryEntry h;
      h.rule = rule;
      h.at_ns = st.Int(0);
      h.instance = st.Text(1);
      h.event = st.Text(2);
      h.state = st.Text(3);
      h.previous = st.Text(4);
      h.value = OptDouble(st, 5);
      h.detail = st.Text(6);
      out.push_back(std::move(h));
    }
    return Status::OK();
  }));
  return out;
}

Result<std::vector<ApiRuleRow>> AlarmStore::LoadApiRules() {
  std::vector<ApiRuleRow> out;
  RETURN_IF_ERROR(db_->Locked([&]() -> Status {
    ASSIGN_OR_RETURN(Statement st,
                     db_->Prepare("SELECT name, spec, updated_ns FROM alert_rules ORDER BY name"));
    for (;;) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      out.push_back(ApiRuleRow{st.Text(0), st.Text(1), st.Int(2)});
    }
    return Status::OK();
  }));
  return out;
}

Status AlarmStore::PutApiRule(const std::string& name, const std::string& yaml, int64_t now_ns) {
  return db_->Transaction([&]() -> Status {
    ASSIGN_OR_RETURN(Statement st, db_->Prepare(
        "INSERT OR REPLACE INTO alert_rules(name, spec, updated_ns) VALUES(?, ?, ?)"));
    st.Bind(1, name).Bind(2, yaml).Bind(3, now_ns);
    return st.Run();
  });
}

Status AlarmStore::DeleteApiRule(const std::string& name) {
  return db_->Transaction([&]() -> Status {
    ASSIGN_OR_RETURN(Statement st, db_->Prepare("DELETE FROM alert_rules WHERE name = ?"));
    st.Bind(1, name);
    RETURN_IF_ERROR(st.Run());
    if (db_->Changes() == 0) return Status::NotFound("no API rule named \"" + name + "\"");
    return Status::OK();
  });
}

}  // namespace vigil::alert
