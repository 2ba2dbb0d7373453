// Slow-page diagnosis per endpoint (optionally per tenant): the `slow_endpoints` views.
//
// Over the request events of the query's time range (events with duration_ms,
// query_count and query_total_ms) it computes per endpoint: requests, p50/p95/p99 of
// duration_ms, mean and p50/p95 of query_count, mean query_total_ms, db_share (total
// query time / total duration) and a label by the rules of DiagnosisOptions applied to
// the endpoint's distribution:
//   n_plus_one    p50 or p95 query_count >= n_plus_one_queries
//   slow_queries  mean query_total_ms >= slow_query_total_ms
//   python_bound  p95 duration_ms >= slow_duration_ms and db_share < python_db_share
//   ok            otherwise
// Rows come worst first: labeled rows before ok ones, then by p95 duration.
#pragma once

#include <string>
#include <vector>

#include "core/batch.h"
#include "core/status.h"
#include "pipeline/normalize.h"
#include "query/query.h"
#include "query/views.h"
#include "store/store.h"

namespace vigil {

struct SlowEndpointStats {
  double requests = 0, p50 = 0, p95 = 0, p99 = 0;
  double mean_query_count = 0, p50_query_count = 0, p95_query_count = 0;
  double mean_query_total_ms = 0, db_share = 0;
};

// The label of one endpoint's numbers.
const char* DiagnoseEndpoint(const SlowEndpointStats& s, const DiagnosisOptions& options);

// Computes the view's rows. `by_tenant` adds a `tenant` column (@tenant) to the key.
// Errors: the inner query's.
Result<Batch> SlowEndpoints(Store& store, const QueryOptions& query_options,
                            const DiagnosisOptions& diagnosis, const query::TableRequest& range,
                            bool by_tenant);

const std::vector<std::string>& SlowEndpointColumns(bool by_tenant);

}  // namespace vigil
