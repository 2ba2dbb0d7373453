#include "alert/silences.h"

#include <cctz/civil_time.h>
#include <cctz/time_zone.h>
#include <simdjson.h>

#include <chrono>
#include <random>

#include "alert/alarm_store.h"
#include "alert/yaml_reader.h"
#include "core/json_render.h"
#include "core/timestamp.h"

namespace vigil::alert {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS alert_silences(
  id TEXT PRIMARY KEY, matchers TEXT NOT NULL, starts_at INTEGER NOT NULL, ends_at INTEGER NOT NULL,
  rec_days INTEGER, rec_start INTEGER, rec_end INTEGER, rec_tz TEXT,
  author TEXT NOT NULL, comment TEXT NOT NULL, created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS alert_acks(
  instance TEXT PRIMARY KEY, rule TEXT NOT NULL, labels TEXT NOT NULL, author TEXT NOT NULL,
  comment TEXT NOT NULL, at INTEGER NOT NULL);
)sql";

constexpr int64_t kSec = 1'000'000'000;

using Seconds = std::chrono::time_point<std::chrono::system_clock, std::chrono::seconds>;

int64_t FloorSeconds(int64_t ns) { return ns >= 0 ? ns / kSec : -((-ns + kSec - 1) / kSec); }

// The instant a local civil time names: a skipped time (DST gap) maps to the transition,
// a repeated one to its first occurrence.
int64_t InstantOf(const cctz::time_zone& tz, const cctz::civil_second& cs) {
  const cctz::time_zone::civil_lookup l = tz.lookup(cs);
  const auto tp = l.kind == cctz::time_zone::civil_lookup::SKIPPED ? l.trans : l.pre;
  return static_cast<int64_t>(tp.time_since_epoch().count());
}

int WeekdayIndex(cctz::weekday wd) {
  switch (wd) {
    case cctz::weekday::sunday: return 0;
    case cctz::weekday::monday: return 1;
    case cctz::weekday::tuesday: return 2;
    case cctz::weekday::wednesday: return 3;
    case cctz::weekday::thursday: return 4;
    case cctz::weekday::friday: return 5;
    case cctz::weekday::saturday: return 6;
  }
  return 0;
}

std::string NewId() {
  static std::mutex mu;
  static std::mt19937_64 rng{std::random_device{}()};
  std::lock_guard<std::mutex> lock(mu);
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t v = rng();
  std::string id;
  for (int i = 0; i < 16; ++i, v >>= 4) id += kHex[v & 15];
  return id;
}

std::string MatchersToJson(const std::vector<LabelMatcher>& ms) {
  std::string out = "[";
  for (const LabelMatcher& m : ms) {
    if (out.size() > 1) out += ",";
    AppendJsonString(m.ToString(), &out);
  }
  return out + "]";
}

Result<std::vector<LabelMatcher>> MatchersFromJson(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::array arr;
  if (parser.parse(json.data(), json.size()).get_array().get(arr) != simdjson::SUCCESS) {
    return Status::Corruption("stored silence matchers are not a JSON array");
  }
  std::vector<LabelMatcher> out;
  for (simdjson::dom::element e : arr) {
    std::string_view s;
    if (e.get_string().get(s) != simdjson::SUCCESS) return Status::Corruption("stored matcher is not a string");
    ASSIGN_OR_RETURN(LabelMatcher m, ParseMatcher(s));
    out.push_back(std::move(m));
  }
  return out;
}

Result<Silence> ParseConfigSilence(const YAML::Node& node, const std::string& path) {
  RETURN_IF_ERROR(YamlCheckKeys(node, path, {"matchers", "starts_at", "ends_at", "recurring", "comment", "author"}));
  Silence s;
  s.from_config = true;
  s.author = "config";
  if (!node["matchers"]) return YamlError(node, path, "a silence needs matchers");
  ASSIGN_OR_RETURN(auto texts, YamlStrings(node["matchers"], path + ".matchers"));
  for (const std::string& t : texts) {
    Result<LabelMatcher> m = ParseMatcher(t);
    if (!m.ok()) return YamlError(node["matchers"], path + ".matchers", m.status().message());
    s.matchers.push_back(std::move(m).value());
  }
  for (const char* key : {"starts_at", "ends_at"}) {
    if (!node[key]) continue;
    ASSIGN_OR_RETURN(std::string text, YamlString(node[key], path + "." + key));
    Result<int64_t> t = ParseTimestampString(text);
    if (!t.ok()) return YamlError(node[key], path + "." + key, t.status().message());
    (std::string_view(key) == "starts_at" ? s.starts_at_ns : s.ends_at_ns) = *t;
  }
  if (node["comment"]) {
    ASSIGN_OR_RETURN(s.comment, YamlString(node["comment"], path + ".comment"));
  }
  if (node["author"]) {
    ASSIGN_OR_RETURN(s.author, YamlString(node["author"], path + ".author"));
  }
  if (const YAML::Node rec = node["recurring"]) {
    const std::string rp = path + ".recurring";
    RETURN_IF_ERROR(YamlCheckKeys(rec, rp, {"days", "start", "end", "time_zone"}));
    std::vector<std::string> days;
    if (rec["days"]) {
      ASSIGN_OR_RETURN(days, YamlStrings(rec["days"], rp + ".days"));
    }
    std::string start, end, tz = "UTC";
    if (!rec["start"] || !rec["end"]) return YamlError(rec, rp, "needs start and end (HH:MM)");
    ASSIGN_OR_RETURN(start, YamlString(rec["start"], rp + ".start"));
    ASSIGN_OR_RETURN(end, YamlString(rec["end"], rp + ".end"));
    if (rec["time_zone"]) {
      ASSIGN_OR_RETURN(tz, YamlString(rec["time_zone"], rp + ".time_zone"));
    }
    Result<Recurrence> r = MakeRecurrence(days, start, end, tz);
    if (!r.ok()) return YamlError(rec, rp, r.status().message());
    s.recurring = std::move(r).value();
  } else if (s.ends_at_ns == 0) {
    return YamlError(node, path, "a silence that does not recur needs ends_at");
  }
  return s;
}

}  // namespace

