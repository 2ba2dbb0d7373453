// Status reports: the body of POST /api/v1/status, and the reports inside ingested
// batches (POSTed reports and log events of the same shape). docs/views/status.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/batch.h"
#include "core/status.h"
#include "health/health_config.h"
#include "health/status_tracker.h"
#include "ingest/json_lines.h"

namespace vigil::health {

struct StatusBody {
  Batch batch;  // accepted reports as events: @kind "status", @timestamp = `at`
  size_t accepted = 0;
  std::vector<LineRejection> rejected;  // index: position in the array (0 for an object)
};

// Parses one report object or an array of them:
//   {"check": "email_sync", "entity": "mailbox 42", "tenant": "agency_x_db",
//    "status": "error", "reason": "token expired", "at": "2026-01-01T00:00:00Z"}
// check and status are required non-empty strings (status is stored in lower case);
// entity, tenant and reason optional strings; at optional (RFC 3339 or epoch s/ms/us/ns;
// default now_ns). Other keys are stored with the event. A bad element is rejected alone
// with the reason; InvalidArgument when the body as a whole is not JSON, not an object or
// array, or holds no element. Thread-safe.
Result<StatusBody> ParseStatusBody(std::string_view body, int64_t now_ns);

// The reports in a normalized batch: rows with @kind "status" (default field names), and,
// when config.from_logs, other rows with String check and status fields (config.fields).
// A report's time is its row's @timestamp. Thread-safe.
std::vector<StatusReport> ReportsInBatch(const Batch& batch, const StatusConfig& config);

}  // namespace vigil::health
