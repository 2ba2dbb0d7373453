// Native ingest format: NDJSON (one JSON object per line) or a single JSON array of
// objects, as POSTed to /api/v1/logs, read by `vigil import` and sent by `vigil ship`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/batch.h"
#include "core/status.h"

namespace vigil {

struct LineRejection {
  size_t index = 0;    // 0-based line (NDJSON) or element (array) number
  std::string reason;  // e.g. "invalid JSON at byte 17: missing comma", "not a JSON object"
};

struct JsonLinesOptions {
  int64_t ingest_time_ns = 0;  // @ingested, and @timestamp when the line has none
  std::string group;           // @group (may be empty)
  std::string stream;          // @stream (may be empty)
  size_t max_line_bytes = 1u << 20;
  // Plain-text (non-JSON) lines become {"@message": line} instead of being rejected
  // (the shipper's mode); the HTTP endpoint rejects them.
  bool accept_plain_text = false;
};

struct JsonLinesResult {
  Batch batch;  // accepted events, in input order
  size_t accepted = 0;
  std::vector<LineRejection> rejected;
};

// Parses `body`. Empty lines are skipped silently (not counted). Each accepted object is
// flattened (nested objects -> dotted names, arrays kept as JSON text); user keys that
// begin with '@' are stored with one more '@' ("@foo" -> "@@foo"). Vigil adds @timestamp
// (from timestamp/@timestamp/time/ts: epoch s/ms/us/ns or RFC 3339, else ingest time),
// @ingested, @group and @stream. Returns InvalidArgument only when the body as a whole
// cannot be read (e.g. an unterminated JSON array); per-line problems go to `rejected`.
// Thread-safe (no shared state).
Result<JsonLinesResult> ParseJsonLines(std::string_view body, const JsonLinesOptions& options);

}  // namespace vigil