bool InRecurringWindow(const Recurrence& r, int64_t t) {
  cctz::time_zone tz;
  if (!CheckTimeZone(r.time_zone).ok() || !cctz::load_time_zone(r.time_zone, &tz)) return false;
  const cctz::civil_second now = cctz::convert(Seconds(std::chrono::seconds(FloorSeconds(t))), tz);
  const cctz::civil_day today(now);
  for (const cctz::civil_day d : {today - 1, today}) {
    if ((r.weekdays & (1u << WeekdayIndex(cctz::get_weekday(d)))) == 0) continue;
    const cctz::civil_second start = cctz::civil_second(d) + r.start_minute * 60;
    const cctz::civil_day end_day = r.end_minute > r.start_minute ? d : d + 1;
    const cctz::civil_second end = cctz::civil_second(end_day) + r.end_minute * 60;
    const int64_t ws = InstantOf(tz, start) * kSec;
    const int64_t we = InstantOf(tz, end) * kSec;
    if (ws <= t && t < we) return true;
  }
  return false;
}

Status CheckTimeZone(const std::string& name) {
  cctz::time_zone tz;
  // Names are looked up as files under the zoneinfo directory: no absolute or parent paths.
  const bool path_like = name.empty() || name[0] == '/' || name.find("..") != std::string::npos;
  if (path_like || !cctz::load_time_zone(name, &tz)) {
    return Status::InvalidArgument("unknown time zone \"" + name + "\" (expected e.g. Europe/Berlin or UTC)");
  }
  return Status::OK();
}

Result<int> ParseClock(std::string_view text) {
  const Status bad = Status::InvalidArgument("expected a time of day HH:MM, got \"" + std::string(text) + "\"");
  if (text.size() != 5 || text[2] != ':') return bad;
  for (size_t i : {0, 1, 3, 4}) {
    if (text[i] < '0' || text[i] > '9') return bad;
  }
  const int h = (text[0] - '0') * 10 + (text[1] - '0');
  const int m = (text[3] - '0') * 10 + (text[4] - '0');
  if (m > 59 || h > 24 || (h == 24 && m != 0)) return bad;
  return h * 60 + m;
}

Result<int> ParseWeekday(std::string_view text) {
  static constexpr const char* kNames[] = {"sunday", "monday", "tuesday", "wednesday",
                                           "thursday", "friday", "saturday"};
  std::string lower;
  for (char c : text) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  for (int i = 0; i < 7; ++i) {
    const std::string_view name = kNames[i];
    if (lower.size() >= 3 && name.starts_with(lower)) return i;
  }
  return Status::InvalidArgument("unknown weekday \"" + std::string(text) + "\" (expected mon, tue, ...)");
}

