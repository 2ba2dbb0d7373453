#include "server/server_metrics.h"

namespace vigil {

namespace {

const std::vector<double> kQueryBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                           0.25,  0.5,    1,     2.5,  5,     10,   30};

}  // namespace

ServerMetrics::ServerMetrics(MetricsRegistry& r)
    : ingested_lines(r.AddCounter("vigil_ingested_lines_total",
                                  "Events accepted by the ingest API and stored durably.")),
      ingested_bytes(r.AddCounter("vigil_ingested_bytes_total",
                                  "Decoded bytes of ingest request bodies that stored events.")),
      rejected_lines(r.AddCounter("vigil_rejected_lines_total",
                                  "Ingested lines rejected (invalid JSON, too long, ...).")),
      http_requests(r.AddCounterFamily("vigil_http_requests_total",
                                       "HTTP requests answered, by route and status code.",
                                       {"route", "code"})),
      query_total(r.AddCounter("vigil_query_total", "Queries run through the query API.")),
      query_duration(r.AddHistogram("vigil_query_duration_seconds",
                                    "Wall-clock time of queries run through the query API.",
                                    kQueryBuckets)) {}

void WriteStoreMetrics(const StoreStats& s, PrometheusWriter& w) {
  w.Header("vigil_wal_fsync_seconds", "Latency of WAL fsyncs.", "histogram");
  w.Histogram("vigil_wal_fsync_seconds", {}, s.fsync_buckets, s.fsync_sum_seconds, s.fsync_count);

  w.Header("vigil_parts", "Parts per partition (UTC day).", "gauge");
  for (const auto& p : s.partitions) w.Sample("vigil_parts", {{"partition", p.partition}}, p.parts);
  w.Header("vigil_partition_rows", "Rows stored in parts, per partition.", "gauge");
  for (const auto& p : s.partitions) {
    w.Sample("vigil_partition_rows", {{"partition", p.partition}}, p.rows);
  }
  w.Header("vigil_partition_bytes", "Bytes of parts on disk, per partition.", "gauge");
  for (const auto& p : s.partitions) {
    w.Sample("vigil_partition_bytes", {{"partition", p.partition}}, p.bytes);
  }

  w.Header("vigil_merge_backlog", "Partitions waiting for a merge.", "gauge");
  w.Sample("vigil_merge_backlog", {}, s.merge_backlog);
  w.Header("vigil_memtable_rows", "Rows in the memtable, not yet in parts.", "gauge");
  w.Sample("vigil_memtable_rows", {}, s.memtable_rows);
  w.Header("vigil_wal_bytes", "Bytes in live WAL segments.", "gauge");
  w.Sample("vigil_wal_bytes", {}, s.wal_bytes);
}

}  // namespace vigil
