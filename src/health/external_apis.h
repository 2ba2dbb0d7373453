// Third-party API health: the views `external_api_calls` (one row per outbound call, its
// URL turned into a route template) and `external_apis` (per API and endpoint: calls,
// error rates, latency percentiles, last error). docs/views/external_apis.md.
#pragma once

#include "core/batch.h"
#include "core/status.h"
#include "health/health_config.h"
#include "query/views.h"
#include "store/store.h"

namespace vigil::health {

// The columns of `external_api_calls`, one row per call event in the request's range:
//   @timestamp, @tenant, external_api (the API field, else the first name field), host,
//   method, endpoint (route template of the first URL field present, else the operation
//   field; null without either), status, latency_ms (Float), error (Bool: status >= 400,
//   success = false, or no status and an error field), http_429, http_5xx (Bool),
//   error_message (on error rows: "HTTP <status>: <text>"), request_id.
// An event is a call when it has a non-empty String API field, or a kind / @kind listed in
// config.kinds, or a String host field and a number in the first latency field. Returns
// ResourceExhausted when more than config.max_rows calls fall in the range; a store error
// as is. Thread-safe.
Result<Batch> ExternalApiCalls(Store& store, const ExternalApiConfig& config, const query::TableRequest& req);

// The `external_apis` view: a stats prefix over `external_api_calls`.
extern const char* const kExternalApisPrefix;

}  // namespace vigil::health
