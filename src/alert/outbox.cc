#include "alert/outbox.h"

#include <simdjson.h>

#include <algorithm>
#include <limits>

#include "alert/alarm_store.h"
#include "alert/receivers.h"
#include "alert/silences.h"
#include "server/json_writer.h"

namespace vigil::alert {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS alert_groups(
  receiver TEXT NOT NULL, group_key TEXT NOT NULL, group_labels TEXT NOT NULL,
  next_flush INTEGER NOT NULL, last_flush INTEGER NOT NULL,
  group_interval INTEGER NOT NULL, repeat_interval INTEGER NOT NULL,
  PRIMARY KEY(receiver, group_key));
CREATE TABLE IF NOT EXISTS alert_group_alerts(
  receiver TEXT NOT NULL, group_key TEXT NOT NULL, instance TEXT NOT NULL, notice TEXT NOT NULL,
  firing INTEGER NOT NULL, changed INTEGER NOT NULL, notified INTEGER NOT NULL,
  PRIMARY KEY(receiver, group_key, instance));
CREATE TABLE IF NOT EXISTS alert_outbox(
  id INTEGER PRIMARY KEY AUTOINCREMENT, dedup_key TEXT NOT NULL UNIQUE, receiver TEXT NOT NULL,
  group_key TEXT NOT NULL, body TEXT NOT NULL, alerts TEXT NOT NULL, created INTEGER NOT NULL,
  deadline INTEGER NOT NULL, next_attempt INTEGER NOT NULL, attempts INTEGER NOT NULL,
  status TEXT NOT NULL, last_code INTEGER NOT NULL, last_error TEXT NOT NULL, done INTEGER NOT NULL,
  test INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS alert_outbox_pending ON alert_outbox(status, receiver, group_key, id);
CREATE TABLE IF NOT EXISTS alert_firing(
  rule TEXT NOT NULL, instance TEXT NOT NULL, labels TEXT NOT NULL, PRIMARY KEY(rule, instance));
)sql";

constexpr const char* kDeliveryColumns =
    "id, dedup_key, receiver, group_key, body, alerts, created, deadline, next_attempt, attempts, status, "
    "last_code, last_error, done, test";

void WriteNotice(JsonWriter& w, const AlertNotice& n) {
  w.BeginObject();
  w.Key("rule");
  w.String(n.rule);
  w.Key("instance");
  w.String(n.instance);
  w.Key("labels");
  WriteStringMap(w, n.labels);
  w.Key("annotations");
  WriteStringMap(w, n.annotations);
  w.Key("state");
  w.Int(static_cast<int>(n.state));
  w.Key("previous");
  w.Int(static_cast<int>(n.previous));
  w.Key("value");
  w.Double(n.value);
  w.Key("has_value");
  w.Bool(n.has_value);
  w.Key("starts_at");
  w.Int(n.starts_at_ns);
  w.Key("ends_at");
  w.Int(n.ends_at_ns);
  w.Key("at");
  w.Int(n.at_ns);
  w.Key("send_resolved");
  w.Bool(n.send_resolved);
  w.Key("link");
  w.String(n.link);
  w.EndObject();
}

Status ReadMap(simdjson::simdjson_result<simdjson::dom::element> e, std::map<std::string, std::string>* out) {
  simdjson::dom::object obj;
  if (e.get_object().get(obj) != simdjson::SUCCESS) return Status::Corruption("stored notice: expected an object");
  for (auto field : obj) {
    std::string_view v;
    if (field.value.get_string().get(v) != simdjson::SUCCESS) return Status::Corruption("stored notice: bad label");
    (*out)[std::string(field.key)] = std::string(v);
  }
  return Status::OK();
}

AlarmState StateFromInt(int64_t v) {
  return v >= 0 && v <= 3 ? static_cast<AlarmState>(v) : AlarmState::kOk;
}

Result<AlertNotice> ReadNotice(simdjson::dom::element e) {
  AlertNotice n;
  std::string_view s;
  int64_t state = 0, previous = 0;
  double value = 0;
  if (e["rule"].get_string().get(s) != simdjson::SUCCESS) return Status::Corruption("stored notice: no rule");
  n.rule = std::string(s);
  if (e["instance"].get_string().get(s) != simdjson::SUCCESS) return Status::Corruption("stored notice: no instance");
  n.instance = std::string(s);
  RETURN_IF_ERROR(ReadMap(e["labels"], &n.labels));
  RETURN_IF_ERROR(ReadMap(e["annotations"], &n.annotations));
  auto err = e["state"].get_int64().get(state);
  err = err ? err : e["previous"].get_int64().get(previous);
  err = err ? err : e["value"].get_double().get(value);
  err = err ? err : e["has_value"].get_bool().get(n.has_value);
  err = err ? err : e["starts_at"].get_int64().get(n.starts_at_ns);
  err = err ? err : e["ends_at"].get_int64().get(n.ends_at_ns);
  err = err ? err : e["at"].get_int64().get(n.at_ns);
  err = err ? err : e["send_resolved"].get_bool().get(n.send_resolved);
  err = err ? err : e["link"].get_string().get(s);
  if (err) return Status::Corruption("stored notice: bad field");
  n.link = std::string(s);
  n.state = StateFromInt(state);
  n.previous = StateFromInt(previous);
  n.value = value;
  return n;
}

Result<Delivery> ReadDelivery(Statement& st) {
  Delivery d;
  d.id = st.Int(0);
  d.dedup_key = st.Text(1);
  d.receiver = st.Text(2);
  d.group_key = st.Text(3);
  d.body = st.Text(4);
  ASSIGN_OR_RETURN(d.alerts, NoticesFromJson(st.Text(5)));
  d.created_ns = st.Int(6);
  d.deadline_ns = st.Int(7);
  d.next_attempt_ns = st.Int(8);
  d.attempts = static_cast<int>(st.Int(9));
  d.status = st.Text(10);
  d.last_code = static_cast<int>(st.Int(11));
  d.last_error = st.Text(12);
  d.done_ns = st.Int(13);
  d.test = st.Int(14) != 0;
  return d;
}

Result<std::vector<Delivery>> ReadDeliveries(Statement& st) {
  std::vector<Delivery> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return out;
    ASSIGN_OR_RETURN(Delivery d, ReadDelivery(st));
    out.push_back(std::move(d));
  }
}

