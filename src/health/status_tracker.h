// StatusTracker: the current state of each integration check (the runbook's email_sync),
// per (check, entity, tenant), kept in the data directory's state.db. Reports arrive as
// events (POST /api/v1/status or log events of that shape); the events are the history,
// this table the current state. docs/views/status.md.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/batch.h"
#include "core/status.h"
#include "health/health_config.h"
#include "state/state_db.h"

namespace vigil::health {

struct StatusReport {
  std::string check;
  std::string entity;  // "" when the report names none
  std::string tenant;  // "" when the report names none
  std::string status;  // lower case: ok, error, disconnected, ...
  std::string reason;
  int64_t at_ns = 0;
};

class StatusTracker {
 public:
  // Opens (creating its table unless read_only) the tracker in the SQLite file at `path`.
  // read_only: a missing file or table reads as no checks. Errors: StateDb's.
  static Result<std::unique_ptr<StatusTracker>> Open(const std::string& path, bool read_only);

  // Applies reports in order, in one transaction. A report older than the stored last
  // report of its key is history only: it may move last_ok forward but does not change
  // the current status. Errors: SQLite's (nothing applied). Thread-safe.
  Status Apply(const std::vector<StatusReport>& reports);

  // The rows of the `status` view at `now_ns`: check, entity, tenant, status, reason,
  // last_report, last_ok, changed_at (ISO 8601 strings), @timestamp (= last report),
  // @tenant, reports, expected_interval_s, age_s and stale (no report for longer than the
  // check's interval). Sorted by check, entity, tenant. Thread-safe.
  Result<Batch> Table(int64_t now_ns, const StatusConfig& config) const;

 private:
  explicit StatusTracker(std::unique_ptr<StateDb> db) : db_(std::move(db)) {}
  Status ApplyOne(const StatusReport& r);

  std::unique_ptr<StateDb> db_;  // null: read-only over a data dir without state
};

}  // namespace vigil::health
