// The metrics Vigil's server exports on GET /metrics.
#pragma once

#include "server/metrics.h"
#include "store/store.h"

namespace vigil {

// Registers the server's own metrics in `registry` (which must outlive this object) and
// keeps references for the hot paths. Thread-safe like the metrics themselves.
struct ServerMetrics {
  explicit ServerMetrics(MetricsRegistry& registry);

  Counter& ingested_lines;       // vigil_ingested_lines_total
  Counter& ingested_bytes;       // vigil_ingested_bytes_total (decoded request bodies)
  Counter& rejected_lines;       // vigil_rejected_lines_total
  CounterFamily& http_requests;  // vigil_http_requests_total{route,code}
  Counter& query_total;          // vigil_query_total
  Histogram& query_duration;     // vigil_query_duration_seconds
};

// Writes the store-derived metrics (vigil_wal_fsync_seconds, vigil_parts,
// vigil_partition_rows, vigil_partition_bytes, vigil_merge_backlog, vigil_memtable_rows,
// vigil_wal_bytes) from one Store::Stats() snapshot. `stats.fsync_buckets` are read as
// Prometheus buckets: cumulative counts of fsyncs at or under each upper bound.
void WriteStoreMetrics(const StoreStats& stats, PrometheusWriter& w);

}  // namespace vigil