Status InsertDelivery(StateDb& db, Delivery* d) {
  ASSIGN_OR_RETURN(Statement st, db.Prepare(
      "INSERT INTO alert_outbox(dedup_key, receiver, group_key, body, alerts, created, deadline, next_attempt, "
      "attempts, status, last_code, last_error, done, test) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
  st.Bind(1, d->dedup_key).Bind(2, d->receiver).Bind(3, d->group_key).Bind(4, d->body);
  st.Bind(5, NoticesToJson(d->alerts)).Bind(6, d->created_ns).Bind(7, d->deadline_ns);
  st.Bind(8, d->next_attempt_ns).Bind(9, int64_t{d->attempts}).Bind(10, d->status);
  st.Bind(11, int64_t{d->last_code}).Bind(12, d->last_error).Bind(13, d->done_ns).Bind(14, int64_t{d->test});
  RETURN_IF_ERROR(st.Run());
  d->id = db.LastInsertId();
  return Status::OK();
}

Result<std::optional<GroupState>> FindGroup(StateDb& db, const std::string& receiver, const std::string& key) {
  ASSIGN_OR_RETURN(Statement st, db.Prepare(
      "SELECT next_flush, last_flush FROM alert_groups WHERE receiver = ? AND group_key = ?"));
  st.Bind(1, receiver).Bind(2, key);
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<GroupState>();
  GroupState g;
  g.receiver = receiver;
  g.group_key = key;
  g.next_flush_ns = st.Int(0);
  g.last_flush_ns = st.Int(1);
  return std::optional<GroupState>(std::move(g));
}

Status UpsertGroup(StateDb& db, const std::string& receiver, const Labels& group_labels, const GroupSettings& gs,
                   int64_t now) {
  const std::string key = GroupKey(group_labels);
  ASSIGN_OR_RETURN(std::optional<GroupState> g, FindGroup(db, receiver, key));
  if (!g) {
    ASSIGN_OR_RETURN(Statement ins, db.Prepare(
        "INSERT INTO alert_groups(receiver, group_key, group_labels, next_flush, last_flush, group_interval, "
        "repeat_interval) VALUES(?,?,?,?,0,?,?)"));
    ins.Bind(1, receiver).Bind(2, key).Bind(3, LabelsToJson(group_labels)).Bind(4, now + gs.group_wait_ns);
    ins.Bind(5, gs.group_interval_ns).Bind(6, gs.repeat_interval_ns);
    return ins.Run();
  }
  if (g->last_flush_ns == 0) return Status::OK();  // still in group_wait
  const int64_t next = std::min(g->next_flush_ns, std::max(now, g->last_flush_ns + gs.group_interval_ns));
  ASSIGN_OR_RETURN(Statement up, db.Prepare(
      "UPDATE alert_groups SET next_flush = ?, group_interval = ?, repeat_interval = ? "
      "WHERE receiver = ? AND group_key = ?"));
  up.Bind(1, next).Bind(2, gs.group_interval_ns).Bind(3, gs.repeat_interval_ns).Bind(4, receiver).Bind(5, key);
  return up.Run();
}

}  // namespace

std::string AlertKey(const AlertNotice& n) { return n.rule + "\x1f" + n.instance; }

std::string NoticesToJson(const std::vector<AlertNotice>& notices) {
  JsonWriter w;
  w.BeginArray();
  for (const AlertNotice& n : notices) WriteNotice(w, n);
  w.EndArray();
  return w.Take();
}

Result<std::vector<AlertNotice>> NoticesFromJson(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::array arr;
  if (parser.parse(json.data(), json.size()).get_array().get(arr) != simdjson::SUCCESS) {
    return Status::Corruption("stored notices are not a JSON array");
  }
  std::vector<AlertNotice> out;
  for (simdjson::dom::element e : arr) {
    ASSIGN_OR_RETURN(AlertNotice n, ReadNotice(e));
    out.push_back(std::move(n));
  }
  return out;
}

Result<std::unique_ptr<Outbox>> Outbox::Open(StateDb& db) {
  if (!db.read_only()) RETURN_IF_ERROR(db.Locked([&] { return db.Exec(kSchema); }));
  return std::unique_ptr<Outbox>(new Outbox(db));
}

Status Outbox::AddToGroup(const std::string& receiver, const Labels& group_labels, const GroupSettings& g,
                          const AlertNotice& notice, bool keep_resolved, int64_t now) {
  const std::string key = GroupKey(group_labels);
  const bool firing = IsFiring(notice);
  return db_.Transaction([&]() -> Status {
    ASSIGN_OR_RETURN(Statement find, db_.Prepare(
        "SELECT notified FROM alert_group_alerts WHERE receiver = ? AND group_key = ? AND instance = ?"));
    find.Bind(1, receiver).Bind(2, key).Bind(3, AlertKey(notice));
    ASSIGN_OR_RETURN(bool present, find.Step());
    const bool notified = present && find.Int(0) != 0;
    if (!firing && (!present || !keep_resolved || !notified)) {
      if (!present) return Status::OK();
      ASSIGN_OR_RETURN(Statement del, db_.Prepare(
          "DELETE FROM alert_group_alerts WHERE receiver = ? AND group_key = ? AND instance = ?"));
      del.Bind(1, receiver).Bind(2, key).Bind(3, AlertKey(notice));
      return del.Run();
    }
    ASSIGN_OR_RETURN(Statement put, db_.Prepare(
        "INSERT OR REPLACE INTO alert_group_alerts(receiver, group_key, instance, notice, firing, changed, "
        "notified) VALUES(?,?,?,?,?,1,?)"));
    put.Bind(1, receiver).Bind(2, key).Bind(3, AlertKey(notice)).Bind(4, NoticesToJson({notice}));
    put.Bind(5, int64_t{firing}).Bind(6, int64_t{notified});
    RETURN_IF_ERROR(put.Run());
    return UpsertGroup(db_, receiver, group_labels, g, now);
  });
}

Status Outbox::TrackFiring(const AlertNotice& notice) {
  return db_.Transaction([&]() -> Status {
    if (IsFiring(notice)) {
      ASSIGN_OR_RETURN(Statement st, db_.Prepare(
          "INSERT OR REPLACE INTO alert_firing(rule, instance, labels) VALUES(?,?,?)"));
      st.Bind(1, notice.rule).Bind(2, notice.instance).Bind(3, LabelsToJson(notice.labels));
      return st.Run();
    }
    ASSIGN_OR_RETURN(Statement st, db_.Prepare("DELETE FROM alert_firing WHERE rule = ? AND instance = ?"));
    st.Bind(1, notice.rule).Bind(2, notice.instance);
    return st.Run();
  });
}

Result<std::map<std::string, Labels>> Outbox::FiringInstances(const std::string& rule) {
  std::map<std::string, Labels> out;
  RETURN_IF_ERROR(db_.Locked([&]() -> Status {
    ASSIGN_OR_RETURN(Statement st, db_.Prepare("SELECT instance, labels FROM alert_firing WHERE rule = ?"));
    st.Bind(1, rule);
    for (;;) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) return Status::OK();
      ASSIGN_OR_RETURN(out[st.Text(0)], ParseLabelsJson(st.Text(1)));
    }
  }));
  return out;
}

