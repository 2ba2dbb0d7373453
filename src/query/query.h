// Query engine entry point: Logs Insights syntax or a SQL SELECT (docs/query.md) over a
// Store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/value.h"
#include "store/store.h"

namespace vigil {

struct QueryRequest {
  std::string text;
  std::optional<int64_t> start_ns;  // inclusive; default: now - 1h ...
  std::optional<int64_t> end_ns;    // inclusive; default: now
  // ... except that a query pinning an id field (`request_id = "…"`, `trace_id = …`) with
  // no explicit range searches all time.
  int64_t now_ns = 0;       // the current time; 0 reads the system clock
  size_t max_rows = 10000;  // cap on returned rows when the query has no `limit`
};

// Server-wide settings of the query engine.
namespace query {
class ViewRegistry;
}

struct QueryOptions {
  // `<id field> = "..."` as a top-level condition makes a query an id lookup: with no
  // explicit range it searches all time, and with no `sort` it lists oldest first.
  std::vector<std::string> id_fields = {"request_id", "trace_id"};
  // Memory a query's `stats` may hold (groups and aggregate state). A query that needs
  // more fails with ResourceExhausted instead of exhausting the server.
  size_t memory_budget_bytes = size_t{256} << 20;
  // Wall-clock limit of one query's execution in milliseconds (0: none). A query that
  // runs longer stops scanning and fails with ResourceExhausted.
  int64_t timeout_ms = 0;
  // Views for `source <view>` / FROM; nullptr means query::DefaultViews() (views.h).
  const query::ViewRegistry* views = nullptr;
};

struct ResultColumn {
  std::string name;
  bool is_time = false;  // Int ns since epoch, rendered as ISO 8601 (ms) by front ends
};

struct QueryStats {
  ScanStats scan;
  uint64_t rows_matched = 0;
  double elapsed_ms = 0;
  double plan_ms = 0;     // of elapsed_ms: parsing, binding and planning
  double execute_ms = 0;  // of elapsed_ms: scanning and running the operators
  int64_t start_ns = 0;  // the time range actually searched
  int64_t end_ns = 0;
};

struct QueryResult {
  std::vector<ResultColumn> columns;
  std::vector<std::vector<Value>> rows;
  QueryStats stats;
};

// Parses, plans and runs `req` against `store`. A malformed query returns
// InvalidArgument whose message starts with "line L, column C: " and says what was
// expected. Thread-safe: concurrent queries are fine.
Result<QueryResult> RunQuery(Store& store, const QueryRequest& req);
Result<QueryResult> RunQuery(Store& store, const QueryRequest& req, const QueryOptions& options);

// The plan RunQuery would execute for `req`, one operator per line (for `explain` and
// debugging). Errors: as RunQuery's for a malformed query. Thread-safe.
Result<std::string> ExplainQuery(const QueryRequest& req, const QueryOptions& options = {});

}  // namespace vigil
