// ErrorGroups: the deduplicated error groups (DESIGN.md section 5), one row per
// fingerprint in the data directory's SQLite state (state/state_db.h), so counts and
// first/last-seen times are exact and outlive log retention and restarts.
//
// The ingest path records occurrences after their batch is durable (Record); the views
// `errors`, `err_api`, `err_400`, `errors_general` and the /api/v1/errors routes read
// and change groups. Merging group B into A makes B an alias: B's counts move to A and
// later occurrences of B count for A.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/batch.h"
#include "core/status.h"
#include "state/state_db.h"

namespace vigil {

// Occurrences of one fingerprint in one batch.
struct ErrorOccurrences {
  std::string fingerprint;
  std::string tenant, error_class, message, sample;  // message = the template
  int64_t count = 0;
  int64_t first_ns = 0, last_ns = 0;
  // Of the latest occurrence; empty when it had none.
  std::string path, endpoint, request_id, trace_id;
};

struct ErrorGroup {
  std::string fingerprint, tenant, error_class, message, sample;
  int64_t count = 0;
  int64_t first_seen_ns = 0, last_seen_ns = 0;
  std::string path, endpoint, request_id, trace_id;
  std::string status;  // unresolved | resolved | ignored | regressed
  std::optional<int64_t> resolved_at_ns, regressed_at_ns;
  std::vector<std::string> merged;  // fingerprints merged into this group
};

struct ErrorGroupFilter {
  std::string tenant, error_class, status;  // empty: any
  // Groups seen in [since, until] (inclusive, ns).
  std::optional<int64_t> since_ns, until_ns;
  size_t limit = 0;  // 0: all
};

class ErrorGroups {
 public:
  // Opens (creating the tables unless read_only) the groups in `db`. `db` must outlive
  // the object. Errors: the database's.
  static Result<std::unique_ptr<ErrorGroups>> Open(StateDb& db);

  // Adds occurrences (one transaction; counts add up exactly under concurrent calls).
  // A resolved group that occurs after it was resolved becomes "regressed".
  // Thread-safe.
  Status Record(const std::vector<ErrorOccurrences>& occurrences);

  // Groups matching `filter`, most recently seen first. Thread-safe.
  Result<std::vector<ErrorGroup>> List(const ErrorGroupFilter& filter) const;
  // One group (also found by a fingerprint merged into it); NotFound when unknown.
  Result<ErrorGroup> Get(const std::string& fingerprint) const;

  // Sets the status: "resolved", "ignored" or "unresolved" (reopen). `now_ns` is
  // recorded as the resolution time. NotFound / InvalidArgument. Thread-safe.
  Status SetStatus(const std::string& fingerprint, const std::string& status, int64_t now_ns);
  // Moves `from` into `into` (counts added, times widened; `from` becomes an alias).
  // NotFound when either is unknown; InvalidArgument when they are the same group.
  Status Merge(const std::string& into, const std::string& from);

  // The rows of `groups` as a Batch with the view's columns (ColumnNames()).
  static Batch ToBatch(const std::vector<ErrorGroup>& groups);
  static const std::vector<std::string>& ColumnNames();
  static const std::vector<std::string>& TimeColumns();

 private:
  explicit ErrorGroups(StateDb& db) : db_(db) {}
  Result<std::string> Resolve(const std::string& fingerprint) const;

  StateDb& db_;
};

}  // namespace vigil