Result<Recurrence> MakeRecurrence(const std::vector<std::string>& days, std::string_view start,
                                  std::string_view end, std::string time_zone) {
  Recurrence r;
  if (!days.empty()) {
    r.weekdays = 0;
    for (const std::string& d : days) {
      ASSIGN_OR_RETURN(int wd, ParseWeekday(d));
      r.weekdays |= static_cast<uint8_t>(1u << wd);
    }
  }
  ASSIGN_OR_RETURN(r.start_minute, ParseClock(start));
  ASSIGN_OR_RETURN(r.end_minute, ParseClock(end));
  if (r.start_minute == 24 * 60) return Status::InvalidArgument("a window cannot start at 24:00");
  RETURN_IF_ERROR(CheckTimeZone(time_zone));
  r.time_zone = std::move(time_zone);
  return r;
}

bool Silence::ActiveAt(int64_t t) const {
  if (t < starts_at_ns) return false;
  if (ends_at_ns != 0 && t >= ends_at_ns) return false;
  return !recurring || InRecurringWindow(*recurring, t);
}

const char* Silence::StateAt(int64_t t) const {
  if (ends_at_ns != 0 && t >= ends_at_ns) return "expired";
  return ActiveAt(t) ? "active" : "pending";
}

Result<std::vector<Silence>> ParseConfigSilences(const YAML::Node& alerting) {
  std::vector<Silence> out;
  if (!alerting || !alerting.IsMap() || !alerting["silences"]) return out;
  const YAML::Node list = alerting["silences"];
  if (!list.IsSequence()) return YamlError(list, "alerting.silences", "expected a list of silences");
  for (size_t i = 0; i < list.size(); ++i) {
    ASSIGN_OR_RETURN(Silence s, ParseConfigSilence(list[i], "alerting.silences[" + std::to_string(i) + "]"));
    s.id = "config:" + std::to_string(i);
    out.push_back(std::move(s));
  }
  return out;
}

Result<Labels> ParseLabelsJson(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (parser.parse(json.data(), json.size()).get_object().get(obj) != simdjson::SUCCESS) {
    return Status::InvalidArgument("labels must be a JSON object of strings");
  }
  Labels out;
  for (auto field : obj) {
    std::string_view v;
    if (field.value.get_string().get(v) != simdjson::SUCCESS) {
      return Status::InvalidArgument("label \"" + std::string(field.key) + "\" must be a string");
    }
    out[std::string(field.key)] = std::string(v);
  }
  return out;
}

Result<std::unique_ptr<SilenceStore>> SilenceStore::Open(StateDb& db) {
  std::unique_ptr<SilenceStore> s(new SilenceStore(db));
  if (!db.read_only()) RETURN_IF_ERROR(db.Locked([&] { return db.Exec(kSchema); }));
  RETURN_IF_ERROR(s->Load());
  return s;
}

Status SilenceStore::Load() {
  std::vector<Silence> silences;
  std::map<std::string, Ack> acks;
  RETURN_IF_ERROR(db_.Locked([&]() -> Status {
    ASSIGN_OR_RETURN(Statement st, db_.Prepare(
        "SELECT id, matchers, starts_at, ends_at, rec_days, rec_start, rec_end, rec_tz, author, comment, "
        "created FROM alert_silences ORDER BY created"));
    for (;;) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      Silence s;
      s.id = st.Text(0);
      ASSIGN_OR_RETURN(s.matchers, MatchersFromJson(st.Text(1)));
      s.starts_at_ns = st.Int(2);
      s.ends_at_ns = st.Int(3);
      if (!st.IsNull(4)) {
        s.recurring = Recurrence{static_cast<uint8_t>(st.Int(4)), static_cast<int>(st.Int(5)),
                                 static_cast<int>(st.Int(6)), st.Text(7)};
      }
      s.author = st.Text(8);
      s.comment = st.Text(9);
      s.created_ns = st.Int(10);
      silences.push_back(std::move(s));
    }
    ASSIGN_OR_RETURN(Statement acks_st,
                     db_.Prepare("SELECT instance, rule, labels, author, comment, at FROM alert_acks"));
    for (;;) {
      ASSIGN_OR_RETURN(bool row, acks_st.Step());
      if (!row) break;
      Ack a{acks_st.Text(0), acks_st.Text(1), {}, acks_st.Text(3), acks_st.Text(4), acks_st.Int(5)};
      ASSIGN_OR_RETURN(a.labels, ParseLabelsJson(acks_st.Text(2)));
      acks[a.instance] = std::move(a);
    }
    return Status::OK();
  }));
  std::lock_guard<std::mutex> lock(mu_);
  stored_ = std::move(silences);
  acks_ = std::move(acks);
  return Status::OK();
}

