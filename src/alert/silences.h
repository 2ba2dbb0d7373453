// Silences and acknowledgements: what mutes notifications.
//
// A silence mutes every alert whose labels match all its matchers while it is active:
// between starts_at and ends_at (ends_at 0: until expired), and, when it recurs, only
// inside its window: local wall-clock [start, end) in `time_zone` on the listed weekdays
// (a window whose end is not after its start runs past midnight into the next day; the
// weekday is that of the window's start). Local times that a DST change skips begin the
// window at the transition; repeated local times take their first occurrence.
//
// An acknowledgement mutes the repeats of one firing alarm instance (its exact labels)
// until the instance resolves.
//
// SilenceStore keeps API silences and acks in state.db (tables alert_silences,
// alert_acks) and config silences (from `alerting.silences`) in memory only.
// Thread-safety: SilenceStore is thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "alert/routing.h"
#include "server/thread_annotations.h"
#include "state/state_db.h"

namespace vigil::alert {

struct Recurrence {
  uint8_t weekdays = 0x7f;  // bit d set: active on weekday d (0 = Sunday)
  int start_minute = 0;     // local minutes after midnight
  int end_minute = 0;
  std::string time_zone = "UTC";
};

struct Silence {
  std::string id;
  std::vector<LabelMatcher> matchers;
  int64_t starts_at_ns = 0;
  int64_t ends_at_ns = 0;  // 0: open-ended (recurring silences only)
  std::optional<Recurrence> recurring;
  std::string author;
  std::string comment;
  int64_t created_ns = 0;
  bool from_config = false;

  // Whether the silence mutes at `t`, ignoring labels.
  bool ActiveAt(int64_t t) const;
  // "active", "pending" (starts later or outside its window now) or "expired".
  const char* StateAt(int64_t t) const;
};

// Whether local window `r` covers instant `t`. Unknown time zones never match (they are
// rejected when the silence is made).
bool InRecurringWindow(const Recurrence& r, int64_t t);
// Validates a time zone name ("Europe/Berlin", "UTC").
Status CheckTimeZone(const std::string& name);
// "HH:MM" -> minutes after midnight (24:00 allowed as an end).
Result<int> ParseClock(std::string_view text);
// "mon", "monday", "Mon" ... -> 0..6 (Sunday 0).
Result<int> ParseWeekday(std::string_view text);
// Fills a Recurrence from its parts; InvalidArgument names the bad part.
Result<Recurrence> MakeRecurrence(const std::vector<std::string>& days, std::string_view start,
                                  std::string_view end, std::string time_zone);
// `alerting.silences`: config silences (ids "config:<index>").
Result<std::vector<Silence>> ParseConfigSilences(const YAML::Node& alerting);

struct Ack {
  std::string instance;  // AlertKey (outbox.h): rule and instance
  std::string rule;
  Labels labels;
  std::string author;
  std::string comment;
  int64_t at_ns = 0;
};

class SilenceStore {
 public:
  // Loads the persisted silences and acks of `db` (creating the tables). `db` must
  // outlive the store.
  static Result<std::unique_ptr<SilenceStore>> Open(StateDb& db);

  void SetConfigSilences(std::vector<Silence> silences);
  // Persists `s` (id assigned when empty). Returns the id.
  Result<std::string> Add(Silence s);
  // Sets ends_at to `now`. NotFound for an unknown id; InvalidArgument for a config silence.
  Status Expire(const std::string& id, int64_t now);
  std::vector<Silence> List() const;

  Status AddAck(const Ack& ack);
  // Drops the ack of `instance` (it resolved); OK when there was none.
  Status ClearAck(const std::string& instance);

  // Whether `labels` are muted at `t`; sets *why to "silence <id>: <comment>" or
  // "acked by <author>" (ack checked only when `include_acks`).
  bool Muted(const Labels& labels, int64_t t, bool include_acks, std::string* why) const;

 private:
  explicit SilenceStore(StateDb& db) : db_(db) {}
  Status Load();

  StateDb& db_;
  mutable std::mutex mu_;
  std::vector<Silence> config_ GUARDED_BY(mu_);
  std::vector<Silence> stored_ GUARDED_BY(mu_);
  std::map<std::string, Ack> acks_ GUARDED_BY(mu_);  // by instance
};

// Labels from a JSON object of strings (stored or sent); InvalidArgument otherwise. The
// inverse is LabelsToJson (alarm_store.h).
Result<Labels> ParseLabelsJson(std::string_view json);

}  // namespace vigil::alert
