// PostHog-compatible capture: the bodies that PostHog SDKs and the PostHog capture API
// send to /capture/, /batch/, /i/v0/e/ and /e/ (docs/views/analytics.md):
//   {"api_key": K, "event": E, "distinct_id": D, "properties": {...}, "timestamp": T}
//   {"api_key": K, "batch": [{"event": ..., ...}, ...], "sent_at": T}
//   [{"event": ..., ...}, ...]
// sent as JSON, gzip (Content-Encoding, or `?compression=gzip-js` as posthog-js does), or
// form-encoded `data=<base64 of the JSON>`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/batch.h"
#include "core/status.h"
#include "health/health_config.h"
#include "ingest/json_lines.h"

namespace vigil::health {

// Removes the capture transport: a form-encoded body becomes its `data` field, and the
// `compression` (query or form: gzip, gzip-js, base64; empty = none) is undone. A body that
// is not form-encoded but starts with the gzip magic is gunzipped; form data that is not
// JSON is read as base64. Errors: InvalidArgument (corrupt gzip/base64, form without
// data), Unsupported (lz64 and unknown compressions), ResourceExhausted (over max_bytes).
Result<std::string> DecodeCaptureBody(std::string&& body, std::string_view content_type,
                                      std::string_view compression, size_t max_bytes);

struct CaptureBody {
  std::string api_key;  // the request's project key ("" when it carries none)
  Batch batch;          // accepted events: @kind "analytics", event, distinct_id, properties.*
  size_t accepted = 0;
  std::vector<LineRejection> rejected;  // index: the event's position in the request
};

// Parses the decoded JSON. Each event needs a non-empty String `event` and a `distinct_id`
// (String or number; top level or in properties); `properties` must be an object. Its time
// is `timestamp` (corrected by the client's clock skew when `sent_at` is given, as PostHog
// does), else now minus `offset` ms, else now_ns. The project key comes from `api_key` or
// `token` at the top, else from the events (also `properties.token`); an event naming a
// different key is rejected. Keys are never stored. Bad events are rejected one by one;
// InvalidArgument when the body is not JSON or has no events. Thread-safe.
Result<CaptureBody> ParseCaptureJson(std::string_view json, int64_t now_ns, const AnalyticsConfig& config);

// Standard or URL-safe base64, padding optional, whitespace ignored. InvalidArgument for
// any other character.
Result<std::string> DecodeBase64(std::string_view text);

}  // namespace vigil::health