Result<std::vector<GroupState>> Outbox::DueGroups(int64_t now) {
  std::vector<GroupState> out;
  RETURN_IF_ERROR(db_.Locked([&]() -> Status {
    ASSIGN_OR_RETURN(Statement st, db_.Prepare(
        "SELECT receiver, group_key, group_labels, next_flush, last_flush, group_interval, repeat_interval "
        "FROM alert_groups WHERE next_flush <= ? ORDER BY next_flush"));
    st.Bind(1, now);
    for (;;) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) return Status::OK();
      GroupState g{st.Text(0), st.Text(1), {}, st.Int(3), st.Int(4), st.Int(5), st.Int(6)};
      ASSIGN_OR_RETURN(g.group_labels, ParseLabelsJson(st.Text(2)));
      out.push_back(std::move(g));
    }
  }));
  return out;
}

Result<std::vector<GroupAlert>> Outbox::GroupAlerts(const std::string& receiver, const std::string& group_key) {
  std::vector<GroupAlert> out;
  RETURN_IF_ERROR(db_.Locked([&]() -> Status {
    ASSIGN_OR_RETURN(Statement st, db_.Prepare(
        "SELECT notice, firing, changed, notified FROM alert_group_alerts WHERE receiver = ? AND group_key = ? "
        "ORDER BY instance"));
    st.Bind(1, receiver).Bind(2, group_key);
    for (;;) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) return Status::OK();
      ASSIGN_OR_RETURN(std::vector<AlertNotice> n, NoticesFromJson(st.Text(0)));
      if (n.size() != 1) return Status::Corruption("stored group alert holds " + std::to_string(n.size()) + " notices");
      out.push_back(GroupAlert{std::move(n[0]), st.Int(1) != 0, st.Int(2) != 0, st.Int(3) != 0});
    }
  }));
  return out;
}

