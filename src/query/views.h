// Views: named sources a query can start from (`source errors | ...`, `SELECT ... FROM
// errors`) instead of raw events.
//
// A view is a Logs Insights command prefix that the planner runs before the query's own
// commands ("filter @kind = 'cron' | fields ..."); an empty prefix is all events. A view
// may instead start from a *table*: rows a module computes on demand (error groups from
// their SQLite table, cron jobs' states), which the prefix and the query then refine
// exactly as they would events. The built-in view `events` is the raw events; other
// modules register theirs at startup.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/batch.h"
#include "core/status.h"

namespace vigil::query {

// What a table view is asked for: the query's time range (inclusive, ns) and whether the
// caller gave it (a table of current state, such as error groups, usually ignores the
// default last-hour range but honors an explicit one).
struct TableRequest {
  int64_t min_ts = 0;
  int64_t max_ts = 0;
  bool explicit_range = false;
  int64_t now_ns = 0;
};
// Produces a table view's rows. Called once per query, on the query's thread; must be
// thread-safe. Errors fail the query.
using TableFn = std::function<Result<Batch>(const TableRequest&)>;

struct ViewDef {
  std::string name;         // as written after `source` / FROM (case-sensitive)
  std::string description;  // one line, for listings
  std::string prefix;       // Logs Insights commands; empty = all events (or the table)
  TableFn table;            // set: the view's rows come from here instead of the store
  // A table's columns, in the order a query without `fields`/`display`/`stats` shows
  // them, and which of them hold times (Int ns, shown as ISO 8601 like @timestamp).
  std::vector<std::string> columns;
  std::vector<std::string> time_columns;
};

// Thread-safe: registration and lookups may happen concurrently.
class ViewRegistry {
 public:
  ViewRegistry();  // holds the built-in `events`

  // Adds `view`, replacing a view of the same name.
  void Register(ViewDef view);
  // The view named `name`, or nullopt.
  std::optional<ViewDef> Find(std::string_view name) const;
  // Every view name, sorted.
  std::vector<std::string> Names() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, ViewDef, std::less<>> views_;  // guarded by mu_
};

// The process-wide registry that queries use unless told otherwise. Never null.
ViewRegistry& DefaultViews();

}  // namespace vigil::query
