// Evaluator: runs each rule's query on its schedule, keeps every alarm instance's state
// machine (alarm_state.h), persists it (alarm_store.h), records history events and hands
// firing/resolved changes to a NotificationSink.
//
// What one evaluation of a rule at time `now` reads (period p, N evaluation periods):
//   - binned rules: the N epoch-aligned periods ending with the one that holds `now`
//     (the newest is still open). Values of *closed* periods are cached in memory per
//     (rule, period, instance), so an evaluation only queries the periods it has not seen
//     closed: normally just the open one, from its start to `now`. The cache is dropped
//     for a rule whose query or period changes, and cut back for every rule when events
//     are stored with a timestamp inside a cached period (NoteStored), so late events
//     are never missed. It is not persisted: after a restart the first evaluation
//     queries the whole window again.
//   - windowed rules: N queries over (now - (k+1)p, now - kp], k = 0..N-1 (no caching:
//     the windows slide).
// Instances: every group value the query returns becomes an instance and stays one (its
// datapoints are missing while it has no rows) until it has had no data for
// kForgetAfterNs (and two windows), when it is removed (a firing one is resolved first).
//
// Thread-safety: all public methods are thread-safe. Evaluations run on the caller's
// thread (the module's background thread, or a test), queries without the lock held.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alert/alarm_state.h"
#include "alert/alarm_store.h"
#include "alert/notify.h"
#include "alert/rules.h"
#include "core/batch.h"
#include "query/query.h"
#include "server/thread_annotations.h"

namespace vigil::alert {

// Where queries run; the module uses the store, tests a fake.
class QuerySource {
 public:
  virtual ~QuerySource() = default;
  // Thread-safe. Errors fail the evaluation (the state is kept).
  virtual Result<QueryResult> Run(const QueryRequest& request) = 0;
};

struct EvaluatorDeps {
  AlarmStore* store = nullptr;   // required; outlives the evaluator
  QuerySource* queries = nullptr;  // required; outlives the evaluator
  NotificationSink* sink = nullptr;  // may be null (no notifications)
  // Whether labels are muted now, and why (recorded in the history). May be empty.
  std::function<bool(const std::map<std::string, std::string>&, std::string*)> muted;
  // Stores history events (@kind = "alarm_history"). May be empty.
  std::function<Status(Batch&&)> ingest;
  std::function<void(std::string_view)> log;  // may be empty
};

// One alarm instance as the API shows it.
struct InstanceView {
  std::string rule;
  std::string instance;
  std::map<std::string, std::string> labels;  // rule labels + group labels + alertname
  InstanceState st;
};

struct EvaluatorStats {
  uint64_t evaluations = 0;
  uint64_t failures = 0;
  uint64_t queries = 0;          // queries run
  uint64_t periods_queried = 0;  // periods those queries covered (binned rules)
  uint64_t periods_cached = 0;   // periods served from the cache (binned rules)
  uint64_t passes = 0;           // RunDue calls that evaluated at least one rule
  double evaluation_seconds = 0;  // wall time of all evaluations
  double last_pass_seconds = 0;   // wall time of the last such RunDue
  uint64_t last_pass_rules = 0;   // rules it evaluated
};

class Evaluator {
 public:
  static constexpr int64_t kForgetAfterNs = 24 * 3600 * 1'000'000'000LL;
  static constexpr int kDefaultHistoryLimit = 200;
  // A query with more groups than this fails the evaluation (a `by request_id` typo must
  // not create a million alarms).
  static constexpr size_t kMaxInstancesPerRule = 10'000;

  // Loads the persisted instances. Errors: those of AlarmStore.
  static Result<std::unique_ptr<Evaluator>> Create(EvaluatorDeps deps);

  // Replaces the rules. Instances of kept rules keep their state (and, when the query is
  // unchanged, their cache); instances of removed rules are deleted, firing ones
  // resolved first. `default_interval_ns` applies to rules without their own interval;
  // `external_url` is the base of alarm links. New and changed rules are due at once.
  Status SetRules(std::vector<Rule> rules, int64_t default_interval_ns,
                  std::string external_url, int64_t now);

  // Evaluates every rule due at `now`; returns the earliest time a rule is due next.
  int64_t RunDue(int64_t now);
  // Evaluates one rule at `now`. NotFound for an unknown rule; the query's error when it
  // fails (the instances keep their state and the failure is logged).
  Status Evaluate(const std::string& rule, int64_t now);

  // Events with timestamps from `min_ts_ns` on were just stored: cached periods at or
  // after it are dropped. Cheap; call it for every stored batch.
  void NoteStored(int64_t min_ts_ns);

  std::vector<Rule> Rules() const;
  std::optional<Rule> FindRule(std::string_view name) const;
  // Instances of `rule` (all rules when empty), by rule then instance.
  std::vector<InstanceView> Instances(std::string_view rule = {}) const;
  // The link to the rule's query over [start, end].
  std::string Link(const Rule& rule, int64_t start_ns, int64_t end_ns) const;
  EvaluatorStats stats() const;

  Evaluator(const Evaluator&) = delete;
  Evaluator& operator=(const Evaluator&) = delete;
  ~Evaluator();

 private:
  struct RuleState;
  struct Pass;
  explicit Evaluator(EvaluatorDeps deps);

  Status Run(const std::string& name, int64_t now);
  Status Collect(const Rule& rule, int64_t now, Pass& pass);
  std::string LinkLocked(const Rule& rule, int64_t start_ns, int64_t end_ns) const REQUIRES(mu_);
  void Judge(const Rule& rule, RuleState& rs, int64_t now, Pass& pass) REQUIRES(mu_);
  Status Finish(Pass& pass) EXCLUDES(mu_);  // notifies, persists, stores events

  EvaluatorDeps deps_;
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<RuleState>, std::less<>> rules_ GUARDED_BY(mu_);
  // Loaded instances whose rule has not been set (yet).
  std::map<std::string, std::vector<StoredInstance>> orphans_ GUARDED_BY(mu_);
  int64_t default_interval_ns_ GUARDED_BY(mu_) = 30'000'000'000;
  std::string external_url_ GUARDED_BY(mu_);
  EvaluatorStats stats_ GUARDED_BY(mu_);
  std::mutex run_mu_;  // one evaluation at a time
};

}  // namespace vigil::alert