void SilenceStore::SetConfigSilences(std::vector<Silence> silences) {
  std::lock_guard<std::mutex> lock(mu_);
  config_ = std::move(silences);
}

Result<std::string> SilenceStore::Add(Silence s) {
  if (s.id.empty()) s.id = NewId();
  RETURN_IF_ERROR(db_.Transaction([&]() -> Status {
    ASSIGN_OR_RETURN(Statement st, db_.Prepare(
        "INSERT INTO alert_silences(id, matchers, starts_at, ends_at, rec_days, rec_start, rec_end, rec_tz, "
        "author, comment, created) VALUES(?,?,?,?,?,?,?,?,?,?,?)"));
    st.Bind(1, s.id).Bind(2, MatchersToJson(s.matchers)).Bind(3, s.starts_at_ns).Bind(4, s.ends_at_ns);
    if (s.recurring) {
      st.Bind(5, int64_t{s.recurring->weekdays}).Bind(6, int64_t{s.recurring->start_minute});
      st.Bind(7, int64_t{s.recurring->end_minute}).Bind(8, s.recurring->time_zone);
    } else {
      st.BindNull(5).BindNull(6).BindNull(7).BindNull(8);
    }
    st.Bind(9, s.author).Bind(10, s.comment).Bind(11, s.created_ns);
    return st.Run();
  }));
  std::lock_guard<std::mutex> lock(mu_);
  stored_.push_back(s);
  return s.id;
}

Status SilenceStore::Expire(const std::string& id, int64_t now) {
  if (id.starts_with("config:")) {
    return Status::InvalidArgument("silence " + id + " comes from the config file; edit the file to remove it");
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    bool found = false;
    for (const Silence& s : stored_) found = found || s.id == id;
    if (!found) return Status::NotFound("no silence with id \"" + id + "\"");
  }
  RETURN_IF_ERROR(db_.Transaction([&]() -> Status {
    ASSIGN_OR_RETURN(Statement st, db_.Prepare(
        "UPDATE alert_silences SET ends_at = ? WHERE id = ? AND (ends_at = 0 OR ends_at > ?)"));
    st.Bind(1, now).Bind(2, id).Bind(3, now);
    return st.Run();
  }));
  std::lock_guard<std::mutex> lock(mu_);
  for (Silence& s : stored_) {
    if (s.id == id && (s.ends_at_ns == 0 || s.ends_at_ns > now)) s.ends_at_ns = now;
  }
  return Status::OK();
}

std::vector<Silence> SilenceStore::List() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Silence> out = config_;
  out.insert(out.end(), stored_.begin(), stored_.end());
  return out;
}

Status SilenceStore::AddAck(const Ack& ack) {
  RETURN_IF_ERROR(db_.Transaction([&]() -> Status {
    ASSIGN_OR_RETURN(Statement st, db_.Prepare(
        "INSERT OR REPLACE INTO alert_acks(instance, rule, labels, author, comment, at) VALUES(?,?,?,?,?,?)"));
    st.Bind(1, ack.instance).Bind(2, ack.rule).Bind(3, LabelsToJson(ack.labels));
    st.Bind(4, ack.author).Bind(5, ack.comment).Bind(6, ack.at_ns);
    return st.Run();
  }));
  std::lock_guard<std::mutex> lock(mu_);
  acks_[ack.instance] = ack;
  return Status::OK();
}

Status SilenceStore::ClearAck(const std::string& instance) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (acks_.erase(instance) == 0) return Status::OK();
  }
  return db_.Transaction([&]() -> Status {
    ASSIGN_OR_RETURN(Statement st, db_.Prepare("DELETE FROM alert_acks WHERE instance = ?"));
    st.Bind(1, instance);
    return st.Run();
  });
}

bool SilenceStore::Muted(const Labels& labels, int64_t t, bool include_acks, std::string* why) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const std::vector<Silence>* list : {&config_, &stored_}) {
    for (const Silence& s : *list) {
      if (!s.ActiveAt(t) || !MatchAll(s.matchers, labels)) continue;
      if (why != nullptr) *why = "silence " + s.id + (s.comment.empty() ? "" : ": " + s.comment);
      return true;
    }
  }
  if (!include_acks) return false;
  for (const auto& [instance, ack] : acks_) {
    if (ack.labels != labels) continue;
    if (why != nullptr) *why = "acked by " + ack.author + (ack.comment.empty() ? "" : ": " + ack.comment);
    return true;
  }
  return false;
}

}  // namespace vigil::alert