Status Outbox::CommitFlush(const GroupState& g, const FlushResult& r, int64_t now) {
  return db_.Transaction([&]() -> Status {
    if (r.delivery) {
      Delivery d = *r.delivery;
      RETURN_IF_ERROR(InsertDelivery(db_, &d));
    }
    ASSIGN_OR_RETURN(Statement mark, db_.Prepare(
        "UPDATE alert_group_alerts SET notified = 1 WHERE receiver = ? AND group_key = ? AND instance = ?"));
    for (const std::string& instance : r.notified) {
      mark.Bind(1, g.receiver).Bind(2, g.group_key).Bind(3, instance);
      RETURN_IF_ERROR(mark.Run());
    }
    ASSIGN_OR_RETURN(Statement drop, db_.Prepare(
        "DELETE FROM alert_group_alerts WHERE receiver = ? AND group_key = ? AND firing = 0"));
    drop.Bind(1, g.receiver).Bind(2, g.group_key);
    RETURN_IF_ERROR(drop.Run());
    ASSIGN_OR_RETURN(Statement clear, db_.Prepare(
        "UPDATE alert_group_alerts SET changed = 0 WHERE receiver = ? AND group_key = ?"));
    clear.Bind(1, g.receiver).Bind(2, g.group_key);
    RETURN_IF_ERROR(clear.Run());
    ASSIGN_OR_RETURN(Statement count, db_.Prepare(
        "SELECT COUNT(*) FROM alert_group_alerts WHERE receiver = ? AND group_key = ?"));
    count.Bind(1, g.receiver).Bind(2, g.group_key);
    ASSIGN_OR_RETURN(bool row, count.Step());
    if (!row || count.Int(0) == 0) {
      ASSIGN_OR_RETURN(Statement del, db_.Prepare("DELETE FROM alert_groups WHERE receiver = ? AND group_key = ?"));
      del.Bind(1, g.receiver).Bind(2, g.group_key);
      return del.Run();
    }
    ASSIGN_OR_RETURN(Statement up, db_.Prepare(
        "UPDATE alert_groups SET next_flush = ?, last_flush = ? WHERE receiver = ? AND group_key = ?"));
    up.Bind(1, r.next_flush_ns).Bind(2, r.sent ? now : g.last_flush_ns).Bind(3, g.receiver).Bind(4, g.group_key);
    return up.Run();
  });
}

Status Outbox::DropGroup(const std::string& receiver, const std::string& group_key) {
  return db_.Transaction([&]() -> Status {
    for (const char* table : {"alert_group_alerts", "alert_groups"}) {
      ASSIGN_OR_RETURN(Statement st, db_.Prepare(std::string("DELETE FROM ") + table +
                                                 " WHERE receiver = ? AND group_key = ?"));
      st.Bind(1, receiver).Bind(2, group_key);
      RETURN_IF_ERROR(st.Run());
    }
    return Status::OK();
  });
}

