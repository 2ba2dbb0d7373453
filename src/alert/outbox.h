// Outbox: the persisted state of notification delivery in state.db.
//
//   alert_groups        one row per (receiver, group key): timers of the group
//   alert_group_alerts  the alerts in each group (the latest notice of each instance)
//   alert_outbox        notifications to deliver: rendered body, dedup key, attempts,
//                       status pending | sent | failed
//   alert_firing        every instance currently firing (for acknowledgements)
//
// A notice is in alert_group_alerts before Enqueue returns; a group flush moves what is
// due into alert_outbox in the same transaction that updates the group, so a crash at
// any instant loses nothing: at worst a delivery is attempted again with the same dedup
// key after a restart.
// Thread-safety: thread-safe (the StateDb serializes every statement).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "alert/notify.h"
#include "alert/routing.h"
#include "state/state_db.h"

namespace vigil::alert {

struct GroupState {
  std::string receiver;
  std::string group_key;
  Labels group_labels;
  int64_t next_flush_ns = 0;
  int64_t last_flush_ns = 0;  // 0: never flushed
  int64_t group_interval_ns = 0;
  int64_t repeat_interval_ns = 0;
};

struct GroupAlert {
  AlertNotice notice;
  bool firing = false;
  bool changed = false;   // changed since the last flush
  bool notified = false;  // a firing notification including it was queued
};

struct Delivery {
  int64_t id = 0;
  std::string dedup_key;
  std::string receiver;
  std::string group_key;
  std::string body;
  std::vector<AlertNotice> alerts;  // what the body reports (for history)
  int64_t created_ns = 0;
  int64_t deadline_ns = 0;
  int64_t next_attempt_ns = 0;
  int attempts = 0;
  std::string status = "pending";  // pending | sent | failed
  int last_code = 0;
  std::string last_error;
  int64_t done_ns = 0;
  bool test = false;
};

// What a flush decided for one group.
struct FlushResult {
  std::optional<Delivery> delivery;        // queued into the outbox
  std::vector<std::string> notified;       // AlertKeys now notified as firing
  int64_t next_flush_ns = 0;               // when the group is looked at again
  bool sent = false;                       // whether last_flush becomes now
};

class Outbox {
 public:
  // Creates the tables when missing. `db` must outlive the outbox.
  static Result<std::unique_ptr<Outbox>> Open(StateDb& db);

  // Records `notice` in its group, creating the group (first flush after group_wait) or
  // pulling the next flush in to last_flush + group_interval. A resolved notice for an
  // instance the group does not hold is dropped; with `keep_resolved` false the instance
  // just leaves the group.
  Status AddToGroup(const std::string& receiver, const Labels& group_labels, const GroupSettings& g,
                    const AlertNotice& notice, bool keep_resolved, int64_t now);
  // Tracks firing instances (alert_firing): inserted while firing, removed on resolve.
  Status TrackFiring(const AlertNotice& notice);
  // Labels of the firing instances of `rule` (by instance).
  Result<std::map<std::string, Labels>> FiringInstances(const std::string& rule);

  Result<std::vector<GroupState>> DueGroups(int64_t now);
  Result<std::vector<GroupAlert>> GroupAlerts(const std::string& receiver, const std::string& group_key);
  // Applies a flush: queues the delivery, marks `notified`, drops resolved alerts, clears
  // `changed`, and reschedules the group (or deletes it when empty). One transaction.
  Status CommitFlush(const GroupState& g, const FlushResult& r, int64_t now);

  // Deletes a group and its alerts (its receiver left the configuration).
  Status DropGroup(const std::string& receiver, const std::string& group_key);
  // Queues a delivery outside any group (a test-fire). Sets d->id.
  Status AddDelivery(Delivery* d);
  // The pending deliveries whose time has come, at most one per (receiver, group) — the
  // oldest — so a group's notifications arrive in order.
  Result<std::vector<Delivery>> DueDeliveries(int64_t now);
  Status RecordAttempt(const Delivery& d);
  // Newest first; `status` empty: all.
  Result<std::vector<Delivery>> List(const std::string& status, int limit);
  Result<Delivery> Get(int64_t id);
  Result<int64_t> CountPending();
  // Deletes sent and failed deliveries finished before `before_ns`.
  Status Prune(int64_t before_ns);
  // The earliest group flush or pending attempt; INT64_MAX when nothing is scheduled.
  Result<int64_t> NextDue();

 private:
  explicit Outbox(StateDb& db) : db_(db) {}
  StateDb& db_;
};

// What identifies an alert instance across rules (instances of two rules may share the
// same group-label text): rule, U+001F, instance.
std::string AlertKey(const AlertNotice& n);

// JSON text of notices, for storage; and back. Corruption when the text is not ours.
std::string NoticesToJson(const std::vector<AlertNotice>& notices);
Result<std::vector<AlertNotice>> NoticesFromJson(std::string_view json);

}  // namespace vigil::alert