Status Outbox::AddDelivery(Delivery* d) {
  return db_.Transaction([&] { return InsertDelivery(db_, d); });
}

Result<std::vector<Delivery>> Outbox::DueDeliveries(int64_t now) {
  std::vector<Delivery> out;
  RETURN_IF_ERROR(db_.Locked([&]() -> Status {
    ASSIGN_OR_RETURN(Statement st, db_.Prepare(
        std::string("SELECT ") + kDeliveryColumns +
        " FROM alert_outbox o WHERE status = 'pending' AND next_attempt <= ? AND id = (SELECT MIN(id) FROM "
        "alert_outbox p WHERE p.status = 'pending' AND p.receiver = o.receiver AND p.group_key = o.group_key) "
        "ORDER BY id"));
    st.Bind(1, now);
    ASSIGN_OR_RETURN(out, ReadDeliveries(st));
    return Status::OK();
  }));
  return out;
}

Status Outbox::RecordAttempt(const Delivery& d) {
  return db_.Transaction([&]() -> Status {
    ASSIGN_OR_RETURN(Statement st, db_.Prepare(
        "UPDATE alert_outbox SET attempts = ?, status = ?, last_code = ?, last_error = ?, next_attempt = ?, "
        "done = ? WHERE id = ?"));
    st.Bind(1, int64_t{d.attempts}).Bind(2, d.status).Bind(3, int64_t{d.last_code}).Bind(4, d.last_error);
    st.Bind(5, d.next_attempt_ns).Bind(6, d.done_ns).Bind(7, d.id);
    return st.Run();
  });
}

Result<std::vector<Delivery>> Outbox::List(const std::string& status, int limit) {
  std::vector<Delivery> out;
  RETURN_IF_ERROR(db_.Locked([&]() -> Status {
    ASSIGN_OR_RETURN(Statement st, db_.Prepare(
        std::string("SELECT ") + kDeliveryColumns +
        " FROM alert_outbox WHERE (? = '' OR status = ?) ORDER BY id DESC LIMIT ?"));
    st.Bind(1, status).Bind(2, status).Bind(3, int64_t{limit});
    ASSIGN_OR_RETURN(out, ReadDeliveries(st));
    return Status::OK();
  }));
  return out;
}

Result<Delivery> Outbox::Get(int64_t id) {
  std::vector<Delivery> out;
  RETURN_IF_ERROR(db_.Locked([&]() -> Status {
    ASSIGN_OR_RETURN(Statement st, db_.Prepare(std::string("SELECT ") + kDeliveryColumns +
                                               " FROM alert_outbox WHERE id = ?"));
    st.Bind(1, id);
    ASSIGN_OR_RETURN(out, ReadDeliveries(st));
    return Status::OK();
  }));
  if (out.empty()) return Status::NotFound("no notification with id " + std::to_string(id));
  return std::move(out[0]);
}

Result<int64_t> Outbox::CountPending() {
  int64_t n = 0;
  RETURN_IF_ERROR(db_.Locked([&]() -> Status {
    ASSIGN_OR_RETURN(Statement st, db_.Prepare("SELECT COUNT(*) FROM alert_outbox WHERE status = 'pending'"));
    ASSIGN_OR_RETURN(bool row, st.Step());
    n = row ? st.Int(0) : 0;
    return Status::OK();
  }));
  return n;
}

Status Outbox::Prune(int64_t before_ns) {
  return db_.Transaction([&]() -> Status {
    ASSIGN_OR_RETURN(Statement st, db_.Prepare("DELETE FROM alert_outbox WHERE status != 'pending' AND done < ?"));
    st.Bind(1, before_ns);
    return st.Run();
  });
}

Result<int64_t> Outbox::NextDue() {
  int64_t next = std::numeric_limits<int64_t>::max();
  RETURN_IF_ERROR(db_.Locked([&]() -> Status {
    ASSIGN_OR_RETURN(Statement st, db_.Prepare(
        "SELECT MIN(t) FROM (SELECT MIN(next_flush) AS t FROM alert_groups UNION ALL "
        "SELECT MIN(next_attempt) FROM alert_outbox WHERE status = 'pending')"));
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (row && !st.IsNull(0)) next = st.Int(0);
    return Status::OK();
  }));
  return next;
}

}  // namespace vigil::alert
